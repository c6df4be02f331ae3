"""Problem-details answers for requests that never reach a DRF view (unknown URLs, crashes)."""

from http import HTTPStatus

from django.http import JsonResponse
from django.views import defaults

from careerplan.api.errors import PROBLEM_CONTENT_TYPE


def problem_response(request, status: int, code: str, detail: str) -> JsonResponse:
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.path,
        "code": code,
        "errors": [],
    }
    return JsonResponse(body, status=status, content_type=PROBLEM_CONTENT_TYPE)


def _is_api(request) -> bool:
    return request.path.startswith(("/api/", "/_allauth/"))


def page_not_found(request, exception=None):
    if _is_api(request):
        return problem_response(request, 404, "not_found", "No endpoint matches this URL.")
    return defaults.page_not_found(request, exception)


def bad_request(request, exception=None):
    """What Django answers itself with a 400 (a SuspiciousOperation outside DRF: more query
    fields than DATA_UPLOAD_MAX_NUMBER_FIELDS, say) is a problem too on the API's paths."""
    if _is_api(request):
        return problem_response(request, 400, "bad_request", "The request is malformed.")
    return defaults.bad_request(request, exception)


def server_error(request):
    if _is_api(request):
        return problem_response(request, 500, "error", "Server Error (500)")
    return defaults.server_error(request)
