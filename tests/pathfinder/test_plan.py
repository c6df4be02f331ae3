"""Turning a result into a plan: one call, signed in, through the plans service."""

import pytest

from plans.models import Plan
from tests.pathfinder.conftest import BILLING_LIST, PLAN_URL, by_slug, errors_by_attr, find

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue")]

CODER_PLAN = {
    "role": "medical-coder",
    "training_path": "coder-prep-path",
    "start_date": "2027-01-04",
}


def test_a_signed_in_user_starts_a_plan_from_a_result(auth_client, user):
    # given: a result the user read anonymously-shaped (role and path slugs from it)
    result = by_slug(find(auth_client, BILLING_LIST, {"budget": "7000"}).json())
    chosen = result["medical-biller"]["fitting_paths"][0]["slug"]
    # when
    response = auth_client.post(
        PLAN_URL,
        {
            "role": "medical-biller",
            "training_path": chosen,
            "start_date": "2027-01-04",
            "current_salary": "30000",
        },
        format="json",
    )
    # then
    assert response.status_code == 201
    plan = Plan.objects.get(owner=user)
    assert response["Location"] == f"/api/v1/plans/{plan.id}/"
    assert response["ETag"] == plan.etag
    body = response.json()
    assert body["id"] == str(plan.id)
    assert body["target_role"]["slug"] == "medical-biller"
    assert body["training_path"]["slug"] == "biller-bootcamp"
    assert body["title"] == "Medical Biller via Biller Bootcamp"
    assert [item["training_step"]["name"] for item in body["items"]] == [
        "Insurance 101",
        "Claims Process",
        "Denial Combat",
        "Certification",
    ]
    # the plan's payback agrees with the result's (both at the path's maximum cost)
    assert body["payback"]["months"] == 17
    assert body["current_salary"] == "30000.00"
    # and it is the plan GET /plans/<id>/ shows
    assert auth_client.get(response["Location"]).json() == body


def test_anonymous_clients_are_asked_to_sign_in(api_client):
    response = api_client.post(PLAN_URL, CODER_PLAN, format="json")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert Plan.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"role": "astronaut"}, {"role": "does_not_exist"}),
        ({"training_path": "moon-school"}, {"training_path": "does_not_exist"}),
        ({"training_path": "biller-bootcamp"}, {"training_path": "path_for_another_role"}),
        ({"training_path": None}, {"training_path": "null"}),
        ({"start_date": "next week"}, {"start_date": "invalid"}),
        ({"current_salary": "-1"}, {"current_salary": "min_value"}),
        ({"colour": "blue"}, {"colour": "unknown_field"}),
    ],
)
def test_bad_plan_requests_are_400_naming_the_field_and_save_nothing(auth_client, change, expected):
    response = auth_client.post(PLAN_URL, {**CODER_PLAN, **change}, format="json")
    assert response.status_code == 400
    assert errors_by_attr(response) == expected
    assert Plan.objects.count() == 0


def test_the_path_is_required(auth_client):
    body = {key: value for key, value in CODER_PLAN.items() if key != "training_path"}
    response = auth_client.post(PLAN_URL, body, format="json")
    assert errors_by_attr(response) == {"training_path": "required"}


def test_a_path_of_another_role_names_the_roles_paths(auth_client):
    response = auth_client.post(
        PLAN_URL,
        {**CODER_PLAN, "role": "coder-biller", "training_path": "coder-prep-path"},
        format="json",
    )
    assert response.json()["errors"][0]["detail"] == (
        "Coder Prep Path trains for Medical Coder, not for Coder-Biller (hybrid); choose one "
        "of: billing-and-coding-certificate, certificate-or-associate-degree."
    )


def test_a_retry_with_the_same_idempotency_key_creates_one_plan(auth_client, user):
    first = auth_client.post(PLAN_URL, CODER_PLAN, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = auth_client.post(PLAN_URL, CODER_PLAN, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert Plan.objects.filter(owner=user).count() == 1
