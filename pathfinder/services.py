"""Write use cases of the path finder: turning a result into a plan."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from plans.models import Plan
from plans.services import plan_create
from roles.models import Role, TrainingPath

PATH_FOR_ANOTHER_ROLE = "{path} trains for {trains_for}, not for {role}; choose one of: {paths}."
NO_PATH_FOR_ROLE = "{path} trains for {trains_for}; the catalogue has no path for {role} yet."


@transaction.atomic
def path_finder_plan_create(
    *,
    owner: User,
    role: Role,
    training_path: TrainingPath,
    start_date: date,
    current_salary: Decimal | None = None,
    title: str = "",
) -> Plan:
    """A plan for the role along the chosen path (the plans service builds items and
    milestones). The path must be one that trains for the role."""
    if training_path.role_id != role.pk:
        paths = list(role.training_paths.order_by("slug").values_list("slug", flat=True))
        template = PATH_FOR_ANOTHER_ROLE if paths else NO_PATH_FOR_ROLE
        raise ValidationError(
            {
                "training_path": ValidationError(
                    template.format(
                        path=training_path.title,
                        trains_for=training_path.role.title,
                        role=role.title,
                        paths=", ".join(paths),
                    ),
                    code="path_for_another_role",
                )
            }
        )
    return plan_create(
        owner=owner,
        target_role=role,
        training_path=training_path,
        start_date=start_date,
        title=title,
        current_salary=current_salary,
    )
