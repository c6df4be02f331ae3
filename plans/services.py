"""Write use cases for plans, items and milestones: one function each, atomic.

Every service that changes a plan, its items or its milestones takes the plan by its id and
the user asking (as a request names them), locks the plan's row in the same query that checks
its owner (404 for anyone else's plan, so a view reads nothing before the change), checks the
caller's expected version when one is given (optimistic concurrency between devices), reads
the item or milestone it changes under that lock, does its work, re-derives the generated
milestones and bumps `Plan.version`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import Profile, User
from accounts.selectors import profile_for_user
from careerplan.db import CompiledRows, concrete_attnames
from plans import selectors
from plans.computations import Duration, Kind, plan_schedule
from plans.inserts import insert_new_plan
from plans.models import IdempotencyRecord, Milestone, Plan, PlanItem
from plans.reminders import reminders_for_new_plan, reminders_sync_for_plan
from plans.selectors import ITEM_NOT_FOUND, MILESTONE_NOT_FOUND, PLAN_NOT_FOUND
from roles.models import Certification, Role, Tool, TrainingPath, TrainingStep
from roles.selectors import certification_current_exam_fee

EXAM_BEFORE_START = "The exam date cannot be before the plan starts ({start})."
START_AFTER_EXAM = "The plan cannot start after its {title} on {exam_date}; move the exam first."
MILESTONE_BEFORE_START = "A milestone cannot be due before the plan starts ({start})."
NO_EXAM_FEE = (
    "No source gives a current fee for the {code} exam; enter what you will pay as planned_cost."
)
CUSTOM_NEEDS_TITLE = "A custom course needs a title."
CUSTOM_NEEDS_COST = "A custom course needs its cost (0 if it is free)."
CUSTOM_NEEDS_DURATION = "A custom course needs its duration."
EXAM_NEEDS_DATE = "An exam item needs its exam date."
GENERATED_MILESTONE_DATE = (
    "This milestone follows its item: change the item's duration or exam date instead, "
    "or add a custom milestone."
)
GENERATED_MILESTONE_DELETE = "This milestone belongs to an item: skip or delete the item instead."
NOT_A_PERMUTATION = (
    "Send every item id of this plan exactly once, in the new order "
    "(missing: {missing}; unknown: {unknown}; repeated: {repeated})."
)
SHIFT_OUT_OF_RANGE = "Shift by a non-zero number of days between -{limit} and {limit}."
FIELD_NOT_FOR_KIND = "This field does not apply to a {kind} item."
MAX_SHIFT_DAYS = 3650
# The dates a plan takes (its start, an exam's date, a milestone's), and the items it holds:
# with every duration at most 600 months, a plan of MAX_PLAN_ITEMS starting by MAX_PLAN_DATE
# ends well inside the calendar's year 9999, so its schedule always computes.
MIN_PLAN_DATE = date(1950, 1, 1)
MAX_PLAN_DATE = date(2150, 12, 31)
MAX_PLAN_ITEMS = 100
PLAN_FULL = "A plan holds at most {limit} items."


class PlanVersionConflict(Exception):
    """The caller edited an older version of the plan than the one stored."""

    def __init__(self, current_version: int):
        super().__init__(f"The plan is at version {current_version}.")
        self.current_version = current_version


# --- plan --------------------------------------------------------------------------------


def plan_create(
    *,
    owner: User,
    target_role: Role,
    start_date: date,
    training_path: TrainingPath | None = None,
    title: str = "",
    current_salary: Decimal | None = None,
) -> Plan:
    """A plan with one item per step of the training path, its milestones and reminders,
    written at once: one INSERT on PostgreSQL, a transaction around the ORM's elsewhere
    (plans.inserts). Before that write it only reads (the steps, kept per catalogue version;
    the owner's profile, created with the defaults if missing, which may stay if the write
    fails; kept on `owner` when the request read it with the user), so it takes no
    transaction of its own: on PostgreSQL that saves BEGIN's and COMMIT's round trips.

    The reminders are made from the profile as read; the write checks that its arming fields
    (time zone, reminder wishes) still hold those values and holds its row meanwhile. If a
    change of the profile came in between (and re-armed only the plans already there), the
    reminders are made again, in a transaction, from the profile read under a lock."""
    plan = Plan(
        owner=owner,
        title=title or _default_title(target_role, training_path),
        target_role=target_role,
        training_path=training_path,
        start_date=start_date,
        current_salary=current_salary,
    )
    items: list[PlanItem] = []
    if training_path is not None:
        # roles.selectors.training_path_of_role has the steps in order already
        steps = getattr(training_path, "ordered_steps", None)
        if steps is None:
            steps = training_path.steps.order_by("position")
        items = [_step_item(plan, step, position) for position, step in enumerate(steps)]
    # A new plan has no milestones or reminders to compare with: they are made from the items
    # in memory and written with them.
    milestones = _new_milestones(plan, items)
    profile = profile_for_user(user=owner) if milestones else None
    if not _insert_armed_by(plan, items, milestones, profile):
        with transaction.atomic():
            profile = Profile.objects.select_for_update(no_key=True).get(pk=profile.pk)
            owner.profile = profile
            if not _insert_armed_by(plan, items, milestones, profile):  # held: cannot change
                raise RuntimeError(f"Profile {profile.pk} changed under its row lock.")
    # the rows written, kept on the plan: the response is built from them instead of reading
    # them back (plans.read_models.new_plan_detail_data)
    plan.written_items, plan.written_milestones = items, milestones
    return plan


def _insert_armed_by(
    plan: Plan, items: list[PlanItem], milestones: list[Milestone], profile: Profile | None
) -> bool:
    """Write the new plan with reminders made from `profile` (none without milestones);
    False, writing nothing, if the profile's arming fields changed since it was read."""
    reminders = []
    if milestones:
        reminders = reminders_for_new_plan(plan=plan, milestones=milestones, profile=profile)
    return insert_new_plan(
        plan=plan, items=items, milestones=milestones, reminders=reminders, armed_by=profile
    )


def _default_title(role: Role, path: TrainingPath | None) -> str:
    """ "<role> via <path>", cut to what a plan's title holds (the catalogue's titles may be
    long enough together to pass it)."""
    title = f"{role.title} via {path.title}" if path else role.title
    return title[: Plan._meta.get_field("title").max_length]


def _step_item(plan: Plan, step: TrainingStep, position: int) -> PlanItem:
    """A step planned at the catalogue's upper bounds: no surprise costs or delays."""
    cost = step.cost_max if step.cost_max is not None else step.cost_min
    return PlanItem(
        plan=plan,
        position=position,
        kind=Kind.STEP,
        training_step=step,
        planned_cost=cost if cost is not None else Decimal("0"),
        duration_value=step.months_max or step.months_min,
        duration_unit=PlanItem.DurationUnit.MONTHS,
    )


PLAN_EDITABLE_FIELDS = {
    "title",
    "status",
    "start_date",
    "current_salary",
    "target_role",
    "training_path",
}


@transaction.atomic
def plan_update(
    *, user: User, plan_id: UUID, data: dict[str, Any], expected_version: int | None = None
) -> Plan:
    plan = _lock(user, plan_id, expected_version)
    unknown = set(data) - PLAN_EDITABLE_FIELDS
    if unknown:
        raise ValidationError({field: "This field cannot be changed." for field in unknown})
    if "start_date" in data:
        _check_start_before_exams(plan, data["start_date"])
    for field, value in data.items():
        setattr(plan, field, value)
    if "title" in data and not plan.title:
        plan.title = _default_title(plan.target_role, plan.training_path)
    plan.full_clean(exclude=["owner"])
    plan.save()
    _sync_milestones(plan)
    return _bump(plan)


@transaction.atomic
def plan_delete(*, user: User, plan_id: UUID, expected_version: int | None = None) -> None:
    plan = _lock(user, plan_id, expected_version, deleting=True)
    plan.delete()


@dataclass(frozen=True)
class ShiftResult:
    plan: Plan
    items_moved: int
    milestones_moved: int


@transaction.atomic
def plan_shift(
    *, user: User, plan_id: UUID, days: int, expected_version: int | None = None
) -> ShiftResult:
    """Move the plan's start, every open exam and every open custom milestone by `days`.

    Generated milestones follow their items; completed items and milestones never move.
    """
    if days == 0 or abs(days) > MAX_SHIFT_DAYS:
        raise ValidationError({"days": SHIFT_OUT_OF_RANGE.format(limit=MAX_SHIFT_DAYS)})
    plan = _lock(user, plan_id, expected_version)
    delta = timedelta(days=days)
    plan.start_date += delta
    plan.save(update_fields=["start_date", "updated_at"])
    open_exams = list(
        plan.items.filter(kind=Kind.EXAM, status=PlanItem.Status.PLANNED, exam_date__isnull=False)
    )
    for item in open_exams:
        item.exam_date += delta
    PlanItem.objects.bulk_update(open_exams, ["exam_date"])
    open_custom = list(plan.milestones.filter(item__isnull=True, done_at__isnull=True))
    for milestone in open_custom:
        milestone.due_on += delta
    Milestone.objects.bulk_update(open_custom, ["due_on"])
    moved_generated = _sync_milestones(plan)
    return ShiftResult(
        plan=_bump(plan),
        # the items whose dates follow the start: open steps, courses and exams (not tools)
        items_moved=plan.items.filter(status=PlanItem.Status.PLANNED)
        .exclude(kind=Kind.TOOL)
        .count(),
        milestones_moved=len(open_custom) + moved_generated,
    )


# --- items -------------------------------------------------------------------------------


@transaction.atomic
def plan_item_add(
    *,
    user: User,
    plan_id: UUID,
    kind: str,
    training_step: TrainingStep | None = None,
    certification: Certification | None = None,
    tool: Tool | None = None,
    title: str = "",
    provider: str = "",
    url: str = "",
    exam_date: date | None = None,
    planned_cost: Decimal | None = None,
    duration: Duration | None = None,
    quantity: int = 1,
    position: int | None = None,
    expected_version: int | None = None,
) -> PlanItem:
    """Add an item, its cost and duration defaulting from the catalogue where one applies."""
    plan = _lock(user, plan_id, expected_version)
    references = {"training_step": training_step, "certification": certification, "tool": tool}
    needed = {Kind.STEP: "training_step", Kind.EXAM: "certification", Kind.TOOL: "tool"}
    errors: dict[str, str] = {}
    for field, value in references.items():
        if value is not None and needed.get(kind) != field:
            errors[field] = FIELD_NOT_FOR_KIND.format(kind=kind)
    if kind in needed and references[needed[kind]] is None:
        errors[needed[kind]] = "This field is required for this kind of item."
    if exam_date is not None and kind != Kind.EXAM:
        errors["exam_date"] = FIELD_NOT_FOR_KIND.format(kind=kind)
    if errors:
        raise ValidationError(errors)

    item = PlanItem(
        plan=plan,
        kind=kind,
        title=title,
        provider=provider,
        url=url,
        quantity=quantity,
        **references,
    )
    if kind == Kind.STEP:
        defaults = _step_item(plan, training_step, 0)
        item.planned_cost = planned_cost if planned_cost is not None else defaults.planned_cost
        duration = duration or _duration_of(defaults)
    elif kind == Kind.EXAM:
        if exam_date is None:
            raise ValidationError({"exam_date": EXAM_NEEDS_DATE})
        _check_exam_date(plan, exam_date)
        item.exam_date = exam_date
        fee = (
            planned_cost
            if planned_cost is not None
            else certification_current_exam_fee(certification=certification)
        )
        if fee is None:
            raise ValidationError({"planned_cost": NO_EXAM_FEE.format(code=certification.code)})
        item.planned_cost = fee
        duration = None
    elif kind == Kind.TOOL:
        unit_cost = tool.cost_max
        item.planned_cost = planned_cost if planned_cost is not None else unit_cost * quantity
        duration = None
    else:
        missing = {}
        if not title.strip():
            missing["title"] = CUSTOM_NEEDS_TITLE
        if planned_cost is None:
            missing["planned_cost"] = CUSTOM_NEEDS_COST
        if duration is None:
            missing["duration"] = CUSTOM_NEEDS_DURATION
        if missing:
            raise ValidationError(missing)
        item.planned_cost = planned_cost
    _apply_duration(item, duration)
    item.position = _insert_position(plan, position)
    item.full_clean(exclude=["plan"])
    item.save()
    _sync_milestones(plan)
    _bump(plan)
    return item


ITEM_EDITABLE_FIELDS = {
    "title",
    "provider",
    "url",
    "exam_date",
    "planned_cost",
    "duration",
    "quantity",
    "status",
}


@transaction.atomic
def plan_item_update(
    *,
    user: User,
    plan_id: UUID,
    item_id: int,
    data: dict[str, Any],
    expected_version: int | None = None,
) -> PlanItem:
    """Override cost or duration, move an exam, complete, skip or reopen an item."""
    plan = _lock(user, plan_id, expected_version)
    item = _current(
        PlanItem, item_id, plan, ITEM_NOT_FOUND, "training_step", "certification", "tool"
    )
    unknown = set(data) - ITEM_EDITABLE_FIELDS
    if unknown:
        raise ValidationError({field: "This field cannot be changed." for field in unknown})
    if "exam_date" in data:
        if item.kind != Kind.EXAM:
            raise ValidationError({"exam_date": FIELD_NOT_FOR_KIND.format(kind=item.kind)})
        if data["exam_date"] is None:
            raise ValidationError({"exam_date": EXAM_NEEDS_DATE})
        _check_exam_date(plan, data["exam_date"])
        item.exam_date = data["exam_date"]
    if "duration" in data:
        if item.kind in (Kind.EXAM, Kind.TOOL) and data["duration"] is not None:
            raise ValidationError({"duration": FIELD_NOT_FOR_KIND.format(kind=item.kind)})
        if item.kind == Kind.CUSTOM and data["duration"] is None:
            raise ValidationError({"duration": CUSTOM_NEEDS_DURATION})
        _apply_duration(item, data["duration"])
    for field in ("title", "provider", "url", "planned_cost", "quantity"):
        if field in data:
            setattr(item, field, data[field])
    if item.kind == Kind.CUSTOM and not item.title.strip():
        raise ValidationError({"title": CUSTOM_NEEDS_TITLE})
    status_changed = "status" in data and data["status"] != item.status
    if status_changed:
        item.status = data["status"]
        item.done_at = timezone.now() if item.status == PlanItem.Status.DONE else None
    item.full_clean(exclude=["plan"])
    item.save()
    if status_changed:
        # the item's generated milestone is done exactly when the item is
        item.milestones.update(done_at=item.done_at)
    _sync_milestones(plan)
    _bump(plan)
    return item


@transaction.atomic
def plan_item_delete(
    *, user: User, plan_id: UUID, item_id: int, expected_version: int | None = None
) -> Plan:
    """Delete an item (and its milestone); returns its plan at the version this write made."""
    plan = _lock(user, plan_id, expected_version)
    item = _current(PlanItem, item_id, plan, ITEM_NOT_FOUND)
    item.delete()
    _renumber(plan)
    _sync_milestones(plan)
    return _bump(plan)


@transaction.atomic
def plan_items_reorder(
    *, user: User, plan_id: UUID, item_ids: list[int], expected_version: int | None = None
) -> list[PlanItem]:
    """Put the plan's items in the given order: a permutation of all of its item ids."""
    plan = _lock(user, plan_id, expected_version)
    items = {item.pk: item for item in plan.items.all()}
    seen: set[int] = set()
    repeated = sorted({pk for pk in item_ids if pk in seen or seen.add(pk)})
    missing = sorted(set(items) - set(item_ids))
    unknown = sorted(set(item_ids) - set(items))
    if missing or unknown or repeated:
        raise ValidationError(
            {
                "items": NOT_A_PERMUTATION.format(
                    missing=missing or "none",
                    unknown=unknown or "none",
                    repeated=repeated or "none",
                )
            }
        )
    for position, pk in enumerate(item_ids):
        items[pk].position = position
    PlanItem.objects.bulk_update(items.values(), ["position"])
    _sync_milestones(plan)
    _bump(plan)
    return [items[pk] for pk in item_ids]


# --- milestones --------------------------------------------------------------------------


@transaction.atomic
def milestone_create(
    *, user: User, plan_id: UUID, title: str, due_on: date, expected_version: int | None = None
) -> Milestone:
    plan = _lock(user, plan_id, expected_version)
    if due_on < plan.start_date:
        raise ValidationError({"due_on": MILESTONE_BEFORE_START.format(start=plan.start_date)})
    milestone = Milestone(
        plan=plan, kind=Milestone.MilestoneKind.CUSTOM, title=title, due_on=due_on
    )
    milestone.full_clean(exclude=["plan"])
    milestone.save()
    _bump(plan, milestones=[milestone], created=True)
    return milestone


MILESTONE_EDITABLE_FIELDS = {"title", "due_on", "done"}


@transaction.atomic
def milestone_update(
    *,
    user: User,
    plan_id: UUID,
    milestone_id: int,
    data: dict[str, Any],
    expected_version: int | None = None,
) -> Milestone:
    """Rename, reschedule (custom ones only), complete or reopen a milestone."""
    plan = _lock(user, plan_id, expected_version)
    milestone = _current(Milestone, milestone_id, plan, MILESTONE_NOT_FOUND)
    unknown = set(data) - MILESTONE_EDITABLE_FIELDS
    if unknown:
        raise ValidationError({field: "This field cannot be changed." for field in unknown})
    if "due_on" in data and data["due_on"] != milestone.due_on:
        if milestone.is_generated:
            raise ValidationError({"due_on": GENERATED_MILESTONE_DATE})
        if data["due_on"] < plan.start_date:
            raise ValidationError({"due_on": MILESTONE_BEFORE_START.format(start=plan.start_date)})
        milestone.due_on = data["due_on"]
    if "title" in data:
        milestone.title = data["title"]
    if "done" in data:
        if data["done"] and milestone.done_at is None:
            milestone.done_at = timezone.now()
        elif not data["done"]:
            milestone.done_at = None
    # Milestone's constraints all involve `item`, which a change never sets: with it excluded
    # none can be checked, and Django would build each one's check only to find that out
    # (tests/plans/test_services.py pins that every constraint names `item`)
    milestone.full_clean(exclude=["plan", "item"], validate_constraints=False)
    milestone.save()
    milestone.plan = _bump(plan, milestones=[milestone])  # its etag: the version it made
    return milestone


@transaction.atomic
def milestone_delete(
    *, user: User, plan_id: UUID, milestone_id: int, expected_version: int | None = None
) -> Plan:
    """Delete a custom milestone; returns its plan at the version this write made."""
    plan = _lock(user, plan_id, expected_version)
    milestone = _current(Milestone, milestone_id, plan, MILESTONE_NOT_FOUND)
    if milestone.is_generated:
        raise ValidationError(GENERATED_MILESTONE_DELETE, code="generated_milestone")
    milestone.delete()
    return _bump(plan)


# --- internals ---------------------------------------------------------------------------


def _locking(no_key: bool) -> CompiledRows:
    def build(plan_id, owner_id) -> QuerySet:
        mine = Plan.objects.select_for_update(no_key=no_key).filter(pk=plan_id, owner_id=owner_id)
        return mine.order_by().values_list(*concrete_attnames(Plan))

    return CompiledRows(Plan, build, Plan._meta.pk, Plan._meta.get_field("owner"), for_write=True)


# The plan locked for a change (FOR NO KEY UPDATE) or a delete (FOR UPDATE), by id and owner:
# compiled once per connection (the ORM built and compiled it on every change: about 0.5 ms).
_LOCKED_PLAN = {True: _locking(no_key=True), False: _locking(no_key=False)}


def _lock(
    user: User, plan_id: UUID, expected_version: int | None, *, deleting: bool = False
) -> Plan:
    """Read the user's plan `plan_id` under a row lock (404 for anyone else's: the owner is
    checked by the same query); refuse when the caller's version is stale.

    A change takes FOR NO KEY UPDATE (what its UPDATE of the version takes anyway): it keeps
    other changes of the plan out but lets a concurrent read store the plan's rendered bodies
    (plans.read_models), whose foreign-key check takes FOR KEY SHARE, without waiting for the
    change. A delete takes FOR UPDATE, so that such a read's store waits and then finds no
    plan (and stores nothing)."""
    try:
        found = _LOCKED_PLAN[not deleting].instances(plan_id, user.pk)
    except (ValueError, ValidationError) as exc:  # not a plan id
        raise Http404(PLAN_NOT_FOUND) from exc
    if not found:  # none, or someone else's
        raise Http404(PLAN_NOT_FOUND)
    current = found[0]
    if expected_version is not None and expected_version != current.version:
        raise PlanVersionConflict(current.version)
    return current


Row = TypeVar("Row", PlanItem, Milestone)


def _of_plan(model: type[Row]) -> CompiledRows:
    return CompiledRows(
        model,
        lambda pk, plan_id: (
            model.objects.filter(pk=pk, plan_id=plan_id)
            .order_by()
            .values_list(*concrete_attnames(model))
        ),
        model._meta.pk,
        model._meta.get_field("plan"),
        for_write=True,
    )


# An item or a milestone of a plan by id, compiled once per connection.
_OF_PLAN = {PlanItem: _of_plan(PlanItem), Milestone: _of_plan(Milestone)}


def _current(model: type[Row], pk: int, plan: Plan, missing: str, *related: str) -> Row:
    """The item or milestone `pk` of `plan`, read now that the plan is locked: a change of the
    plan that committed before (an item's new dates moving its generated milestone, say) is
    built on, never written back over. 404 when it is not one of the plan's (or that change
    deleted it). With `related`, those relations are loaded with it (by the ORM's join)."""
    try:
        if related:  # (select_related() alone would join every FK)
            return model.objects.select_related(*related).get(pk=pk, plan=plan)
        found = _OF_PLAN[model].instances(pk, plan.pk)
    # not its id (OverflowError: an integer beyond the database's, which SQLite will not bind)
    except (model.DoesNotExist, ValueError, TypeError, OverflowError, ValidationError) as exc:
        raise Http404(missing) from exc
    if not found:
        raise Http404(missing)
    return found[0]


def _bump(plan: Plan, *, milestones: list[Milestone] | None = None, created: bool = False) -> Plan:
    """Every change ends here: a new version (ETag; the plan's stored rendered bodies were
    made for an older one, so its next read renders them again: plans.read_models) and
    reminders that match the milestones (`milestones`: those of the changed ones only, for a
    change that touched nothing else; `created`: they were just inserted). Returns the plan,
    whose `etag` is then the version this write made."""
    plan.version += 1
    plan.save(update_fields=["version", "updated_at"])
    reminders_sync_for_plan(plan=plan, milestones=milestones, created=created)
    return plan


def _duration_of(item: PlanItem) -> Duration | None:
    if item.duration_value is None:
        return None
    return Duration(item.duration_value, item.duration_unit)


def _apply_duration(item: PlanItem, duration: Duration | None) -> None:
    item.duration_value = duration.value if duration else None
    item.duration_unit = duration.unit if duration else PlanItem.DurationUnit.MONTHS


def _insert_position(plan: Plan, position: int | None) -> int:
    """Where a new item goes (its neighbours moved to make room); a plan already holding
    MAX_PLAN_ITEMS takes no more."""
    held = plan.items.aggregate(count=Count("pk"), last=Max("position"))
    if held["count"] >= MAX_PLAN_ITEMS:
        raise ValidationError(PLAN_FULL.format(limit=MAX_PLAN_ITEMS), code="plan_full")
    last = held["last"]
    end = 0 if last is None else last + 1
    if position is None or position >= end:
        return end
    items = list(plan.items.all())
    for index, item in enumerate(items):
        item.position = index + 1 if index >= position else index
    PlanItem.objects.bulk_update(items, ["position"])
    return position


def _renumber(plan: Plan) -> None:
    items = list(plan.items.all())
    for index, item in enumerate(items):
        item.position = index
    PlanItem.objects.bulk_update(items, ["position"])


def _check_exam_date(plan: Plan, exam_date: date) -> None:
    if exam_date < plan.start_date:
        raise ValidationError({"exam_date": EXAM_BEFORE_START.format(start=plan.start_date)})


def _check_start_before_exams(plan: Plan, start_date: date) -> None:
    exams = plan.items.filter(
        kind=Kind.EXAM, status=PlanItem.Status.PLANNED, exam_date__lt=start_date
    ).select_related("certification")
    first = exams.order_by("exam_date").first()
    if first is not None:
        raise ValidationError(
            {
                "start_date": START_AFTER_EXAM.format(
                    title=first.display_title, exam_date=first.exam_date
                )
            }
        )


def _sync_milestones(plan: Plan) -> int:
    """Make the generated milestones match the items; returns how many open ones moved.

    One milestone per item that ends on a date: a step or course with a duration (due at its
    projected end) and an exam (due on the exam date). Skipped items lose their open
    milestone; done items mark theirs done; completed milestones never move; custom ones are
    not touched.
    """
    items = list(plan.items.select_related("training_step", "certification", "tool"))
    schedule = plan_schedule(plan.start_date, [selectors.item_facts(item) for item in items])
    existing = {m.item_id: m for m in plan.milestones.filter(item__isnull=False)}
    to_create, to_update, to_delete = [], [], []
    for item in items:
        milestone = existing.pop(item.pk, None)
        wanted = _wanted_milestone(item, schedule.spans[item.pk].end)
        if wanted is None:
            if milestone is not None and milestone.done_at is None:
                to_delete.append(milestone.pk)
            continue
        kind, _title, due_on = wanted
        if milestone is None:
            to_create.append(_generated_milestone(plan, item, wanted))
        elif milestone.done_at is None and (milestone.due_on, milestone.kind) != (due_on, kind):
            milestone.due_on, milestone.kind = due_on, kind
            to_update.append(milestone)
    to_delete.extend(m.pk for m in existing.values())
    if to_delete:
        Milestone.objects.filter(pk__in=to_delete).delete()
    if to_update:
        Milestone.objects.bulk_update(to_update, ["due_on", "kind"])
    if to_create:
        Milestone.objects.bulk_create(to_create)
    return len(to_update)


def _new_milestones(plan: Plan, items: list[PlanItem]) -> list[Milestone]:
    """The generated milestones of a new plan's unsaved `items` (in plan order, with their
    relations loaded), unsaved: what `_sync_milestones` would create."""
    facts = [replace(selectors.item_facts(item), key=item.position) for item in items]
    schedule = plan_schedule(plan.start_date, facts)
    milestones = []
    for item in items:
        wanted = _wanted_milestone(item, schedule.spans[item.position].end)
        if wanted is not None:
            milestones.append(_generated_milestone(plan, item, wanted))
    return milestones


def _generated_milestone(plan: Plan, item: PlanItem, wanted: tuple[str, str, date]) -> Milestone:
    """The unsaved milestone `_wanted_milestone` asks for `item` (done if the item is)."""
    kind, title, due_on = wanted
    done_at = item.done_at if item.status == PlanItem.Status.DONE else None
    return Milestone(plan=plan, item=item, kind=kind, title=title, due_on=due_on, done_at=done_at)


def _wanted_milestone(item: PlanItem, end: date) -> tuple[str, str, date] | None:
    if item.status == PlanItem.Status.SKIPPED:
        return None
    if item.kind == Kind.EXAM and item.exam_date is not None:
        return Milestone.MilestoneKind.EXAM, f"{item.display_title}", item.exam_date
    if item.kind in (Kind.STEP, Kind.CUSTOM) and item.duration_value:
        return Milestone.MilestoneKind.STEP_END, f"Finish {item.display_title}", end
    return None


IDEMPOTENCY_REPLAY_WINDOW = timedelta(hours=24)


def idempotency_records_purge(*, older_than: timedelta = IDEMPOTENCY_REPLAY_WINDOW) -> int:
    """Delete stored responses past the replay window; returns how many went."""
    cutoff = timezone.now() - older_than
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
