"""Pure catalogue arithmetic, tested without the database or HTTP."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from roles.calculations import (
    StepFigures,
    group_by_level,
    path_totals,
    routes_from,
)


def step(months=(1, 2), cost=("100", "200"), currency="USD", effort=None) -> StepFigures:
    return StepFigures(
        months_min=months[0] if months else None,
        months_max=months[1] if months else None,
        cost_min=Decimal(cost[0]) if cost else None,
        cost_max=Decimal(cost[1]) if cost else None,
        currency=currency,
        effort_quantity=effort[0] if effort else None,
        effort_unit=effort[1] if effort else "",
        effort_is_minimum=bool(effort),
    )


def test_coder_prep_path_totals():
    totals = path_totals(
        [
            step((6, 9), ("2000", "4000")),
            step((3, 6), ("1000", "2000")),
            step(None, None, effort=(150, "practice cases")),
            step((1, 2), ("300", "600")),
        ]
    )
    assert (totals.cost.min, totals.cost.max, totals.cost.currency) == (
        Decimal("3300"),
        Decimal("6600"),
        "USD",
    )
    assert (totals.months.min, totals.months.max) == (10, 17)
    assert [(e.quantity, e.unit, e.is_minimum) for e in totals.other_effort] == [
        (150, "practice cases", True)
    ]


def test_an_empty_or_unpriced_path_has_no_totals_rather_than_zero():
    totals = path_totals([step(None, None, effort=(10, "cases"))])
    assert (totals.cost.min, totals.cost.max, totals.cost.currency) == (None, None, None)
    assert (totals.months.min, totals.months.max) == (None, None)


def test_effort_in_the_same_unit_adds_up():
    totals = path_totals([step(effort=(100, "cases")), step(effort=(50, "cases"))])
    assert [(e.quantity, e.unit) for e in totals.other_effort] == [(150, "cases")]


def test_amounts_in_several_currencies_are_not_added_up():
    totals = path_totals([step(currency="USD"), step(currency="EUR")])
    assert (totals.cost.min, totals.cost.max, totals.cost.currency) == (None, None, None)
    assert (totals.months.min, totals.months.max) == (2, 4)  # months still add up


ranges = st.tuples(st.integers(1, 24), st.integers(0, 24)).map(lambda t: (t[0], t[0] + t[1]))
money = st.decimals(min_value=0, max_value=100000, places=2)
costs = st.tuples(money, money).map(lambda t: (min(t), max(t)))


@given(st.lists(st.tuples(ranges, costs), max_size=8))
def test_totals_are_the_sums_and_keep_min_below_max(figures):
    steps = [step(months, (str(low), str(high))) for months, (low, high) in figures]
    totals = path_totals(steps)
    if not figures:
        assert totals.months.min is None
        return
    assert totals.months.min == sum(m[0] for m, _ in figures)
    assert totals.months.max == sum(m[1] for m, _ in figures)
    assert totals.cost.min == sum((c[0] for _, c in figures), Decimal(0))
    assert totals.months.min <= totals.months.max
    assert totals.cost.min <= totals.cost.max


EDGES = [
    ("coder", "specialty"),
    ("specialty", "auditor"),
    ("auditor", "director"),
    ("coder", "cdi"),
    ("hybrid", "coder"),
]


def paths(start, edges=EDGES):
    routes = routes_from(start, edges, source=lambda e: e[0], target=lambda e: e[1])
    return [[start, *(edge[1] for edge in route.edges)] for route in routes]


def test_every_route_up_to_a_top_role():
    assert paths("coder") == [["coder", "specialty", "auditor", "director"], ["coder", "cdi"]]
    assert paths("hybrid") == [
        ["hybrid", "coder", "specialty", "auditor", "director"],
        ["hybrid", "coder", "cdi"],
    ]
    assert paths("director") == []


def test_a_cycle_in_the_map_does_not_loop():
    assert paths("a", [("a", "b"), ("b", "a"), ("b", "c")]) == [["a", "b", "c"]]


def test_group_by_level_keeps_the_level_order_and_skips_empty_levels():
    items = [("all", 1), ("entry", 2), ("manager", 3), ("entry", 4)]
    groups = group_by_level(items, order=["entry", "mid", "manager", "all"], level=lambda i: i[0])
    assert [(g.level, [i[1] for i in g.items]) for g in groups] == [
        ("entry", [2, 4]),
        ("manager", [3]),
        ("all", [1]),
    ]
