"""The OpenAPI schema documents the path finder's requests, responses and errors."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from rest_framework.test import APIClient

    with django_db_blocker.unblock():
        response = APIClient().get(
            "/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
        )
    assert response.status_code == 200
    return response.json()


def test_the_three_operations_are_documented(schema):
    questions = schema["paths"]["/api/v1/path-finder/questions/"]
    assert set(questions) == {"get"}
    assert {} in questions["get"]["security"]  # anonymous allowed
    assert {"200", "304"} <= set(questions["get"]["responses"])
    assert "If-None-Match" in [p["name"] for p in questions["get"]["parameters"]]
    find = schema["paths"]["/api/v1/path-finder/"]["post"]
    assert {"200", "400"} <= set(find["responses"])
    assert {} in find["security"]
    plan = schema["paths"]["/api/v1/path-finder/plan/"]["post"]
    assert {"201", "400", "401"} <= set(plan["responses"])
    assert {} not in plan["security"]  # sign-in required
    assert "Idempotency-Key" in [p["name"] for p in plan["parameters"]]


def test_request_and_result_shapes(schema):
    components = schema["components"]["schemas"]
    request = components["PathFinderRequest"]
    assert request["required"] == ["answers"]
    answer = request["properties"]["answers"]["additionalProperties"]
    assert [alt["type"] for alt in answer["oneOf"]] == ["string", "array"]
    constraints = components["PathFinderConstraintsRequest"]["properties"]
    assert set(constraints) == {"budget", "months_available", "wants_remote", "current_salary"}
    role = components["PathFinderRole"]["properties"]
    assert {"score", "reasons", "fitting_paths", "other_paths", "why_no_path_fits"} <= set(role)
    assert components["PathFinderQuestionKindEnum"]["enum"] == ["single", "multiple"]
    assert set(components["PathFinderOption"]["properties"]) == {"key", "label"}
