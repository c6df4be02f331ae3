from datetime import date
from decimal import Decimal

import pytest

from accounts.services import profile_update
from plans.models import Milestone, Plan
from roles.models import Role, TrainingPath
from tests.plans.conftest import make_plan

pytestmark = pytest.mark.django_db

PLANS = "/api/v1/plans/"


def detail_url(plan_id) -> str:
    return f"{PLANS}{plan_id}/"


def create_coder_plan(client, key=None, **extra):
    body = {
        "target_role": "medical-coder",
        "training_path": "coder-prep-path",
        "start_date": "2027-01-04",
        **extra,
    }
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(PLANS, body, format="json", headers=headers)


def test_a_plan_named_after_long_catalogue_titles_is_cut_to_what_a_title_holds(
    auth_client, catalogue
):
    # given: a role and a path whose titles are as long as the catalogue allows
    Role.objects.filter(slug="medical-coder").update(title="R" * 120)
    TrainingPath.objects.filter(slug="coder-prep-path").update(title="P" * 120)
    # when: a plan is created without a title of its own
    response = create_coder_plan(auth_client)
    # then: "<role> via <path>", cut to the 200 characters a plan's title holds (a 500 on
    # PostgreSQL before)
    assert response.status_code == 201, response.json()
    assert response.json()["title"] == ("R" * 120 + " via " + "P" * 120)[:200]


def test_creating_a_plan_on_the_coder_prep_path_builds_steps_costs_schedule_and_milestones(
    auth_client, catalogue
):
    # when
    response = create_coder_plan(auth_client)
    # then
    assert response.status_code == 201, response.json()
    plan = response.json()
    assert response["Location"] == detail_url(plan["id"])
    assert response["ETag"] == f'"{plan["id"]}-{plan["version"]}"'
    assert plan["title"] == "Medical Coder via Coder Prep Path"
    assert [item["title"] for item in plan["items"]] == [
        "Foundations",
        "Code Mastery",
        "Practice",
        "Certification",
    ]
    cost = plan["cost"]
    assert (cost["min"], cost["max"], cost["currency"]) == ("3300.00", "6600.00", "USD")
    assert Decimal(cost["min"]) <= Decimal(cost["planned"]) <= Decimal(cost["max"])
    # planned months default to each step's upper bound: 9 + 6 + 2 = 17
    schedule = plan["schedule"]
    assert schedule["finish_date"] == "2028-06-04"
    assert schedule["months"] == {"planned": "17.0", "optimistic": "10.0", "conservative": "17.0"}
    assert [item["schedule"] for item in plan["items"]] == [
        {"start": "2027-01-04", "end": "2027-10-04"},
        {"start": "2027-10-04", "end": "2028-04-04"},
        {"start": "2028-04-04", "end": "2028-04-04"},
        {"start": "2028-04-04", "end": "2028-06-04"},
    ]
    practice = plan["items"][2]
    assert practice["duration"] is None
    assert practice["catalogue"]["cost_min"] is None
    assert [(m["kind"], m["due_on"]) for m in plan["milestones"]] == [
        ("step_end", "2027-10-04"),
        ("step_end", "2028-04-04"),
        ("step_end", "2028-06-04"),
    ]
    assert plan["progress"]["by_count"] == "0.000"


def test_adding_a_cpc_exam_takes_the_catalogue_fee_and_adds_an_exam_milestone(
    auth_client, coder_plan
):
    # when
    response = auth_client.post(
        f"{detail_url(coder_plan.id)}items/",
        {"kind": "exam", "certification": "cpc", "exam_date": "2028-07-15"},
        format="json",
    )
    # then
    assert response.status_code == 201, response.json()
    item = response.json()
    assert item["certification"]["code"] == "CPC"
    assert item["planned_cost"] == "399.00"  # the lowest current fee (one attempt, 2026)
    assert item["catalogue"]["cost_min"] == "399.00"
    assert item["catalogue"]["cost_max"] == "499.00"
    assert item["schedule"] == {"start": "2028-07-15", "end": "2028-07-15"}
    plan = auth_client.get(detail_url(coder_plan.id)).json()
    exam = [m for m in plan["milestones"] if m["kind"] == "exam"]
    assert [(m["title"], m["due_on"]) for m in exam] == [("CPC exam", "2028-07-15")]
    assert plan["cost"]["by_kind"]["exam"] == {
        "planned": "399.00",
        "min": "399.00",
        "max": "499.00",
    }
    assert plan["schedule"]["finish_date"] == "2028-07-15"


def test_an_exam_without_a_sourced_fee_needs_the_users_figure(auth_client, coder_plan):
    url = f"{detail_url(coder_plan.id)}items/"
    body = {"kind": "exam", "certification": "CPB", "exam_date": "2028-07-15"}
    refused = auth_client.post(url, body, format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["attr"] == "planned_cost"
    accepted = auth_client.post(url, {**body, "planned_cost": "450"}, format="json")
    assert accepted.status_code == 201
    assert accepted.json()["planned_cost"] == "450.00"


def test_payback_uses_the_current_salary_and_the_lowest_entry_band(auth_client, catalogue):
    response = create_coder_plan(auth_client, current_salary="30000")
    plan = response.json()
    payback = plan["payback"]
    # lowest sourced entry figure for coders: $38,000 (2025 table); gain 8,000/yr
    assert payback["basis"]["expected_salary"] == "38000.00"
    assert payback["monthly_gain"] == "666.67"
    assert payback["months"] == 10  # 6,600 / 666.67 -> 9.9
    assert payback["paid_back_on"] == "2029-04-04"
    assert plan["current_salary_from"] == "plan"
    assert all(band["source"]["slug"] for band in plan["salary"]["entry_bands"])


def test_payback_without_a_current_salary_is_null_with_a_reason(auth_client, catalogue):
    payback = create_coder_plan(auth_client).json()["payback"]
    assert payback["months"] is None
    assert "current salary" in payback["reason"]


def test_plan_list_holds_only_the_callers_plans(auth_client, user, coder_plan, others_plan):
    make_plan(user, role="medical-biller", path="biller-bootcamp")
    response = auth_client.get(PLANS)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    ids = {plan["id"] for plan in body["results"]}
    assert str(others_plan.id) not in ids
    assert str(coder_plan.id) in ids


def test_patch_with_a_stale_if_match_is_412_and_changes_nothing(auth_client, coder_plan):
    url = detail_url(coder_plan.id)
    first_etag = auth_client.get(url)["ETag"]
    ok = auth_client.patch(url, {"title": "Phone edit"}, format="json", HTTP_IF_MATCH=first_etag)
    assert ok.status_code == 200
    assert ok["ETag"] != first_etag
    # when: a second device still holds the first ETag
    stale = auth_client.patch(
        url, {"title": "Laptop edit"}, format="json", HTTP_IF_MATCH=first_etag
    )
    # then
    assert stale.status_code == 412
    assert stale.json()["code"] == "precondition_failed"
    coder_plan.refresh_from_db()
    assert coder_plan.title == "Phone edit"


def test_get_with_a_matching_if_none_match_is_304_from_one_query(
    auth_client, coder_plan, django_assert_num_queries
):
    url = detail_url(coder_plan.id)
    etag = auth_client.get(url)["ETag"]
    with django_assert_num_queries(1):
        assert auth_client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert auth_client.get(url, HTTP_IF_NONE_MATCH=f"W/{etag}").status_code == 304
    # after a change the old ETag no longer matches
    auth_client.patch(url, {"title": "New"}, format="json")
    assert auth_client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def change_role_title(plan, user) -> None:
    role = plan.target_role
    role.title = f"{role.title} (renamed)"
    role.save()


def change_profile_salary(plan, user) -> None:
    profile_update(user=user, data={"current_salary": Decimal("52000")})


@pytest.mark.parametrize("change", [change_role_title, change_profile_salary])
def test_a_copy_kept_by_if_none_match_is_refreshed_when_what_it_shows_changes(
    auth_client, user, coder_plan, change
):
    # given: a client holding the plan's ETag, and something the plan shows (not the plan
    # itself: its version stays) changes
    url = detail_url(coder_plan.id)
    before = auth_client.get(url)
    change(coder_plan, user)
    # when
    again = auth_client.get(url, HTTP_IF_NONE_MATCH=before["ETag"])
    # then: a new body under a new ETag, for the same version
    assert again.status_code == 200
    assert again.content != before.content
    assert again["ETag"] != before["ETag"]
    assert again.json()["version"] == before.json()["version"]
    assert auth_client.get(url, HTTP_IF_NONE_MATCH=again["ETag"]).status_code == 304


def test_if_match_takes_the_etag_of_a_read_or_of_a_write(auth_client, coder_plan):
    url = detail_url(coder_plan.id)
    read = auth_client.get(url)["ETag"]
    written = auth_client.patch(url, {"title": "One"}, format="json", HTTP_IF_MATCH=read)
    assert written.status_code == 200
    assert "." not in written["ETag"]  # a write answers the version token alone
    again = auth_client.patch(url, {"title": "Two"}, format="json", HTTP_IF_MATCH=written["ETag"])
    assert again.status_code == 200
    # the read's ETag names an older version now
    stale = auth_client.patch(url, {"title": "Three"}, format="json", HTTP_IF_MATCH=read)
    assert stale.status_code == 412


def test_moving_the_start_moves_open_generated_milestones(auth_client, coder_plan):
    url = detail_url(coder_plan.id)
    response = auth_client.patch(url, {"start_date": "2027-02-04"}, format="json")
    assert response.status_code == 200
    assert [m["due_on"] for m in response.json()["milestones"]] == [
        "2027-11-04",
        "2028-05-04",
        "2028-07-04",
    ]


def test_the_start_cannot_move_past_an_open_exam(auth_client, coder_plan):
    auth_client.post(
        f"{detail_url(coder_plan.id)}items/",
        {"kind": "exam", "certification": "CPC", "exam_date": "2027-03-01"},
        format="json",
    )
    response = auth_client.patch(
        detail_url(coder_plan.id), {"start_date": "2027-04-01"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "start_date"
    coder_plan.refresh_from_db()
    assert coder_plan.start_date == date(2027, 1, 4)


def test_delete_removes_the_plan_with_items_and_milestones(auth_client, coder_plan):
    response = auth_client.delete(detail_url(coder_plan.id))
    assert response.status_code == 204
    assert not Plan.objects.filter(pk=coder_plan.id).exists()
    assert not Milestone.objects.filter(plan_id=coder_plan.id).exists()


def test_a_retried_create_with_the_same_idempotency_key_creates_one_plan(auth_client, catalogue):
    first = create_coder_plan(auth_client, key="retry-1")
    second = create_coder_plan(auth_client, key="retry-1")
    assert first.status_code == second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert second.json()["id"] == first.json()["id"]
    assert Plan.objects.count() == 1


def test_an_idempotency_key_reused_for_another_request_is_422(auth_client, catalogue):
    create_coder_plan(auth_client, key="k")
    response = create_coder_plan(auth_client, start_date="2027-02-01", key="k")
    assert response.status_code == 422
    assert Plan.objects.count() == 1


def test_idempotency_keys_are_per_user(auth_client, api_client, other_user, catalogue):
    create_coder_plan(auth_client, key="same")
    api_client.force_authenticate(other_user)
    response = create_coder_plan(api_client, key="same")
    assert response.status_code == 201
    assert Plan.objects.count() == 2


def test_compare_shows_two_plans_side_by_side(auth_client, user, coder_plan):
    biller = make_plan(user, role="medical-biller", path="biller-bootcamp")
    response = auth_client.get(f"{PLANS}compare/?plans={coder_plan.id},{biller.id}")
    assert response.status_code == 200
    plans = response.json()["plans"]
    assert [p["id"] for p in plans] == [str(coder_plan.id), str(biller.id)]
    assert [p["cost"]["max"] for p in plans] == ["6600.00", "6900.00"]
    assert [p["schedule"]["finish_date"] for p in plans] == ["2028-06-04", "2028-05-04"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"target_role": "astronaut", "start_date": "2027-01-04"}, "target_role"),
        (
            {"target_role": "medical-coder", "training_path": "nope", "start_date": "2027-01-04"},
            "training_path",
        ),
        ({"target_role": "medical-coder", "start_date": "04/01/2027"}, "start_date"),
        (
            {"target_role": "medical-coder", "start_date": "2027-01-04", "current_salary": "-1"},
            "current_salary",
        ),
        ({"target_role": "medical-coder", "start_date": "2027-01-04", "owner": 1}, "owner"),
        ({"start_date": "2027-01-04"}, "target_role"),
    ],
)
def test_bad_plan_input_is_a_400_naming_the_field_and_writes_nothing(
    auth_client, catalogue, body, field
):
    response = auth_client.post(PLANS, body, format="json")
    assert response.status_code == 400
    assert field in {error["attr"] for error in response.json()["errors"]}
    assert Plan.objects.count() == 0


@pytest.mark.parametrize(
    "query",
    ["plans={a}", "plans=", "plans={a},{a}", "plans={a},not-a-uuid", "plans={a},{other}"],
)
def test_bad_compare_requests_are_400(auth_client, coder_plan, others_plan, query):
    url = f"{PLANS}compare/?" + query.format(a=coder_plan.id, other=others_plan.id)
    response = auth_client.get(url)
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "plans"
