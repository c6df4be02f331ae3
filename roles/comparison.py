"""The side-by-side comparison of roles, computed from catalogue rows (never stored twice).

The seeds' tables compare roles on these factors; each column is one role. Salary bands are
grouped by level in the level order, each band keeping its own source.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from roles import calculations
from roles.models import Role, RoleStatistic, SalaryBand, SalaryLevel

COMPARE_MIN_ROLES = 2
COMPARE_MAX_ROLES = 4

FACTORS: list[tuple[str, str]] = [
    ("primary_focus", "Primary focus"),
    ("key_tools", "Key tools"),
    ("daily_stress", "Daily stress"),
    ("certifications", "Certifications"),
    ("work_product", "Work product"),
    ("training", "Training time and cost"),
    ("salary_by_level", "Salary by level"),
    ("salary_premiums", "Salary premiums"),
    ("remote_share", "Remote share"),
    ("ai_impact", "AI impact"),
    ("survival_skill", "Survival skill"),
    ("hot_skill", "Hot skill"),
    ("next_steps", "Advancement"),
]


@dataclass(frozen=True)
class ComparisonColumn:
    role: Role
    salary_by_level: list[calculations.LevelGroup[SalaryBand]]
    remote_share: list[RoleStatistic]


@dataclass(frozen=True)
class Comparison:
    columns: list[ComparisonColumn]
    factors: list[dict[str, str]]


def compare_roles(roles: Sequence[Role]) -> Comparison:
    """Columns for already-fetched roles (prefetch bands and statistics: no query here)."""
    columns = [
        ComparisonColumn(
            role=role,
            salary_by_level=calculations.group_by_level(
                role.salary_bands.all(), order=SalaryLevel.values, level=lambda band: band.level
            ),
            remote_share=[
                stat
                for stat in role.statistics.all()
                if stat.kind == RoleStatistic.Kind.REMOTE_SHARE
            ],
        )
        for role in roles
    ]
    return Comparison(
        columns=columns, factors=[{"key": key, "label": label} for key, label in FACTORS]
    )
