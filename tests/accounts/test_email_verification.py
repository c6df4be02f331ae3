"""Email verification: "optional" by default, "mandatory" refuses sign-in until the emailed key
is posted. Links point at the frontend (`HEADLESS_FRONTEND_URLS`)."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from rest_framework.test import APIClient

from tests.accounts.allauth_helpers import (
    APP,
    ME,
    app_login,
    app_signup,
    key_from_link,
    last_mail_to,
    link_in,
    pending_flows,
    post_json,
    session_token,
)

pytestmark = pytest.mark.django_db

EMAIL = "new.coder@example.com"


@pytest.fixture
def mandatory(settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    return settings


def verification_key(settings) -> str:
    message = last_mail_to(EMAIL)
    return key_from_link(link_in(message.body, settings.FRONTEND_URL, "/account/verify-email/"))


def test_optional_verification_signs_in_at_once_and_still_sends_the_link(settings):
    client = APIClient()
    response = app_signup(client, EMAIL)
    assert response.status_code == 200
    assert client.get(ME, headers={"X-Session-Token": session_token(response)}).status_code == 200
    assert verification_key(settings)
    assert not EmailAddress.objects.get(email=EMAIL).verified


def test_mandatory_verification_refuses_sign_in_until_the_emailed_key_is_posted(mandatory):
    client = APIClient()
    # when: signing up
    signup = app_signup(client, EMAIL)
    # then: not signed in; verification is the pending step; the email was sent
    assert signup.status_code == 401
    assert pending_flows(signup) == {"verify_email"}
    assert signup.json()["meta"]["is_authenticated"] is False
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [EMAIL]
    assert message.subject.startswith("[careerplan]")
    assert "Hello from careerplan!" in message.body
    assert "testserver" not in message.body  # the product's name, not the API host
    # the link goes to the frontend, which posts the key back
    link = link_in(message.body, mandatory.FRONTEND_URL, "/account/verify-email/")
    key = key_from_link(link)

    # and: the pending token does not reach the API
    pending_token = session_token(signup)
    assert client.get(ME, headers={"X-Session-Token": pending_token}).status_code == 401

    # when: signing in with the right password before verifying
    login = app_login(client, EMAIL)
    # then: refused, verification still pending
    assert login.status_code == 401
    assert pending_flows(login) == {"verify_email"}
    assert client.get(ME, headers={"X-Session-Token": session_token(login)}).status_code == 401

    # when: a wrong key is posted
    wrong = post_json(client, f"{APP}/auth/email/verify", {"key": "not-the-key"})
    assert wrong.status_code == 400
    assert not EmailAddress.objects.get(email=EMAIL).verified

    # when: the emailed key is posted from another device (no pending sign-in there)
    verify = post_json(APIClient(), f"{APP}/auth/email/verify", {"key": key})
    # then: the address is verified, but the key alone signs nobody in ...
    assert verify.status_code == 401, verify.content
    assert verify.json()["meta"]["is_authenticated"] is False
    assert EmailAddress.objects.get(email=EMAIL).verified
    # ... and signing in now works, with a token that reaches the API
    login = app_login(client, EMAIL)
    assert login.status_code == 200, login.content
    me = client.get(ME, headers={"X-Session-Token": session_token(login)})
    assert me.status_code == 200
    assert me.json()["email"] == EMAIL


def test_verifying_within_the_pending_sign_in_signs_in(mandatory):
    client = APIClient()
    signup = app_signup(client, EMAIL)
    token = session_token(signup)
    verify = post_json(
        client,
        f"{APP}/auth/email/verify",
        {"key": verification_key(mandatory)},
        **{"X-Session-Token": token},
    )
    assert verify.status_code == 200, verify.content
    assert verify.json()["meta"]["is_authenticated"] is True
    # signing in rotates the session: the new token is handed out, the pending one is dead
    new_token = session_token(verify)
    assert new_token != token
    assert client.get(ME, headers={"X-Session-Token": new_token}).status_code == 200
    assert client.get(ME, headers={"X-Session-Token": token}).status_code == 401


def test_the_verification_link_uses_the_configured_frontend(mandatory):
    mandatory.HEADLESS_FRONTEND_URLS = {
        **mandatory.HEADLESS_FRONTEND_URLS,
        "account_confirm_email": "https://app.careerplan.example/verify?key={key}",
    }
    app_signup(APIClient(), EMAIL)
    assert "https://app.careerplan.example/verify?key=" in last_mail_to(EMAIL).body


def test_signing_up_again_with_a_known_address_reveals_nothing(mandatory, verified_user):
    # given: mandatory verification hides whether an address has an account
    mail.outbox.clear()
    # when
    response = app_signup(APIClient(), verified_user.email)
    # then: the same answer as a new sign-up, and the owner is told by email
    assert response.status_code == 401
    assert pending_flows(response) == {"verify_email"}
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [verified_user.email]
