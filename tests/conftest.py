import sys

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _clear_cache():
    """Throttle counters and cached catalogue payloads never leak from one test to the next."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _clear_kept_catalogue_rows():
    """Catalogue rows the plan reads keep in memory never leak from one test to the next
    either: ids and catalogue version numbers repeat after a rolled-back test."""
    from plans.read_models import catalogue_memo_clear

    catalogue_memo_clear()
    yield
    catalogue_memo_clear()


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
