"""The OpenAPI schema documents every catalogue endpoint, its 304, enums and money as strings."""

import pytest

pytestmark = pytest.mark.django_db

CATALOGUE_PATHS = [
    "/api/v1/roles/",
    "/api/v1/roles/{slug}/",
    "/api/v1/roles/{slug}/paths/",
    "/api/v1/roles/compare/",
    "/api/v1/certifications/",
    "/api/v1/certifications/{code}/",
    "/api/v1/training-paths/",
    "/api/v1/training-paths/{slug}/",
    "/api/v1/salary-bands/",
    "/api/v1/tools/",
    "/api/v1/sources/",
]


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from rest_framework.test import APIClient

    with django_db_blocker.unblock():
        response = APIClient().get(
            "/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
        )
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize("path", CATALOGUE_PATHS)
def test_every_catalogue_endpoint_is_documented_with_200_304_and_if_none_match(schema, path):
    operation = schema["paths"][path]["get"]
    assert {"200", "304"} <= set(operation["responses"])
    assert "If-None-Match" in [p["name"] for p in operation["parameters"]]
    assert operation["security"] == [{}] or {} in operation["security"]  # anonymous allowed
    assert set(schema["paths"][path]) == {"get"}  # read-only


def test_detail_and_compare_document_their_errors(schema):
    assert "404" in schema["paths"]["/api/v1/roles/{slug}/"]["get"]["responses"]
    compare = schema["paths"]["/api/v1/roles/compare/"]["get"]
    assert "400" in compare["responses"]
    roles = next(p for p in compare["parameters"] if p["name"] == "roles")
    assert roles["required"] is True


def test_money_is_a_decimal_string(schema):
    components = schema["components"]["schemas"]
    for component, field in [
        ("SalaryBand", "amount_min"),
        ("SalaryBand", "median"),
        ("SalaryPremium", "percent"),
        ("TrainingStep", "cost_max"),
        ("CostRange", "min"),
        ("Fee", "amount"),
        ("Tool", "cost_min"),
    ]:
        prop = components[component]["properties"][field]
        assert (prop["type"], prop["format"]) == ("string", "decimal"), (component, field)


def test_choices_are_named_enums(schema):
    components = schema["components"]["schemas"]
    assert components["FamilyEnum"]["enum"] == ["coding", "billing", "hybrid", "leadership"]
    assert components["LevelEnum"]["enum"] == ["entry", "mid", "specialist", "manager", "all"]
    assert components["CadenceEnum"]["enum"] == ["per_month", "per_year", "one_time", "per_claim"]
    assert {"SourceKindEnum", "CareerStepKindEnum", "CredentialLevelEnum"} <= set(components)
