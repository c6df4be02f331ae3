"""Password reset: the request reveals nothing, the email carries a frontend link with a key,
the key sets a new password, and the old one stops working."""

import pytest
from django.core import mail
from rest_framework.test import APIClient

from tests.accounts.allauth_helpers import (
    APP,
    ME,
    app_login,
    error_codes,
    key_from_link,
    last_mail_to,
    link_in,
    post_json,
    session_token,
)

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "quartz-Meadow-41-violin"


def request_reset(client, address: str):
    return post_json(client, f"{APP}/auth/password/request", {"email": address})


def reset_key(settings, address: str) -> str:
    body = last_mail_to(address).body
    return key_from_link(link_in(body, settings.FRONTEND_URL, "/account/password/reset/key/"))


def test_the_request_answers_the_same_whether_or_not_the_account_exists(verified_user):
    known = request_reset(APIClient(), verified_user.email)
    unknown = request_reset(APIClient(), "nobody@example.com")
    assert known.status_code == unknown.status_code == 200
    assert known.json() == unknown.json()
    # the owner of a known address gets the reset link; an unknown address is told it has no
    # account (so a typo is noticed), never given a link
    assert "/account/password/reset/key/" in last_mail_to(verified_user.email).body
    assert "/account/password/reset/key/" not in last_mail_to("nobody@example.com").body


def test_reset_with_the_emailed_key(settings, verified_user, password):
    # given: a signed-in app session from before the reset
    client = APIClient()
    old_token = session_token(app_login(client, verified_user.email, password))
    # when: a reset is requested and the emailed key is used
    assert request_reset(client, verified_user.email).status_code == 200
    key = reset_key(settings, verified_user.email)
    check = client.get(f"{APP}/auth/password/reset", headers={"X-Password-Reset-Key": key})
    assert check.status_code == 200
    assert check.json()["data"]["user"]["email"] == verified_user.email
    reset = post_json(client, f"{APP}/auth/password/reset", {"key": key, "password": NEW_PASSWORD})
    # then
    assert reset.status_code == 401, reset.content  # reset, not signed in (sign in anew)
    assert app_login(APIClient(), verified_user.email, password).status_code == 400
    login = app_login(APIClient(), verified_user.email, NEW_PASSWORD)
    assert login.status_code == 200
    assert APIClient().get(ME, headers={"X-Session-Token": session_token(login)}).status_code == 200
    # and: sessions from before the reset are signed out
    assert client.get(ME, headers={"X-Session-Token": old_token}).status_code == 401
    # and: the owner is told that the password was reset
    notice = last_mail_to(verified_user.email)
    assert "/account/password/reset/key/" not in notice.body
    assert "password" in notice.subject.lower()


def test_a_key_works_once(settings, verified_user):
    request_reset(APIClient(), verified_user.email)
    key = reset_key(settings, verified_user.email)
    first = post_json(
        APIClient(), f"{APP}/auth/password/reset", {"key": key, "password": NEW_PASSWORD}
    )
    assert first.status_code == 401
    again = post_json(
        APIClient(), f"{APP}/auth/password/reset", {"key": key, "password": "other-Pass-99-x"}
    )
    assert again.status_code == 400
    assert "key" in error_codes(again)
    assert app_login(APIClient(), verified_user.email, NEW_PASSWORD).status_code == 200


def test_a_made_up_key_is_refused(verified_user, password):
    response = post_json(
        APIClient(),
        f"{APP}/auth/password/reset",
        {"key": f"{verified_user.pk}-made-up", "password": NEW_PASSWORD},
    )
    assert response.status_code == 400
    assert app_login(APIClient(), verified_user.email, password).status_code == 200


def test_the_new_password_must_pass_the_validators(settings, verified_user, password):
    request_reset(APIClient(), verified_user.email)
    key = reset_key(settings, verified_user.email)
    response = post_json(APIClient(), f"{APP}/auth/password/reset", {"key": key, "password": "123"})
    assert response.status_code == 400
    assert "password" in error_codes(response)
    assert app_login(APIClient(), verified_user.email, password).status_code == 200


def test_the_request_validates_the_address(db):
    response = request_reset(APIClient(), "not an email")
    assert response.status_code == 400
    assert error_codes(response) == {"email": {"invalid"}}
    assert not mail.outbox
