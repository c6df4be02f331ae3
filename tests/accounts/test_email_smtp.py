"""The verification email through a real SMTP conversation (aiosmtpd in the test process)."""

import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller
from allauth.account.models import EmailAddress
from rest_framework.test import APIClient

from tests.accounts.allauth_helpers import (
    APP,
    app_login,
    app_signup,
    key_from_link,
    link_in,
    post_json,
)

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


class RecordingHandler:
    def __init__(self) -> None:
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    handler = RecordingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = controller.hostname
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    yield handler
    controller.stop()


def test_mandatory_verification_email_arrives_over_smtp_with_a_working_link(settings, smtp_server):
    # given
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    address = "smtp.user@example.com"
    # when
    signup = app_signup(APIClient(), address)
    # then: one message went over the wire to the new address
    assert signup.status_code == 401
    assert len(smtp_server.envelopes) == 1
    envelope = smtp_server.envelopes[0]
    assert envelope.rcpt_tos == [address]
    assert address not in envelope.mail_from  # sent from DEFAULT_FROM_EMAIL
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert message["To"] == address
    assert message["Subject"].startswith("[careerplan]")
    body = message.get_body(preferencelist=("plain",)).get_content()
    link = link_in(body, settings.FRONTEND_URL, "/account/verify-email/")

    # and: the link's key verifies the address, after which sign-in works
    assert app_login(APIClient(), address).status_code == 401
    verify = post_json(APIClient(), f"{APP}/auth/email/verify", {"key": key_from_link(link)})
    assert verify.status_code == 401  # verified, not signed in: no pending sign-in here
    assert EmailAddress.objects.get(email=address).verified
    assert app_login(APIClient(), address).status_code == 200


def test_sign_up_survives_an_unreachable_mail_server(settings, caplog):
    # given: nothing listens on the SMTP port
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()
    settings.EMAIL_TIMEOUT = 2
    # when
    response = app_signup(APIClient(), "offline@example.com")
    # then: the account exists and the client is signed in (optional verification) ...
    assert response.status_code == 200
    assert EmailAddress.objects.filter(email="offline@example.com").exists()
    # ... and the failure is logged, without the address
    failures = [r for r in caplog.records if r.name == "accounts.adapters"]
    assert failures
    assert "offline@example.com" not in failures[0].getMessage()
