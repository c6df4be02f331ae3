"""The app client (mobile): `/_allauth/app/v1/`, session token in `X-Session-Token`, no cookies,
no CSRF."""

import pytest
from django.contrib.sessions.backends.cached_db import SessionStore
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Profile, User
from tests.accounts.allauth_helpers import (
    APP,
    GOOD_PASSWORD,
    ME,
    app_login,
    app_signup,
    error_codes,
    post_json,
    session_token,
)
from tests.factories import ProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client() -> APIClient:
    # Enforcing CSRF proves the app client needs none.
    return APIClient(enforce_csrf_checks=True)


def test_sign_up_use_the_token_sign_out_and_the_token_is_dead(client):
    # when: signing up
    response = app_signup(client, "Dana@Example.com")
    # then: signed in at once (verification optional) with a session token, and a profile
    assert response.status_code == 200, response.content
    assert response.json()["data"]["user"]["email"] == "dana@example.com"
    token = session_token(response)
    user = User.objects.get(email="dana@example.com")
    assert Profile.objects.filter(user=user).exists()
    assert not client.cookies.get("sessionid")

    # when: the token is used on the API
    me = client.get(ME, headers={"X-Session-Token": token})
    # then
    assert me.status_code == 200
    assert me.json()["email"] == "dana@example.com"
    assert me.json()["timezone"] == "UTC"

    # when: signing out
    logout = client.delete(f"{APP}/auth/session", headers={"X-Session-Token": token})
    # then: allauth reports the session gone, and the token no longer works
    assert logout.status_code == 401
    assert logout.json()["meta"]["is_authenticated"] is False
    after = client.get(ME, headers={"X-Session-Token": token})
    assert after.status_code == 401
    assert after["WWW-Authenticate"].startswith("X-Session-Token")


def test_a_token_whose_session_expired_or_vanished_is_a_401(client, verified_user, password):
    # given: two signed-in app sessions
    expired = session_token(app_login(client, verified_user.email, password))
    removed = session_token(app_login(client, verified_user.email, password))
    # when: one expires in the database and the cache forgets it; the other is deleted as
    # Django deletes sessions (from the cache and the database)
    Session.objects.filter(session_key=expired).update(expire_date=timezone.now())
    cache.clear()
    SessionStore(removed).delete()
    # then: neither reaches the API, nor does a token that never existed
    for token in (expired, removed, "no-such-session-key"):
        response = client.get(ME, headers={"X-Session-Token": token})
        assert response.status_code == 401, token


def test_sign_in_gives_a_token_that_reaches_the_api(client, verified_user, password):
    response = app_login(client, verified_user.email, password)
    assert response.status_code == 200, response.content
    token = session_token(response)
    me = client.get(ME, headers={"X-Session-Token": token})
    assert me.status_code == 200
    assert me.json()["email"] == verified_user.email


def test_the_token_can_change_the_profile_without_csrf(client, verified_user, password):
    token = session_token(app_login(client, verified_user.email, password))
    response = client.patch(
        ME, {"timezone": "America/Denver"}, format="json", headers={"X-Session-Token": token}
    )
    assert response.status_code == 200
    assert response.json()["timezone"] == "America/Denver"


def test_a_made_up_token_is_a_401(client):
    response = client.get(ME, headers={"X-Session-Token": "not-a-real-session"})
    assert response.status_code == 401


def test_sign_in_with_a_wrong_password_is_refused(client, verified_user):
    response = app_login(client, verified_user.email, "not-the-password")
    assert response.status_code == 400
    assert error_codes(response) == {"password": {"email_password_mismatch"}}
    assert "meta" not in response.json() or not response.json()["meta"].get("session_token")


def test_sign_in_with_an_unknown_email_looks_like_a_wrong_password(client, db):
    response = app_login(client, "nobody@example.com", GOOD_PASSWORD)
    assert response.status_code == 400
    assert error_codes(response) == {"password": {"email_password_mismatch"}}


def test_an_inactive_account_cannot_sign_in(client, verified_user, password):
    verified_user.is_active = False
    verified_user.save()
    response = app_login(client, verified_user.email, password)
    assert response.status_code == 401
    assert response.json()["meta"]["is_authenticated"] is False
    assert "session_token" not in response.json()["meta"]


def test_deleting_the_account_ends_its_token(client, verified_user, password):
    # given: a signed-in app client
    token = session_token(app_login(client, verified_user.email, password))
    headers = {"X-Session-Token": token}
    # when
    response = client.delete(ME, {"password": password}, format="json", headers=headers)
    # then
    assert response.status_code == 204
    assert client.get(ME, headers=headers).status_code == 401
    assert app_login(client, verified_user.email, password).status_code == 400


def test_me_through_a_token_is_constant_in_queries(
    client, verified_user, password, django_assert_num_queries
):
    ProfileFactory(user=verified_user)
    token = session_token(app_login(client, verified_user.email, password))
    # the session comes from the cache (accounts.authentication.SessionTokenStrategy reads it
    # once, cached_db answers from the cache); then the user with the profile, in one query
    with django_assert_num_queries(1):
        assert client.get(ME, headers={"X-Session-Token": token}).status_code == 200


SIGNUP_BAD_INPUT = [
    pytest.param({"email": "not-an-email", "password": GOOD_PASSWORD}, "email", "invalid"),
    pytest.param({"email": "a@example.com", "password": "Ab1!"}, "password", "password_too_short"),
    pytest.param({"email": "a@example.com", "password": "password1"}, "password", None),
    pytest.param(
        {"email": "a@example.com", "password": "48203917"}, "password", "password_entirely_numeric"
    ),
    pytest.param({"email": "a@example.com"}, "password", "required"),
    pytest.param({"password": GOOD_PASSWORD}, "email", "required"),
]


@pytest.mark.parametrize(("body", "param", "code"), SIGNUP_BAD_INPUT)
def test_sign_up_with_bad_input_is_a_400_and_creates_nothing(client, body, param, code):
    response = client.post(f"{APP}/auth/signup", body, format="json")
    assert response.status_code == 400
    codes = error_codes(response)
    assert param in codes, codes
    if code:
        assert code in codes[param]
    else:  # a common password
        assert codes[param] & {"password_too_common"}
    assert not User.objects.exists()
    assert not Profile.objects.exists()


def test_sign_up_with_a_taken_email_is_refused_and_creates_nothing(client, verified_user):
    response = app_signup(client, verified_user.email.upper())
    assert response.status_code == 400
    assert "email" in error_codes(response)
    assert User.objects.count() == 1


def test_the_email_login_is_case_insensitive(client, db):
    # given: an account made outside sign-up, with capitals
    User.objects.create_user("Casey@Example.COM", GOOD_PASSWORD)
    # then: stored as allauth stores addresses, and one account whatever the case
    assert User.objects.filter(email="casey@example.com").exists()
    assert app_login(client, "CASEY@example.com").status_code == 200
    assert app_signup(APIClient(), "casey@EXAMPLE.com").status_code == 400
    assert User.objects.count() == 1


def test_sign_up_may_give_a_display_name(client):
    response = post_json(
        client,
        f"{APP}/auth/signup",
        {"email": "named@example.com", "password": GOOD_PASSWORD, "display_name": "Dana R."},
    )
    assert response.status_code == 200, response.content
    me = client.get(ME, headers={"X-Session-Token": session_token(response)})
    assert me.json()["display_name"] == "Dana R."


def test_a_too_long_display_name_at_sign_up_is_refused(client):
    response = post_json(
        client,
        f"{APP}/auth/signup",
        {"email": "named@example.com", "password": GOOD_PASSWORD, "display_name": "x" * 151},
    )
    assert response.status_code == 400
    assert "display_name" in error_codes(response)
    assert not User.objects.exists()
