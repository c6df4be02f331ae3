"""Property-based fuzzing of the catalogue endpoints from the OpenAPI schema (schemathesis).

Whatever the query string, path parameter or header, a catalogue endpoint answers with what
its schema documents: never a 500, the documented status codes, content types and bodies.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from careerplan.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application).include(
    tag="catalogue"
)


@pytest.fixture
def connection_kept_across_requests():
    """The raw WSGI app closes "old" connections after each request, which inside a test's
    transaction means the test's own connection; Django's test client avoids this the same
    way."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.usefixtures("catalogue", "connection_kept_across_requests")
@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_catalogue_endpoints_conform_to_their_schema(case):
    # Not `negative_data_rejection`: DRF's pagination and filters deliberately ignore some
    # malformed values (e.g. `page_size=abc` falls back to the default size) instead of a 400.
    case.call_and_validate(
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_headers_conformance,
            response_schema_conformance,
        ]
    )
