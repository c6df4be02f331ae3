"""The plan arithmetic, called directly: no database, no HTTP."""

from datetime import date
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from plans.computations import (
    NO_CURRENT_SALARY,
    NO_SALARY_FIGURE,
    CostRange,
    Duration,
    ItemFacts,
    Kind,
    SalaryFigure,
    Unit,
    add_months,
    item_cost_range,
    months_and_days_between,
    payback,
    plan_cost,
    plan_progress,
    plan_schedule,
)

D = Decimal


def step(key, months, low, high, *, cost=None, months_min=None, months_max=None, **kw):
    """A catalogue step planned at its conservative (upper) bounds unless told otherwise."""
    return ItemFacts(
        key=key,
        kind=Kind.STEP,
        planned_cost=D(cost if cost is not None else high),
        planned_duration=Duration(months) if months is not None else None,
        catalogue_cost_min=D(low) if low is not None else None,
        catalogue_cost_max=D(high) if high is not None else None,
        catalogue_months_min=months_min,
        catalogue_months_max=months_max,
        **kw,
    )


CODER_PREP_PATH = [
    step("foundations", 9, 2000, 4000, months_min=6, months_max=9),
    step("code-mastery", 6, 1000, 2000, months_min=3, months_max=6),
    step("practice", None, None, None, cost=0),
    step("certification", 2, 300, 600, months_min=1, months_max=2),
]


# --- cost -----------------------------------------------------------------------------------


def test_coder_prep_path_costs_3300_to_6600_with_the_planned_total_inside():
    cost = plan_cost(CODER_PREP_PATH)
    assert (cost.total.min, cost.total.max) == (D(3300), D(6600))
    assert cost.total.min <= cost.total.planned <= cost.total.max
    assert cost.by_kind[Kind.STEP].planned == D(6600)


def test_skipped_items_are_left_out_of_the_cost_and_custom_courses_bracket_themselves():
    items = [
        step("a", 3, 1000, 2000),
        step("b", 3, 500, 900, skipped=True),
        ItemFacts("course", Kind.CUSTOM, D("250.00"), Duration(6, Unit.WEEKS)),
    ]
    cost = plan_cost(items)
    assert cost.total.planned == D("2250.00")
    assert (cost.total.min, cost.total.max) == (D("1250.00"), D("2250.00"))
    assert cost.by_kind[Kind.CUSTOM].planned == D("250.00")
    assert Kind.EXAM not in cost.by_kind


# --- schedule -------------------------------------------------------------------------------


def test_schedule_runs_steps_in_order_and_finishes_after_the_planned_months():
    # given: the coder path planned at 9 + 6 + 2 months from 2027-01-04
    schedule = plan_schedule(date(2027, 1, 4), CODER_PREP_PATH)
    # then
    spans = schedule.spans
    assert (spans["foundations"].start, spans["foundations"].end) == (
        date(2027, 1, 4),
        date(2027, 10, 4),
    )
    assert spans["code-mastery"].start == date(2027, 10, 4)
    assert spans["practice"].start == spans["practice"].end == date(2028, 4, 4)
    assert schedule.finish_date == date(2028, 6, 4)
    assert schedule.months.planned == D(17)
    assert (schedule.months.optimistic, schedule.months.conservative) == (D(10), D(17))
    assert schedule.optimistic_finish_date == date(2027, 11, 4)


def test_month_ends_do_not_drift_and_leap_years_are_respected():
    items = [ItemFacts(i, Kind.CUSTOM, D(0), Duration(1)) for i in range(3)]
    schedule = plan_schedule(date(2028, 1, 31), items)  # 2028 is a leap year
    assert [schedule.spans[i].end for i in range(3)] == [
        date(2028, 2, 29),
        date(2028, 3, 31),
        date(2028, 4, 30),
    ]
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)


@given(st.dates(date(1900, 1, 1), date(2200, 12, 31)), st.integers(-1200, 1200))
def test_add_months_is_relativedelta_month_arithmetic(start, months):
    # add_months does its own calendar arithmetic (relativedelta was the read path's hot spot):
    # it must land on the very day relativedelta gives, month ends and leap days included
    assert add_months(start, months) == start + relativedelta(months=months)


def test_weeks_and_months_mix():
    items = [
        ItemFacts("bootcamp", Kind.CUSTOM, D(0), Duration(6, Unit.WEEKS)),
        ItemFacts("course", Kind.CUSTOM, D(0), Duration(2, Unit.MONTHS)),
    ]
    schedule = plan_schedule(date(2027, 3, 1), items)
    assert schedule.spans["bootcamp"].end == date(2027, 4, 12)
    assert schedule.finish_date == date(2027, 6, 12)  # Mar 1 + 2 months + 6 weeks


def test_an_exam_sits_on_its_own_date_inside_a_step_without_moving_the_others():
    exam = ItemFacts("cpc", Kind.EXAM, D(399), exam_date=date(2027, 5, 20))
    items = [CODER_PREP_PATH[0], exam, CODER_PREP_PATH[1]]
    schedule = plan_schedule(date(2027, 1, 4), items)
    assert schedule.spans["cpc"].start == schedule.spans["cpc"].end == date(2027, 5, 20)
    assert schedule.spans["code-mastery"].start == date(2027, 10, 4)
    assert schedule.finish_date == date(2028, 4, 4)


def test_an_exam_after_the_last_step_sets_the_finish_date():
    exam = ItemFacts("cpc", Kind.EXAM, D(399), exam_date=date(2029, 1, 15))
    schedule = plan_schedule(date(2027, 1, 4), [*CODER_PREP_PATH, exam])
    assert schedule.finish_date == date(2029, 1, 15)
    assert schedule.optimistic_finish_date == date(2029, 1, 15)


def test_an_empty_plan_finishes_when_it_starts():
    schedule = plan_schedule(date(2027, 1, 4), [])
    assert schedule.finish_date == date(2027, 1, 4)
    assert schedule.months.planned == D(0)


durations = st.builds(
    Duration, st.integers(min_value=1, max_value=24), st.sampled_from([Unit.MONTHS, Unit.WEEKS])
)


@given(
    start=st.dates(min_value=date(2020, 1, 1), max_value=date(2040, 12, 31)),
    planned=st.lists(durations, min_size=1, max_size=12),
    skipped=st.lists(st.booleans(), min_size=12, max_size=12),
)
def test_sequential_spans_are_ordered_contiguous_and_end_at_the_finish(start, planned, skipped):
    items = [
        ItemFacts(i, Kind.CUSTOM, D(0), duration, skipped=skipped[i])
        for i, duration in enumerate(planned)
    ]
    schedule = plan_schedule(start, items)
    previous_end = start
    for item in items:
        span = schedule.spans[item.key]
        assert span.start == previous_end
        assert span.end >= span.start
        if not item.skipped:
            assert span.end > span.start
        previous_end = span.end
    assert schedule.finish_date == previous_end
    assert schedule.optimistic_finish_date <= schedule.finish_date


money = st.integers(min_value=0, max_value=20_000).map(D)


@given(st.lists(st.tuples(money, money, st.integers(0, 100), st.booleans()), max_size=20))
def test_planned_total_lies_within_the_catalogue_range_when_nothing_is_overridden(rows):
    # given: each step planned at a point inside its catalogue range (the default is the top)
    items = []
    for i, (a, b, percent, skipped) in enumerate(rows):
        low, high = min(a, b), max(a, b)
        planned = low + (high - low) * percent / 100
        items.append(step(i, 1, low, high, cost=planned, skipped=skipped))
    # when
    total = plan_cost(items).total
    # then
    assert total.min <= total.planned <= total.max
    assert total.min == sum((D(min(a, b)) for a, b, _, s in rows if not s), D(0))


@given(
    st.lists(
        st.tuples(
            st.sampled_from(Kind.ALL),
            money,
            st.none() | money,
            st.none() | money,
            st.booleans(),
        ),
        max_size=20,
    )
)
def test_plan_cost_is_the_sum_of_the_item_cost_ranges(rows):
    # plan_cost keeps running sums instead of adding CostRanges: same figures, same order
    items = [
        ItemFacts(i, kind, planned, catalogue_cost_min=low, catalogue_cost_max=high, skipped=skip)
        for i, (kind, planned, low, high, skip) in enumerate(rows)
    ]
    expected_by_kind: dict[str, CostRange] = {}
    expected_total = CostRange()
    for item in items:
        if not item.skipped:
            cost = item_cost_range(item)
            expected_by_kind[item.kind] = expected_by_kind.get(item.kind, CostRange()) + cost
            expected_total = expected_total + cost
    summary = plan_cost(items)
    assert summary.total == expected_total
    assert list(summary.by_kind.items()) == list(expected_by_kind.items())


@given(
    st.dates(date(1900, 1, 1), date(2200, 12, 31)), st.dates(date(1900, 1, 1), date(2200, 12, 31))
)
def test_months_and_days_between_count_as_relativedelta_does(start, end):
    delta = relativedelta(end, start)
    assert months_and_days_between(start, end) == (delta.years * 12 + delta.months, delta.days)


@given(
    start=st.dates(min_value=date(2020, 1, 1), max_value=date(2040, 12, 31)),
    bounds=st.lists(st.tuples(st.integers(1, 12), st.integers(0, 12)), min_size=1, max_size=8),
)
def test_optimistic_never_after_planned_never_after_conservative(start, bounds):
    items = [
        step(i, low + extra // 2, 0, 0, months_min=low, months_max=low + extra)
        for i, (low, extra) in enumerate(bounds)
    ]
    schedule = plan_schedule(start, items)
    assert schedule.optimistic_finish_date <= schedule.finish_date
    assert schedule.finish_date <= schedule.conservative_finish_date


# --- payback --------------------------------------------------------------------------------

ENTRY_CODER = [
    SalaryFigure("Entry-level coder", "Seed 000 (2025)", D(38000), D(45000)),
    SalaryFigure("Median, SOC 29-2072", "BLS OEWS May 2024", single=D(50250)),
]


def test_payback_uses_the_lowest_sourced_entry_figure_and_rounds_up():
    result = payback(planned_cost=D(6600), current_salary=D(30000), figures=ENTRY_CODER)
    # (38,000 - 30,000) / 12 = 666.67 a month; 6,600 / 666.67 = 9.9 -> 10 months
    assert result.months == 10
    assert result.monthly_gain == D("666.67")
    assert result.basis.source == "Seed 000 (2025)"


def test_payback_date_counts_from_when_earning_starts():
    result = payback(
        planned_cost=D(6600),
        current_salary=D(30000),
        figures=ENTRY_CODER,
        earning_from=date(2028, 6, 4),
    )
    assert result.paid_back_on == date(2029, 4, 4)


@pytest.mark.parametrize(
    ("current", "figures", "reason_start"),
    [
        (None, ENTRY_CODER, NO_CURRENT_SALARY),
        (D(30000), [], NO_SALARY_FIGURE),
        (D(45000), ENTRY_CODER, "The expected salary (38000) is not above"),
    ],
)
def test_no_payback_comes_with_a_reason(current, figures, reason_start):
    result = payback(planned_cost=D(5000), current_salary=current, figures=figures)
    assert result.months is None
    assert result.reason.startswith(reason_start)


def test_a_free_plan_pays_back_at_once():
    result = payback(planned_cost=D(0), current_salary=D(20000), figures=ENTRY_CODER)
    assert result.months == 0


# --- progress -------------------------------------------------------------------------------


def test_progress_counts_done_over_not_skipped_by_count_and_by_months():
    items = [
        step("a", 9, 1, 2, done=True),
        step("b", 6, 1, 2, skipped=True),
        step("c", 3, 1, 2),
        ItemFacts("exam", Kind.EXAM, D(399), exam_date=date(2027, 1, 1)),
    ]
    progress = plan_progress(items)
    assert (progress.done, progress.total, progress.skipped) == (1, 3, 1)
    assert progress.by_count == D("0.333")
    assert (progress.months_done, progress.months_total) == (D(9), D(12))
    assert progress.by_months == D("0.750")
    assert progress.open_keys == ["c", "exam"]


def test_progress_of_an_empty_plan_is_zero_not_a_division_error():
    progress = plan_progress([])
    assert (progress.by_count, progress.by_months) == (D(0), D(0))


def test_weeks_convert_to_months_for_progress():
    items = [ItemFacts("x", Kind.CUSTOM, D(0), Duration(13, Unit.WEEKS), done=True)]
    assert plan_progress(items).months_done == D("3.0")  # 13 weeks = 91 days ~ 3 months
