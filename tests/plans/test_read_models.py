"""The fast read path (plans/read_models.py) shows exactly what the serializers show.

The reference is the path every plan response took before: the plan loaded as model instances
with its prefetches (selectors.plan_get_for_user), its summary from selectors.plan_summary, and
the nested DRF serializers of plans/serializers.py. Both outputs are rendered to JSON and
compared whole, so a changed value, a changed format ("1.0" for "1.00", a date's format), a
missing or extra key, or a changed type (1 for true) fails.
"""

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation

import orjson
import pytest
from django.utils import timezone
from drf_orjson_renderer.renderers import ORJSONRenderer
from hypothesis import assume, example, given
from hypothesis import strategies as st
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from accounts.services import profile_update
from careerplan import code_version
from plans import read_models, selectors, services
from plans.computations import NO_CURRENT_SALARY, NO_GAIN, NO_SALARY_FIGURE, Duration
from plans.models import Plan, PlanItem, PlanRendering
from plans.serializers import (
    MilestoneSerializer,
    PlanDetailSerializer,
    PlanItemSerializer,
    PlanListSerializer,
)
from roles.models import Certification, Role, Tool, TrainingPath
from tests.factories import ProfileFactory, UserFactory
from tests.plans.conftest import PLAN_START, make_plan

pytestmark = pytest.mark.django_db


def outcome(format_decimal, value: Decimal) -> str:
    try:
        return format_decimal(value)
    except InvalidOperation:
        return "InvalidOperation"


@given(
    st.decimals(min_value=-(10**8), max_value=10**8, allow_nan=False, allow_infinity=False)
    | st.decimals(min_value=-(10**8), max_value=10**8, places=4),  # many exact halves
    st.sampled_from([(12, 2), (10, 2), (6, 1), (4, 3)]),
)
@example(Decimal("0.125"), (12, 2))  # DRF rounds half to even: "0.12"
@example(Decimal("0.0005"), (4, 3))
def test_decimals_are_formatted_as_drf_formats_them(value, shape):
    # given: a field shape the plan output uses, and a value that fits it
    max_digits, places = shape
    assume(abs(value) < 10 ** (max_digits - places))
    field = serializers.DecimalField(max_digits=max_digits, decimal_places=places)
    mine = read_models._decimal_format(max_digits, places)
    # when / then: the same text, or the same refusal when rounding overflows the digits
    assert outcome(mine, value) == outcome(field.to_representation, value)


@given(
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1)),
    st.sampled_from(["UTC", "America/Chicago", "Asia/Kolkata", "Pacific/Chatham"]),
)
def test_datetimes_are_formatted_as_drf_formats_them(value, zone):
    aware = value.replace(tzinfo=UTC)
    with timezone.override(zone):
        expected = serializers.DateTimeField().to_representation(aware)
        assert read_models._datetime(aware) == expected


def old_path(plan: Plan) -> Plan:
    """The plan as the views prepared it for the serializers before the read models."""
    plan = selectors.plan_get_for_user(user=plan.owner, plan_id=plan.id)
    items = list(plan.items.all())
    summary = selectors.plan_summary(plan, items)
    for item in items:
        item.facts = selectors.item_facts(item)
        item.span = summary.schedule.spans[item.pk]
    plan.summary = summary
    plan.summary_items = items
    return plan


def canonical(data) -> str:
    return json.dumps(json.loads(JSONRenderer().render(data)), sort_keys=True, indent=1)


def assert_same(new, old) -> None:
    assert canonical(new) == canonical(old)


def add(plan, **kwargs):
    return services.plan_item_add(user=plan.owner, plan_id=plan.pk, **kwargs)


def shown(plan):
    """GET /plans/<id>/'s body (orjson Fragment) and ETag for the plan's owner."""
    plan_shown = read_models.plan_shown(user=plan.owner, plan_id=plan.id)
    return plan_shown.body(), plan_shown.etag


def listed(owner) -> list[dict]:
    """GET /plans/'s results for `owner`, as served (rendered, parsed back)."""
    rows = list(read_models.plan_rows_for_user(user=owner))
    return orjson.loads(orjson.dumps(read_models.plan_list_fragments(rows)))


@pytest.fixture
def plans(catalogue):
    """Plans covering what the output depends on, of two users (one with a profile salary)."""
    owner = UserFactory()
    with_profile = ProfileFactory(current_salary=Decimal("31000.50")).user

    # a catalogue path (steps, one with no catalogue cost) plus every other kind of item
    full = make_plan(owner, current_salary=Decimal("28000"))
    add(
        full,
        kind="exam",
        certification=Certification.objects.get(code="CPC"),
        exam_date=PLAN_START + timedelta(days=500),
    )
    add(
        full,
        kind="exam",
        certification=Certification.objects.get(code="CRC"),
        exam_date=PLAN_START + timedelta(days=90),
        planned_cost=Decimal("399.99"),
    )
    add(full, kind="tool", tool=Tool.objects.get(slug="clearinghouse-access"), quantity=7)
    add(full, kind="tool", tool=Tool.objects.get(slug="encoder-software"), title="My encoder")
    weeks = add(
        full,
        kind="custom",
        title="HCC course",
        provider="College",
        url="https://example.edu/hcc",
        planned_cost=Decimal("450.5"),
        duration=Duration(6, "weeks"),
    )
    skipped = add(
        full, kind="custom", title="Skipped", planned_cost=Decimal("10"), duration=Duration(2)
    )
    add(full, kind="custom", title="Free reading", planned_cost=Decimal("0"), duration=Duration(1))
    first_step = full.items.get(position=0)
    services.plan_item_update(
        user=first_step.plan.owner,
        plan_id=first_step.plan_id,
        item_id=first_step.pk,
        data={"status": "done"},
    )
    services.plan_item_update(
        user=weeks.plan.owner, plan_id=weeks.plan_id, item_id=weeks.pk, data={"status": "done"}
    )
    services.plan_item_update(
        user=skipped.plan.owner,
        plan_id=skipped.plan_id,
        item_id=skipped.pk,
        data={"status": "skipped"},
    )
    custom = services.milestone_create(
        user=full.owner, plan_id=full.pk, title="Check-in", due_on=PLAN_START
    )
    services.milestone_update(
        user=custom.plan.owner, plan_id=custom.plan_id, milestone_id=custom.pk, data={"done": True}
    )
    generated = full.milestones.exclude(item=None).first()
    services.milestone_update(
        user=generated.plan.owner,
        plan_id=generated.plan_id,
        milestone_id=generated.pk,
        data={"done": True},
    )

    # no training path, no items, no salary anywhere
    empty = make_plan(owner, path=None, role="claims-specialist")
    # the profile's salary; a role with only all-level bands; a month-end start
    profile_salary = make_plan(
        with_profile,
        role="coder-biller",
        path="biller-bootcamp",
        start_date=PLAN_START.replace(day=31),
    )
    # a salary above every entry figure (no gain)
    rich = make_plan(
        owner, role="medical-biller", path="biller-bootcamp", current_salary=Decimal("999999")
    )
    # a role without salary figures, a step without costs, a weekly-only plan
    no_figures = make_plan(
        owner,
        role="inpatient-coder",
        path="certificate-or-associate-degree",
        current_salary=Decimal("1"),
    )
    # a free plan that pays back at once
    free_plan = make_plan(owner, path=None, current_salary=Decimal("100"))
    add(
        free_plan,
        kind="custom",
        title="Library books",
        planned_cost=Decimal("0"),
        duration=Duration(3, "weeks"),
    )
    # the plan's own salary wins over the profile's
    overriding = make_plan(with_profile, current_salary=Decimal("25000"))
    return [full, empty, profile_salary, rich, no_figures, free_plan, overriding]


def test_the_plans_cover_what_the_output_depends_on(plans):
    # given / when
    shown = [read_models.plan_detail_data(user=plan.owner, plan_id=plan.id)[0] for plan in plans]
    # then: the comparisons below see every kind of item, status and payback outcome
    full = shown[0]
    assert {item["kind"] for item in full["items"]} == {"step", "exam", "tool", "custom"}
    assert {item["status"] for item in full["items"]} == {"planned", "done", "skipped"}
    assert any(item["done_at"] for item in full["items"])
    assert {milestone["done"] for milestone in full["milestones"]} == {True, False}
    assert any(item["catalogue"]["cost_min"] is None for item in full["items"])
    assert full["payback"]["months"] > 0
    assert full["current_salary_from"] == "plan"
    assert shown[1]["training_path"] is None
    assert shown[1]["items"] == []
    assert shown[1]["payback"]["reason"] == NO_CURRENT_SALARY
    assert shown[2]["current_salary_from"] == "profile"
    assert shown[3]["payback"]["reason"].startswith(NO_GAIN.split("(")[0])
    assert shown[4]["payback"]["reason"] == NO_SALARY_FIGURE
    assert shown[5]["payback"]["months"] == 0
    assert shown[6]["current_salary"] == "25000.00"
    assert shown[6]["current_salary_from"] == "plan"


def test_plan_detail_is_what_the_detail_serializer_shows(plans):
    for plan in plans:
        # when
        data, etag = read_models.plan_detail_data(user=plan.owner, plan_id=plan.id)
        # then
        reference = old_path(plan)
        assert_same(data, PlanDetailSerializer(reference).data)
        assert etag == reference.etag


def test_plan_items_are_what_the_item_serializer_shows(plans):
    for plan in plans:
        items, etag = read_models.plan_items_data(user=plan.owner, plan_id=plan.id)
        reference = old_path(plan)
        assert_same(items, PlanItemSerializer(reference.summary_items, many=True).data)
        assert etag == reference.etag


def test_a_milestone_is_what_the_milestone_serializer_shows(plans):
    # given: generated and custom milestones, done and not (the first test checks the mix)
    milestones = [milestone for plan in plans for milestone in plan.milestones.all()]
    assert {milestone.is_generated for milestone in milestones} == {True, False}
    assert {milestone.done_at is None for milestone in milestones} == {True, False}
    for milestone in milestones:
        # when / then
        assert_same(read_models.milestone_data(milestone), MilestoneSerializer(milestone).data)


def test_plan_list_is_what_the_list_serializer_shows(plans):
    # given: the owner of most of the plans
    owner = plans[0].owner
    # when
    shown = listed(owner)
    # then: the same plans, in the same order, each as the list serializer shows it
    reference = [old_path(plan) for plan in selectors.plan_list_for_user(user=owner)]
    assert len(shown) == len(reference) == 5
    assert_same(shown, PlanListSerializer(reference, many=True).data)


def test_datetimes_follow_the_current_time_zone_as_drf_does(plans):
    plan = plans[0]
    with timezone.override("America/Chicago"):
        data, _etag = read_models.plan_detail_data(user=plan.owner, plan_id=plan.id)
        reference = PlanDetailSerializer(old_path(plan)).data
    assert "-05:00" in data["created_at"] or "-06:00" in data["created_at"]
    assert_same(data, reference)


def test_the_api_serves_the_read_models(auth_client, user, catalogue):
    # given: a plan of the signed-in user
    plan = make_plan(user, current_salary=Decimal("30000"))
    # when
    detail = auth_client.get(f"/api/v1/plans/{plan.id}/")
    listed = auth_client.get("/api/v1/plans/")
    items = auth_client.get(f"/api/v1/plans/{plan.id}/items/")
    # then
    reference = old_path(plan)
    assert detail.json() == json.loads(canonical(PlanDetailSerializer(reference).data))
    assert detail["ETag"].startswith(reference.etag[:-1] + ".")
    assert listed.json()["results"] == json.loads(
        canonical(PlanListSerializer([reference], many=True).data)
    )
    assert items.json() == json.loads(
        canonical(PlanItemSerializer(reference.summary_items, many=True).data)
    )


def test_another_users_plan_is_a_404(auth_client, others_plan):
    response = auth_client.get(f"/api/v1/plans/{others_plan.id}/")
    assert response.status_code == 404


@pytest.mark.parametrize("change", ["salary band", "fee", "tool", "path"])
def test_a_catalogue_write_reaches_the_kept_rows(plans, change):
    # given: the full plan read once, so the catalogue rows it shows are kept
    plan = plans[0]
    read_models.plan_detail_data(user=plan.owner, plan_id=plan.id)
    # when: the catalogue changes through the ORM (which bumps the catalogue version)
    if change == "salary band":
        band = Role.objects.get(slug="medical-coder").salary_bands.get(level="entry")
        band.amount_min += 1
        band.save()
    elif change == "fee":
        fee = Certification.objects.get(code="CPC").fees.filter(is_current=True).first()
        fee.amount += 1
        fee.save()
    elif change == "tool":
        tool = Tool.objects.get(slug="clearinghouse-access")
        tool.cost_max += 1
        tool.save()
    else:
        path = TrainingPath.objects.get(slug="coder-prep-path")
        path.title = "Renamed"
        path.save()
    # then
    data, _etag = read_models.plan_detail_data(user=plan.owner, plan_id=plan.id)
    assert_same(data, PlanDetailSerializer(old_path(plan)).data)


def test_the_plan_list_pages_as_before(auth_client, user, catalogue):
    # given: five plans, shown two a page
    for index in range(5):
        make_plan(user, start_date=PLAN_START + timedelta(days=index))
    reference = [old_path(plan) for plan in selectors.plan_list_for_user(user=user)]
    expected = json.loads(canonical(PlanListSerializer(reference, many=True).data))
    # when
    pages = [auth_client.get(f"/api/v1/plans/?page={page}&page_size=2") for page in (1, 2, 3)]
    past_the_end = auth_client.get("/api/v1/plans/?page=4&page_size=2")
    everything = auth_client.get("/api/v1/plans/")
    # then
    bodies = [page.json() for page in pages]
    assert [body["count"] for body in bodies] == [5, 5, 5]
    assert [body["results"] for body in bodies] == [expected[0:2], expected[2:4], expected[4:]]
    assert bodies[0]["previous"] is None
    assert bodies[0]["next"].endswith("?page=2&page_size=2")
    assert bodies[2]["next"] is None
    assert past_the_end.status_code == 404
    assert everything.json()["results"] == expected


def test_a_user_without_plans_lists_none(auth_client, user):
    response = auth_client.get("/api/v1/plans/")
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}


def test_compiled_queries_return_what_their_querysets_return(plans):
    # given: the queries compiled once and run with new values, and the same QuerySets
    owner = plans[0].owner
    plan_ids = [plan.id for plan in plans if plan.owner_id == owner.pk]
    # when / then
    for plan in plans:
        mine = read_models.plans_with_profile_salary().filter(owner=plan.owner)
        # the subquery's profile salary is the one the ORM's join through the user reads
        joined = Plan.objects.filter(pk=plan.id).values_list("owner__profile__current_salary")
        assert mine.filter(pk=plan.id).values_list("profile_salary").get() == joined.get()
        assert read_models._PLAN_ROW.rows(plan.id, plan.owner_id) == list(
            mine.filter(pk=plan.id).values_list(*read_models.PLAN_COLUMNS)
        )
        assert read_models._PLAN_ROW.rows(plan.id, plan.owner_id + 1000) == []
        assert read_models._PLAN_SHOWN.rows(plan.id, plan.owner_id) == list(
            mine.filter(pk=plan.id).values_list(*read_models.SHOWN_COLUMNS)
        )
        assert read_models._PLAN_MILESTONES.rows(plan.id) == list(
            plan.milestones.order_by("due_on", "id").values_list(*read_models.MILESTONE_COLUMNS)
        )
    everyone = PlanItem.objects.filter(plan_id__in=plan_ids).order_by("position", "id")
    assert read_models._PLANS_ITEMS.rows(*plan_ids) == list(
        everyone.values_list(*read_models.ITEM_COLUMNS)
    )
    newest_first = (
        read_models.plans_with_profile_salary().filter(owner=owner).order_by("-created_at", "id")
    )
    expected = list(newest_first.values_list(*read_models.LISTED_COLUMNS))
    assert read_models._USER_PLANS.rows(owner.pk, low=1, high=3) == expected[1:3]
    assert read_models._USER_PLAN_COUNT.rows(owner.pk) == [(len(expected),)]


# --- rendered bodies stored with the plans (read_models.plan_shown / plan_list_fragments)


def rendered(fragment) -> bytes:
    return orjson.dumps(fragment)


def test_a_stored_body_is_what_the_renderer_makes_of_the_data(plans):
    for plan in plans:
        # given: the body rendered and stored by the first read, then read from the store
        built, etag = shown(plan)
        kept, kept_etag = shown(plan)
        # then: the bytes the API's renderer gives for the dict, both times
        data, data_etag = read_models.plan_detail_data(user=plan.owner, plan_id=plan.id)
        assert rendered(built) == rendered(kept) == ORJSONRenderer().render(data)
        assert etag == kept_etag
        assert etag.startswith(data_etag[:-1] + ".")


def change_profile_salary(plan) -> None:
    profile_update(user=plan.owner, data={"current_salary": Decimal("45000")})


def change_plan(plan) -> None:
    services.plan_update(user=plan.owner, plan_id=plan.pk, data={"title": "Renamed plan"})


def change_catalogue(plan) -> None:
    role = plan.target_role
    role.title = f"{role.title} (renamed)"
    role.save()


@pytest.mark.parametrize("change", [change_plan, change_profile_salary, change_catalogue])
def test_a_body_shown_before_shows_a_change_to_anything_it_shows(plans, change):
    # given: a plan whose salary comes from the profile, shown (and so kept) once
    plan = plans[2]
    before, _etag = shown(plan)
    listed_before = listed(plan.owner)
    # when
    change(plan)
    # then: what the serializers show now, in detail and in the list
    after, _etag = shown(plan)
    listed_after = listed(plan.owner)
    reference = old_path(plan)
    assert rendered(after) != rendered(before)
    assert_same(orjson.loads(rendered(after)), PlanDetailSerializer(reference).data)
    assert listed_after != listed_before
    (in_list,) = [data for data in listed_after if data["id"] == str(plan.id)]
    assert_same(in_list, PlanListSerializer(reference).data)


def test_a_body_kept_in_one_time_zone_is_not_shown_in_another(plans):
    plan = plans[0]
    utc, _etag = shown(plan)
    with timezone.override("America/Chicago"):
        chicago, _etag = shown(plan)
        reference = PlanDetailSerializer(old_path(plan)).data
    assert rendered(chicago) != rendered(utc)
    assert_same(orjson.loads(rendered(chicago)), reference)


def test_a_body_kept_for_its_owner_is_not_shown_to_anyone_else(auth_client, others_plan):
    # given: the owner's read keeps the body
    shown(others_plan)
    # when / then
    assert auth_client.get(f"/api/v1/plans/{others_plan.id}/").status_code == 404


def test_everything_the_body_code_uses_of_ours_is_in_its_key():
    # the project modules read_models takes names from (models for labels and __str__,
    # selectors, serializers, computations) belong to the apps whose source is hashed
    ours = {
        getattr(value, "__module__", None) or getattr(value, "__name__", "")
        for value in vars(read_models).values()
    }
    packages = {"accounts", "careerplan", "pathfinder", "plans", "roles"}  # the repository's
    project = {name for name in ours if name.split(".")[0] in packages}
    assert project >= {"plans.computations", "plans.models", "roles.models", "careerplan.db"}
    assert {name.split(".")[0] for name in project} <= set(read_models._SHAPING_APPS)


def test_another_library_version_is_another_key(monkeypatch):
    before = read_models._shaping_code()
    real = code_version.metadata.version
    monkeypatch.setattr(
        code_version.metadata,
        "version",
        lambda name: "99.0" if name == "orjson" else real(name),
    )
    assert read_models._shaping_code() != before


def test_a_stored_value_that_is_not_a_body_is_rendered_again(auth_client, user, catalogue):
    # given: bytes under the plan's own keys that are not a body (a truncated write, say)
    plan = make_plan(user)
    first = auth_client.get(f"/api/v1/plans/{plan.id}/")
    listed = auth_client.get("/api/v1/plans/")
    PlanRendering.objects.filter(plan=plan).update(detail=b"not a body", summary=b"not either")
    # when / then: rendered again, and stored again
    assert auth_client.get(f"/api/v1/plans/{plan.id}/").content == first.content
    assert auth_client.get("/api/v1/plans/").content == listed.content
    stored = PlanRendering.objects.get(plan=plan)
    assert read_models._stored_body(stored.detail) is not None
    assert read_models._stored_body(stored.summary) is not None


def test_a_page_found_empty_is_read_again_with_the_count(user, catalogue, monkeypatch):
    # given: a plan committed between the page query (which found none) and the count
    plan = make_plan(user)
    monkeypatch.setattr(read_models._USER_PLANS_COUNTED, "rows", lambda *a, **k: [])
    rows = read_models.plan_rows_for_user(user=user, expected=(0, 20))
    # when / then: the count and the slice agree
    assert rows.count() == 1
    assert [row[0] for row in rows[0:1]] == [plan.id]
