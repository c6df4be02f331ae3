import sys
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.cache import cache
from rest_framework.test import APIClient

from careerplan.api.caching import local_bodies
from roles.cache import forget_local_version
from tests.factories import UserFactory


def _clear_caches() -> None:
    cache.clear()
    local_bodies.clear()
    forget_local_version()


@pytest.fixture(autouse=True)
def _clear_cache():
    """Throttle counters, cached catalogue payloads and catalogue rows kept in process
    (roles.cache.VersionedMemo: ids and version numbers repeat after a rolled-back test) never
    leak from one test to the next."""
    _clear_caches()
    yield
    _clear_caches()


# The day the suite's fixed dates (tests/plans PLAN_START 2027-01-04, its exam days) were chosen
# against: reminders armed for them are still to send on it.
SUITE_TODAY = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


@pytest.fixture
def suite_clock():
    """The clock moved to SUITE_TODAY and ticking from there, so tests whose reminders are
    armed against fixed dates pass whatever day the suite runs (arming drops reminders whose
    time has passed). Only for tests that stay in this process: a Celery worker or another
    process keeps the real clock."""
    with time_machine.travel(SUITE_TODAY, tick=True):
        yield


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def other_user(db):
    return UserFactory()


@pytest.fixture
def auth_client(user) -> APIClient:
    """An API client signed in as `user` (bypasses the sign-in flow; accounts tests use it)."""
    client = APIClient()
    client.force_authenticate(user)
    return client


def pytest_terminal_summary(terminalreporter):
    """How many generated requests schema fuzzing made (a figure for the reliability notes)."""
    fuzzing = sys.modules.get("tests.test_schema_fuzzing")
    if fuzzing is not None and fuzzing.CALLS:
        terminalreporter.write_line(
            f"schema fuzzing: {sum(fuzzing.CALLS.values())} requests over "
            f"{len(fuzzing.CALLS)} operations (FUZZ_MAX_EXAMPLES={fuzzing.MAX_EXAMPLES})"
        )
