"""Schema fuzzing: schemathesis drives every operation of the live OpenAPI schema in-process
(WSGI), signed in as a real user through allauth's app login (`X-Session-Token`).

Checks on every response: no 5xx, the body conforms to the documented schema, the status code
and the content type are documented. Path ids are pointed at the user's own objects (a plan,
an item, a milestone, recreated when a fuzzed DELETE removed them) so that the generated
bodies reach the views' validation and services instead of stopping at a 404.

The budget is FUZZ_MAX_EXAMPLES examples per operation (default 15: about a minute on CI);
raise it locally, e.g. `FUZZ_MAX_EXAMPLES=200 pytest -m fuzz`.
"""

from __future__ import annotations

import os
from collections import Counter
from datetime import date

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from rest_framework.test import APIClient
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from plans import services
from plans.models import Plan
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.plans.conftest import make_plan
from tests.test_authorization_matrix import _catalogue_for_module, catalogue  # noqa: F401

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "15"))
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]


@pytest.fixture
def fuzz_user(catalogue):  # noqa: F811 - the fixture imported above
    return UserFactory(email="fuzzer@example.com")


@pytest.fixture
def same_connection(session_token):
    """Requests go through Django's WSGIHandler, which closes the database connection at each
    request's start and end when it is inside a transaction (the test's). Django's test client
    switches that off for its requests; do the same, so the app sees the test's data (on
    PostgreSQL the connection was closed under the test; SQLite's in-memory one never is).
    Set up after `session_token`: the test client reconnects the handlers after its request."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def session_token(fuzz_user) -> str:
    response = APIClient().post(
        "/_allauth/app/v1/auth/login",
        {"email": fuzz_user.email, "password": DEFAULT_PASSWORD},
        format="json",
    )
    assert response.status_code == 200, response.content
    return response.json()["meta"]["session_token"]


def own_ids(user) -> dict[str, object]:
    """The user's plan, item and milestone ids (recreated if a fuzzed DELETE took them)."""
    plan = Plan.objects.filter(owner=user).order_by("created_at").first() or make_plan(user)
    item = plan.items.order_by("position").first()
    if item is None:
        item = services.plan_item_add(
            user=plan.owner, plan_id=plan.pk, kind="tool", tool=_any_tool()
        )
    milestone = plan.milestones.order_by("id").first() or services.milestone_create(
        user=plan.owner, plan_id=plan.pk, title="mock exam", due_on=date(2027, 3, 1)
    )
    return {"plan_id": str(plan.id), "item_id": item.id, "milestone_id": milestone.id}


def _any_tool():
    from roles.models import Tool

    return Tool.objects.order_by("slug").first()


# Loaded at collection (the schema needs no database). `schemathesis.pytest.from_fixture` would
# load it per test, but its lazy loader reads `request.node._nodeid`, which pytest 9 removed.
CALLS: Counter[str] = Counter()


# Loaded at collection (the schema needs no database). `schemathesis.pytest.from_fixture` would
# load it per test, but its lazy loader reads `request.node._nodeid`, which pytest 9 removed.
CALLS: Counter[str] = Counter()


@pytest.fixture(scope="module", autouse=True)
def _report_calls(request):
    """Print how many generated requests each run made (figures for the issue's notes)."""
    yield
    if CALLS:
        reporter = request.config.pluginmanager.get_plugin("terminalreporter")
        line = f"schema fuzzing: {sum(CALLS.values())} requests over {len(CALLS)} operations"
        if reporter is not None:
            reporter.write_line(f"\n{line} (FUZZ_MAX_EXAMPLES={MAX_EXAMPLES})")


schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", WSGIHandler())


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case, same_connection, fuzz_user, session_token):
    CALLS[case.operation.label] += 1
    ids = own_ids(fuzz_user)
    for name in list(case.path_parameters or {}):
        if name in ids:
            case.path_parameters[name] = ids[name]
    case.call_and_validate(headers={"X-Session-Token": session_token}, checks=CHECKS)
