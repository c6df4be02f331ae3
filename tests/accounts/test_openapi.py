"""The accounts endpoints in the OpenAPI document, as a client generator reads them."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from rest_framework.test import APIClient

    with django_db_blocker.unblock():
        response = APIClient().get(
            "/api/v1/schema/", headers={"Accept": "application/vnd.oai.openapi+json"}
        )
    assert response.status_code == 200
    return response.json()


def resolve(schema: dict, ref_or_schema: dict) -> dict:
    ref = ref_or_schema.get("$ref")
    if not ref:
        return ref_or_schema
    return schema["components"]["schemas"][ref.rsplit("/", 1)[1]]


def body_schema(schema: dict, operation: dict) -> dict:
    return resolve(schema, operation["requestBody"]["content"]["application/json"]["schema"])


def response_schema(schema: dict, operation: dict, status: str = "200") -> dict:
    return resolve(schema, operation["responses"][status]["content"]["application/json"]["schema"])


def test_the_session_token_scheme_is_documented(schema):
    assert schema["components"]["securitySchemes"]["sessionToken"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-Session-Token",
        "description": schema["components"]["securitySchemes"]["sessionToken"]["description"],
    }


def test_me_operations_are_documented_and_private(schema):
    me = schema["paths"]["/api/v1/me/"]
    assert set(me) >= {"get", "patch", "delete"}
    assert "put" not in me
    for method in ("get", "patch", "delete"):
        assert {"sessionToken": []} in me[method]["security"]
        assert {} not in me[method]["security"]  # no anonymous access
        assert "401" in me[method]["responses"]


def test_me_response_and_patch_body(schema):
    me = schema["paths"]["/api/v1/me/"]
    response = response_schema(schema, me["get"])
    assert set(response["required"]) == {
        "id",
        "email",
        "display_name",
        "timezone",
        "reminders_enabled",
        "exam_reminder_offsets",
        "current_salary",
    }
    assert response["properties"]["email"]["readOnly"] is True
    assert response["properties"]["current_salary"]["nullable"] is True

    patch = body_schema(schema, me["patch"])
    assert "email" not in patch["properties"]
    assert "id" not in patch["properties"]
    assert not patch.get("required")  # partial update
    offsets = patch["properties"]["exam_reminder_offsets"]
    assert offsets["items"] == {"type": "integer", "minimum": 0, "maximum": 365}
    assert offsets["maxItems"] == 10
    assert "400" in me["patch"]["responses"]


def test_delete_documents_its_password_body_and_204(schema):
    delete = schema["paths"]["/api/v1/me/"]["delete"]
    body = body_schema(schema, delete)
    assert body["required"] == ["password"]
    assert delete["requestBody"]["required"] is True
    assert "204" in delete["responses"]
    assert "400" in delete["responses"]


def test_export_documents_each_section(schema):
    export = schema["paths"]["/api/v1/me/export/"]["get"]
    body = response_schema(schema, export)
    assert {"format", "exported_at", "account", "profile", "email_addresses"} <= set(
        body["properties"]
    )
