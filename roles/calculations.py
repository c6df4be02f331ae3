"""Pure catalogue arithmetic: training-path totals and walking the advancement graph.

No ORM and no HTTP here: callers pass plain values (or already-fetched rows), so every rule
can be tested directly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Generic, TypeVar


@dataclass(frozen=True)
class StepFigures:
    months_min: int | None
    months_max: int | None
    cost_min: Decimal | None
    cost_max: Decimal | None
    currency: str
    effort_quantity: int | None = None
    effort_unit: str = ""
    effort_is_minimum: bool = False


@dataclass(frozen=True)
class Range:
    min: Decimal | int | None
    max: Decimal | int | None


@dataclass(frozen=True)
class CostRange:
    min: Decimal | None
    max: Decimal | None
    currency: str | None


@dataclass(frozen=True)
class Effort:
    quantity: int
    unit: str
    is_minimum: bool


@dataclass(frozen=True)
class PathTotals:
    cost: CostRange
    months: Range
    other_effort: list[Effort] = field(default_factory=list)


def path_totals(steps: Sequence[StepFigures]) -> PathTotals:
    """Sum the steps' month and cost ranges; effort in other units is listed per unit.

    A step without months (e.g. "150+ practice cases") or without a cost ("N/A") adds nothing
    to those sums; it is not a zero, it is a different kind of effort. A path with no priced
    step has no cost (None), not a cost of zero; nor has a path priced in several currencies
    (which the models' validation refuses), since such amounts cannot be added.
    """
    priced = [step for step in steps if step.cost_min is not None]
    currencies = {step.currency for step in priced}
    if len(currencies) > 1:
        priced = []
        currencies = set()
    timed = [step for step in steps if step.months_min is not None]

    efforts: dict[str, Effort] = {}
    for step in steps:
        if step.effort_quantity is None:
            continue
        previous = efforts.get(step.effort_unit)
        quantity = step.effort_quantity + (previous.quantity if previous else 0)
        is_minimum = step.effort_is_minimum or bool(previous and previous.is_minimum)
        efforts[step.effort_unit] = Effort(
            quantity=quantity, unit=step.effort_unit, is_minimum=is_minimum
        )

    return PathTotals(
        cost=CostRange(
            min=sum((step.cost_min for step in priced), Decimal("0")) if priced else None,
            max=sum((step.cost_max for step in priced), Decimal("0")) if priced else None,
            currency=currencies.pop() if currencies else None,
        ),
        months=Range(
            min=sum(step.months_min for step in timed) if timed else None,
            max=sum(step.months_max for step in timed) if timed else None,
        ),
        other_effort=list(efforts.values()),
    )


K = TypeVar("K", bound=Hashable)
E = TypeVar("E")


@dataclass(frozen=True)
class Route(Generic[E]):
    """A chain of edges from the start role to a role with no further step."""

    edges: tuple[E, ...]


def routes_from(
    start: K, edges: Iterable[E], *, source: Callable[[E], K], target: Callable[[E], K]
) -> list[Route[E]]:
    """Every maximal simple route upward from `start` (depth-first, edges in the given order).

    A route ends where a role has no step that leads to a role not yet on the route, so a
    cycle in the map (a sideways move and back) cannot loop forever. A start with no step at
    all has no routes.
    """
    outgoing: dict[K, list[E]] = defaultdict(list)
    for edge in edges:
        outgoing[source(edge)].append(edge)

    routes: list[Route[E]] = []

    def walk(node: K, visited: frozenset[K], taken: tuple[E, ...]) -> None:
        onward = [edge for edge in outgoing.get(node, []) if target(edge) not in visited]
        if not onward:
            if taken:
                routes.append(Route(edges=taken))
            return
        for edge in onward:
            nxt = target(edge)
            walk(nxt, visited | {nxt}, (*taken, edge))

    walk(start, frozenset({start}), ())
    return routes


T = TypeVar("T")


@dataclass(frozen=True)
class LevelGroup(Generic[T]):
    level: str
    items: list[T]


def group_by_level(
    items: Iterable[T], *, order: Sequence[str], level: Callable[[T], str]
) -> list[LevelGroup[T]]:
    """Items grouped by level, levels in `order` (levels with no item are left out)."""
    groups: dict[str, list[T]] = {name: [] for name in order}
    for item in items:
        groups.setdefault(level(item), []).append(item)
    return [LevelGroup(level=name, items=members) for name, members in groups.items() if members]
