import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db.models import CheckConstraint, F, Q, UniqueConstraint
from django.http import Http404

from plans import services
from plans.computations import Duration
from plans.models import Milestone, Plan, PlanItem
from roles.models import Tool, TrainingStep
from tests.plans.conftest import PLAN_START

pytestmark = pytest.mark.django_db


def items_url(plan) -> str:
    return f"/api/v1/plans/{plan.id}/items/"


def milestones_url(plan) -> str:
    return f"/api/v1/plans/{plan.id}/milestones/"


def item_ids(plan) -> list[int]:
    return list(plan.items.values_list("id", flat=True))


def test_a_custom_course_in_weeks_is_scheduled_after_the_steps(auth_client, coder_plan):
    body = {
        "kind": "custom",
        "title": "Risk adjustment (HCC) course",
        "provider": "Community college",
        "url": "https://example.edu/hcc",
        "planned_cost": "450",
        "duration": {"value": 6, "unit": "weeks"},
    }
    response = auth_client.post(items_url(coder_plan), body, format="json")
    assert response.status_code == 201, response.json()
    item = response.json()
    assert item["position"] == 4
    assert item["schedule"] == {"start": "2028-06-04", "end": "2028-07-16"}
    assert item["catalogue"]["cost_min"] is None


def test_a_tool_costs_its_catalogue_price_times_the_periods(auth_client, coder_plan):
    response = auth_client.post(
        items_url(coder_plan),
        {"kind": "tool", "tool": "encoder-software", "quantity": 12},
        format="json",
    )
    assert response.status_code == 201, response.json()
    item = response.json()
    assert item["planned_cost"] == "3600.00"  # $300/month upper bound x 12
    assert (item["catalogue"]["cost_min"], item["catalogue"]["cost_max"]) == ("1200.00", "3600.00")
    assert item["duration"] is None


def test_inserting_at_a_position_shifts_the_later_items(auth_client, coder_plan):
    body = {
        "kind": "custom",
        "title": "Anatomy refresher",
        "planned_cost": "0",
        "duration": {"value": 1, "unit": "months"},
        "position": 0,
    }
    response = auth_client.post(items_url(coder_plan), body, format="json")
    assert response.json()["position"] == 0
    titles = [item.display_title for item in coder_plan.items.all()]
    assert titles[:2] == ["Anatomy refresher", "Foundations"]


def test_overriding_duration_and_cost_moves_the_schedule(auth_client, coder_plan):
    foundations = coder_plan.items.first()
    response = auth_client.patch(
        f"{items_url(coder_plan)}{foundations.id}/",
        {"duration": {"value": 6, "unit": "months"}, "planned_cost": "2500"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["schedule"]["end"] == "2027-07-04"
    plan = auth_client.get(f"/api/v1/plans/{coder_plan.id}/").json()
    assert plan["schedule"]["finish_date"] == "2028-03-04"
    assert plan["cost"]["planned"] == "5100.00"
    assert plan["milestones"][0]["due_on"] == "2027-07-04"


def test_completing_an_item_completes_its_milestone_and_counts_in_progress(auth_client, coder_plan):
    foundations = coder_plan.items.first()
    response = auth_client.patch(
        f"{items_url(coder_plan)}{foundations.id}/", {"status": "done"}, format="json"
    )
    assert response.json()["done_at"] is not None
    plan = auth_client.get(f"/api/v1/plans/{coder_plan.id}/").json()
    assert plan["progress"]["done"] == 1
    assert plan["progress"]["total"] == 4
    assert plan["progress"]["by_months"] == "0.529"  # 9 of 17 planned months
    assert plan["milestones"][0]["done"] is True


def test_a_skipped_item_leaves_totals_progress_and_milestones(auth_client, coder_plan):
    mastery = coder_plan.items.all()[1]
    auth_client.patch(f"{items_url(coder_plan)}{mastery.id}/", {"status": "skipped"}, format="json")
    plan = auth_client.get(f"/api/v1/plans/{coder_plan.id}/").json()
    assert plan["cost"]["planned"] == "4600.00"
    assert plan["progress"]["skipped"] == 1
    assert plan["progress"]["total"] == 3
    assert len(plan["milestones"]) == 2
    assert plan["schedule"]["finish_date"] == "2027-12-04"


def test_a_done_milestone_never_moves(auth_client, coder_plan):
    foundations = coder_plan.items.first()
    auth_client.patch(
        f"{items_url(coder_plan)}{foundations.id}/", {"status": "done"}, format="json"
    )
    response = auth_client.post(
        f"/api/v1/plans/{coder_plan.id}/shift/", {"days": 30}, format="json"
    )
    assert response.status_code == 200, response.json()
    milestones = response.json()["plan"]["milestones"]
    # the done one stays; the open ones follow the start (2027-02-03 + 15 and + 17 months)
    assert [m["due_on"] for m in milestones] == ["2027-10-04", "2028-05-03", "2028-07-03"]
    assert response.json()["plan"]["start_date"] == "2027-02-03"


def test_an_item_deleted_before_its_change_is_answered_is_a_404(
    auth_client, coder_plan, monkeypatch
):
    # given: another request deletes the item between this change's commit and its answer
    from plans import read_models

    read = read_models.plan_items_data

    def without_items(**kwargs):
        _items, etag = read(**kwargs)
        return [], etag

    monkeypatch.setattr(read_models, "plan_items_data", without_items)
    url = f"{items_url(coder_plan)}{item_ids(coder_plan)[0]}/"
    # when
    response = auth_client.patch(url, {"title": "x"}, format="json")
    # then: a 404, not a 500
    assert response.status_code == 404, response.content


def test_a_plan_full_of_items_takes_no_more(auth_client, coder_plan):
    # given: a plan holding MAX_PLAN_ITEMS items, each as long as an item may be (600 months)
    held = coder_plan.items.count()
    PlanItem.objects.bulk_create(
        PlanItem(
            plan=coder_plan,
            kind=PlanItem.ItemKind.CUSTOM,
            title=f"Course {index}",
            position=held + index,
            planned_cost=0,
            duration_value=600,
            duration_unit=PlanItem.DurationUnit.MONTHS,
        )
        for index in range(services.MAX_PLAN_ITEMS - held)
    )
    version = Plan.objects.get(pk=coder_plan.pk).version
    # when
    body = {
        "kind": "custom",
        "title": "One more",
        "planned_cost": "0",
        "duration": {"value": 1, "unit": "months"},
    }
    response = auth_client.post(items_url(coder_plan), body, format="json")
    # then: a 400 that says why, nothing written; and the full plan's schedule still computes
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["detail"] == "A plan holds at most 100 items."
    assert coder_plan.items.count() == services.MAX_PLAN_ITEMS
    assert Plan.objects.get(pk=coder_plan.pk).version == version
    shown = auth_client.get(f"/api/v1/plans/{coder_plan.id}/")
    assert shown.status_code == 200
    assert shown.json()["schedule"]["finish_date"] > "6000-01-01"


def test_shift_moves_open_exams_and_custom_milestones(auth_client, coder_plan):
    auth_client.post(
        items_url(coder_plan),
        {"kind": "exam", "certification": "CPC", "exam_date": "2028-07-15"},
        format="json",
    )
    auth_client.post(
        milestones_url(coder_plan), {"title": "Join AAPC", "due_on": "2027-02-01"}, format="json"
    )
    response = auth_client.post(
        f"/api/v1/plans/{coder_plan.id}/shift/", {"days": -3}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    dates = {m["title"]: m["due_on"] for m in body["plan"]["milestones"]}
    assert dates["CPC exam"] == "2028-07-12"
    assert dates["Join AAPC"] == "2027-01-29"
    assert body["milestones_moved"] == 5
    assert body["items_moved"] == 5  # four steps and the exam


def test_reorder_puts_items_in_the_given_order(auth_client, coder_plan):
    ids = item_ids(coder_plan)
    new_order = [ids[1], ids[0], ids[2], ids[3]]
    response = auth_client.post(
        f"{items_url(coder_plan)}reorder/", {"items": new_order}, format="json"
    )
    assert response.status_code == 200
    assert [item["id"] for item in response.json()] == new_order
    assert response.json()[0]["schedule"] == {"start": "2027-01-04", "end": "2027-07-04"}


def test_custom_milestones_can_be_created_renamed_moved_completed_and_deleted(
    auth_client, coder_plan
):
    created = auth_client.post(
        milestones_url(coder_plan),
        {"title": "Ask for a referral", "due_on": "2027-06-01"},
        format="json",
    )
    assert created.status_code == 201
    url = f"{milestones_url(coder_plan)}{created.json()['id']}/"
    moved = auth_client.patch(
        url, {"due_on": "2027-06-15", "done": True, "title": "Referral"}, format="json"
    )
    assert moved.status_code == 200
    assert (moved.json()["due_on"], moved.json()["done"], moved.json()["title"]) == (
        "2027-06-15",
        True,
        "Referral",
    )
    assert auth_client.delete(url).status_code == 204
    assert coder_plan.milestones.filter(kind="custom").count() == 0


def test_a_generated_milestone_follows_its_item(auth_client, coder_plan):
    generated = coder_plan.milestones.first()
    url = f"{milestones_url(coder_plan)}{generated.id}/"
    moved = auth_client.patch(url, {"due_on": "2027-09-01"}, format="json")
    assert moved.status_code == 400
    assert moved.json()["errors"][0]["attr"] == "due_on"
    deleted = auth_client.delete(url)
    assert deleted.status_code == 400
    assert Milestone.objects.filter(pk=generated.pk).exists()
    renamed = auth_client.patch(url, {"title": "Foundations done!"}, format="json")
    assert renamed.status_code == 200


def _fields_named(condition) -> set[str]:
    if condition is None:
        return set()
    names = set()
    for child in condition.children:
        if isinstance(child, Q):
            names |= _fields_named(child)
        else:
            names.add(child[0].split("__")[0])
    return names


def test_every_milestone_constraint_names_its_item():
    # milestone_update leaves `item` out of its validation and skips the constraints, since
    # none could be checked without it: a constraint that does not name `item` fails here
    for constraint in Milestone._meta.constraints:
        if isinstance(constraint, UniqueConstraint):
            named = set(constraint.fields) | _fields_named(constraint.condition)
        else:
            assert isinstance(constraint, CheckConstraint), constraint
            named = _fields_named(constraint.condition)
        assert "item" in named, constraint.name


def test_a_milestone_change_still_validates_its_title(auth_client, coder_plan):
    # the model's own validation, kept beside the serializer's (a service called directly)
    milestone = coder_plan.milestones.first()
    with pytest.raises(ValidationError) as raised:
        services.milestone_update(
            user=coder_plan.owner,
            plan_id=coder_plan.pk,
            milestone_id=milestone.pk,
            data={"title": "x" * 201},
        )
    assert "title" in raised.value.message_dict


def test_a_milestone_change_builds_on_what_committed_before_it(coder_plan):
    # given: a step's milestone, then a change of its step that commits first and moves it
    # (the step now takes twice as long)
    first = coder_plan.items.order_by("position").first()
    before = Milestone.objects.get(item=first)
    doubled = Duration(first.duration_value * 2, first.duration_unit)
    services.plan_item_update(
        user=coder_plan.owner, plan_id=coder_plan.pk, item_id=first.pk, data={"duration": doubled}
    )
    moved_to = Milestone.objects.get(pk=before.pk).due_on
    assert moved_to != before.due_on
    # when: a request completes the milestone (read under the plan's lock, not before it)
    services.milestone_update(
        user=coder_plan.owner, plan_id=coder_plan.pk, milestone_id=before.pk, data={"done": True}
    )
    # then: completed on its new date, not moved back to the one it had
    done = Milestone.objects.get(pk=before.pk)
    assert done.done_at is not None
    assert done.due_on == moved_to


def test_a_milestone_deleted_before_a_change_of_it_is_not_found(coder_plan):
    # given: a custom milestone, deleted before a request's change of it
    gone = services.milestone_create(
        user=coder_plan.owner, plan_id=coder_plan.pk, title="Check-in", due_on=PLAN_START
    )
    services.milestone_delete(user=coder_plan.owner, plan_id=coder_plan.pk, milestone_id=gone.pk)
    # when / then: a 404, nothing written back
    with pytest.raises(Http404):
        services.milestone_update(
            user=coder_plan.owner, plan_id=coder_plan.pk, milestone_id=gone.pk, data={"done": True}
        )
    assert not Milestone.objects.filter(pk=gone.pk).exists()


@pytest.mark.parametrize(
    "change",
    [
        lambda user, plan, item, milestone: services.plan_update(
            user=user, plan_id=plan.pk, data={"title": "Mine now"}
        ),
        lambda user, plan, item, milestone: services.plan_delete(user=user, plan_id=plan.pk),
        lambda user, plan, item, milestone: services.plan_shift(user=user, plan_id=plan.pk, days=7),
        lambda user, plan, item, milestone: services.plan_item_add(
            user=user, plan_id=plan.pk, kind="tool", tool=Tool.objects.first()
        ),
        lambda user, plan, item, milestone: services.plan_items_reorder(
            user=user,
            plan_id=plan.pk,
            item_ids=list(plan.items.order_by("-position").values_list("pk", flat=True)),
        ),
        lambda user, plan, item, milestone: services.plan_item_update(
            user=user, plan_id=plan.pk, item_id=item.pk, data={"status": "done"}
        ),
        lambda user, plan, item, milestone: services.plan_item_delete(
            user=user, plan_id=plan.pk, item_id=item.pk
        ),
        lambda user, plan, item, milestone: services.milestone_create(
            user=user, plan_id=plan.pk, title="Mine now", due_on=PLAN_START
        ),
        lambda user, plan, item, milestone: services.milestone_update(
            user=user, plan_id=plan.pk, milestone_id=milestone.pk, data={"done": True}
        ),
        lambda user, plan, item, milestone: services.milestone_delete(
            user=user, plan_id=plan.pk, milestone_id=milestone.pk
        ),
    ],
    ids=[
        "plan_update",
        "plan_delete",
        "plan_shift",
        "plan_item_add",
        "plan_items_reorder",
        "plan_item_update",
        "plan_item_delete",
        "milestone_create",
        "milestone_update",
        "milestone_delete",
    ],
)
def test_a_change_of_another_users_plan_is_not_found_and_writes_nothing(
    change, coder_plan, other_user
):
    # given: someone else's plan, one of its items and milestones, as they stand
    item = coder_plan.items.order_by("position").first()
    milestone = coder_plan.milestones.order_by("pk").first()
    version = coder_plan.version
    items = list(coder_plan.items.order_by("position").values_list("pk", "status"))
    milestones = list(coder_plan.milestones.order_by("pk").values_list("pk", "done_at"))
    # when / then: the service checks the owner with the plan's lock: a 404, nothing written
    with pytest.raises(Http404):
        change(other_user, coder_plan, item, milestone)
    assert Plan.objects.get(pk=coder_plan.pk).version == version
    assert list(coder_plan.items.order_by("position").values_list("pk", "status")) == items
    assert list(coder_plan.milestones.order_by("pk").values_list("pk", "done_at")) == milestones


def test_what_a_change_of_someone_elses_plan_is_answered(auth_client, others_plan):
    # given: another user's plan and one of its milestones (the request reads nothing first:
    # the body and If-Match are checked as for any plan id, then the change finds no plan)
    milestone = others_plan.milestones.order_by("pk").first()
    url = f"/api/v1/plans/{others_plan.id}/milestones/{milestone.id}/"
    version = others_plan.version
    # when / then: a body that is not valid for any plan is a 400, an If-Match that is not one
    # of our ETags a 412, a valid change a 404; none tells whether the plan exists
    bad_body = auth_client.patch(url, {"done": "perhaps"}, format="json")
    bad_tag = auth_client.patch(url, {"done": True}, format="json", HTTP_IF_MATCH='"nonsense"')
    right_tag = f'"{others_plan.id}-{others_plan.version}"'
    valid = auth_client.patch(url, {"done": True}, format="json", HTTP_IF_MATCH=right_tag)
    unknown = auth_client.patch(
        f"/api/v1/plans/{uuid.uuid4()}/milestones/{milestone.id}/", {"done": True}, format="json"
    )
    assert (bad_body.status_code, bad_tag.status_code) == (400, 412)
    assert valid.status_code == unknown.status_code == 404
    assert valid.json()["detail"] == unknown.json()["detail"]
    assert Plan.objects.get(pk=others_plan.pk).version == version
    assert Milestone.objects.get(pk=milestone.pk).done_at is None


def test_an_item_or_milestone_of_another_plan_is_not_found_under_this_one(coder_plan):
    # given: a second plan of the same user, and an item and a milestone of the first
    other = services.plan_create(
        owner=coder_plan.owner, target_role=coder_plan.target_role, start_date=PLAN_START
    )
    item = coder_plan.items.order_by("position").first()
    milestone = coder_plan.milestones.order_by("pk").first()
    # when / then: named under the second plan, neither is found
    with pytest.raises(Http404):
        services.plan_item_update(
            user=coder_plan.owner, plan_id=other.pk, item_id=item.pk, data={"status": "done"}
        )
    with pytest.raises(Http404):
        services.milestone_update(
            user=coder_plan.owner, plan_id=other.pk, milestone_id=milestone.pk, data={"done": True}
        )
    assert Milestone.objects.get(pk=milestone.pk).done_at is None


def test_deleting_an_item_renumbers_and_drops_its_milestone(auth_client, coder_plan):
    first = coder_plan.items.first()
    assert auth_client.delete(f"{items_url(coder_plan)}{first.id}/").status_code == 204
    assert list(coder_plan.items.values_list("position", flat=True)) == [0, 1, 2]
    assert coder_plan.milestones.count() == 2


# --- bad input: 4xx with field errors, nothing written ----------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "exam", "certification": "CPC", "exam_date": "2026-12-31"}, "exam_date"),
        ({"kind": "exam", "certification": "CPC"}, "exam_date"),
        ({"kind": "exam", "certification": "XYZ", "exam_date": "2027-05-01"}, "certification"),
        ({"kind": "tool", "tool": "time-machine"}, "tool"),
        ({"kind": "step", "training_step": 999999}, "training_step"),
        ({"kind": "step"}, "training_step"),
        (
            {
                "kind": "custom",
                "title": "x",
                "planned_cost": "-5",
                "duration": {"value": 1, "unit": "months"},
            },
            "planned_cost",
        ),
        (
            {
                "kind": "custom",
                "title": "x",
                "planned_cost": "5",
                "duration": {"value": -1, "unit": "months"},
            },
            "duration.value",
        ),
        (
            {
                "kind": "custom",
                "title": "x",
                "planned_cost": "5",
                "duration": {"value": 2, "unit": "fortnights"},
            },
            "duration.unit",
        ),
        (
            {"kind": "custom", "planned_cost": "5", "duration": {"value": 1, "unit": "weeks"}},
            "title",
        ),
        (
            {"kind": "custom", "title": "x", "duration": {"value": 1, "unit": "weeks"}},
            "planned_cost",
        ),
        ({"kind": "tool", "tool": "encoder-software", "exam_date": "2027-05-01"}, "exam_date"),
        ({"kind": "tool", "tool": "encoder-software", "quantity": "3"}, "quantity"),
        ({"kind": "rocket"}, "kind"),
        ({"kind": "custom", "title": "x", "planned_cost": "5", "plan": "other"}, "plan"),
    ],
)
def test_bad_item_input_is_a_400_naming_the_field(auth_client, coder_plan, body, field):
    before = PlanItem.objects.count()
    response = auth_client.post(items_url(coder_plan), body, format="json")
    assert response.status_code == 400, response.json()
    assert field in {error["attr"] for error in response.json()["errors"]}
    assert PlanItem.objects.count() == before


def test_a_step_from_another_path_is_accepted_but_a_missing_one_is_not(auth_client, coder_plan):
    biller_step = TrainingStep.objects.get(path__slug="biller-bootcamp", position=1)
    response = auth_client.post(
        items_url(coder_plan), {"kind": "step", "training_step": biller_step.id}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["planned_cost"] == "3000.00"


def test_an_item_of_another_plan_is_not_found_under_mine(auth_client, coder_plan, user):
    from tests.plans.conftest import make_plan

    second = make_plan(user)
    foreign_item = second.items.first()
    response = auth_client.patch(
        f"{items_url(coder_plan)}{foreign_item.id}/", {"planned_cost": "1"}, format="json"
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    "order",
    [
        lambda ids: ids[:-1],
        lambda ids: [*ids, ids[0]],
        lambda ids: [*ids[:-1], 999999],
        lambda ids: [],
        lambda ids: [str(i) for i in ids],
    ],
)
def test_reorder_lists_that_are_not_a_permutation_are_400(auth_client, coder_plan, order):
    before = item_ids(coder_plan)
    response = auth_client.post(
        f"{items_url(coder_plan)}reorder/", {"items": order(before)}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"].startswith("items")
    assert item_ids(coder_plan) == before


@pytest.mark.parametrize("days", [0, 3651, -3651, "7", 1.5])
def test_shift_out_of_range_is_400_and_moves_nothing(auth_client, coder_plan, days):
    response = auth_client.post(
        f"/api/v1/plans/{coder_plan.id}/shift/", {"days": days}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "days"
    coder_plan.refresh_from_db()
    assert str(coder_plan.start_date) == "2027-01-04"


def test_a_milestone_before_the_plan_starts_is_400(auth_client, coder_plan):
    response = auth_client.post(
        milestones_url(coder_plan), {"title": "Too early", "due_on": "2026-12-01"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "due_on"


WRITES_ANSWERING_THE_PLAN_ETAG = [
    pytest.param("milestone_create", "post", "milestone", id="milestone create"),
    pytest.param("milestone_update", "patch", "milestone", id="milestone update"),
    pytest.param("milestone_delete", "delete", "milestone", id="milestone delete"),
    pytest.param("plan_item_delete", "delete", "item", id="item delete"),
]


@pytest.mark.parametrize(("service", "method", "target"), WRITES_ANSWERING_THE_PLAN_ETAG)
def test_a_write_answers_the_etag_of_the_version_it_made(
    auth_client, coder_plan, monkeypatch, service, method, target
):
    # given: another device's write that lands right after this one commits
    made = {}
    original = getattr(services, service)

    def then_another_write(**kwargs):
        result = original(**kwargs)
        made["version"] = Plan.objects.get(pk=coder_plan.pk).version
        Plan.objects.filter(pk=coder_plan.pk).update(version=F("version") + 1)
        return result

    monkeypatch.setattr(services, service, then_another_write)
    custom = Milestone.objects.create(
        plan=coder_plan, kind=Milestone.MilestoneKind.CUSTOM, title="Call", due_on="2027-06-01"
    )
    if method == "post":
        url = milestones_url(coder_plan)
    elif target == "milestone":
        url = f"{milestones_url(coder_plan)}{custom.id}/"
    else:
        url = f"{items_url(coder_plan)}{coder_plan.items.last().id}/"
    body = {"title": "Call the clinic", "due_on": "2027-06-02"}
    # when
    response = getattr(auth_client, method)(url, body if method != "delete" else None, "json")
    # then: the ETag names the version this write made, not the other device's, so the next
    # If-Match from this client is refused until it has seen that change
    assert response.status_code in (200, 201, 204), response.content
    assert response["ETag"] == f'"{coder_plan.id}-{made["version"]}"'
