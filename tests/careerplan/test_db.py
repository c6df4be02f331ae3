"""careerplan.db: CompiledRows (compiled once, run with new values, rows as the ORM gives them),
the rows of a model as an INSERT's JSON source, and upsert."""

from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace
from uuid import uuid4

import orjson
import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import connections, models, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import Profile, User
from careerplan.db import (
    CompiledRows,
    concrete_attnames,
    insert_fields,
    json_rows,
    json_rows_source,
    upsert,
)
from plans.models import Plan, PlanItem, PlanRendering
from roles.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_rows_are_what_the_queryset_gives_for_each_new_value():
    # given: two users, and their query compiled once
    users = UserFactory.create_batch(2)
    by_id = CompiledRows(
        User,
        lambda pk: User.objects.filter(pk=pk).values_list("id", "email", "date_joined"),
        User._meta.pk,
    )
    # when / then: each value gives that user's row, converted as values_list() converts it
    for user in users:
        assert by_id.rows(user.pk) == list(
            User.objects.filter(pk=user.pk).values_list("id", "email", "date_joined")
        )
    assert by_id.rows(max(user.pk for user in users) + 1) == []


def test_instances_are_the_models_as_the_orm_loads_them():
    # given: two users with profiles, and a query of every profile column compiled once
    users = UserFactory.create_batch(2)
    profiles = [Profile.objects.create(user=user, timezone="Asia/Tokyo") for user in users]
    by_user = CompiledRows(
        Profile,
        lambda user_id: Profile.objects.filter(user_id=user_id).values_list(
            *concrete_attnames(Profile)
        ),
        Profile._meta.get_field("user"),
        for_write=True,
    )
    # when / then: saved instances with the ORM's values, none for an unknown user
    for profile in profiles:
        (loaded,) = by_user.instances(profile.user_id)
        expected = Profile.objects.get(pk=profile.pk)
        assert isinstance(loaded, Profile)
        assert not loaded._state.adding
        assert loaded._state.db == expected._state.db
        for field in Profile._meta.concrete_fields:
            assert getattr(loaded, field.attname) == getattr(expected, field.attname)
    assert by_user.instances(max(user.pk for user in users) + 1) == []


def test_a_query_whose_values_do_not_reach_the_sql_is_refused():
    # given: a build that drops its value (the sentinel cannot be found among the parameters)
    broken = CompiledRows(Plan, lambda plan_id: Plan.objects.values_list("id"), Plan._meta.pk)
    # when / then
    with pytest.raises(ImproperlyConfigured, match="one place"):
        broken.rows(uuid4())


def test_compiled_forms_are_kept_on_the_connection_per_query():
    # given: two queries of the same shape over different columns, run on one connection
    emails = CompiledRows(
        User, lambda pk: User.objects.filter(pk=pk).values_list("email"), User._meta.pk
    )
    joined = CompiledRows(
        User, lambda pk: User.objects.filter(pk=pk).values_list("date_joined"), User._meta.pk
    )
    user = UserFactory()
    # when / then: each answers with its own columns, compiled once on that connection
    assert emails.rows(user.pk) == [(user.email,)]
    assert joined.rows(user.pk) == [(user.date_joined,)]
    kept = connections["default"].__dict__["_careerplan_compiled_rows"]
    assert (emails, 1) in kept
    assert (joined, 1) in kept


def test_insert_fields_are_bulk_create_s_less_the_excluded():
    assert [f.name for f in insert_fields(PlanItem)] == [
        f.name
        for f in PlanItem._meta.concrete_fields
        if f.name != "id"  # the auto key
    ]
    assert "plan" not in {f.name for f in insert_fields(PlanItem, exclude=("plan",))}
    assert insert_fields(Plan)[0].name == "id"  # a UUID key set by Python is inserted


def test_json_rows_prepares_values_as_bulk_create_and_stamps_the_objects():
    # given: an unsaved plan with a salary and no stamps yet
    plan = Plan(
        owner_id=7,
        title='A "quoted" \\ title',
        target_role_id=3,
        start_date=date(2027, 1, 4),
        current_salary=Decimal("36000.50"),
    )
    fields = [Plan._meta.get_field(name) for name in ("id", "title", "current_salary")]
    fields += [Plan._meta.get_field("created_at"), Plan._meta.get_field("start_date")]
    # when
    rows = orjson.loads(json_rows([plan], fields, connections["default"], keys={"_key": ["k1"]}))
    # then: the key first, decimals as text, the auto_now_add stamp set on the object too
    assert plan.created_at is not None
    assert rows == [
        {
            "_key": "k1",
            "id": str(plan.id) if connections["default"].vendor == "postgresql" else plan.id.hex,
            "title": 'A "quoted" \\ title',
            "current_salary": "36000.50",
            # the stamp json_rows set on the object, not a second now()
            "created_at": orjson.loads(
                orjson.dumps(
                    Plan._meta.get_field("created_at").get_db_prep_save(
                        plan.created_at, connections["default"]
                    )
                )
            ),
            "start_date": "2027-01-04",
        }
    ]


def prepared_by_django(objs, fields, connection) -> list[dict]:
    """Each value through `get_db_prep_save`, as json_rows prepares what it cannot pass as is
    (the objects' stamps as json_rows left them)."""
    rows = [
        {f.column: f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields}
        for obj in objs
    ]
    return orjson.loads(orjson.dumps(rows, default=str))


def test_json_rows_gives_what_django_s_preparation_gives_for_every_column():
    # given: a plan and items of every kind, with every column's kind of value (text, numbers,
    # decimals, dates, aware datetimes, UUIDs, foreign keys, NULLs)
    connection = connections["default"]
    plan = Plan(
        owner_id=7,
        title="Coder",
        target_role_id=3,
        training_path_id=None,
        start_date=date(2027, 1, 4),
        current_salary=Decimal("36000.50"),
    )
    items = [
        PlanItem(
            plan=plan,
            position=0,
            kind="step",
            training_step_id=1,
            planned_cost=Decimal("4000.00"),
            duration_value=9,
            duration_unit="months",
        ),
        PlanItem(
            plan=plan,
            position=1,
            kind="exam",
            certification_id=2,
            exam_date=date(2027, 9, 1),
            planned_cost=Decimal("0"),
            status="done",
            done_at=datetime(2027, 9, 2, 15, 30, tzinfo=UTC),
        ),
        PlanItem(
            plan=plan,
            position=2,
            kind="custom",
            title='Caf\u00e9 "x"',
            provider="AAPC",
            url="https://example.com/a",
            quantity=2,
            planned_cost=Decimal("19.99"),
        ),
    ]
    profile = Profile(user_id=7, reminders_enabled=None)  # NULL: the column refuses it, later
    for objs in ([plan], items, [profile]):
        # (a JSONField's value is not for a JSON source: Django wraps it for the driver)
        fields = [f for f in insert_fields(type(objs[0])) if not isinstance(f, models.JSONField)]
        # when
        rows = orjson.loads(json_rows(objs, fields, connection))
        # then: the same JSON as with every value prepared by Django
        assert rows == prepared_by_django(objs, fields, connection)


def test_json_rows_lets_django_prepare_what_it_would_change_or_refuse():
    connection = connections["default"]
    fields = [PlanItem._meta.get_field(name) for name in ("exam_date", "done_at", "planned_cost")]
    # a datetime for a date column becomes its date; a naive datetime is made aware (warned)
    item = PlanItem(exam_date=datetime(2027, 9, 1, 23, 0), done_at=datetime(2027, 9, 2, 15, 30))
    with pytest.warns(RuntimeWarning, match="naive datetime"):
        rows = orjson.loads(json_rows([item], fields[:2], connection))
    assert rows[0]["exam_date"] == "2027-09-01"
    assert rows[0]["done_at"].startswith("2027-09-02")
    with pytest.warns(RuntimeWarning, match="naive datetime"):  # Django's own, the same
        assert rows == prepared_by_django([item], fields[:2], connection)
    # a decimal that is not a number is refused as Django refuses it
    with pytest.raises(ValidationError):
        json_rows([PlanItem(planned_cost=Decimal("NaN"))], fields[2:], connection)


@pytest.mark.skipif(
    connections["default"].vendor != "postgresql", reason="values pass as is on PostgreSQL only"
)
def test_json_rows_prepares_with_django_only_what_it_cannot_pass_as_is(monkeypatch):
    # given: Django's preparation watched
    prepared = []
    original = models.Field.get_db_prep_save

    def watched(field, value, connection):
        prepared.append(field.name)
        return original(field, value, connection)

    monkeypatch.setattr(models.Field, "get_db_prep_save", watched)
    connection = connections["default"]
    # when: a plan's values, each of a type its field passes as is (a UUID, text, a foreign
    # key's int, a date, the aware auto_now stamp)
    plan = Plan(owner_id=7, title="Mine", target_role_id=3, start_date=date(2027, 1, 4))
    names = ("id", "title", "owner", "start_date", "updated_at")
    json_rows([plan], [Plan._meta.get_field(name) for name in names], connection)
    # then: none of them went through it
    assert prepared == []
    # while a naive datetime does (Django makes it aware, with its warning)
    item = PlanItem(done_at=datetime(2027, 9, 2, 15, 30))
    with pytest.warns(RuntimeWarning, match="naive datetime"):
        json_rows([item], [PlanItem._meta.get_field("done_at")], connection)
    assert prepared == ["done_at"]


@pytest.mark.skipif(
    connections["default"].vendor != "postgresql", reason="values pass as is on PostgreSQL only"
)
def test_json_rows_lets_a_field_subclass_prepare_its_values():
    # given: a text field of its own preparing its values (not Django's class itself)
    class UpperCharField(models.CharField):
        def get_prep_value(self, value):
            return super().get_prep_value(value).upper()

    field = UpperCharField(max_length=20)
    field.set_attributes_from_name("title")
    # when / then: its preparation is applied
    rows = orjson.loads(json_rows([SimpleNamespace(title="abc")], [field], connections["default"]))
    assert rows == [{"title": "ABC"}]


@pytest.mark.skipif(
    connections["default"].vendor != "postgresql", reason="jsonb_to_recordset is PostgreSQL's"
)
def test_the_json_source_gives_back_the_values_with_their_types():
    # given: rows of a plan's columns, with a key column, as an INSERT would read them
    plans = [
        Plan(
            owner_id=7,
            title='Caf\u00e9 \U0001f680 "x"',
            target_role_id=3,
            start_date=date(2027, 1, 4),
            current_salary=salary,
        )
        for salary in (Decimal("36000.50"), None)
    ]
    fields = insert_fields(Plan)
    connection = connections["default"]
    source = json_rows_source(fields, connection, "src", keys={"_key": "integer"})
    param = json_rows(plans, fields, connection, keys={"_key": [1, 2]})
    # when
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT * FROM {source} ORDER BY "_key"', [param])  # noqa: S608
        rows = cursor.fetchall()
    # then: every value as the ORM wrote it, typed by the source's column definitions, and
    # each row numbered by its place in the list
    for place, ((key, *values, ordinal), plan) in enumerate(zip(rows, plans, strict=True), 1):
        assert key == ordinal == place
        assert values == [getattr(plan, field.attname) for field in fields]


def test_a_field_with_a_database_default_is_refused():
    # rows sent as JSON cannot ask for DEFAULT: such a field would silently get NULL or worse
    field = models.IntegerField(db_default=1)
    field.set_attributes_from_name("score")
    model = SimpleNamespace(_meta=SimpleNamespace(concrete_fields=[field], auto_field=None))
    with pytest.raises(ImproperlyConfigured, match="db_default"):
        insert_fields(model)


def a_plan(title: str = "Mine") -> Plan:
    """A saved plan (of the role "coder", made once), for rows that refer to one."""
    role, _ = Role.objects.get_or_create(
        slug="coder", defaults={"title": "Coder", "family": Role.Family.CODING}
    )
    return Plan.objects.create(
        owner=UserFactory(), title=title, target_role=role, start_date=date(2027, 1, 4)
    )


def test_upsert_inserts_new_rows_and_replaces_only_the_named_fields_of_taken_ones(
    django_assert_num_queries,
):
    # given: two plans, one of them with a stored rendering
    taken, new = a_plan("Taken"), a_plan("New")
    PlanRendering.objects.create(
        plan=taken,
        version=1,
        detail_key="d1",
        detail=b"detail 1",
        summary_key="s1",
        summary=b"summary 1",
    )
    rows = [
        PlanRendering(plan=taken, version=1, detail_key="d2", detail=b"d2", summary_key="s2"),
        PlanRendering(plan=new, version=1, summary_key="s3", summary=b"summary 3"),
    ]
    # when: one statement for both
    with django_assert_num_queries(1):
        upsert(rows, update_fields=["summary_key", "summary"], connection=connections["default"])
    # then: the taken row's summary replaced (its detail kept), the new row inserted whole
    stored = {
        one.plan_id: (one.detail_key, one.detail and bytes(one.detail), one.summary_key)
        for one in PlanRendering.objects.all()
    }
    assert stored == {taken.pk: ("d1", b"detail 1", "s2"), new.pk: ("", None, "s3")}
    assert bytes(PlanRendering.objects.get(plan=new).summary) == b"summary 3"
    # and nothing to write is no statement
    with django_assert_num_queries(0):
        upsert([], update_fields=["summary"], connection=connections["default"])


def test_upsert_unless_newer_leaves_a_row_with_a_greater_value_alone():
    # given: a stored row at version 3
    plan = a_plan()
    PlanRendering.objects.create(plan=plan, version=3, summary_key="three")
    database = connections["default"]

    def store(version: int) -> str:
        row = PlanRendering(plan=plan, version=version, summary_key=f"at {version}")
        upsert(
            [row],
            update_fields=["version", "summary_key"],
            connection=database,
            unless_newer="version",
        )
        return PlanRendering.objects.get(plan=plan).summary_key

    # when / then: an older version is refused, the same or a newer one replaces it
    assert store(2) == "three"
    assert store(3) == "at 3"
    assert store(4) == "at 4"


def test_upsert_refuses_what_it_cannot_write():
    database = connections["default"]
    with pytest.raises(ValueError, match="fields to replace"):
        upsert([PlanRendering(plan_id=uuid4(), version=1)], update_fields=[], connection=database)
    with pytest.raises(ValueError, match="auto-incremented"):
        upsert([PlanItem(position=0)], update_fields=["position"], connection=database)


@pytest.mark.skipif(
    connections["default"].vendor != "postgresql", reason="synchronous_commit is PostgreSQL's"
)
@pytest.mark.django_db(transaction=True)
def test_an_upsert_that_need_not_be_durable_does_not_wait_for_the_log_in_its_own_commit_only():
    # given: a plan, and the connection in autocommit (as a request's read runs)
    connection = connections["default"]
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        server_default = cursor.fetchone()
    plan = a_plan()
    row = PlanRendering(plan=plan, version=1, summary_key="s1", summary=b"summary 1")
    # when
    with CaptureQueriesContext(connection) as captured:
        upsert([row], update_fields=["summary_key"], connection=connection, durable=False)
    # then: stored, by one statement that turned the wait off for its own transaction only
    assert PlanRendering.objects.get(plan=plan).summary_key == "s1"
    (query,) = captured.captured_queries
    assert query["sql"].startswith("SET LOCAL synchronous_commit = off; INSERT")
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone() == server_default
        # (such a SET inside one such statement is in force for the rest of it)
        cursor.execute("SET LOCAL synchronous_commit = off; SHOW synchronous_commit")
        cursor.nextset()  # the SHOW's result, after the SET's
        assert cursor.fetchone() == ("off",)
    # and inside a caller's transaction the caller's commit is left as it is
    row.summary_key = "s2"
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        upsert([row], update_fields=["summary_key"], connection=connection, durable=False)
    assert captured.captured_queries[0]["sql"].startswith("INSERT")
    assert PlanRendering.objects.get(plan=plan).summary_key == "s2"


@pytest.mark.skipif(
    connections["default"].vendor != "postgresql", reason="synchronous_commit is PostgreSQL's"
)
@pytest.mark.django_db(transaction=True)
def test_an_upsert_that_need_not_be_durable_leaves_other_transactions_and_bindings_alone(
    monkeypatch,
):
    connection = connections["default"]
    plan = a_plan()
    row = PlanRendering(plan=plan, version=1, summary_key="s1", summary=b"summary 1")

    def store() -> str:
        with CaptureQueriesContext(connection) as captured:
            upsert([row], update_fields=["summary_key"], connection=connection, durable=False)
        return captured.captured_queries[-1]["sql"]

    # a transaction the caller opened by leaving autocommit: its commit is the caller's
    transaction.set_autocommit(False)
    try:
        assert store().startswith("INSERT")
        transaction.rollback()
    finally:
        transaction.set_autocommit(True)
    # server-side binding: a prepared statement takes one statement, so no SET before it
    monkeypatch.setattr(connection.features, "uses_server_side_binding", True)
    assert store().startswith("INSERT")
