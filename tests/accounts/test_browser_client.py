"""The browser client (web app): `/_allauth/browser/v1/`, session cookie + CSRF token."""

import pytest
from django.conf import settings

from accounts.models import User
from tests.accounts.allauth_helpers import BROWSER, GOOD_PASSWORD, ME

pytestmark = pytest.mark.django_db


def csrf_token(client) -> str:
    """What the web app does first: any allauth browser endpoint sets the CSRF cookie."""
    response = client.get(f"{BROWSER}/auth/session")
    assert response.status_code == 401  # nobody signed in yet
    return client.cookies[settings.CSRF_COOKIE_NAME].value


def test_sign_up_with_cookie_and_csrf_then_use_the_api(csrf_client):
    # given: the CSRF token from the cookie
    token = csrf_token(csrf_client)
    # when: signing up with it
    response = csrf_client.post(
        f"{BROWSER}/auth/signup",
        {"email": "web@example.com", "password": GOOD_PASSWORD},
        format="json",
        headers={"X-CSRFToken": token},
    )
    # then: signed in by cookie; no token is handed out to a browser
    assert response.status_code == 200, response.content
    assert "session_token" not in response.json()["meta"]
    assert csrf_client.cookies[settings.SESSION_COOKIE_NAME].value
    assert User.objects.filter(email="web@example.com").exists()
    # and: the API accepts the cookie
    me = csrf_client.get(ME)
    assert me.status_code == 200
    assert me.json()["email"] == "web@example.com"
    # and: a write with the (rotated) CSRF token is accepted
    token = csrf_client.cookies[settings.CSRF_COOKIE_NAME].value
    patch = csrf_client.patch(
        ME, {"display_name": "Web"}, format="json", headers={"X-CSRFToken": token}
    )
    assert patch.status_code == 200, patch.content


def test_sign_in_and_out_with_cookie_and_csrf(csrf_client, verified_user, password):
    token = csrf_token(csrf_client)
    response = csrf_client.post(
        f"{BROWSER}/auth/login",
        {"email": verified_user.email, "password": password},
        format="json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 200, response.content
    assert csrf_client.get(ME).status_code == 200

    token = csrf_client.cookies[settings.CSRF_COOKIE_NAME].value
    logout = csrf_client.delete(f"{BROWSER}/auth/session", headers={"X-CSRFToken": token})
    assert logout.status_code == 401
    assert csrf_client.get(ME).status_code == 401


def test_sign_in_without_the_csrf_token_is_refused(csrf_client, verified_user, password):
    csrf_token(csrf_client)  # the cookie is there, but the header is not sent
    response = csrf_client.post(
        f"{BROWSER}/auth/login",
        {"email": verified_user.email, "password": password},
        format="json",
    )
    assert response.status_code == 403
    assert csrf_client.get(ME).status_code == 401


def test_api_write_without_the_csrf_token_is_refused(csrf_client, verified_user, password):
    # given: a signed-in browser session
    token = csrf_token(csrf_client)
    csrf_client.post(
        f"{BROWSER}/auth/login",
        {"email": verified_user.email, "password": password},
        format="json",
        headers={"X-CSRFToken": token},
    )
    # when: a write without the header
    response = csrf_client.patch(ME, {"display_name": "Forged"}, format="json")
    # then
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert "CSRF" in response.json()["detail"]
    verified_user.refresh_from_db()
    assert verified_user.display_name == ""
    # and: deleting the account without it is refused too
    gone = csrf_client.delete(ME, {"password": password}, format="json")
    assert gone.status_code == 403
    assert User.objects.filter(pk=verified_user.pk).exists()
