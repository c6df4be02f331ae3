import time
from datetime import date

import pytest
from django.core.management import call_command

from plans import services
from plans.models import Plan
from roles.models import Role, TrainingPath

PLAN_START = date(2027, 1, 4)


@pytest.fixture(autouse=True)
def _suite_clock(suite_clock):
    """Every plans test on the suite's clock (tests/conftest.py): their plans start on
    PLAN_START and their reminders must still be ahead of "now"."""


@pytest.fixture(scope="package")
def _catalogue_for_plans_tests(django_db_setup, django_db_blocker):
    """Load the committed catalogue once for this package, and take it away afterwards so
    other packages start from an empty database as they expect."""
    with django_db_blocker.unblock():
        call_command("load_catalogue", verbosity=0)
        yield
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def catalogue(_catalogue_for_plans_tests, db):
    """The catalogue, as `make run` loads it (reloaded if a transactional test flushed it)."""
    if not Role.objects.filter(slug="medical-coder").exists():
        call_command("load_catalogue", verbosity=0)


def make_plan(owner, *, role="medical-coder", path="coder-prep-path", **kwargs) -> Plan:
    return services.plan_create(
        owner=owner,
        target_role=Role.objects.get(slug=role),
        training_path=TrainingPath.objects.get(slug=path) if path else None,
        start_date=kwargs.pop("start_date", PLAN_START),
        **kwargs,
    )


@pytest.fixture
def coder_plan(catalogue, user) -> Plan:
    return make_plan(user)


@pytest.fixture
def others_plan(catalogue, other_user) -> Plan:
    return make_plan(other_user, role="medical-biller", path="biller-bootcamp")


class RecordingSMTPHandler:
    """aiosmtpd handler: keeps every accepted message; refuses the addresses in `refused` at
    RCPT, and answers the end of a message to an address in `rejected_at_end` with its reply."""

    def __init__(self) -> None:
        self.messages: list = []
        self.refused: set[str] = set()
        self.rejected_at_end: dict[str, str] = {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        for address in envelope.rcpt_tos:
            if address in self.rejected_at_end:
                return self.rejected_at_end[address]
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


def wait_for(predicate, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SMTPSink:
    """A real SMTP server on a fixed local port that a test can stop and start again."""

    def __init__(self) -> None:
        self.handler = RecordingSMTPHandler()
        self.port = free_port()
        self.controller = None

    @property
    def messages(self) -> list:
        return self.handler.messages

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server in this process; Django's SMTP backend pointed at it."""
    sink = SMTPSink()
    sink.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = sink.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield sink
    sink.stop()
