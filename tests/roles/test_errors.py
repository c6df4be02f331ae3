"""Bad input is a 4xx problem-details response, never a 500."""

from decimal import Decimal

import pytest

from tests.roles.factories import (
    RoleFactory,
    SalaryBandFactory,
    SourceFactory,
    TrainingPathFactory,
    TrainingStepFactory,
)
from tests.roles.helpers import api_url

pytestmark = pytest.mark.django_db

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance", "code", "errors"}


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert set(body) == PROBLEM_KEYS
    assert body["status"] == status
    return body


@pytest.fixture
def two_roles(db):
    return RoleFactory(slug="medical-coder"), RoleFactory(slug="medical-biller")


@pytest.mark.parametrize(
    ("name", "key", "detail"),
    [
        ("role-detail", "no-such-role", "No role has the slug “no-such-role”."),
        ("role-paths", "no-such-role", "No role has the slug “no-such-role”."),
        ("certification-detail", "XYZ", "No certification has the code “XYZ”."),
        ("training-path-detail", "nope", "No training path has the slug “nope”."),
    ],
)
def test_unknown_slug_or_code_is_a_404_naming_it(api_client, name, key, detail):
    body = assert_problem(api_client.get(api_url(name, key)), 404)
    assert body["detail"] == detail
    assert body["code"] == "not_found"


@pytest.mark.parametrize(
    ("roles", "message"),
    [
        ("medical-coder", "Compare 2 to 4 roles; 1 given."),
        ("a,b,c,d,e", "Compare 2 to 4 roles; 5 given."),
        (",,", "Compare 2 to 4 roles; 0 given."),
        ("medical-coder,medical-coder", "Name each role once; repeated: medical-coder."),
        ("medical-coder,ghost,phantom", "Unknown role slug(s): ghost, phantom."),
    ],
)
def test_compare_with_a_wrong_count_or_unknown_slug_is_a_400_naming_it(
    api_client, two_roles, roles, message
):
    body = assert_problem(api_client.get(api_url("role-compare"), {"roles": roles}), 400)
    assert body["errors"][0]["attr"] == "roles"
    assert body["errors"][0]["detail"] == message


def test_compare_without_the_parameter_is_a_400(api_client):
    body = assert_problem(api_client.get(api_url("role-compare")), 400)
    assert body["errors"][0] == {
        "attr": "roles",
        "pointer": "/roles",
        "code": "required",
        "detail": "This field is required.",
    }


@pytest.mark.parametrize(
    ("name", "query", "attr"),
    [
        ("role-list", {"family": "astronaut"}, "family"),
        ("role-list", {"certification": "NOPE"}, "certification"),
        ("certification-list", {"body": "XYZ"}, "body"),
        ("certification-list", {"role": "ghost"}, "role"),
        ("certification-list", {"credential_level": "godlike"}, "credential_level"),
        ("salary-band-list", {"level": "senior"}, "level"),
        ("salary-band-list", {"role": "ghost"}, "role"),
        ("salary-band-list", {"source": "ghost"}, "source"),
        ("tool-list", {"cadence": "hourly"}, "cadence"),
        ("source-list", {"kind": "rumour"}, "kind"),
    ],
)
def test_bad_filter_values_are_a_400_naming_the_parameter(api_client, name, query, attr):
    body = assert_problem(api_client.get(api_url(name), query), 400)
    assert [error["attr"] for error in body["errors"]] == [attr]
    assert query[attr] in body["errors"][0]["detail"]  # and the value that was wrong


def test_an_unknown_code_names_what_it_looked_for(api_client):
    body = assert_problem(api_client.get(api_url("certification-list"), {"body": "XYZ"}), 400)
    assert body["errors"][0]["detail"] == "“XYZ” matches no certifying body."


@pytest.mark.parametrize("value", ["100%", "%s", "%(value)s", "a%%b"])
def test_percent_signs_in_a_filter_value_are_a_400_not_a_500(api_client, value):
    # found by the schema fuzzer (test_fuzz): the value must never be a format string
    body = assert_problem(api_client.get(api_url("salary-band-list"), {"role": value}), 400)
    assert body["errors"][0]["detail"] == f"“{value}” matches no role."


@pytest.mark.parametrize("page", ["999", "0", "abc"])
def test_a_page_out_of_range_is_a_404_problem(api_client, two_roles, page):
    body = assert_problem(api_client.get(api_url("role-list"), {"page": page}), 404)
    assert body["detail"] == "Invalid page."


def test_unknown_ordering_field_is_ignored_not_a_500(api_client, two_roles):
    response = api_client.get(api_url("role-list"), {"ordering": "password"})
    assert response.status_code == 200


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_writes_are_not_allowed_even_when_signed_in(auth_client, two_roles, method):
    response = getattr(auth_client, method)(api_url("role-detail", "medical-coder"), {})
    assert_problem(response, 405)


def test_anonymous_reads_are_allowed(api_client, two_roles):
    assert api_client.get(api_url("role-detail", "medical-coder")).status_code == 200


def test_a_slug_known_in_two_cases_finds_the_one_spelled_so_and_refuses_to_guess(api_client):
    # given: sources whose slugs differ only in case (unique only case-sensitively)
    upper, lower = SourceFactory(slug="BLS-OES"), SourceFactory(slug="bls-oes")
    SourceFactory(slug="Bls-Oes")
    SalaryBandFactory(source=upper)
    SalaryBandFactory(source=lower)
    url = api_url("salary-band-list")
    # when / then: the exact spelling wins (regression: MultipleObjectsReturned was a 500)
    for source in (upper, lower):
        response = api_client.get(url, {"source": source.slug})
        assert response.status_code == 200, response.content
        assert [band["source"]["slug"] for band in response.json()["results"]] == [source.slug]
    # and a spelling that matches several, none exactly, is a 400 naming it
    body = assert_problem(api_client.get(url, {"source": "bLs-oEs"}), 400)
    assert [error["attr"] for error in body["errors"]] == ["source"]
    assert body["errors"][0]["detail"].startswith("“bLs-oEs” matches more than one source")


def test_a_search_of_too_many_words_is_a_400_on_search(api_client):
    # regression: SQLite refused a query of ~1,000 OR-groups, answered as a 503 to retry
    body = assert_problem(api_client.get(api_url("role-list"), {"search": "a " * 1000}), 400)
    assert [error["attr"] for error in body["errors"]] == ["search"]
    assert "at most 10 words" in body["errors"][0]["detail"]
    assert api_client.get(api_url("role-list"), {"search": "medical " * 10}).status_code == 200


def test_a_path_costing_more_than_a_step_can_is_shown_whole(api_client):
    # regression: two steps each within their 10 digits add up to 11, which the totals'
    # serializer refused to format (a 500 on every endpoint showing the path)
    path = TrainingPathFactory()
    for _ in range(2):
        TrainingStepFactory(
            path=path, cost_min=Decimal("60000000.00"), cost_max=Decimal("99999999.99")
        )
    response = api_client.get(api_url("training-path-detail", path.slug))
    assert response.status_code == 200, response.content
    cost = response.json()["totals"]["cost"]
    assert (cost["min"], cost["max"]) == ("120000000.00", "199999999.98")
