"""Every plan endpoint and method: anonymous 401, another user's ids 404, owner allowed."""

import pytest

pytestmark = pytest.mark.django_db


def endpoints(plan) -> list[tuple[str, str, dict]]:
    item = plan.items.first()
    milestone = plan.milestones.first()
    base = f"/api/v1/plans/{plan.id}/"
    return [
        ("get", base, {}),
        ("patch", base, {"title": "mine now"}),
        ("delete", base, {}),
        ("get", f"{base}items/", {}),
        ("post", f"{base}items/", {"kind": "tool", "tool": "dual-monitors"}),
        ("patch", f"{base}items/{item.id}/", {"planned_cost": "1"}),
        ("delete", f"{base}items/{item.id}/", {}),
        ("post", f"{base}items/reorder/", {"items": [item.id]}),
        ("post", f"{base}shift/", {"days": 7}),
        ("get", f"{base}milestones/", {}),
        ("post", f"{base}milestones/", {"title": "x", "due_on": "2027-05-01"}),
        ("patch", f"{base}milestones/{milestone.id}/", {"title": "y"}),
        ("delete", f"{base}milestones/{milestone.id}/", {}),
    ]


COLLECTIONS = [
    ("get", "/api/v1/plans/", {}),
    ("post", "/api/v1/plans/", {"target_role": "medical-coder", "start_date": "2027-01-04"}),
    ("get", "/api/v1/plans/compare/?plans=a,b", {}),
]


@pytest.mark.parametrize("index", range(13))
def test_another_users_plan_is_404_and_unchanged(auth_client, others_plan, index):
    method, url, body = endpoints(others_plan)[index]
    version = others_plan.version
    response = getattr(auth_client, method)(url, body, format="json")
    assert response.status_code == 404, (method, url, response.status_code)
    assert response.json()["code"] == "not_found"
    others_plan.refresh_from_db()
    assert others_plan.version == version


@pytest.mark.parametrize("index", range(13))
def test_anonymous_is_401_on_every_plan_endpoint(api_client, coder_plan, index):
    method, url, body = endpoints(coder_plan)[index]
    response = getattr(api_client, method)(url, body, format="json")
    assert response.status_code == 401
    assert "WWW-Authenticate" in response


@pytest.mark.parametrize(("method", "url", "body"), COLLECTIONS)
def test_anonymous_is_401_on_plan_collections(api_client, catalogue, method, url, body):
    response = getattr(api_client, method)(url, body, format="json")
    assert response.status_code == 401


@pytest.mark.parametrize("index", range(13))
def test_the_owner_is_allowed_on_every_plan_endpoint(auth_client, coder_plan, index):
    method, url, body = endpoints(coder_plan)[index]
    response = getattr(auth_client, method)(url, body, format="json")
    # every call is valid except deleting a generated milestone and a one-item reorder
    assert response.status_code in (200, 201, 204, 400), response.json()
    assert response.status_code not in (401, 403, 404)


def test_a_malformed_plan_id_is_404(auth_client):
    assert auth_client.get("/api/v1/plans/not-a-uuid/").status_code == 404


def test_owner_cannot_be_set_on_create(auth_client, user, other_user, catalogue):
    response = auth_client.post(
        "/api/v1/plans/",
        {"target_role": "medical-coder", "start_date": "2027-01-04", "owner": other_user.id},
        format="json",
    )
    assert response.status_code == 400
    assert other_user.plans.count() == 0
