import pytest

pytestmark = pytest.mark.django_db


def test_schema_is_openapi_3(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["components"]["securitySchemes"]["sessionToken"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-Session-Token",
        "description": schema["components"]["securitySchemes"]["sessionToken"]["description"],
    }
    assert "/api/v1/plans/" in schema["paths"]


@pytest.mark.parametrize("url", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_docs_pages_render(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert b"<html" in response.content.lower()


def test_admin_login_page_renders(client):
    response = client.get("/admin/login/")
    assert response.status_code == 200


def test_the_schema_is_built_once_per_version_and_language(client, monkeypatch):
    # given: no schema built yet in this process, and the builds counted
    from careerplan.api.schema_view import SchemaView

    monkeypatch.setattr(SchemaView, "_built", {})
    builds = []
    real = SchemaView.generator_class.get_schema

    def counted(self, *args, **kwargs):
        builds.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(SchemaView.generator_class, "get_schema", counted)
    json_schema = {"HTTP_ACCEPT": "application/vnd.oai.openapi+json"}
    # when: read three times in English (JSON and YAML), then once in German
    first = client.get("/api/v1/schema/", **json_schema)
    again = client.get("/api/v1/schema/", **json_schema)
    yaml = client.get("/api/v1/schema/")
    german = client.get("/api/v1/schema/", {"lang": "de"}, **json_schema)
    # then: the same schema each time, built once per language (regression: 0.3-0.5 s a read)
    assert first.status_code == again.status_code == yaml.status_code == german.status_code == 200
    assert again.json() == first.json()
    assert b"openapi:" in yaml.content
    assert len(builds) == 2


@pytest.mark.parametrize("lang", ["zz-1", "x" * 300])
def test_a_language_the_api_does_not_know_is_a_400_on_lang(client, lang):
    # regression: any value reached Django's translation machinery, which keeps one object
    # per language code asked for, for the life of the process
    response = client.get("/api/v1/schema/", {"lang": lang})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"  # not the schema's YAML
    assert [error["attr"] for error in response.json()["errors"]] == ["lang"]
