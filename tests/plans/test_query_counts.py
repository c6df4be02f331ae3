"""Plan detail and plan list cost the same number of queries at 6 and at 50 rows.

Catalogue rows a plan shows (its role's salary data, its path, steps, certification fees,
tools) are kept in memory per catalogue version (plans/read_models.py): the first read after a
catalogue change loads the ones it needs, later reads query only the plans' own rows. A read
is the plan's row with its stored rendered body; the first read after a change renders the body
and stores it.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from plans import services
from plans.models import PlanRendering
from roles.models import Certification, Tool
from tests.plans.conftest import PLAN_START, make_plan

pytestmark = pytest.mark.django_db

# catalogue version, role + its salary bands + premiums, path, steps, current fees +
# certifications, tools
CATALOGUE_QUERIES = 9
# the rendered bodies stored by a read: inside the test's transaction a savepoint, the plans
# locked, the INSERT and the release (plans.read_models._store); in production, in
# autocommit, the INSERT alone
STORE_QUERIES = 4
DETAIL_QUERIES = 1  # the plan (with the profile's salary and its stored body joined)
DETAIL_RENDER_QUERIES = 1 + 2 + STORE_QUERIES  # the plan, its items and milestones, the store
LIST_QUERIES = 1  # page of plans with their count, profiles' salaries and stored summaries
LIST_RENDER_QUERIES = 1 + 1 + STORE_QUERIES  # the page, the items of those to render, the store


def forget_renderings() -> None:
    PlanRendering.objects.all().delete()


def catalogue_change() -> None:
    """A catalogue write that changes nothing a plan shows: only the catalogue version moves."""
    Tool.objects.get(slug="encoder-software").save()


def grow(plan, items: int, milestones: int) -> None:
    """Add an exam and a tool (so every catalogue table is read) and custom courses and
    milestones up to size."""
    services.plan_item_add(
        user=plan.owner,
        plan_id=plan.pk,
        kind="exam",
        certification=Certification.objects.get(code="CPC"),
        exam_date=PLAN_START + timedelta(days=400),
    )
    services.plan_item_add(
        user=plan.owner,
        plan_id=plan.pk,
        kind="tool",
        tool=Tool.objects.get(slug="encoder-software"),
    )
    for index in range(items - plan.items.count()):
        services.plan_item_add(
            user=plan.owner,
            plan_id=plan.pk,
            kind="custom",
            title=f"Course {index}",
            planned_cost=10,
            duration=services.Duration(1, "weeks"),
        )
    for index in range(milestones - plan.milestones.count()):
        services.milestone_create(
            user=plan.owner,
            plan_id=plan.pk,
            title=f"Check-in {index}",
            due_on=PLAN_START + timedelta(days=index),
        )


@pytest.mark.parametrize("size", [6, 50])
def test_plan_detail_queries_do_not_grow_with_items_and_milestones(
    auth_client, coder_plan, django_assert_num_queries, size
):
    # given: a plan with `size` items and `size` milestones
    grow(coder_plan, items=size, milestones=size)
    assert coder_plan.items.count() == size
    url = f"/api/v1/plans/{coder_plan.id}/"
    # when / then: the first read after the plan's changes renders and stores its bodies,
    # loading the catalogue rows it shows
    with django_assert_num_queries(DETAIL_RENDER_QUERIES + CATALOGUE_QUERIES):
        first = auth_client.get(url)
    with django_assert_num_queries(DETAIL_QUERIES):
        again = auth_client.get(url)
    # when / then: none stored (the table emptied, say): rendered and stored again
    forget_renderings()
    with django_assert_num_queries(DETAIL_RENDER_QUERIES):
        rendered = auth_client.get(url)
    # when / then: after a catalogue change it loads the catalogue rows it shows too
    catalogue_change()
    with django_assert_num_queries(DETAIL_RENDER_QUERIES + CATALOGUE_QUERIES):
        after_catalogue = auth_client.get(url)
    # when / then: a changed plan is rendered by its next read
    services.milestone_create(
        user=coder_plan.owner, plan_id=coder_plan.pk, title="One more", due_on=PLAN_START
    )
    with django_assert_num_queries(DETAIL_RENDER_QUERIES):
        changed = auth_client.get(url)
    responses = (first, rendered, again, after_catalogue, changed)
    assert {response.status_code for response in responses} == {200}
    assert first.content == rendered.content == again.content == after_catalogue.content
    assert len(changed.json()["items"]) == size
    assert len(changed.json()["milestones"]) == size + 1
    assert changed.json()["version"] == first.json()["version"] + 1


@pytest.mark.parametrize("plans", [2, 12])
def test_plan_list_queries_do_not_grow_with_plans(
    auth_client, user, catalogue, django_assert_num_queries, plans
):
    # given: plans changed since they were last read
    made = [make_plan(user) for _ in range(plans)]
    for plan in made:
        grow(plan, items=8, milestones=5)
    # when / then: their summaries rendered together (the catalogue rows loaded), and stored
    with django_assert_num_queries(LIST_RENDER_QUERIES + CATALOGUE_QUERIES):
        first = auth_client.get("/api/v1/plans/")
    with django_assert_num_queries(LIST_QUERIES):
        again = auth_client.get("/api/v1/plans/")
    forget_renderings()
    with django_assert_num_queries(LIST_RENDER_QUERIES):
        rendered = auth_client.get("/api/v1/plans/")
    catalogue_change()
    with django_assert_num_queries(LIST_RENDER_QUERIES + CATALOGUE_QUERIES):
        after_catalogue = auth_client.get("/api/v1/plans/")
    # a changed plan is rendered again (with its items), the others are their stored bodies
    services.plan_update(user=user, plan_id=made[0].pk, data={"title": "Renamed"})
    with django_assert_num_queries(LIST_RENDER_QUERIES):
        changed = auth_client.get("/api/v1/plans/")
    assert first.json()["count"] == again.json()["count"] == plans
    assert first.content == rendered.content == again.content == after_catalogue.content
    titles = {shown["id"]: shown["title"] for shown in changed.json()["results"]}
    assert titles[str(made[0].id)] == "Renamed"
    assert len(titles) == plans


def test_a_page_past_the_end_and_an_empty_list_count_separately(
    auth_client, user, catalogue, django_assert_num_queries
):
    # no plans: the page query finds nothing, so the count is asked on its own
    with django_assert_num_queries(2):
        empty = auth_client.get("/api/v1/plans/")
    assert empty.json() == {"count": 0, "next": None, "previous": None, "results": []}
    make_plan(user)
    with django_assert_num_queries(2):
        past = auth_client.get("/api/v1/plans/?page=2")
    assert past.status_code == 404
    # ?page=last is not known before counting: count, then the page (stored bodies)
    first = auth_client.get("/api/v1/plans/")
    with django_assert_num_queries(1 + LIST_QUERIES):
        last = auth_client.get("/api/v1/plans/?page=last")
    assert last.json() == first.json()


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


# A milestone completed or reopened (the user comes from the request, as authentication reads
# it: no query here): nothing read before the transaction; in it (a savepoint here) the plan
# locked by the query that checks its owner, the milestone read under that lock, the
# milestone and the plan's version written, then that milestone's reminders matched to it
# (the plan's other milestones are untouched, so not read). Reopening it: the owner's profile
# (by the plan's owner id, read inside the transaction), the milestone's pending reminders
# and the insert. Completing it: one DELETE of its pending reminders, neither the profile
# nor the reminders read (a done milestone wants none, whatever the profile says). No count
# after arming, no rendering (the plan's next read renders it), and the ETag is the version
# the write made (no query after it).
MILESTONE_PATCH_QUERIES = {False: 2 + 4 + 3, True: 2 + 4 + 1}


@pytest.mark.parametrize("change", ["plan", "item", "milestone"])
def test_a_change_reads_nothing_before_its_transaction(auth_client, coder_plan, change):
    # given: a PATCH of the plan, of one of its items or of one of its milestones (the user
    # comes from the request: no query)
    url = f"/api/v1/plans/{coder_plan.id}/"
    body = {"title": "Renamed"}
    if change == "item":
        url += f"items/{coder_plan.items.order_by('position').first().pk}/"
        body = {"status": "done"}
    elif change == "milestone":
        url += f"milestones/{coder_plan.milestones.order_by('pk').first().pk}/"
        body = {"done": True}
    # when
    with CaptureQueriesContext(connection) as queries:
        response = auth_client.patch(url, body, format="json")
    # then: the first statement opens the service's transaction (a savepoint in the test's),
    # and the next one is the plan's row, locked with its owner checked: no read before it
    assert response.status_code == 200, response.content
    first, lock = (query["sql"] for query in queries.captured_queries[:2])
    assert first.startswith("SAVEPOINT")
    assert lock.startswith('SELECT "plans_plan"')
    assert '"plans_plan"."owner_id" =' in lock
    if connection.vendor == "postgresql":
        assert lock.endswith("FOR NO KEY UPDATE")


@pytest.mark.parametrize("size", [6, 30])
def test_completing_a_milestone_costs_the_same_queries_at_any_size(
    auth_client, user, coder_plan, django_assert_num_queries, size
):
    # given: a plan with `size` items and milestones, and the user as authentication loads it
    grow(coder_plan, items=size, milestones=size)
    milestone = coder_plan.milestones.filter(item__isnull=True).first()
    url = f"/api/v1/plans/{coder_plan.id}/milestones/{milestone.id}/"
    # when / then: completing drops its pending reminder, reopening arms it again
    for done in (True, False):
        auth_client.force_authenticate(User.objects.get(pk=user.pk))
        with django_assert_num_queries(MILESTONE_PATCH_QUERIES[done]):
            response = auth_client.patch(url, {"done": done}, format="json")
        assert response.status_code == 200, response.content


def test_adding_a_milestone_reads_no_reminders(auth_client, coder_plan):
    # given: an active plan whose owner wants reminders, and the user as authentication loads
    # it
    url = f"/api/v1/plans/{coder_plan.id}/milestones/"
    body = {"title": "Mock exam", "due_on": str(PLAN_START + timedelta(days=90))}
    # when
    with CaptureQueriesContext(connection) as queries:
        response = auth_client.post(url, body, format="json")
    # then: its reminder is inserted, and no reminder is read first (a new milestone has none)
    assert response.status_code == 201, response.content
    reminder_queries = [q["sql"] for q in queries.captured_queries if "plans_reminder" in q["sql"]]
    assert [sql.split(" ", 1)[0] for sql in reminder_queries] == ["INSERT"], reminder_queries


@pytest.mark.django_db(transaction=True)
def test_a_read_that_renders_outside_a_transaction_stores_with_one_insert(auth_client, coder_plan):
    # given: the catalogue rows kept (a read before), nothing stored for the plan's new version
    url = f"/api/v1/plans/{coder_plan.id}/"
    auth_client.get(url)
    services.plan_update(user=coder_plan.owner, plan_id=coder_plan.pk, data={"title": "Renamed"})
    # when: a read in autocommit, as a request's is
    with CaptureQueriesContext(connection) as queries:
        response = auth_client.get(url)
    # then: the plan, its items and milestones, and the INSERT alone (no savepoint or lock),
    # which on PostgreSQL does not wait for the log (bodies are made again if a crash loses them)
    assert response.json()["title"] == "Renamed"
    sql = [query["sql"] for query in queries.captured_queries]
    no_wait = "SET LOCAL synchronous_commit = off; "
    if connection.vendor == "postgresql":
        assert sql[-1].startswith(no_wait)
    statements = [one.removeprefix(no_wait).split()[0] for one in sql]
    assert statements == ["SELECT", "SELECT", "SELECT", "INSERT"]
