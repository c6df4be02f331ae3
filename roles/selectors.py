"""Read queries for the catalogue.

Each selector fetches what its endpoint shows with a fixed number of queries, whatever the
number of rows (select_related for single relations, prefetch_related for collections).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from roles import calculations
from roles.cache import VersionedMemo
from roles.models import (
    CareerStep,
    Certification,
    CertificationExamFormat,
    CertificationFee,
    CertificationRenewal,
    Role,
    RoleStatistic,
    SalaryBand,
    SalaryPremium,
    Source,
    Tool,
    TrainingPath,
    TrainingStep,
)

ROLE_NOT_FOUND = "No role has the slug “{slug}”."
CERTIFICATION_NOT_FOUND = "No certification has the code “{code}”."
TRAINING_PATH_NOT_FOUND = "No training path has the slug “{slug}”."


class NotInCatalogue(LookupError):
    """The slug or code asked for names no catalogue row (the API answers 404 with this text)."""


class UnknownRoles(LookupError):
    """Some requested role slugs are not in the catalogue."""

    def __init__(self, slugs: Sequence[str]) -> None:
        self.slugs = list(slugs)
        super().__init__(", ".join(self.slugs))


# --- building blocks -------------------------------------------------------------------------


def _training_steps() -> QuerySet[TrainingStep]:
    return TrainingStep.objects.prefetch_related("certifications")


def _training_paths() -> QuerySet[TrainingPath]:
    return TrainingPath.objects.select_related("role", "source").prefetch_related(
        Prefetch("steps", queryset=_training_steps())
    )


def _certifications() -> QuerySet[Certification]:
    return Certification.objects.select_related("body")


def _career_steps() -> QuerySet[CareerStep]:
    return CareerStep.objects.select_related(
        "from_role", "to_role", "enabling_certification", "source"
    )


def _bands() -> QuerySet[SalaryBand]:
    return SalaryBand.objects.select_related("source")


def _premiums() -> QuerySet[SalaryPremium]:
    return SalaryPremium.objects.select_related("source")


def _statistics() -> QuerySet[RoleStatistic]:
    return RoleStatistic.objects.select_related("source")


# --- roles -----------------------------------------------------------------------------------


def role_list() -> QuerySet[Role]:
    """Roles with their certification codes (filtering and search are applied on top)."""
    return Role.objects.prefetch_related(
        Prefetch("certifications", queryset=Certification.objects.only("id", "code"))
    ).order_by("title")


def _role_full() -> QuerySet[Role]:
    return Role.objects.prefetch_related(
        Prefetch("salary_bands", queryset=_bands()),
        Prefetch("salary_premiums", queryset=_premiums()),
        Prefetch("statistics", queryset=_statistics()),
        Prefetch("certifications", queryset=_certifications()),
        Prefetch("training_paths", queryset=_training_paths()),
        Prefetch("next_steps", queryset=_career_steps()),
        Prefetch("previous_steps", queryset=_career_steps()),
        "sources",
    )


def role_detail(*, slug: str) -> Role:
    """One role with its bands, premiums, statistics, certifications, paths and steps."""
    try:
        return _role_full().get(slug=slug)
    except Role.DoesNotExist:
        raise NotInCatalogue(ROLE_NOT_FOUND.format(slug=slug)) from None


def role_get(*, slug: str) -> Role:
    try:
        return Role.objects.get(slug=slug)
    except Role.DoesNotExist:
        raise NotInCatalogue(ROLE_NOT_FOUND.format(slug=slug)) from None


def role_routes(*, role: Role) -> list[calculations.Route[CareerStep]]:
    """Every route upward from `role` through the advancement map (one query for the map)."""
    edges = _career_steps().order_by("kind", "to_role__title")
    return calculations.routes_from(
        role.pk,
        list(edges),
        source=lambda edge: edge.from_role_id,
        target=lambda edge: edge.to_role_id,
    )


def roles_for_comparison(*, slugs: Sequence[str]) -> list[Role]:
    """The roles in the order asked for; `UnknownRoles` names every slug not found."""
    roles = {role.slug: role for role in _role_full().filter(slug__in=slugs)}
    missing = [slug for slug in slugs if slug not in roles]
    if missing:
        raise UnknownRoles(missing)
    return [roles[slug] for slug in slugs]


# --- certifications --------------------------------------------------------------------------


def certification_list() -> QuerySet[Certification]:
    return (
        _certifications()
        .prefetch_related(
            Prefetch("roles", queryset=Role.objects.only("id", "slug", "title", "family")),
            Prefetch(
                "exam_formats", queryset=CertificationExamFormat.objects.select_related("source")
            ),
            Prefetch("fees", queryset=CertificationFee.objects.select_related("source")),
            Prefetch("renewals", queryset=CertificationRenewal.objects.select_related("source")),
            "sources",
        )
        .order_by("code")
    )


def certification_detail(*, code: str) -> Certification:
    """Case-insensitive: `cpc`, `CPC` and `Cpc` are the same certification."""
    try:
        return certification_list().get(code__iexact=code)
    except Certification.DoesNotExist:
        raise NotInCatalogue(CERTIFICATION_NOT_FOUND.format(code=code)) from None


def certification_current_exam_fee(*, certification: Certification) -> Decimal | None:
    """The lowest current exam fee, for planning; None when no current fee is known.

    Several current prices can coexist (member / non-member, one or two attempts); planning
    starts from the cheapest. Currency is the fee row's (every fee in the catalogue is USD).
    """
    fee = certification.current_fee()
    return fee.amount if fee is not None else None


# --- training, salaries, tools, sources ------------------------------------------------------


_paths_for_new_plans = VersionedMemo()


def training_path_of_role(*, role_slug: str, path_slug: str) -> TrainingPath | None:
    """The training path `path_slug` if it is one of role `role_slug`'s, with its `role` and
    its steps in order (`ordered_steps`): what creating a plan needs. Kept in process memory
    per catalogue version, so creating a plan reads no catalogue row; read-only."""

    def load() -> TrainingPath | None:
        return (
            TrainingPath.objects.select_related("role")
            .prefetch_related(
                Prefetch(
                    "steps",
                    queryset=TrainingStep.objects.order_by("position"),
                    to_attr="ordered_steps",
                )
            )
            .filter(slug=path_slug, role__slug=role_slug)
            .order_by()
            .first()
        )

    return _paths_for_new_plans.get_or_compute((role_slug, path_slug), load)


def training_path_list() -> QuerySet[TrainingPath]:
    return _training_paths().order_by("title")


def training_path_detail(*, slug: str) -> TrainingPath:
    try:
        return _training_paths().get(slug=slug)
    except TrainingPath.DoesNotExist:
        raise NotInCatalogue(TRAINING_PATH_NOT_FOUND.format(slug=slug)) from None


def salary_band_list() -> QuerySet[SalaryBand]:
    return SalaryBand.objects.select_related("role", "source").order_by(
        "role__title", "level", "source__slug", "qualifier"
    )


def tool_list() -> QuerySet[Tool]:
    return Tool.objects.select_related("source").order_by("family", "name")


def source_list() -> QuerySet[Source]:
    return Source.objects.order_by("slug")


@dataclass(frozen=True)
class RoutePlan:
    roles: list[Role]
    steps: list[CareerStep]
    crossover_certifications: list[Certification]


@dataclass(frozen=True)
class RolePaths:
    role: Role
    routes: list[RoutePlan]
    crossover_certifications: list[Certification]


def role_paths(*, slug: str) -> RolePaths:
    """Every route upward from the role, each with the roles on it and its crossover credentials."""
    role = role_get(slug=slug)
    plans = []
    for route in role_routes(role=role):
        steps = list(route.edges)
        plans.append(
            RoutePlan(
                roles=[role, *(step.to_role for step in steps)],
                steps=steps,
                crossover_certifications=_crossovers(steps),
            )
        )
    all_steps = [step for plan in plans for step in plan.steps]
    return RolePaths(role=role, routes=plans, crossover_certifications=_crossovers(all_steps))


def _crossovers(steps: Sequence[CareerStep]) -> list[Certification]:
    found: dict[int, Certification] = {}
    for step in steps:
        if step.kind == CareerStep.Kind.CROSSOVER and step.enabling_certification is not None:
            found.setdefault(step.enabling_certification.pk, step.enabling_certification)
    return list(found.values())
