"""The bad-input corpus: what a careless or hostile client may send. Every answer is a 4xx
problem (or the input is stored verbatim and escaped where it is shown), never a 500.

The write endpoints come from the authorization matrix, so a new endpoint is covered here as
soon as it has its matrix entry.
"""

import json

import pytest
from django.core import mail

from plans.emails import reminder_email
from plans.models import Milestone, Plan, Reminder
from tests.test_authorization_matrix import (  # noqa: F401 - fixtures
    MATRIX,
    World,
    _catalogue_for_module,
    catalogue,
    signed_in,
    url_for,
    worlds,
)

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
WRITES = sorted(
    (name, method)
    for (name, method), access in MATRIX.items()
    if method in ("POST", "PATCH", "PUT")
    and access.body is not None  # endpoints without a body never read one
)


def send(client, method: str, url: str, body: bytes, content_type="application/json"):
    return client.generic(method, url, data=body, content_type=content_type)


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"] == PROBLEM
    problem = response.json()
    assert problem["status"] == status
    assert "Traceback" not in problem["detail"]
    return problem


@pytest.fixture
def me(worlds) -> tuple[World, object]:  # noqa: F811 - the imported fixture
    world, _ = worlds
    return world, signed_in(world.user)


@pytest.mark.parametrize(("name", "method"), WRITES)
def test_an_oversized_body_is_413(me, settings, name, method):
    # given: a body just over DATA_UPLOAD_MAX_MEMORY_SIZE (1 MiB by default)
    world, client = me
    body = json.dumps({"title": "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE}).encode()
    # when
    response = send(client, method, url_for(name, MATRIX[(name, method)], world), body)
    # then
    problem = assert_problem(response, 413)
    assert problem["code"] == "payload_too_large"


@pytest.mark.parametrize(("name", "method"), WRITES)
def test_deeply_nested_json_is_a_parse_error(me, name, method):
    world, client = me
    body = ("[" * 100_000 + "]" * 100_000).encode()
    response = send(client, method, url_for(name, MATRIX[(name, method)], world), body)
    assert assert_problem(response, 400)["code"] == "parse_error"


def test_nesting_within_the_decoders_reach_is_a_validation_error(me):
    world, client = me
    body = json.dumps({"title": json.loads("[" * 200 + "]" * 200)}).encode()
    response = send(client, "PATCH", f"/api/v1/plans/{world.plan_id}/", body)
    assert_problem(response, 400)


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/x-www-form-urlencoded", b"title=x"),
        ("multipart/form-data; boundary=xyz", b"--xyz\r\n\r\nx\r\n--xyz--\r\n"),
        ("text/plain", b'{"title": "x"}'),
        ("application/xml", b"<plan><title>x</title></plan>"),
        ("", b'{"title": "x"}'),
    ],
    ids=["form", "multipart", "text", "xml", "none"],
)
@pytest.mark.parametrize(("name", "method"), WRITES)
def test_a_body_that_is_not_json_is_415(me, name, method, content_type, body):
    world, client = me
    url = url_for(name, MATRIX[(name, method)], world)
    response = send(client, method, url, body, content_type=content_type)
    assert_problem(response, 415)


@pytest.mark.parametrize(
    "body",
    [b'{"title": "\xff\xfe"}', b'{"title": "\xc3\x28"}', b"\xef\xbb\xbf\x80{}"],
    ids=["ff-fe", "bad-continuation", "bom-then-garbage"],
)
def test_invalid_utf8_is_a_parse_error(me, body):
    world, client = me
    response = send(client, "PATCH", f"/api/v1/plans/{world.plan_id}/", body)
    assert assert_problem(response, 400)["code"] == "parse_error"


@pytest.mark.parametrize(
    "body",
    [
        b'{"title": "a\\u0000b"}',  # NUL: PostgreSQL text cannot store it
        b'{"title": "\\ud800"}',  # a lone surrogate
        b'{"title": NaN}',
        b'{"title": "x"',  # truncated
        b"[1, 2, 3]",
        b'"just a string"',
        b"null",
    ],
    ids=["nul", "surrogate", "nan", "truncated", "array", "string", "null"],
)
def test_malformed_json_values_are_400(me, body):
    world, client = me
    response = send(client, "PATCH", f"/api/v1/plans/{world.plan_id}/", body)
    assert_problem(response, 400)


@pytest.mark.parametrize("page", ["99999999999999999999999", "-1", "0", "abc", "1e9"])
@pytest.mark.parametrize("url", ["/api/v1/roles/", "/api/v1/plans/", "/api/v1/salary-bands/"])
def test_a_page_out_of_range_is_a_404_problem(me, url, page):
    _, client = me
    response = client.get(url, {"page": page})
    assert assert_problem(response, 404)["detail"] == "Invalid page."


@pytest.mark.parametrize("page_size", ["99999999999999999999999", "-5", "abc"])
def test_a_page_size_out_of_range_falls_back_to_a_bounded_page(me, page_size):
    _, client = me
    response = client.get("/api/v1/roles/", {"page_size": page_size})
    assert response.status_code == 200
    assert len(response.json()["results"]) <= 100


@pytest.mark.parametrize("value", ["50%", "%s%s%s", "%(model)s", "%d", "100% off"])
def test_a_filter_value_with_a_percent_sign_is_named_in_a_400(me, value):
    # regression: django-filter %-formats the message; our message carried the raw value (500)
    _, client = me
    response = client.get("/api/v1/certifications/", {"body": value})
    problem = assert_problem(response, 400)
    assert problem["errors"][0]["detail"] == f"“{value}” matches no certifying body."


def test_an_unacceptable_accept_header_is_406(me):
    _, client = me
    response = client.get("/api/v1/roles/", headers={"Accept": "application/xml"})
    assert response.status_code == 406


# --- hostile text: stored verbatim, returned as JSON data, escaped in HTML email -----------

SQL = "Robert'); DROP TABLE plans_plan;-- OR '1'='1"
HTML = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.mark.usefixtures("suite_clock")  # its plan starts 2027-01-04; its reminder is sent
def test_sql_and_html_in_text_fields_are_stored_verbatim_and_escaped_in_the_email(me):
    # given: a plan, a milestone and a display name full of SQL and HTML
    world, client = me
    assert client.patch("/api/v1/me/", {"display_name": HTML}, format="json").status_code == 200
    plan = client.post(
        "/api/v1/plans/",
        {"title": SQL + HTML, "target_role": "medical-coder", "start_date": "2027-01-04"},
        format="json",
    ).json()
    milestone = client.post(
        f"/api/v1/plans/{plan['id']}/milestones/",
        {"title": HTML + SQL, "due_on": "2027-05-01"},
        format="json",
    ).json()
    # then: stored and returned exactly as sent, and the table is still there
    assert client.get(f"/api/v1/plans/{plan['id']}/").json()["title"] == SQL + HTML
    assert Milestone.objects.get(pk=milestone["id"]).title == HTML + SQL
    assert Plan.objects.filter(owner=world.user).count() == 3
    # when: the reminder for that milestone is rendered
    reminder = Reminder.objects.get(milestone_id=milestone["id"])
    message = reminder_email(reminder)
    html = message.alternatives[0].content
    # then: the HTML part shows the text, escaped; no markup from the user gets through
    assert "<script>" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "Robert&#x27;); DROP TABLE plans_plan;--" in html
    # the plain-text part and the subject carry the text as is (nothing renders them)
    assert HTML + SQL in message.body
    assert "\n" not in message.subject
    message.send()
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/salary-bands/?source=a%00b",  # found by schema fuzzing on PostgreSQL (500)
        "/api/v1/roles/?search=%00",
        "/api/v1/certifications/CP%00C/",
        "/api/v1/roles/?fam%00ily=coding",
        "/api/v1/plans/?page=1%00",
    ],
)
def test_a_nul_character_in_the_url_is_a_400_problem(me, url):
    # PostgreSQL text cannot hold U+0000: psycopg refused the query parameter (500)
    _, client = me
    response = client.get(url)
    assert "NUL" in assert_problem(response, 400)["detail"]


HUGE_ID = 10**20  # beyond any database integer: SQLite refuses to bind it


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PATCH", "items/{huge}/", {"title": "x"}),
        ("DELETE", "items/{huge}/", None),
        ("PATCH", "milestones/{huge}/", {"done": True}),
        ("DELETE", "milestones/{huge}/", None),
    ],
)
def test_an_item_or_milestone_id_beyond_any_integer_is_404(me, method, path, body):
    # regression: on SQLite the compiled read's OverflowError was a 500
    world, client = me
    url = f"/api/v1/plans/{world.plan_id}/" + path.format(huge=HUGE_ID)
    response = send(client, method, url, json.dumps(body).encode() if body else b"")
    assert_problem(response, 404)


@pytest.mark.parametrize("start_date", ["9999-06-01", "0001-01-01", "2151-01-01", "1949-12-31"])
def test_a_plan_date_outside_the_plans_calendar_is_a_400_on_its_field(me, start_date):
    # regression: a start in year 9999 made the schedule overflow the calendar (a 500)
    _, client = me
    body = {"target_role": "medical-coder", "start_date": start_date}
    response = send(client, "POST", "/api/v1/plans/", json.dumps(body).encode())
    problem = assert_problem(response, 400)
    assert [error["attr"] for error in problem["errors"]] == ["start_date"]
    assert "1950-01-01 to 2150-12-31" in problem["errors"][0]["detail"]


def test_a_milestone_date_outside_the_plans_calendar_is_a_400_on_its_field(me):
    world, client = me
    url = f"/api/v1/plans/{world.plan_id}/milestones/"
    body = {"title": "Far", "due_on": "9999-12-31"}
    problem = assert_problem(send(client, "POST", url, json.dumps(body).encode()), 400)
    assert [error["attr"] for error in problem["errors"]] == ["due_on"]


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        (
            "/api/v1/plans/",
            {"target_role": "medical-coder\x00", "start_date": "2027-01-04"},
            "target_role",
        ),
        (
            "/api/v1/plans/",
            {
                "target_role": "medical-coder",
                "training_path": "coder-prep-path\x00",
                "start_date": "2027-01-04",
            },
            "training_path",
        ),
        ("/api/v1/plans/{plan_id}/", {"target_role": "medical-biller\x00"}, "target_role"),
        (
            "/api/v1/plans/{plan_id}/items/",
            {"kind": "exam", "certification": "CPC\x00"},
            "certification",
        ),
        ("/api/v1/plans/{plan_id}/items/", {"kind": "tool", "tool": "encoder\x00"}, "tool"),
        (
            "/api/v1/path-finder/plan/",
            {"role": "medical-coder\x00", "training_path": "x", "start_date": "2027-01-04"},
            "role",
        ),
    ],
)
def test_a_nul_character_in_a_slug_is_a_400_on_its_field(me, url, body, field):
    # regression: psycopg refuses NUL in a text parameter with a DataError, which DRF's slug
    # field does not catch (a 500 on PostgreSQL; SQLite looked it up and found nothing)
    world, client = me
    method = "PATCH" if url == "/api/v1/plans/{plan_id}/" else "POST"
    response = send(client, method, url.format(plan_id=world.plan_id), json.dumps(body).encode())
    problem = assert_problem(response, 400)
    errors = {error["attr"]: error for error in problem["errors"]}
    assert errors[field]["code"] == "null_characters"


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("PATCH", "/api/v1/me/", b'{"\\ud800": 1}'),  # an unknown field's name
        ("PATCH", "/api/v1/me/", b'{"timezone": "\\udfff"}'),  # echoed in the message
        ("PATCH", "/api/v1/plans/{plan_id}/", b'{"title": "ok", "\\uDBFF": "x"}'),
        ("POST", "/api/v1/plans/", b'[{"nested": ["\\ud83d"]}]'),  # deep in a document
    ],
)
def test_a_lone_surrogate_anywhere_is_a_parse_error(me, method, url, body):
    # regression: orjson cannot render a lone surrogate, so an error naming the key or
    # repeating the value was a 500 at rendering
    world, client = me
    response = send(client, method, url.format(plan_id=world.plan_id), body)
    assert assert_problem(response, 400)["code"] == "parse_error"


def test_a_surrogate_pair_is_a_character_like_any_other(me):
    world, client = me
    body = json.dumps({"title": "Exam day \U0001f389"}).encode()  # escaped as \\ud83c\\udf89
    assert b"\\ud83c\\udf89" in body
    response = send(client, "PATCH", f"/api/v1/plans/{world.plan_id}/", body)
    assert response.status_code == 200, response.content[:300]
    assert response.json()["title"] == "Exam day \U0001f389"


@pytest.mark.parametrize("zone", ["50%", "%(value)s", "%s%s"])
def test_a_time_zone_with_a_percent_sign_is_a_400_naming_it(me, zone):
    # regression: the message was formatted twice, the second time with the user's "%"
    _, client = me
    response = send(client, "PATCH", "/api/v1/me/", json.dumps({"timezone": zone}).encode())
    problem = assert_problem(response, 400)
    assert [error["attr"] for error in problem["errors"]] == ["timezone"]
    assert zone in problem["errors"][0]["detail"]


def test_a_list_over_its_length_is_refused_before_its_items_are_read(me):
    # regression: DRF validated every item before the length, so a 1 MB list of bad items
    # took about 40 s of a worker and answered one error per item
    _, client = me
    body = json.dumps({"exam_reminder_offsets": [999] * 200_000}).encode()
    problem = assert_problem(send(client, "PATCH", "/api/v1/me/", body), 400)
    assert [error["code"] for error in problem["errors"]] == ["max_length"]
    assert len(problem["detail"]) < 200


def test_thousands_of_bad_fields_are_reported_as_the_first_fifty_and_a_count(me):
    world, client = me
    body = json.dumps({f"field_{n}": n for n in range(5000)}).encode()
    problem = assert_problem(send(client, "PATCH", f"/api/v1/plans/{world.plan_id}/", body), 400)
    assert len(problem["errors"]) == 50
    assert problem["detail"].endswith("; and 4950 more errors not listed")


@pytest.mark.parametrize("url", ["/_allauth/app/v1/auth/login", "/_allauth/app/v1/auth/signup"])
def test_json_nested_too_deep_for_allauth_is_a_parse_error(client, url):
    # regression: allauth's views catch only decode errors; RecursionError was a 500
    body = b"[" * 100_000 + b"]" * 100_000
    response = send(client, "POST", url, body)
    assert assert_problem(response, 400)["code"] == "parse_error"


def test_more_query_fields_than_django_reads_is_a_400_problem(client):
    # regression: Django's own 400 (TooManyFieldsSent) came back as an HTML page
    query = "&".join(f"f{n}=1" for n in range(1200))
    response = client.get(f"/api/v1/roles/?{query}")
    assert assert_problem(response, 400)["code"] == "bad_request"
