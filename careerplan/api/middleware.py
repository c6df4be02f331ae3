"""Requests malformed for every endpoint, answered as 400 problems before or instead of a 500.

**NUL characters in the URL.**
PostgreSQL text cannot hold U+0000, so psycopg refuses any query parameter containing one
(ValueError), and a filter, search or lookup fed `%00` from the URL was a 500 on PostgreSQL
(schema fuzzing found it on `?source=`; SQLite accepted it). JSON bodies are already refused
field by field (DRF's ProhibitNullCharactersValidator); this refuses such URLs up front with a
400 problem, before any view runs.

**JSON nested too deep for allauth's views**: AllauthDocumentTooDeepMiddleware.
"""

from careerplan.api.parsers import TOO_DEEP
from careerplan.api.views import problem_response

NUL_IN_URL = "The URL contains a NUL character (%00), which no parameter may hold."


class RejectNulCharactersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            "\x00" in request.path
            or "\x00" in request.META.get("QUERY_STRING", "")
            or any(
                "\x00" in key or any("\x00" in value for value in values)
                for key, values in request.GET.lists()
            )
        ):
            return problem_response(request, 400, "bad_request", NUL_IN_URL)
        return self.get_response(request)


class AllauthDocumentTooDeepMiddleware:
    """allauth's headless views (`/_allauth/`) parse their JSON bodies with `json.loads` and
    catch only decode errors, so a body nested ~1,000 deep (`[[[[...]]]]`, anonymous: sign-in
    needs no CSRF token for the app client) raised RecursionError, a 500. Answered as the API's
    own parser answers it (careerplan.api.parsers)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, RecursionError) and request.path.startswith("/_allauth/"):
            return problem_response(request, 400, "parse_error", TOO_DEEP)
        return None
