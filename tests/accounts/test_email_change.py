"""The email address (the login) is changed through allauth, verified first; /me/ follows."""

import pytest
from allauth.account.models import EmailAddress
from rest_framework.test import APIClient

from accounts.models import User
from tests.accounts.allauth_helpers import (
    APP,
    ME,
    app_login,
    key_from_link,
    last_mail_to,
    link_in,
    post_json,
    session_token,
)

pytestmark = pytest.mark.django_db

NEW = "moved@example.com"


def test_changing_the_email_takes_effect_once_the_new_address_is_verified(
    settings, verified_user, password
):
    # given: a signed-in app client
    client = APIClient()
    headers = {"X-Session-Token": session_token(app_login(client, verified_user.email, password))}
    # when: the new address is requested
    response = post_json(client, f"{APP}/account/email", {"email": NEW}, **headers)
    # then: nothing changes until it is verified
    assert response.status_code == 200, response.content
    assert client.get(ME, headers=headers).json()["email"] == verified_user.email
    link = link_in(last_mail_to(NEW).body, settings.FRONTEND_URL, "/account/verify-email/")

    # when: the key from the email to the new address is posted
    verify = post_json(client, f"{APP}/auth/email/verify", {"key": key_from_link(link)}, **headers)
    # then: the new address is the login, the old one is gone
    assert verify.status_code == 200, verify.content
    assert client.get(ME, headers=headers).json()["email"] == NEW
    assert User.objects.get(pk=verified_user.pk).email == NEW
    assert list(
        EmailAddress.objects.filter(user=verified_user).values_list("email", flat=True)
    ) == [NEW]
    assert app_login(APIClient(), NEW, password).status_code == 200
    assert app_login(APIClient(), "verified@example.com", password).status_code == 400


def test_an_address_of_another_account_cannot_be_taken(settings, verified_user, password):
    # given: another account that owns (and verified) an address
    owner = User.objects.create_user("owner@example.com", "pw-Long-enough-1")
    EmailAddress.objects.filter(user=owner).update(verified=True)
    client = APIClient()
    headers = {"X-Session-Token": session_token(app_login(client, verified_user.email, password))}
    # when: it is added to this account (allauth answers as for any address: no enumeration)
    response = post_json(client, f"{APP}/account/email", {"email": owner.email}, **headers)
    assert response.status_code == 200
    # and: even the key mailed to that address is posted
    link = link_in(last_mail_to(owner.email).body, settings.FRONTEND_URL, "/account/verify-email/")
    verify = post_json(client, f"{APP}/auth/email/verify", {"key": key_from_link(link)}, **headers)
    # then: refused; both accounts keep their address
    assert verify.status_code == 400
    assert User.objects.get(pk=verified_user.pk).email == verified_user.email
    assert User.objects.get(pk=owner.pk).email == owner.email
