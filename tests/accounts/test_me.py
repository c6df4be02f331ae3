"""`GET/PATCH /api/v1/me/`: the caller's own profile, strictly validated."""

from decimal import Decimal

import pytest

from accounts.models import Profile, User
from accounts.selectors import profile_for_user

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"


def field_errors(response) -> dict[str, set[str]]:
    """The problem's field errors as {attr: {code, ...}}."""
    errors: dict[str, set[str]] = {}
    for error in response.json()["errors"]:
        errors.setdefault(error["attr"], set()).add(error["code"])
    return errors


def assert_validation_problem(response) -> dict[str, set[str]]:
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "/problems/validation-error"
    return field_errors(response)


# --- reading ------------------------------------------------------------------------------------


def test_me_returns_the_callers_account_and_profile(auth_client, user, profile):
    # given: a user with a profile
    user.display_name = "Dana"
    user.save()
    # when
    response = auth_client.get(ME)
    # then
    assert response.status_code == 200
    assert response.json() == {
        "id": user.id,
        "email": user.email,
        "display_name": "Dana",
        "timezone": "America/Chicago",
        "reminders_enabled": True,
        "exam_reminder_offsets": [30, 7, 1],
        "current_salary": "41000.00",
    }
    assert "no-cache" in response["Cache-Control"]


def test_me_gives_a_user_without_profile_the_defaults(auth_client, user):
    # given: a user made outside the sign-up path (the factory makes no profile)
    assert not Profile.objects.filter(user=user).exists()
    # when
    response = auth_client.get(ME)
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["timezone"] == "UTC"
    assert body["reminders_enabled"] is True
    assert body["exam_reminder_offsets"] == [30, 7, 1]
    assert body["current_salary"] is None
    assert Profile.objects.filter(user=user).count() == 1


def test_me_never_shows_another_account(api_client, user, profile, other_user, other_profile):
    # given: two accounts; the caller is `other_user`
    api_client.force_authenticate(other_user)
    # when
    body = api_client.get(ME).json()
    # then
    assert body["email"] == other_user.email
    assert body["timezone"] == "Europe/Berlin"
    assert body["current_salary"] == "99999.99"
    assert user.email not in str(body)


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_me_is_private(api_client, method):
    response = getattr(api_client, method)(ME, {}, format="json")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("X-Session-Token")


def test_me_export_is_private(api_client):
    response = api_client.get("/api/v1/me/export/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("X-Session-Token")


def test_me_read_is_one_query_beyond_authentication(
    api_client, user, profile, django_assert_num_queries
):
    # given: the user as authentication loads it (no profile cached on it)
    api_client.force_authenticate(User.objects.get(pk=user.pk))
    # when / then: only the profile is read
    with django_assert_num_queries(1):
        assert api_client.get(ME).status_code == 200


# --- changing -----------------------------------------------------------------------------------


def test_patch_changes_only_the_given_fields(auth_client, user, profile):
    # when
    response = auth_client.patch(
        ME,
        {
            "display_name": "Dana R.",
            "timezone": "America/New_York",
            "reminders_enabled": False,
            "exam_reminder_offsets": [1, 14, 60, 0],
            "current_salary": "52500.5",
        },
    )
    # then: the response and the database agree; offsets are stored in descending order
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["display_name"] == "Dana R."
    assert body["timezone"] == "America/New_York"
    assert body["reminders_enabled"] is False
    assert body["exam_reminder_offsets"] == [60, 14, 1, 0]
    assert body["current_salary"] == "52500.50"
    user.refresh_from_db()
    profile.refresh_from_db()
    assert user.display_name == "Dana R."
    assert profile.timezone == "America/New_York"
    assert profile.reminders_enabled is False
    assert profile.exam_reminder_offsets == [60, 14, 1, 0]
    assert profile.current_salary == Decimal("52500.50")


def test_patch_with_one_field_leaves_the_others(auth_client, user, profile):
    response = auth_client.patch(ME, {"reminders_enabled": False})
    assert response.status_code == 200
    profile.refresh_from_db()
    assert profile.reminders_enabled is False
    assert profile.timezone == "America/Chicago"
    assert profile.current_salary == Decimal("41000.00")


def test_patch_can_clear_the_salary_and_the_offsets(auth_client, profile):
    response = auth_client.patch(ME, {"current_salary": None, "exam_reminder_offsets": []})
    assert response.status_code == 200, response.content
    profile.refresh_from_db()
    assert profile.current_salary is None
    assert profile.exam_reminder_offsets == []


def test_patch_changes_only_the_callers_profile(auth_client, profile, other_profile):
    auth_client.patch(ME, {"timezone": "Asia/Tokyo"})
    other_profile.refresh_from_db()
    assert other_profile.timezone == "Europe/Berlin"


def test_put_is_not_offered(auth_client, profile):
    assert auth_client.put(ME, {"timezone": "UTC"}).status_code == 405


BAD_INPUT = [
    pytest.param({"timezone": "Mars/Olympus_Mons"}, {"timezone": {"invalid_timezone"}}, id="tz"),
    pytest.param({"timezone": ""}, {"timezone": {"blank"}}, id="tz-blank"),
    pytest.param({"timezone": "../etc/passwd"}, {"timezone": {"invalid_timezone"}}, id="tz-path"),
    pytest.param(
        {"exam_reminder_offsets": [30, 400]},
        {"exam_reminder_offsets.1": {"max_value"}},
        id="offset-too-big",
    ),
    pytest.param(
        {"exam_reminder_offsets": [-1]},
        {"exam_reminder_offsets.0": {"min_value"}},
        id="offset-negative",
    ),
    pytest.param(
        {"exam_reminder_offsets": [7.5]},
        {"exam_reminder_offsets.0": {"invalid"}},
        id="offset-fraction",
    ),
    pytest.param(
        {"exam_reminder_offsets": ["7"]},
        {"exam_reminder_offsets.0": {"invalid"}},
        id="offset-string",
    ),
    pytest.param(
        {"exam_reminder_offsets": [True]},
        {"exam_reminder_offsets.0": {"invalid"}},
        id="offset-bool",
    ),
    pytest.param(
        {"exam_reminder_offsets": [7, 30, 7]},
        {"exam_reminder_offsets": {"duplicate"}},
        id="offset-duplicate",
    ),
    pytest.param(
        {"exam_reminder_offsets": list(range(11))},
        {"exam_reminder_offsets": {"max_length"}},
        id="offsets-too-many",
    ),
    pytest.param(
        {"exam_reminder_offsets": 7},
        {"exam_reminder_offsets": {"not_a_list"}},
        id="offsets-not-a-list",
    ),
    pytest.param(
        {"current_salary": "-1.00"}, {"current_salary": {"min_value"}}, id="salary-negative"
    ),
    pytest.param(
        {"current_salary": "123456789.00"},
        {"current_salary": {"max_digits"}},
        id="salary-too-big",
    ),
    pytest.param({"current_salary": "lots"}, {"current_salary": {"invalid"}}, id="salary-text"),
    pytest.param({"display_name": "x" * 151}, {"display_name": {"max_length"}}, id="name-too-long"),
    pytest.param({"reminders_enabled": "maybe"}, {"reminders_enabled": {"invalid"}}, id="bool"),
    pytest.param({"timezon": "UTC"}, {"timezon": {"unknown_field"}}, id="unknown-field"),
    pytest.param({"email": "new@example.com"}, {"email": {"read_only"}}, id="email-read-only"),
    pytest.param({"id": 999}, {"id": {"read_only"}}, id="id-read-only"),
]


@pytest.mark.parametrize(("payload", "expected"), BAD_INPUT)
def test_bad_input_is_a_400_with_field_errors_and_saves_nothing(
    auth_client, user, profile, payload, expected
):
    # given: a valid change alongside the bad one, which must not be saved either
    before = Profile.objects.values().get(pk=profile.pk)
    # when
    response = auth_client.patch(ME, {"display_name": "Changed", **payload})
    # then
    errors = assert_validation_problem(response)
    for attr, codes in expected.items():
        assert codes <= errors.get(attr, set()), errors
    assert Profile.objects.values().get(pk=profile.pk) == before
    user.refresh_from_db()
    assert user.display_name == ""


def test_field_errors_point_into_the_request_body(auth_client, profile):
    response = auth_client.patch(ME, {"exam_reminder_offsets": [30, 999]})
    error = response.json()["errors"][0]
    assert error["attr"] == "exam_reminder_offsets.1"
    assert error["pointer"] == "/exam_reminder_offsets/1"
    assert "365" in error["detail"]


def test_a_body_that_is_not_an_object_is_a_400(auth_client, profile):
    response = auth_client.patch(ME, [1, 2], format="json")
    assert response.status_code == 400


def test_profile_for_user_is_created_once(user):
    first = profile_for_user(user=user)
    user.refresh_from_db()  # drops the cached profile
    assert profile_for_user(user=user) == first
    assert Profile.objects.filter(user=user).count() == 1
