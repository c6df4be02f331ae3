import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.careerplan.urls")]

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance", "code", "errors"}


@pytest.fixture
def user_client(auth_client):
    return auth_client


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert set(body) == PROBLEM_KEYS
    assert body["status"] == status
    return body


def test_unknown_api_url_is_a_404_problem(api_client):
    response = api_client.get("/api/v1/no-such-thing/")
    body = assert_problem(response, 404)
    assert body["code"] == "not_found"
    assert body["instance"] == "/api/v1/no-such-thing/"


def test_unsupported_api_version_is_a_404_problem(api_client):
    assert_problem(api_client.get("/api/v2/_echo/"), 404)


def test_anonymous_request_to_private_endpoint_is_a_401_problem_with_challenge(api_client):
    response = api_client.post("/api/v1/_echo/", {"name": "x", "months": 1})
    body = assert_problem(response, 401)
    assert body["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("X-Session-Token")


def test_field_errors_are_a_400_problem_with_one_entry_per_message(user_client):
    response = user_client.post(
        "/api/v1/_echo/", {"name": "far too long a name", "tags": [1, "x"]}, format="json"
    )
    body = assert_problem(response, 400)
    assert body["type"] == "/problems/validation-error"
    by_attr = {error["attr"]: error for error in body["errors"]}
    assert by_attr["name"]["code"] == "max_length"
    assert by_attr["name"]["pointer"] == "/name"
    assert by_attr["months"]["code"] == "required"
    assert by_attr["tags.1"]["pointer"] == "/tags/1"
    assert "name:" in body["detail"]


def test_malformed_json_is_a_400_problem(user_client):
    response = user_client.generic(
        "POST", "/api/v1/_echo/", "{not json", content_type="application/json"
    )
    body = assert_problem(response, 400)
    assert body["code"] == "parse_error"


def test_wrong_method_is_a_405_problem(user_client):
    body = assert_problem(user_client.delete("/api/v1/_echo/"), 405)
    assert body["code"] == "method_not_allowed"


def test_wrong_content_type_is_a_415_problem(user_client):
    response = user_client.generic("POST", "/api/v1/_echo/", "a=b", content_type="text/plain")
    assert_problem(response, 415)


def test_a_crash_outside_drf_is_a_500_problem_without_a_traceback(client):
    client.raise_request_exception = False
    response = client.get("/api/v1/_crash/")
    body = assert_problem(response, 500)
    assert "ZeroDivisionError" not in response.content.decode()
    assert body["detail"] == "Server Error (500)"


def test_a_service_validation_error_is_a_400_problem_keeping_field_and_code(api_client):
    response = api_client.post("/api/v1/_service/", {"fields": True}, format="json")
    body = assert_problem(response, 400)
    assert body["errors"] == [
        {"attr": "due_on", "pointer": "/due_on", "code": "before_start", "detail": "Too early."}
    ]


def test_a_service_validation_error_without_field_is_a_non_field_problem(api_client):
    response = api_client.post("/api/v1/_service/", {}, format="json")
    body = assert_problem(response, 400)
    assert body["errors"][0]["code"] == "forbidden_move"
    assert body["errors"][0]["pointer"] is None
