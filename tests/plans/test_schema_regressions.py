"""Regressions for what schema fuzzing (tests/test_schema_fuzzing.py) found: responses that
broke their own OpenAPI description. Each test checks the documented shape against a real body.
"""

import jsonschema_rs
import pytest
from drf_spectacular.generators import SchemaGenerator

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def openapi() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def test_plan_list_is_documented_as_the_paginated_envelope_it_returns(
    openapi, auth_client, coder_plan
):
    # given: GET /plans/ answered {"count", "next", "previous", "results"}, documented as a list
    response = auth_client.get("/api/v1/plans/")
    documented = openapi["paths"]["/api/v1/plans/"]["get"]["responses"]["200"]
    ref = documented["content"]["application/json"]["schema"]["$ref"]
    # then
    assert ref == "#/components/schemas/PaginatedPlanListList"
    assert {"page", "page_size"} <= {
        p["name"] for p in openapi["paths"]["/api/v1/plans/"]["get"]["parameters"]
    }
    assert set(response.json()) == {"count", "next", "previous", "results"}


def test_an_item_without_a_url_conforms_to_the_item_schema(openapi, auth_client, coder_plan):
    # given: catalogue steps have no url; the body said "" where the schema said format "uri"
    response = auth_client.get(f"/api/v1/plans/{coder_plan.id}/items/")
    item = response.json()[0]
    assert item["url"] == ""
    # then
    url_schema = openapi["components"]["schemas"]["PlanItem"]["properties"]["url"]
    validator = jsonschema_rs.validator_for(url_schema, validate_formats=True)
    assert validator.is_valid("")
    assert validator.is_valid("https://example.com/course")
    assert not validator.is_valid("not a url")


def test_exported_items_of_other_kinds_have_null_references(openapi, auth_client, coder_plan):
    # given: a step item has no certification and no tool: they were null, documented "string"
    export = auth_client.get("/api/v1/me/export/").json()
    item = export["plans"][0]["items"][0]
    assert item["certification"] is None
    assert item["tool"] is None
    # then
    properties = openapi["components"]["schemas"]["PlanItemExport"]["properties"]
    for name in ("training_step", "certification", "tool"):
        assert properties[name].get("nullable") is True, name


def test_the_plan_date_window_is_in_the_schema(openapi):
    # a client learns the dates a plan takes from the schema, not from a 400
    schemas = openapi["components"]["schemas"]
    window = "From 1950-01-01 to 2150-12-31."
    assert schemas["PlanCreateRequest"]["properties"]["start_date"]["description"] == window
    exam_date = schemas["PlanItemCreateRequest"]["properties"]["exam_date"]["description"]
    assert exam_date == f"For kind=exam. {window}"
