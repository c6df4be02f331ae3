"""Read queries for plans (always scoped to the owner) and the computed plan summary.

The querysets prefetch everything the summary needs, so a plan's detail and a page of plans
cost a constant number of queries whatever the number of items and milestones. The API's plan
responses are built from rows by plans/read_models.py, and the writes (plans.services) read
the plan they change under its lock, by id: the plans loaded here are the reference the read
models are tested against (tests/plans/test_read_models.py). The not-found messages are
shared with the read models and the services.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from accounts.models import User
from plans.computations import (
    CostSummary,
    Duration,
    ItemFacts,
    Kind,
    Payback,
    Progress,
    SalaryFigure,
    Schedule,
    payback,
    plan_cost,
    plan_progress,
    plan_schedule,
)
from plans.models import IdempotencyRecord, Milestone, Plan, PlanItem
from roles.models import CertificationFee, Role, SalaryBand, SalaryLevel, SalaryPremium


def _items_prefetch() -> Prefetch:
    current_fees = CertificationFee.objects.filter(is_current=True).order_by("amount")
    return Prefetch(
        "items",
        queryset=PlanItem.objects.select_related(
            "training_step", "certification", "tool"
        ).prefetch_related(Prefetch("certification__fees", queryset=current_fees)),
    )


def salary_prefetches(*, prefix: str = "target_role__") -> list[Prefetch]:
    """A role's salary bands and premiums in the order the summary lists them."""
    return [
        Prefetch(
            f"{prefix}salary_bands",
            queryset=SalaryBand.objects.select_related("source").order_by("level", "pk"),
        ),
        Prefetch(
            f"{prefix}salary_premiums",
            queryset=SalaryPremium.objects.select_related("source").order_by("level", "pk"),
        ),
    ]


PLAN_NOT_FOUND = "No plan of yours has this id."
ITEM_NOT_FOUND = "No item of yours has this id."
MILESTONE_NOT_FOUND = "No milestone of yours has this id."


def plan_list_for_user(*, user: User) -> QuerySet[Plan]:
    """The user's plans with what their summaries need (cost, finish, salary, payback)."""
    return (
        Plan.objects.filter(owner=user)
        .select_related("target_role", "training_path", "owner__profile")
        .prefetch_related(_items_prefetch(), *salary_prefetches())
        .order_by("-created_at", "id")
    )


def plan_get_for_user(*, user: User, plan_id: UUID | str) -> Plan:
    """One of the user's plans with items, milestones and salary data; 404 for anyone else's."""
    queryset = plan_list_for_user(user=user).prefetch_related(
        Prefetch("milestones", queryset=Milestone.objects.order_by("due_on", "id"))
    )
    try:
        return queryset.get(pk=plan_id)
    except (Plan.DoesNotExist, ValueError) as exc:
        raise Http404(PLAN_NOT_FOUND) from exc


def milestones_for_user(*, user: User, plan_id: UUID | str) -> QuerySet[Milestone]:
    plan_exists_for_user(user=user, plan_id=plan_id)
    return Milestone.objects.filter(plan_id=plan_id).order_by("due_on", "id")


def plan_exists_for_user(*, user: User, plan_id: UUID | str) -> None:
    try:
        found = Plan.objects.filter(pk=plan_id, owner=user).exists()
    except ValueError:  # not a UUID
        found = False
    if not found:
        raise Http404(PLAN_NOT_FOUND)


def idempotency_record_get(*, user: User, key: str) -> IdempotencyRecord | None:
    return IdempotencyRecord.objects.filter(owner=user, key=key).first()


# --- computed summary --------------------------------------------------------------------


def item_facts(item: PlanItem) -> ItemFacts:
    """The computations' view of an item (uses only already-loaded relations)."""
    duration = Duration(item.duration_value, item.duration_unit) if item.duration_value else None
    low = high = None
    months_min = months_max = None
    if item.kind == Kind.STEP and item.training_step is not None:
        step = item.training_step
        low, high = step.cost_min, step.cost_max
        months_min, months_max = step.months_min, step.months_max
    elif item.kind == Kind.EXAM and item.certification is not None:
        fees = [fee.amount for fee in _current_fees(item)]
        if fees:
            low, high = min(fees), max(fees)
    elif item.kind == Kind.TOOL and item.tool is not None:
        low, high = item.tool.cost_min * item.quantity, item.tool.cost_max * item.quantity
    return ItemFacts(
        key=item.pk,
        kind=item.kind,
        planned_cost=item.planned_cost,
        planned_duration=duration,
        catalogue_cost_min=low,
        catalogue_cost_max=high,
        catalogue_months_min=months_min,
        catalogue_months_max=months_max,
        exam_date=item.exam_date,
        skipped=item.status == PlanItem.Status.SKIPPED,
        done=item.status == PlanItem.Status.DONE,
    )


def _current_fees(item: PlanItem) -> list[CertificationFee]:
    cache = getattr(item.certification, "_prefetched_objects_cache", {})
    if "fees" in cache:
        return list(item.certification.fees.all())
    return list(item.certification.fees.filter(is_current=True))


@dataclass(frozen=True)
class SalaryOutlook:
    role: Role
    entry_bands: list[SalaryBand]
    premiums: list[SalaryPremium]


@dataclass(frozen=True)
class PlanSummary:
    cost: CostSummary
    schedule: Schedule
    salary: SalaryOutlook
    payback: Payback
    progress: Progress
    current_salary: Decimal | None
    current_salary_from: str | None


ENTRY_LEVELS = (SalaryLevel.ENTRY,)


def salary_outlook(role: Role) -> SalaryOutlook:
    """Entry-level bands for the role, each with its source (falling back to the all-level
    medians and averages when no source gives an entry figure), and its premiums."""
    bands = list(role.salary_bands.all())
    entry = [band for band in bands if band.level in ENTRY_LEVELS]
    if not entry:
        entry = [band for band in bands if band.level == SalaryLevel.ALL]
    premiums = [
        premium
        for premium in role.salary_premiums.all()
        if premium.level in (SalaryLevel.ENTRY, SalaryLevel.ALL)
    ]
    return SalaryOutlook(role=role, entry_bands=entry, premiums=premiums)


def salary_figure(band: SalaryBand) -> SalaryFigure:
    return SalaryFigure(
        label=band.get_level_display() + (f", {band.qualifier}" if band.qualifier else ""),
        source=str(band.source),
        amount_min=band.amount_min,
        amount_max=band.amount_max,
        single=band.median if band.median is not None else band.average,
        ref=band.pk,
    )


def _current_salary(plan: Plan) -> tuple[Decimal | None, str | None]:
    if plan.current_salary is not None:
        return plan.current_salary, "plan"
    profile = getattr(plan.owner, "profile", None)
    if profile is not None and profile.current_salary is not None:
        return profile.current_salary, "profile"
    return None, None


def plan_summary(plan: Plan, items: list[PlanItem] | None = None) -> PlanSummary:
    """Cost, schedule, salary outlook, payback and progress, from loaded rows only."""
    items = list(plan.items.all()) if items is None else items
    facts = [item_facts(item) for item in items]
    cost = plan_cost(facts)
    schedule = plan_schedule(plan.start_date, facts)
    outlook = salary_outlook(plan.target_role)
    current, current_from = _current_salary(plan)
    result = payback(
        planned_cost=cost.total.planned,
        current_salary=current,
        figures=[salary_figure(band) for band in outlook.entry_bands],
        earning_from=schedule.finish_date,
    )
    return PlanSummary(
        cost=cost,
        schedule=schedule,
        salary=outlook,
        payback=result,
        progress=plan_progress(facts),
        current_salary=current,
        current_salary_from=current_from,
    )
