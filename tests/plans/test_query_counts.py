"""Plan detail and plan list cost the same number of queries at 6 and at 50 rows.

Catalogue rows a plan shows (its role's salary data, its path, steps, certification fees,
tools) are kept in memory per catalogue version (plans/read_models.py): the first read after a
catalogue change loads the ones it needs, later reads query only the plans' own rows.
"""

from datetime import timedelta

import pytest

from plans import services
from roles.models import Certification, Tool
from tests.plans.conftest import PLAN_START, make_plan

pytestmark = pytest.mark.django_db

# catalogue version, role + its salary bands + premiums, path, steps, current fees +
# certifications, tools
CATALOGUE_QUERIES = 9
DETAIL_QUERIES = 3  # plan (with the profile's salary joined), items, milestones
LIST_QUERIES = 3  # count, page of plans (with the profiles' salaries), their items


def grow(plan, items: int, milestones: int) -> None:
    """Add an exam and a tool (so every catalogue table is read) and custom courses and
    milestones up to size."""
    services.plan_item_add(
        plan=plan,
        kind="exam",
        certification=Certification.objects.get(code="CPC"),
        exam_date=PLAN_START + timedelta(days=400),
    )
    services.plan_item_add(plan=plan, kind="tool", tool=Tool.objects.get(slug="encoder-software"))
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


@pytest.mark.parametrize("size", [6, 50])
def test_plan_detail_queries_do_not_grow_with_items_and_milestones(
    auth_client, coder_plan, django_assert_num_queries, size
):
    # given: a plan with `size` items and `size` milestones
    grow(coder_plan, items=size, milestones=size)
    assert coder_plan.items.count() == size
    url = f"/api/v1/plans/{coder_plan.id}/"
    # when / then: the first read loads the catalogue rows it shows
    with django_assert_num_queries(DETAIL_QUERIES + CATALOGUE_QUERIES):
        first = auth_client.get(url)
    # when / then: later reads query the plan's own rows only
    with django_assert_num_queries(DETAIL_QUERIES):
        response = auth_client.get(url)
    assert response.status_code == 200
    assert len(response.json()["items"]) == size
    assert response.json() == first.json()


@pytest.mark.parametrize("plans", [2, 12])
def test_plan_list_queries_do_not_grow_with_plans(
    auth_client, user, catalogue, django_assert_num_queries, plans
):
    # given
    for _ in range(plans):
        grow(make_plan(user), items=8, milestones=5)
    # when / then
    with django_assert_num_queries(LIST_QUERIES + CATALOGUE_QUERIES):
        first = auth_client.get("/api/v1/plans/")
    with django_assert_num_queries(LIST_QUERIES):
        response = auth_client.get("/api/v1/plans/")
    assert response.json()["count"] == plans
    assert response.json() == first.json()


def test_a_catalogue_change_is_seen_by_the_next_plan_read(
    auth_client, coder_plan, django_assert_num_queries
):
    # given: a plan read once, so its catalogue rows are kept
    url = f"/api/v1/plans/{coder_plan.id}/"
    step_id = auth_client.get(url).json()["items"][0]["training_step"]["id"]
    step = coder_plan.items.get(training_step_id=step_id).training_step
    # when: the catalogue changes (a write bumps the catalogue version)
    step.name = "Renamed foundations"
    step.save()
    # then
    item = auth_client.get(url).json()["items"][0]
    assert item["training_step"]["name"] == "Renamed foundations"
    assert item["title"] == "Renamed foundations"
