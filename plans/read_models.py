"""Plans as the API shows them, built as plain dicts straight from rows: the read path of
GET /plans/, GET /plans/<id>/ and every response that shows a plan or its items.

The DRF serializers in plans/serializers.py remain the documented shape (the OpenAPI schema
is generated from them); tests/plans/test_read_models.py checks that what is built here is
exactly what those serializers give for the same plans, field for field. Walking model
instances through nested serializers cost ~14 ms of CPU for a plan of 50 items; tuples from
compiled `values_list()` queries (`CompiledRows`) turned into dicts here cost about 1 ms.

Catalogue rows a plan refers to (its role with the salary bands and premiums, its training
path, training steps, certifications with their current fees, tools) are kept in process
memory per catalogue version (`roles.cache.catalogue_version()`, which changes on every
catalogue write), so once warm a plan read queries only the plan, its items and its
milestones. A process sees a catalogue change when it sees the new version (the process that
wrote it at once, others as roles/cache.py promises for the catalogue's own ETags). The kept
rows are also dropped after `CATALOGUE_MEMO_TTL` seconds whatever the version says, which
bounds the harm of a version number reused after a rolled-back catalogue write.
"""

from __future__ import annotations

import hashlib
import logging
import zlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, getcontext
from typing import Any
from uuid import UUID

import orjson
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, connections, router, transaction
from django.db.models import Count, OuterRef, QuerySet, Subquery, Window
from django.http import Http404
from django.utils import timezone
from drf_orjson_renderer.renderers import ORJSONRenderer
from rest_framework.settings import api_settings

from accounts.models import Profile, User
from accounts.selectors import profile_for_user
from careerplan.code_version import RENDERING_LIBRARIES, source_digest
from careerplan.db import CompiledRows, upsert
from plans.computations import (
    Duration,
    ItemFacts,
    Kind,
    SalaryFigure,
    payback,
    plan_cost,
    plan_progress,
    plan_schedule,
)
from plans.models import Milestone, Plan, PlanItem, PlanRendering
from plans.selectors import PLAN_NOT_FOUND, salary_figure, salary_outlook, salary_prefetches
from plans.serializers import SalarySerializer
from roles.cache import VersionedMemo, catalogue_version
from roles.models import (
    Certification,
    CertificationFee,
    Role,
    Tool,
    TrainingPath,
    TrainingStep,
)
from roles.serializers import RoleRefSerializer

logger = logging.getLogger(__name__)

CATALOGUE_MEMO_TTL = 60  # seconds
CENTS = Decimal("0.01")

PLAN_COLUMNS = (
    "id",
    "title",
    "status",
    "target_role_id",
    "training_path_id",
    "start_date",
    "version",
    "created_at",
    "updated_at",
    "current_salary",
    "profile_salary",  # the owner's profile salary: plans_with_profile_salary() adds it
)
PLAN_WIDTH = len(PLAN_COLUMNS)
# a plan's row with a stored body (GET /plans/<id>/: the detail, GET /plans/: the summary) and
# the key it was rendered for, from a LEFT JOIN: both None when none is stored
SHOWN_COLUMNS = (*PLAN_COLUMNS, "rendering__detail_key", "rendering__detail")
LISTED_COLUMNS = (*PLAN_COLUMNS, "rendering__summary_key", "rendering__summary")
ITEM_COLUMNS = (
    "id",
    "plan_id",
    "position",
    "kind",
    "title",
    "status",
    "training_step_id",
    "certification_id",
    "tool_id",
    "provider",
    "url",
    "exam_date",
    "planned_cost",
    "duration_value",
    "duration_unit",
    "quantity",
    "done_at",
)
MILESTONE_COLUMNS = ("id", "kind", "title", "due_on", "done_at", "item_id")
KIND_LABELS = {value: str(label) for value, label in PlanItem.ItemKind.choices}
DONE, SKIPPED = PlanItem.Status.DONE, PlanItem.Status.SKIPPED


# --- DRF's representations of scalars ------------------------------------------------------


def _decimal_format(max_digits: int, decimal_places: int):
    """DecimalField(max_digits, decimal_places).to_representation for a non-null Decimal."""
    context = getcontext().copy()
    context.prec = max_digits
    exponent = Decimal(".1") ** decimal_places

    def format_decimal(value: Decimal) -> str:
        return f"{value.quantize(exponent, context=context):f}"

    return format_decimal


_money = _decimal_format(12, 2)  # serializers.MONEY
_item_money = _decimal_format(10, 2)  # PlanItem.planned_cost, as its ModelSerializer maps it
_months = _decimal_format(6, 1)
_ratio = _decimal_format(4, 3)


def _money_or_none(value: Decimal | None) -> str | None:
    return None if value is None else _money(value)


def _date(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _datetime(value: datetime | None) -> str | None:
    """DateTimeField().to_representation: in the current time zone, ISO 8601, "Z" for UTC."""
    if not value:
        return None
    text = value.astimezone(timezone.get_current_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


# --- catalogue rows, kept per catalogue version ----------------------------------------------


@dataclass(frozen=True)
class RoleFacts:
    ref: dict  # RoleRefSerializer
    salary: dict  # SalarySerializer of the role's salary outlook
    figures: list[SalaryFigure]  # its entry bands, as payback takes them


@dataclass(frozen=True)
class StepFacts:
    ref: dict  # StepRefSerializer
    name: str
    cost_min: Decimal | None
    cost_max: Decimal | None
    months_min: int | None
    months_max: int | None


@dataclass(frozen=True)
class CertificationFacts:
    ref: dict  # CertificationRefSerializer
    code: str
    fee_min: Decimal | None  # of its current fees
    fee_max: Decimal | None


@dataclass(frozen=True)
class ToolFacts:
    ref: dict  # ToolRefSerializer
    name: str
    cost_min: Decimal
    cost_max: Decimal


@dataclass
class CatalogueMemo:
    """Catalogue rows by id, filled on first use; kept for one catalogue version."""

    roles: dict[int, RoleFacts] = field(default_factory=dict)
    paths: dict[int, dict] = field(default_factory=dict)
    steps: dict[int, StepFacts] = field(default_factory=dict)
    certifications: dict[int, CertificationFacts] = field(default_factory=dict)
    tools: dict[int, ToolFacts] = field(default_factory=dict)


_kept = VersionedMemo(ttl=CATALOGUE_MEMO_TTL, max_entries=1)


def catalogue_memo() -> CatalogueMemo:
    """This process's catalogue rows for the current catalogue version (roles.cache drops
    them when the version changes, after CATALOGUE_MEMO_TTL, and between tests)."""
    return _kept.get_or_compute("rows", CatalogueMemo)


def _missing(known: dict, ids: Iterable[int | None]) -> set[int]:
    return {pk for pk in ids if pk is not None and pk not in known}


def _load_roles(memo: CatalogueMemo, ids: Iterable[int]) -> None:
    """Each role's reference and salary outlook, shown by the serializers themselves."""
    missing = _missing(memo.roles, ids)
    if not missing:
        return
    roles = Role.objects.filter(pk__in=missing).prefetch_related(*salary_prefetches(prefix=""))
    for role in roles:
        outlook = salary_outlook(role)
        memo.roles[role.pk] = RoleFacts(
            ref=dict(RoleRefSerializer(role).data),
            salary=SalarySerializer(outlook).data,
            figures=[salary_figure(band) for band in outlook.entry_bands],
        )


def _load_paths(memo: CatalogueMemo, ids: Iterable[int | None]) -> None:
    missing = _missing(memo.paths, ids)
    if missing:
        rows = TrainingPath.objects.filter(pk__in=missing).values_list("id", "slug", "title")
        for pk, slug, title in rows:
            memo.paths[pk] = {"slug": slug, "title": title}


def _load_item_catalogue(memo: CatalogueMemo, items: Sequence[tuple]) -> None:
    """The steps, certifications (with current fees) and tools the items refer to."""
    missing = _missing(memo.steps, (row[6] for row in items))
    if missing:
        rows = TrainingStep.objects.filter(pk__in=missing).values_list(
            "id", "name", "position", "cost_min", "cost_max", "months_min", "months_max"
        )
        for pk, name, position, cost_min, cost_max, months_min, months_max in rows:
            memo.steps[pk] = StepFacts(
                ref={"id": pk, "name": name, "position": position},
                name=name,
                cost_min=cost_min,
                cost_max=cost_max,
                months_min=months_min,
                months_max=months_max,
            )
    missing = _missing(memo.certifications, (row[7] for row in items))
    if missing:
        fees = defaultdict(list)
        current = CertificationFee.objects.filter(certification_id__in=missing, is_current=True)
        for certification_id, amount in current.values_list("certification_id", "amount"):
            fees[certification_id].append(amount)
        rows = Certification.objects.filter(pk__in=missing).values_list("id", "code", "name")
        for pk, code, name in rows:
            amounts = fees.get(pk)
            memo.certifications[pk] = CertificationFacts(
                ref={"code": code, "name": name},
                code=code,
                fee_min=min(amounts) if amounts else None,
                fee_max=max(amounts) if amounts else None,
            )
    missing = _missing(memo.tools, (row[8] for row in items))
    if missing:
        rows = Tool.objects.filter(pk__in=missing).values_list(
            "id", "slug", "name", "cadence", "cost_min", "cost_max"
        )
        for pk, slug, name, cadence, cost_min, cost_max in rows:
            memo.tools[pk] = ToolFacts(
                ref={"slug": slug, "name": name, "cadence": cadence},
                name=name,
                cost_min=cost_min,
                cost_max=cost_max,
            )


# --- plans, items and milestones -----------------------------------------------------------


def _item_facts(row: tuple, memo: CatalogueMemo, *, with_data: bool) -> tuple[ItemFacts, dict]:
    """The computations' view of an item row (as selectors.item_facts gives it for a model
    instance) and (`with_data`) its output without the schedule, which needs the whole plan."""
    (
        pk,
        _plan_id,
        position,
        kind,
        title,
        status,
        step_id,
        certification_id,
        tool_id,
        provider,
        url,
        exam_date,
        planned_cost,
        duration_value,
        duration_unit,
        quantity,
        done_at,
    ) = row
    step = memo.steps.get(step_id) if step_id is not None else None
    certification = (
        memo.certifications.get(certification_id) if certification_id is not None else None
    )
    tool = memo.tools.get(tool_id) if tool_id is not None else None
    low = high = months_min = months_max = None
    if kind == Kind.STEP and step is not None:
        low, high = step.cost_min, step.cost_max
        months_min, months_max = step.months_min, step.months_max
    elif kind == Kind.EXAM and certification is not None:
        low, high = certification.fee_min, certification.fee_max
    elif kind == Kind.TOOL and tool is not None:
        low, high = tool.cost_min * quantity, tool.cost_max * quantity
    facts = ItemFacts(
        key=pk,
        kind=kind,
        planned_cost=planned_cost,
        planned_duration=Duration(duration_value, duration_unit) if duration_value else None,
        catalogue_cost_min=low,
        catalogue_cost_max=high,
        catalogue_months_min=months_min,
        catalogue_months_max=months_max,
        exam_date=exam_date,
        skipped=status == SKIPPED,
        done=status == DONE,
    )
    if not with_data:
        return facts, {}
    if not title:  # PlanItem.display_title
        if kind == Kind.STEP and step is not None:
            title = step.name
        elif kind == Kind.EXAM and certification is not None:
            title = f"{certification.code} exam"
        elif kind == Kind.TOOL and tool is not None:
            title = tool.name
        else:
            title = KIND_LABELS.get(kind, kind)
    data = {
        "id": pk,
        "position": position,
        "kind": kind,
        "title": title,
        "status": status,
        "training_step": step.ref if step is not None else None,
        "certification": certification.ref if certification is not None else None,
        "tool": tool.ref if tool is not None else None,
        "provider": provider,
        "url": url,
        "exam_date": _date(exam_date),
        "planned_cost": _item_money(planned_cost),
        "duration": (
            None if duration_value is None else {"value": duration_value, "unit": duration_unit}
        ),
        "quantity": quantity,
        "catalogue": {
            "cost_min": _money_or_none(low),
            "cost_max": _money_or_none(high),
            "months_min": months_min,
            "months_max": months_max,
        },
        "done_at": _datetime(done_at),
    }
    return facts, data


def _plan_data(
    row: tuple, items: list[tuple], memo: CatalogueMemo, *, with_items: bool
) -> tuple[dict, list[dict]]:
    """A plan with its computed summary (PlanListSerializer's shape), and (`with_items`) its
    items (PlanItemSerializer's shape) with their projected dates."""
    (
        pk,
        title,
        status,
        role_id,
        path_id,
        start_date,
        version,
        created_at,
        updated_at,
        plan_salary,
        profile_salary,
    ) = row
    role = memo.roles[role_id]
    facts, items_data = [], []
    for item in items:
        item_facts, item_data = _item_facts(item, memo, with_data=with_items)
        facts.append(item_facts)
        items_data.append(item_data)
    cost = plan_cost(facts)
    schedule = plan_schedule(start_date, facts)
    if with_items:
        for item_facts, item_data in zip(facts, items_data, strict=True):
            span = schedule.spans[item_facts.key]
            item_data["schedule"] = {"start": span.start.isoformat(), "end": span.end.isoformat()}
    else:
        items_data = []
    if plan_salary is not None:
        current, current_from = plan_salary, "plan"
    elif profile_salary is not None:
        # in cents, as the profile's own column gives it (SQLite gives a subquery's unscaled)
        current, current_from = profile_salary.quantize(CENTS), "profile"
    else:
        current = current_from = None
    result = payback(
        planned_cost=cost.total.planned,
        current_salary=current,
        figures=role.figures,
        earning_from=schedule.finish_date,
    )
    progress = plan_progress(facts)
    basis = result.basis
    data = {
        "id": str(pk),
        "title": title,
        "status": status,
        "target_role": role.ref,
        "training_path": memo.paths.get(path_id) if path_id is not None else None,
        "start_date": start_date.isoformat(),
        "version": version,
        "created_at": _datetime(created_at),
        "updated_at": _datetime(updated_at),
        "cost": {
            "currency": cost.currency,
            "planned": _money(cost.total.planned),
            "min": _money(cost.total.min),
            "max": _money(cost.total.max),
            "by_kind": {
                str(kind): {
                    "planned": _money(kind_cost.planned),
                    "min": _money(kind_cost.min),
                    "max": _money(kind_cost.max),
                }
                for kind, kind_cost in cost.by_kind.items()
            },
        },
        "schedule": {
            "finish_date": schedule.finish_date.isoformat(),
            "optimistic_finish_date": schedule.optimistic_finish_date.isoformat(),
            "conservative_finish_date": schedule.conservative_finish_date.isoformat(),
            "months": {
                "planned": _months(schedule.months.planned),
                "optimistic": _months(schedule.months.optimistic),
                "conservative": _months(schedule.months.conservative),
            },
        },
        "salary": role.salary,
        "payback": {
            "months": result.months,
            "reason": result.reason,
            "monthly_gain": _money_or_none(result.monthly_gain),
            "paid_back_on": _date(result.paid_back_on),
            "basis": None
            if basis is None
            else {
                "band_id": basis.ref,
                "label": basis.label,
                "source": basis.source,
                "expected_salary": _money(basis.conservative),
            },
        },
        "progress": {
            "done": progress.done,
            "total": progress.total,
            "skipped": progress.skipped,
            "by_count": _ratio(progress.by_count),
            "months_done": _months(progress.months_done),
            "months_total": _months(progress.months_total),
            "by_months": _ratio(progress.by_months),
        },
        "current_salary": _money_or_none(current),
        "current_salary_from": current_from,
    }
    return data, items_data


def milestone_data(milestone: Milestone) -> dict:
    """A milestone as MilestoneSerializer shows it (the responses of a milestone's create,
    change and list), without walking the serializer's fields."""
    return _milestone_data(
        (
            milestone.pk,
            milestone.kind,
            milestone.title,
            milestone.due_on,
            milestone.done_at,
            milestone.item_id,
        )
    )


def _milestone_data(row: tuple) -> dict:
    pk, kind, title, due_on, done_at, item_id = row
    return {
        "id": pk,
        "kind": kind,
        "title": title,
        "due_on": due_on.isoformat(),
        "done": done_at is not None,
        "done_at": _datetime(done_at),
        "item": item_id,
        "is_generated": item_id is not None,
    }


def _etag(row: tuple) -> str:
    return f'"{row[0]}-{row[6]}"'  # Plan.etag


def plans_with_profile_salary() -> QuerySet:
    """Plans with what PLAN_COLUMNS names besides their own columns: the owner's profile
    salary (`profile_salary`), read by a subquery on the plan's owner id. The ORM's
    `owner__profile__current_salary` would join the user table too, only to reach the
    profile: planning that one more join made a plan's one-row read about a third slower
    (`python -m bench.tried plan-row-joins`)."""
    salary = Profile.objects.filter(user_id=OuterRef("owner_id")).values("current_salary")
    return Plan.objects.annotate(profile_salary=Subquery(salary))


def _owners_plan(plan_id, owner_id) -> QuerySet:
    # unordered: one row (the model's ordering would be planned and sorted all the same)
    return plans_with_profile_salary().filter(pk=plan_id, owner_id=owner_id).order_by()


_PLAN_ROW = CompiledRows(
    Plan,
    lambda plan_id, owner_id: _owners_plan(plan_id, owner_id).values_list(*PLAN_COLUMNS),
    Plan._meta.pk,
    Plan._meta.get_field("owner"),
)
_PLAN_SHOWN = CompiledRows(
    Plan,
    lambda plan_id, owner_id: _owners_plan(plan_id, owner_id).values_list(*SHOWN_COLUMNS),
    Plan._meta.pk,
    Plan._meta.get_field("owner"),
)


def _user_plans(owner_id) -> QuerySet:
    """The user's plans, newest first (the list's order)."""
    return plans_with_profile_salary().filter(owner_id=owner_id).order_by("-created_at", "id")


_USER_PLANS = CompiledRows(
    Plan,
    lambda owner_id: _user_plans(owner_id).values_list(*LISTED_COLUMNS),
    Plan._meta.get_field("owner"),
)
# A page of them with the number of them all, COUNT(*) OVER () as the last column.
_USER_PLANS_COUNTED = CompiledRows(
    Plan,
    lambda owner_id: (
        _user_plans(owner_id)
        .annotate(total=Window(Count("id")))
        .values_list(*LISTED_COLUMNS, "total")
    ),
    Plan._meta.get_field("owner"),
)
_USER_PLAN_COUNT = CompiledRows(
    Plan,
    lambda owner_id: (
        Plan.objects.filter(owner_id=owner_id)
        .order_by()
        .values("owner_id")
        .annotate(count=Count("id"))
        .values_list("count")
    ),
    Plan._meta.get_field("owner"),
)
_PLANS_ITEMS = CompiledRows(
    PlanItem,
    lambda *plan_ids: (
        PlanItem.objects.filter(plan_id__in=plan_ids)
        .order_by("position", "id")
        .values_list(*ITEM_COLUMNS)
    ),
    PlanItem._meta.get_field("plan"),
    variadic=True,
)
_PLAN_MILESTONES = CompiledRows(
    Milestone,
    lambda plan_id: (
        Milestone.objects.filter(plan_id=plan_id)
        .order_by("due_on", "id")
        .values_list(*MILESTONE_COLUMNS)
    ),
    Milestone._meta.get_field("plan"),
)


def _items_by_plan(plan_ids: list[UUID]) -> dict[UUID, list[tuple]]:
    items: dict[UUID, list[tuple]] = {plan_id: [] for plan_id in plan_ids}
    if plan_ids:
        for row in _PLANS_ITEMS.rows(*plan_ids):
            items[row[1]].append(row)
    return items


def _plans_data(
    rows: Sequence[tuple], *, with_items: bool, items: dict[UUID, list[tuple]] | None = None
) -> list[tuple[dict, list[dict]]]:
    """Each plan with its summary, and (`with_items`) its items: one query for all the plans'
    items unless given (and, for catalogue rows not yet kept, a few for all of them)."""
    if items is None:
        items = _items_by_plan([row[0] for row in rows])
    memo = catalogue_memo()
    _load_roles(memo, (row[3] for row in rows))
    _load_paths(memo, (row[4] for row in rows))
    _load_item_catalogue(memo, [item for plan_items in items.values() for item in plan_items])
    return [_plan_data(row, items[row[0]], memo, with_items=with_items) for row in rows]


class PlanRows:
    """The user's plans, newest first, as the rows `plan_list_fragments` takes (LISTED_COLUMNS:
    each plan's row with its stored summary): what a Django Paginator needs (`count()` and
    slices), each one compiled query.

    Told which slice the paginator will ask for (`expected`, the requested page), the count
    fetches that page with the total in the same query (COUNT(*) OVER ()) and the slice is
    answered from it: one query for a page of the list. The plain COUNT runs only when that
    page turns out empty (no plans, or a page past the end) or no page was expected.
    """

    ordered = True  # the Paginator warns about unordered lists

    def __init__(self, owner_id: int, *, expected: tuple[int, int] | None = None) -> None:
        self.owner_id = owner_id
        self.expected = expected
        self._count: int | None = None
        self._page: list[tuple] | None = None

    def count(self) -> int:
        if self._count is None and self.expected is not None:
            low, high = self.expected
            rows = _USER_PLANS_COUNTED.rows(self.owner_id, low=low, high=high)
            if rows:  # an empty page says nothing of the count: both are asked again
                self._page = [row[:-1] for row in rows]
                self._count = rows[0][-1]
        if self._count is None:
            rows = _USER_PLAN_COUNT.rows(self.owner_id)
            self._count = rows[0][0] if rows else 0
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __iter__(self):
        return iter(self[0:])

    def __getitem__(self, index: slice) -> list[tuple]:
        if not isinstance(index, slice) or index.step is not None:
            raise TypeError("PlanRows take a slice without a step.")
        low, high = index.start or 0, index.stop
        if low < 0 or (high is not None and high < low):
            raise ValueError("PlanRows take a forward slice of non-negative bounds.")
        if high == low:
            return []
        if self._page is not None and high is not None and self.expected is not None:
            expected_low, expected_high = self.expected
            if low == expected_low and high <= expected_high:
                return self._page[: high - low]
        return _USER_PLANS.rows(self.owner_id, low=low, high=high)


def plan_rows_for_user(*, user: User, expected: tuple[int, int] | None = None) -> PlanRows:
    """The user's plans as `plan_list_fragments` takes them (paginate these); `expected`, the
    slice the requested page will be, saves the separate count query."""
    return PlanRows(user.pk, expected=expected)


def plans_data_for_user_by_ids(*, user: User, plan_ids: list[UUID]) -> dict[UUID, dict]:
    """The user's plans among `plan_ids` (PlanListSerializer's shape), by id."""
    mine = (
        plans_with_profile_salary()
        .filter(owner=user, pk__in=plan_ids)
        .order_by("-created_at", "id")
    )
    rows = list(mine.values_list(*PLAN_COLUMNS))
    shown = _plans_data(rows, with_items=False)
    return {row[0]: data for row, (data, _items) in zip(rows, shown, strict=True)}


def _plan_row(*, user: User, plan_id: UUID | str, query: CompiledRows = _PLAN_ROW) -> tuple:
    try:
        rows = query.rows(plan_id, user.pk)
    except (DjangoValidationError, ValueError) as exc:  # not a UUID
        raise Http404(PLAN_NOT_FOUND) from exc
    if not rows:
        raise Http404(PLAN_NOT_FOUND)
    return rows[0]


def plan_detail_data(*, user: User, plan_id: UUID | str) -> tuple[dict[str, Any], str]:
    """GET /plans/<id>/ (PlanDetailSerializer's shape) and the plan's ETag; 404 for anyone
    else's plan. Three queries: the plan (with the profile's salary), items, milestones."""
    plan = _plan_row(user=user, plan_id=plan_id)
    return _detail_data(plan), _etag(plan)


def _detail_data(
    plan: tuple, items: list[tuple] | None = None, milestones: list[tuple] | None = None
) -> dict[str, Any]:
    """The detail of the plan in row `plan`; its item and milestone rows read unless given."""
    ((data, items_data),) = _plans_data(
        [plan], with_items=True, items=None if items is None else {plan[0]: items}
    )
    data["items"] = items_data
    if milestones is None:
        milestones = _PLAN_MILESTONES.rows(plan[0])
    data["milestones"] = [_milestone_data(row) for row in milestones]
    return data


def new_plan_detail_data(plan: Plan) -> tuple[dict[str, Any], str]:
    """`plan_detail_data` of a plan `plans.services.plan_create` has just written, from the
    rows it wrote (kept on the plan as `written_items` and `written_milestones`) instead of
    reading them back: the same rows, in the order the queries give them, three queries fewer.
    Every caller has such a plan (POST /plans/, the path finder's "start this plan"); any
    other plan is shown by `plan_shown`."""
    items, milestones = plan.written_items, plan.written_milestones
    profile_salary = profile_for_user(user=plan.owner).current_salary
    row = (*(getattr(plan, column) for column in PLAN_COLUMNS[:-1]), profile_salary)
    item_rows = sorted(
        (tuple(getattr(item, column) for column in ITEM_COLUMNS) for item in items),
        key=lambda item: (item[2], item[0]),  # position, id
    )
    milestone_rows = sorted(
        (tuple(getattr(one, column) for column in MILESTONE_COLUMNS) for one in milestones),
        key=lambda milestone: (milestone[3], milestone[0]),  # due_on, id
    )
    return _detail_data(row, item_rows, milestone_rows), _etag(row)


def plan_items_data(*, user: User, plan_id: UUID | str) -> tuple[list[dict], str]:
    """A plan's items (PlanItemSerializer's shape) with their projected dates, and the ETag."""
    plan = _plan_row(user=user, plan_id=plan_id)
    ((_data, items),) = _plans_data([plan], with_items=True)
    return items, _etag(plan)


# --- rendered plans, stored with their rows ------------------------------------------------
#
# A plan as GET /plans/<id>/ and GET /plans/ show it depends on its rows (every change bumps
# Plan.version: plans.services), the catalogue (its version), the owner's profile salary (in
# the plan's row), the time zone the datetimes are shown in, and this code. Its rendered
# bodies (the JSON renderer's own bytes, compressed) are stored in PlanRendering with a key
# naming all of them: a read takes a body, in the same query as the plan's row, only when its
# own key is the stored one, and otherwise renders it and stores it for the next reads. So a
# plan is rendered once per change of what it shows (its first read after a change of the
# plan, a catalogue edit, a profile salary change or a deploy that changes the shaping code),
# not on every read, and not by the writes: a change only bumps the version (several changes
# in a row render once, at the read after them, or never when nobody reads in between). A
# store never replaces bodies of a newer plan version (a read that rendered before a change
# and stores after it). A change of plan rows that bypasses plans.services (a data
# migration) leaves the key as it was: run `manage.py render_plans --all` after it. Bodies go
# back into responses as orjson Fragments.

# zlib level 1: a 24 KB plan of 50 items is stored in 2 KB (0.06-0.14 ms to compress once,
# 0.02 ms to decompress per read: `python -m bench.tried compress`), small enough to stay in
# the row (migration plans/0007) and to travel with the plan's row on every read
RENDERING_COMPRESSION = 1
RENDERING_FIELDS = ("version", "detail_key", "detail", "summary_key", "summary")
SUMMARY_FIELDS = ("version", "summary_key", "summary")
# What decides a body's bytes besides its key's values: the code of the packages that shape
# it (read models, computations, serializers, models' labels and __str__, careerplan's query
# helpers and settings), the libraries that format and render it, and the settings they
# read. A deploy that changes any of them starts new keys, so a body made by older code is
# never shown: each plan's next read renders it again (or `manage.py render_plans`).
_SHAPING_APPS = ("accounts", "careerplan", "plans", "roles")


def _shaping_code() -> str:
    settings_read = repr((api_settings.COERCE_DECIMAL_TO_STRING, ORJSONRenderer.options))
    return source_digest(_SHAPING_APPS, RENDERING_LIBRARIES, settings_read)


_SHAPING_CODE = _shaping_code()


def _rendering_key(plan: tuple, catalogue: str) -> str:
    """What the bodies of the plan in row `plan` are rendered from, besides its rows."""
    pk, version, profile_salary = plan[0], plan[6], plan[10]
    zone = timezone.get_current_timezone_name()
    return f"{_SHAPING_CODE}:{pk}:{version}:{catalogue}:{profile_salary}:{zone}"


def _stored_body(stored: Any) -> bytes | None:
    """A body as its row gave it back, or None when there is none (or it is not one of ours)."""
    try:
        return zlib.decompress(stored)
    except (zlib.error, TypeError):
        return None


def _compressed(body: bytes) -> bytes:
    return zlib.compress(body, RENDERING_COMPRESSION)


def _render(data: Any) -> bytes:
    """What the API's JSON renderer makes of `data`."""
    return orjson.dumps(data, default=ORJSONRenderer.default, option=ORJSONRenderer.options)


def _bodies(
    plan: tuple, items: list[tuple] | None = None, milestones: list[tuple] | None = None
) -> tuple[bytes, bytes]:
    """The summary (GET /plans/) and detail (GET /plans/<id>/) bodies of the plan in row
    `plan`, from `_detail_data` (its item and milestone rows read unless given): the summary
    is the detail without its items and milestones."""
    data = _detail_data(plan, items, milestones)
    items_data, milestones_data = data.pop("items"), data.pop("milestones")
    summary = _render(data)
    data["items"], data["milestones"] = items_data, milestones_data
    return summary, _render(data)


def _rendering_row(
    plan: tuple, key: str, summary: bytes, detail: bytes | None = None
) -> PlanRendering:
    """The bodies of the plan in row `plan` (the summary, and the detail when given),
    compressed, under `key`."""
    rendering = PlanRendering(
        plan_id=plan[0], version=plan[6], summary_key=key, summary=_compressed(summary)
    )
    if detail is not None:
        rendering.detail_key, rendering.detail = key, _compressed(detail)
    return rendering


def _with_stored(row: tuple) -> tuple[tuple, str | None, Any]:
    """A row of SHOWN_COLUMNS or LISTED_COLUMNS as the plan's row, its stored body's key and
    the stored body (both None when nothing is stored)."""
    return row[:PLAN_WIDTH], row[-2], row[-1]


def _store(renderings: list[PlanRendering], fields: Sequence[str]) -> bool:
    """Insert the renderings, or replace `fields` of those stored unless they were rendered
    for a newer version of their plan (a read that rendered before a change and stores after
    it): one statement, which only saves later reads some work, so never an error. Alone in
    autocommit (a request's read) the statement is its own transaction, and it fails, storing
    nothing, when a plan was deleted since its row was read (the foreign key, checked at that
    commit) or the database refuses the write. Inside a caller's transaction (tests; nothing
    in the API reads in one) the foreign key would only be checked at the caller's COMMIT: the
    plans are locked first and only those still there are stored, in a savepoint. Rows go in
    plan id order, so two stores of the same plans lock their rows in the same order. Returns
    whether the statement went through."""
    connection = connections[router.db_for_write(PlanRendering)]
    renderings = sorted(renderings, key=lambda rendering: str(rendering.plan_id))
    try:
        if connection.in_atomic_block:
            with transaction.atomic(using=connection.alias):
                ids = [rendering.plan_id for rendering in renderings]
                there = Plan.objects.select_for_update(no_key=True).filter(pk__in=ids)
                still = set(there.values_list("pk", flat=True))
                renderings = [one for one in renderings if one.plan_id in still]
                _upsert(renderings, fields, connection)
        else:
            _upsert(renderings, fields, connection)
    except DatabaseError:
        logger.info("Plan renderings not stored (a plan deleted meanwhile?).", exc_info=True)
        return False
    return True


def _upsert(renderings: list[PlanRendering], fields: Sequence[str], connection) -> None:
    # durable=False: bodies made again from the rows if a crash loses them (the key guards them)
    upsert(
        renderings,
        update_fields=fields,
        connection=connection,
        unless_newer="version",
        durable=False,
    )


def _render_and_store(plan: tuple, key: str) -> bytes:
    """Render the plan in row `plan` (its items and milestones read), store both bodies under
    `key` and return the detail body."""
    summary, detail = _bodies(plan)
    _store([_rendering_row(plan, key, summary, detail)], RENDERING_FIELDS)
    return detail


class RenderingsNotStored(Exception):
    """The database refused to store renderings twice in a row."""


def plan_renderings_refresh(plan_ids: Sequence[UUID], *, every: bool = False) -> int:
    """Render and store the plans among `plan_ids` whose stored bodies are missing or made
    for another key (after a deploy, say, instead of leaving it to each plan's next read), or
    (`every`) all of them; returns how many. A store that fails (a plan deleted meanwhile) is
    tried once more with the plans still there; RenderingsNotStored if that fails too. A few
    queries for all of them: give a few hundred at a time."""
    for _attempt in range(2):
        stored = _refresh(plan_ids, every=every)
        if stored is not None:
            return stored
    raise RenderingsNotStored(f"{len(plan_ids)} plans from {plan_ids[0]} on: see the log.")


def _refresh(plan_ids: Sequence[UUID], *, every: bool) -> int | None:
    """`plan_renderings_refresh` once: how many were stored, None when the store failed."""
    catalogue = catalogue_version()
    found = (
        plans_with_profile_salary()
        .filter(pk__in=plan_ids)
        .values_list(*PLAN_COLUMNS, "rendering__detail_key", "rendering__summary_key")
    )
    wanted = [
        row[:PLAN_WIDTH]
        for row in found
        if every or {row[-2], row[-1]} != {_rendering_key(row[:PLAN_WIDTH], catalogue)}
    ]
    if not wanted:
        return 0
    items = _items_by_plan([row[0] for row in wanted])
    milestones: dict[UUID, list[tuple]] = {row[0]: [] for row in wanted}
    rows = Milestone.objects.filter(plan_id__in=milestones).order_by("due_on", "id")
    for plan_id, *milestone in rows.values_list("plan_id", *MILESTONE_COLUMNS):
        milestones[plan_id].append(tuple(milestone))
    renderings = [
        _rendering_row(
            row, _rendering_key(row, catalogue), *_bodies(row, items[row[0]], milestones[row[0]])
        )
        for row in wanted
    ]
    return len(renderings) if _store(renderings, RENDERING_FIELDS) else None


@dataclass(frozen=True)
class ShownPlan:
    """A plan as GET /plans/<id>/ shows it: its ETag, known from the plan's row, and its
    body, the stored one when it was rendered for this key, else rendered (and stored) only
    when asked for."""

    row: tuple
    key: str
    stored: Any  # the compressed detail body stored under this key, or None

    @property
    def version_etag(self) -> str:
        """The plan's version token alone, `"<id>-<version>"`: what a write answers."""
        return _etag(self.row)

    @property
    def etag(self) -> str:
        """The plan's version token (`"<id>-<version>"`, what If-Match checks) with a digest of
        everything else the body shows (`.<digest>`): a client keeps its copy only while the
        catalogue, the profile salary and the code that shaped it are unchanged too."""
        digest = hashlib.sha256(self.key.encode()).hexdigest()[:8]
        return f'{self.version_etag[:-1]}.{digest}"'

    def body(self) -> orjson.Fragment:
        body = None if self.stored is None else _stored_body(self.stored)
        if body is None:
            body = _render_and_store(self.row, self.key)
        return orjson.Fragment(body)


def plan_shown(*, user: User, plan_id: UUID | str) -> ShownPlan:
    """The user's plan for GET /plans/<id>/ (404 for anyone else's): one query for its row
    and its stored body, which is all a read takes unless the body has to be rendered."""
    plan, stored_key, stored = _with_stored(
        _plan_row(user=user, plan_id=plan_id, query=_PLAN_SHOWN)
    )
    key = _rendering_key(plan, catalogue_version())
    return ShownPlan(plan, key, stored if stored_key == key else None)


def plan_list_fragments(rows: Sequence[tuple]) -> list[orjson.Fragment]:
    """GET /plans/ (PlanListSerializer's shape), rendered plan by plan, from `PlanRows`' rows
    (each a plan's row with its stored summary and that summary's key): the stored ones used,
    the others rendered together (their items in one query) and stored, in one statement."""
    if not rows:
        return []
    catalogue = catalogue_version()
    bodies: list[bytes | None] = []
    missing: list[tuple[int, tuple, str]] = []
    for index, row in enumerate(rows):
        plan, stored_key, stored = _with_stored(row)
        key = _rendering_key(plan, catalogue)
        body = _stored_body(stored) if stored_key == key else None
        if body is None:
            missing.append((index, plan, key))
        bodies.append(body)
    if missing:
        plans = [plan for _index, plan, _key in missing]
        renderings = []
        for (index, plan, key), (data, _items) in zip(
            missing, _plans_data(plans, with_items=False), strict=True
        ):
            body = bodies[index] = _render(data)
            renderings.append(_rendering_row(plan, key, body))
        _store(renderings, SUMMARY_FIELDS)
    return [orjson.Fragment(body) for body in bodies]
