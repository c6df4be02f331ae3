"""Writing a new plan with its items, milestones and reminders: on PostgreSQL one statement.

A plan create is the API's heaviest write. Through the ORM it is four INSERTs (the plan, then
its items, then their milestones, which need the items' ids, then the reminders, which need
the milestones'), each built and compiled by Django and a round trip of its own. Here it is
one data-modifying CTE: the rows go in as JSON, one parameter per table, the
milestones take their item's id by joining the items just inserted on their position, and
the reminders their milestone's the same way. Elsewhere (SQLite, the embedded default) the
ORM writes them; both give the same rows (tests/plans/test_plan_create_write_path.py).
"""

from __future__ import annotations

import orjson
from django.db import connections, router, transaction

from accounts.models import Profile
from careerplan.db import ORDINAL, insert_fields, json_rows, json_rows_source
from plans.models import Milestone, Plan, PlanItem, Reminder

ITEM_KEY = "_item_position"  # the join column of the milestones' and reminders' sources
PLAN_FIELDS = insert_fields(Plan)
ITEM_FIELDS = insert_fields(PlanItem)
MILESTONE_FIELDS = insert_fields(Milestone, exclude=("item",))
REMINDER_FIELDS = insert_fields(Reminder, exclude=("milestone",))
# what arming a plan's reminders reads of the owner's profile (plans.reminders)
ARMING_FIELDS = ("timezone", "reminders_enabled", "exam_reminder_offsets")


def in_one_statement(connection) -> bool:
    """Whether this database takes the one statement (PostgreSQL: its data-modifying CTEs and
    jsonb_to_recordset)."""
    return connection.vendor == "postgresql"


def insert_new_plan(
    *,
    plan: Plan,
    items: list[PlanItem],
    milestones: list[Milestone],
    reminders: list[Reminder],
    armed_by: Profile | None = None,
) -> bool:
    """Save the unsaved `plan` with its `items` (distinct positions), `milestones` (at most
    one per item of `items`) and `reminders` (each of one of `milestones`), all or nothing
    (a statement is atomic; the ORM's inserts run in a transaction). The plan, items and
    milestones come back saved, with their ids, as `save`/`bulk_create` leave them; the
    reminders are written and not read back (nothing shows them).

    `armed_by` is the owner's profile as the reminders were made from it. If its arming
    fields (ARMING_FIELDS) are no longer what the database holds (a change of the time zone,
    say, committed since it was read), nothing is written and False is returned: make the
    reminders again from the profile as it is now. While the write runs the profile's row is
    held (FOR SHARE in the one statement, FOR NO KEY UPDATE in the ORM's transaction), so a
    change of the profile waits for it, and the re-arming that follows the change sees the new
    plan. Returns True when written."""
    connection = connections[router.db_for_write(Plan)]
    if not (items and in_one_statement(connection)):
        # No savepoint when called inside a transaction (an Idempotency-Key, the path finder):
        # nothing catches its errors to carry on, so the caller's transaction fails either way.
        with transaction.atomic(using=connection.alias, savepoint=False):
            if armed_by is not None and not _arming_held(armed_by):
                return False
            _insert_with_orm(plan, items, milestones, reminders)
        return True
    by_position = {item.position: item for item in items}
    milestone_of = {milestone.item.position: milestone for milestone in milestones}
    if len(by_position) != len(items) or len(milestone_of) != len(milestones):
        raise ValueError("A new plan's items need distinct positions and one milestone at most.")
    sql, params = _statement(connection, plan, items, milestones, reminders, armed_by)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        written = cursor.fetchall()
    if not written:  # the profile's arming fields changed: the guard let nothing in
        return False
    for position, item_id, milestone_id in written:
        item = by_position[position]
        item.pk = item_id
        _saved(item, connection.alias)
        if milestone_id is not None:
            milestone = milestone_of[position]
            milestone.pk = milestone_id
            milestone.item = item  # its item_id, now that the item has one
            _saved(milestone, connection.alias)
    _saved(plan, connection.alias)
    return True


def _arming_held(profile: Profile) -> bool:
    """Inside the ORM's transaction: lock the profile's row if its arming fields still hold
    what `profile` has."""
    unchanged = {name: getattr(profile, name) for name in ARMING_FIELDS}
    return (
        Profile.objects.select_for_update(no_key=True).filter(pk=profile.pk, **unchanged).exists()
    )


def _statement(
    connection,
    plan: Plan,
    items: list[PlanItem],
    milestones: list[Milestone],
    reminders: list[Reminder],
    armed_by: Profile | None = None,
) -> tuple[str, list]:
    guarded = armed_by is not None
    sql = connection.__dict__.get(_SQL_KEY[guarded]) or _sql(connection, guarded=guarded)
    params = []
    if guarded:
        params += [
            armed_by.pk,
            armed_by.timezone,
            armed_by.reminders_enabled,
            orjson.dumps(armed_by.exam_reminder_offsets).decode(),
        ]
    params += [
        json_rows([plan], PLAN_FIELDS, connection),
        json_rows(items, ITEM_FIELDS, connection),
        json_rows(
            milestones,
            MILESTONE_FIELDS,
            connection,
            keys={ITEM_KEY: [one.item.position for one in milestones]},
        ),
        json_rows(
            reminders,
            REMINDER_FIELDS,
            connection,
            keys={ITEM_KEY: [one.milestone.item.position for one in reminders]},
        ),
    ]
    return sql, params


_SQL_KEY = {False: "_careerplan_new_plan_sql", True: "_careerplan_new_plan_guarded_sql"}


def _sql(connection, *, guarded: bool) -> str:
    """The statement, made from the models' metadata once per connection (kept on it);
    `guarded`: with the profile's guard first (`insert_new_plan`'s `armed_by`)."""
    quote = connection.ops.quote_name
    item_id = quote(PlanItem._meta.pk.column)
    position_field = PlanItem._meta.get_field("position")
    position = quote(position_field.column)
    milestone_id = quote(Milestone._meta.pk.column)
    milestone_item = quote(Milestone._meta.get_field("item").column)
    key = quote(ITEM_KEY)
    keys = {ITEM_KEY: position_field.db_type(connection)}

    def insert(model, fields, source: str, *, foreign_key: str = "", value: str = "") -> str:
        """INSERT ... SELECT of `fields` from `source` (aliased src); `foreign_key` set to
        `value`, an expression of the tables `source` joins."""
        columns = [quote(field.column) for field in fields]
        selected = [f"src.{column}" for column in columns]
        if foreign_key:
            columns.append(quote(model._meta.get_field(foreign_key).column))
            selected.append(value)
        # identifiers from the models' metadata, quoted; every value is a parameter; the rows
        # in their list's order, so their ids are too
        return (
            f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(columns)}) "  # noqa: S608
            f"SELECT {', '.join(selected)} FROM {source} ORDER BY src.{quote(ORDINAL)}"
        )

    by_item = f"JOIN new_items ON new_items.{position} = src.{key}"
    by_milestone = f"JOIN new_milestones ON new_milestones.{milestone_item} = new_items.{item_id}"
    plan_source = json_rows_source(PLAN_FIELDS, connection, "src")
    item_source = json_rows_source(ITEM_FIELDS, connection, "src")
    guard = ""
    if guarded:
        # the profile's row, locked FOR SHARE, if its arming fields still hold the values the
        # reminders were made from; the plan and its items are read from their sources joined
        # to it, so without it nothing is inserted (the milestones and reminders join them)
        profile = Profile._meta
        column = {name: quote(profile.get_field(name).column) for name in ARMING_FIELDS}
        guard = (
            f"guard AS (SELECT 1 FROM {quote(profile.db_table)} "  # noqa: S608
            f"WHERE {quote(profile.pk.column)} = %s AND {column['timezone']} = %s "
            f"AND {column['reminders_enabled']} = %s "
            f"AND {column['exam_reminder_offsets']} = %s::jsonb FOR SHARE), "
        )
        plan_source += " CROSS JOIN guard"
        item_source += " CROSS JOIN guard"
    milestone_source = json_rows_source(MILESTONE_FIELDS, connection, "src", keys=keys)
    reminder_source = json_rows_source(REMINDER_FIELDS, connection, "src", keys=keys)
    new_milestones = insert(
        Milestone,
        MILESTONE_FIELDS,
        f"{milestone_source} {by_item}",
        foreign_key="item",
        value=f"new_items.{item_id}",
    )
    new_reminders = insert(
        Reminder,
        REMINDER_FIELDS,
        f"{reminder_source} {by_item} {by_milestone}",
        foreign_key="milestone",
        value=f"new_milestones.{milestone_id}",
    )
    sql = (
        f"WITH {guard}new_plan AS ({insert(Plan, PLAN_FIELDS, plan_source)}), "  # noqa: S608
        f"new_items AS ({insert(PlanItem, ITEM_FIELDS, item_source)} "
        f"RETURNING {item_id}, {position}), "
        f"new_milestones AS ({new_milestones} RETURNING {milestone_id}, {milestone_item}), "
        f"new_reminders AS ({new_reminders}) "
        f"SELECT new_items.{position}, new_items.{item_id}, new_milestones.{milestone_id} "
        f"FROM new_items LEFT {by_milestone}"
    )
    connection.__dict__[_SQL_KEY[guarded]] = sql
    return sql


def _insert_with_orm(
    plan: Plan, items: list[PlanItem], milestones: list[Milestone], reminders: list[Reminder]
) -> None:
    plan.save(force_insert=True)
    # bulk_create takes each row's foreign key from its related object saved just before
    PlanItem.objects.bulk_create(items)
    Milestone.objects.bulk_create(milestones)
    Reminder.objects.bulk_create(reminders)


def _saved(obj, alias: str) -> None:
    """Mark `obj` as loaded from the database, as `save` and `bulk_create` do."""
    obj._state.adding = False
    obj._state.db = alias
