"""Plan detail and plan list cost the same number of queries at 5 and at 50 rows."""

from datetime import timedelta

import pytest

from plans import services
from roles.models import Certification
from tests.plans.conftest import PLAN_START, make_plan

pytestmark = pytest.mark.django_db


def grow(plan, items: int, milestones: int) -> None:
    """Add an exam (so the fee prefetch runs) and custom courses and milestones up to size."""
    services.plan_item_add(
        plan=plan,
        kind="exam",
        certification=Certification.objects.get(code="CPC"),
        exam_date=PLAN_START + timedelta(days=400),
    )
    for index in range(items - plan.items.count()):
        services.plan_item_add(
            plan=plan,
            kind="custom",
            title=f"Course {index}",
            planned_cost=10,
            duration=services.Duration(1, "weeks"),
        )
    for index in range(milestones - plan.milestones.count()):
        services.milestone_create(
            plan=plan, title=f"Check-in {index}", due_on=PLAN_START + timedelta(days=index)
        )


@pytest.mark.parametrize("size", [5, 50])
def test_plan_detail_queries_do_not_grow_with_items_and_milestones(
    auth_client, coder_plan, django_assert_num_queries, size
):
    # given: a plan with `size` items and `size` milestones
    grow(coder_plan, items=size, milestones=size)
    assert coder_plan.items.count() == size
    # when / then: plan (+ owner and profile joined), items, fees, bands, premiums, milestones
    with django_assert_num_queries(6):
        response = auth_client.get(f"/api/v1/plans/{coder_plan.id}/")
    assert response.status_code == 200
    assert len(response.json()["items"]) == size


@pytest.mark.parametrize("plans", [2, 12])
def test_plan_list_queries_do_not_grow_with_plans(
    auth_client, user, catalogue, django_assert_num_queries, plans
):
    for _ in range(plans):
        grow(make_plan(user), items=8, milestones=5)
    # count + page + items + fees + bands + premiums
    with django_assert_num_queries(6):
        response = auth_client.get("/api/v1/plans/")
    assert response.json()["count"] == plans
