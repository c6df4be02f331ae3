"""Bad input is a 4xx problem-details response, never a 500."""

import pytest

from tests.roles.factories import RoleFactory
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
