"""Plan arithmetic as pure functions: cost, schedule, salary basis, payback and progress.

No ORM and no HTTP here: the selectors turn a plan's rows into the small value objects below,
and the API shows what these functions return. Every figure is computed, never stored.

Conventions:
- Money is `Decimal` (USD in the catalogue), never float.
- A duration is a whole number of months or weeks. Dates are computed from the plan's start
  with cumulative offsets (`start + N months + M weeks`), so a chain of month-long items that
  starts on the 31st keeps landing on month ends instead of drifting (Jan 31 -> Feb 28/29 ->
  Mar 31).
- Sequential items run one after another in their order; an exam sits on its own date and
  does not move the others; tools take no time. Skipped items count in nothing.
"""

from __future__ import annotations

import math
from calendar import monthrange
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0")
WEEKS_PER_MONTH = Decimal("52") / Decimal("12")


class Kind:
    STEP = "step"
    EXAM = "exam"
    TOOL = "tool"
    CUSTOM = "custom"

    ALL = (STEP, EXAM, TOOL, CUSTOM)


class Unit:
    MONTHS = "months"
    WEEKS = "weeks"


@dataclass(frozen=True)
class Duration:
    value: int
    unit: str = Unit.MONTHS

    def in_months(self) -> Decimal:
        if self.unit == Unit.WEEKS:
            return Decimal(self.value) / WEEKS_PER_MONTH
        return Decimal(self.value)


@dataclass(frozen=True)
class ItemFacts:
    """What the computations need to know about one plan item."""

    key: int | str
    kind: str
    planned_cost: Decimal
    planned_duration: Duration | None = None
    catalogue_cost_min: Decimal | None = None
    catalogue_cost_max: Decimal | None = None
    catalogue_months_min: int | None = None
    catalogue_months_max: int | None = None
    exam_date: date | None = None
    skipped: bool = False
    done: bool = False

    @property
    def is_sequential(self) -> bool:
        return self.kind in (Kind.STEP, Kind.CUSTOM) and self.planned_duration is not None


# --- cost -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CostRange:
    planned: Decimal = ZERO
    min: Decimal = ZERO
    max: Decimal = ZERO

    def __add__(self, other: CostRange) -> CostRange:
        return CostRange(self.planned + other.planned, self.min + other.min, self.max + other.max)


@dataclass(frozen=True)
class CostSummary:
    total: CostRange
    by_kind: dict[str, CostRange]
    currency: str = "USD"


def _cost_bounds(item: ItemFacts) -> tuple[Decimal, Decimal]:
    low = item.catalogue_cost_min if item.catalogue_cost_min is not None else None
    high = item.catalogue_cost_max if item.catalogue_cost_max is not None else low
    if low is None:
        low = high = item.planned_cost
    return low, high


def item_cost_range(item: ItemFacts) -> CostRange:
    """Planned cost and the catalogue's range for the same item.

    Where the catalogue gives no figure (a custom course, a step marked N/A) the range is the
    planned cost itself, so the total range still brackets the planned total.
    """
    low, high = _cost_bounds(item)
    return CostRange(planned=item.planned_cost, min=low, max=high)


def plan_cost(items: Iterable[ItemFacts], currency: str = "USD") -> CostSummary:
    # Sums kept as plain [planned, min, max] lists (a CostRange per addition was most of the
    # time of this function); the same additions in the same order as adding CostRanges.
    by_kind: dict[str, list[Decimal]] = {}
    total = [ZERO, ZERO, ZERO]
    for item in items:
        if item.skipped:
            continue
        low, high = _cost_bounds(item)
        sums = by_kind.get(item.kind)
        if sums is None:
            sums = by_kind[item.kind] = [ZERO, ZERO, ZERO]
        sums[0] += item.planned_cost
        sums[1] += low
        sums[2] += high
        total[0] += item.planned_cost
        total[1] += low
        total[2] += high
    return CostSummary(
        total=CostRange(*total),
        by_kind={kind: CostRange(*sums) for kind, sums in by_kind.items()},
        currency=currency,
    )


# --- schedule -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemSpan:
    key: int | str
    start: date
    end: date


@dataclass(frozen=True)
class MonthsRange:
    planned: Decimal
    optimistic: Decimal
    conservative: Decimal


@dataclass(frozen=True)
class Schedule:
    spans: dict[int | str, ItemSpan]
    finish_date: date
    months: MonthsRange
    optimistic_finish_date: date
    conservative_finish_date: date


@dataclass
class _Cursor:
    """Offset from the plan start; dates are always derived from the start, never chained."""

    start: date
    months: int = 0
    weeks: int = 0

    def date(self) -> date:
        return add_months(self.start, self.months) + timedelta(weeks=self.weeks)

    def advance(self, duration: Duration) -> None:
        if duration.unit == Unit.WEEKS:
            self.weeks += duration.value
        else:
            self.months += duration.value


def add_months(start: date, months: int) -> date:
    """`start` plus whole months, clamped to the month's last day (Jan 31 + 1 = Feb 28/29).

    The same date as `start + relativedelta(months=months)`, without building a relativedelta
    (this runs twice per item on every plan read)."""
    if not months:
        return start
    years, month_index = divmod(start.month - 1 + months, 12)
    year, month = start.year + years, month_index + 1
    return date(year, month, min(start.day, monthrange(year, month)[1]))


def months_and_days_between(start: date, end: date) -> tuple[int, int]:
    """Whole months from `start` to `end` and the days left over, as `relativedelta(end,
    start)` counts them (both negative when `end` is earlier)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    anchor = add_months(start, months)
    if end >= start:
        while end < anchor:
            months -= 1
            anchor = add_months(start, months)
    else:
        while end > anchor:
            months += 1
            anchor = add_months(start, months)
    return months, (end - anchor).days


def _months_between(start: date, end: date) -> Decimal:
    """Whole months plus the remaining days as a fraction of 30, to one decimal."""
    whole, days = months_and_days_between(start, end)
    return (Decimal(whole) + Decimal(days) / Decimal(30)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def _sequential_finish(start: date, durations: Iterable[Duration]) -> date:
    cursor = _Cursor(start)
    for duration in durations:
        cursor.advance(duration)
    return cursor.date()


def plan_schedule(start: date, items: Sequence[ItemFacts]) -> Schedule:
    """Projected start/end of every item, the finish date and the total length in months.

    `items` are in plan order. Optimistic/conservative finishes replace each catalogue step's
    planned duration by its catalogue minimum/maximum (custom courses keep their own).
    """
    spans: dict[int | str, ItemSpan] = {}
    cursor = _Cursor(start)
    current = cursor.date()  # recomputed only when the cursor moves
    last_exam: date | None = None
    for item in items:
        if item.kind == Kind.EXAM and item.exam_date is not None:
            spans[item.key] = ItemSpan(item.key, item.exam_date, item.exam_date)
            if not item.skipped:
                last_exam = max(last_exam or item.exam_date, item.exam_date)
            continue
        begins = current
        if item.is_sequential and not item.skipped:
            cursor.advance(item.planned_duration)
            current = cursor.date()
        spans[item.key] = ItemSpan(item.key, begins, current)

    active = [item for item in items if item.is_sequential and not item.skipped]

    def bound(item: ItemFacts, months: int | None) -> Duration:
        return Duration(months) if months is not None else item.planned_duration

    sequential_end = current
    optimistic_end = _sequential_finish(
        start, [bound(item, item.catalogue_months_min) for item in active]
    )
    conservative_end = _sequential_finish(
        start, [bound(item, item.catalogue_months_max) for item in active]
    )
    exams = [last_exam] if last_exam else []
    finish = max([sequential_end, *exams])
    optimistic_finish = max([optimistic_end, *exams])
    conservative_finish = max([conservative_end, *exams])
    return Schedule(
        spans=spans,
        finish_date=finish,
        months=MonthsRange(
            planned=_months_between(start, finish),
            optimistic=_months_between(start, optimistic_finish),
            conservative=_months_between(start, conservative_finish),
        ),
        optimistic_finish_date=optimistic_finish,
        conservative_finish_date=conservative_finish,
    )


# --- salary and payback ---------------------------------------------------------------------


@dataclass(frozen=True)
class SalaryFigure:
    """One sourced salary figure: a range or a single median/average, per year."""

    label: str
    source: str
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    single: Decimal | None = None
    ref: int | None = None  # the catalogue row it came from

    @property
    def conservative(self) -> Decimal:
        """The figure a careful planner counts on: the bottom of a range, else the single one."""
        if self.amount_min is not None:
            return self.amount_min
        if self.single is not None:
            return self.single
        return self.amount_max if self.amount_max is not None else ZERO


@dataclass(frozen=True)
class Payback:
    months: int | None
    reason: str | None = None
    monthly_gain: Decimal | None = None
    basis: SalaryFigure | None = None
    paid_back_on: date | None = None


NO_CURRENT_SALARY = "No current salary is known: add one to the plan or to your profile."
NO_SALARY_FIGURE = "The catalogue has no entry-level salary for the target role."
NO_GAIN = "The expected salary ({expected}) is not above the current salary ({current})."
NOTHING_TO_REPAY = "The plan costs nothing, so there is nothing to pay back."


def salary_basis(figures: Sequence[SalaryFigure]) -> SalaryFigure | None:
    """The lowest sourced entry figure: payback is never computed on the rosiest number."""
    if not figures:
        return None
    return min(figures, key=lambda figure: figure.conservative)


def payback(
    *,
    planned_cost: Decimal,
    current_salary: Decimal | None,
    figures: Sequence[SalaryFigure],
    earning_from: date | None = None,
) -> Payback:
    """Whole months of the salary gain (expected - current, per month) that repay the cost."""
    basis = salary_basis(figures)
    if current_salary is None:
        return Payback(months=None, reason=NO_CURRENT_SALARY, basis=basis)
    if basis is None:
        return Payback(months=None, reason=NO_SALARY_FIGURE)
    expected = basis.conservative
    if expected <= current_salary:
        reason = NO_GAIN.format(expected=expected, current=current_salary)
        return Payback(months=None, reason=reason, basis=basis)
    monthly_gain = ((expected - current_salary) / 12).quantize(Decimal("0.01"))
    if planned_cost <= 0:
        return Payback(
            months=0,
            reason=NOTHING_TO_REPAY,
            monthly_gain=monthly_gain,
            basis=basis,
            paid_back_on=earning_from,
        )
    months = math.ceil(planned_cost * 12 / (expected - current_salary))
    paid_back_on = add_months(earning_from, months) if earning_from else None
    return Payback(months=months, monthly_gain=monthly_gain, basis=basis, paid_back_on=paid_back_on)


# --- progress -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    by_count: Decimal
    months_done: Decimal
    months_total: Decimal
    by_months: Decimal
    skipped: int = 0
    open_keys: list[int | str] = field(default_factory=list)


def _ratio(part: Decimal, whole: Decimal) -> Decimal:
    if whole == 0:
        return ZERO
    return (part / whole).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


def plan_progress(items: Iterable[ItemFacts]) -> Progress:
    """done / (total - skipped), by item count and by planned months."""
    items = list(items)
    counted = [item for item in items if not item.skipped]
    done = [item for item in counted if item.done]

    def months(selection: Iterable[ItemFacts]) -> Decimal:
        return sum(
            (item.planned_duration.in_months() for item in selection if item.planned_duration),
            ZERO,
        )

    months_total = months(counted)
    months_done = months(done)
    return Progress(
        done=len(done),
        total=len(counted),
        by_count=_ratio(Decimal(len(done)), Decimal(len(counted))),
        months_done=months_done.quantize(Decimal("0.1")),
        months_total=months_total.quantize(Decimal("0.1")),
        by_months=_ratio(months_done, months_total),
        skipped=len(items) - len(counted),
        open_keys=[item.key for item in counted if not item.done],
    )


# --- reminders ------------------------------------------------------------------------------


def reminder_send_at(*, due_on: date, offset_days: int, zone: tzinfo, hour: int) -> datetime:
    """When a reminder `offset_days` before `due_on` goes out: `hour` o'clock local time in
    `zone`, as an aware UTC datetime. Local wall-clock time is kept across DST changes (09:00 is
    09:00 on the day clocks spring forward or fall back)."""
    local = datetime.combine(due_on - timedelta(days=offset_days), time(hour), tzinfo=zone)
    return local.astimezone(UTC)


def retry_delay(*, attempts: int, base_seconds: int, cap_seconds: int) -> timedelta:
    """Exponential backoff: base, 2x base, 4x base ... never more than the cap."""
    return timedelta(seconds=min(cap_seconds, base_seconds * 2 ** max(0, attempts - 1)))
