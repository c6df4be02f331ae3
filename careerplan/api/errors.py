"""RFC 9457 problem details for every API error.

drf-standardized-errors catches every exception (DRF's, Django's Http404/PermissionDenied,
and unexpected ones as a generic 500 without a stack trace); this module only shapes the body:

    {"type": "about:blank", "title": "Not Found", "status": 404, "detail": "...",
     "instance": "/api/v1/roles/nope/", "code": "not_found", "errors": []}

Validation errors carry one entry per field message, with the field as a dotted `attr` and as
a JSON `pointer` into the request body: {"attr": "items.0.cost", "pointer": "/items/0/cost",
"code": "min_value", "detail": "..."}.
"""

import logging
from http import HTTPStatus

from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from drf_standardized_errors.formatter import ExceptionFormatter
from drf_standardized_errors.handler import ExceptionHandler
from drf_standardized_errors.types import ErrorResponse
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.settings import api_settings

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
VALIDATION_PROBLEM_TYPE = "/problems/validation-error"
VALIDATION_TITLE = "Your request has invalid fields."


def json_pointer(attr: str | None) -> str | None:
    """`items.0.cost` -> `/items/0/cost`; errors that belong to no field have no pointer."""
    if not attr or attr == api_settings.NON_FIELD_ERRORS_KEY:
        return None
    parts = [part.replace("~", "~0").replace("/", "~1") for part in attr.split(".")]
    return "/" + "/".join(parts)


# A body may hold thousands of bad fields (unknown keys, a map's entries): the first ones tell
# a client what to fix, and the response stays small whatever was sent
MAX_REPORTED_ERRORS = 50
MORE_ERRORS = "and {count} more errors not listed"


class ProblemFormatter(ExceptionFormatter):
    def format_error_response(self, error_response: ErrorResponse) -> dict:
        status = self.exc.status_code
        is_validation = isinstance(self.exc, exceptions.ValidationError)
        errors = [
            {
                "attr": error.attr,
                "pointer": json_pointer(error.attr),
                "code": error.code,
                "detail": error.detail,
            }
            for error in error_response.errors
        ]
        if is_validation:
            more = len(errors) - MAX_REPORTED_ERRORS
            errors = errors[:MAX_REPORTED_ERRORS]
            detail = "; ".join(
                f"{e['attr']}: {e['detail']}" if e["attr"] else e["detail"] for e in errors
            )
            if more > 0:
                detail += "; " + MORE_ERRORS.format(count=more)
            code = "invalid"
        else:
            detail = errors[0]["detail"] if errors else HTTPStatus(status).phrase
            code = errors[0]["code"] if errors else "error"
            errors = []
        request = self.context.get("request")
        return {
            "type": VALIDATION_PROBLEM_TYPE if is_validation else "about:blank",
            "title": VALIDATION_TITLE if is_validation else HTTPStatus(status).phrase,
            "status": status,
            "detail": detail,
            "instance": request.path if request is not None else None,
            "code": code,
            "errors": errors,
        }


def _field_key(field: str) -> str:
    return api_settings.NON_FIELD_ERRORS_KEY if field == "__all__" else field


def _error_details(errors: list[DjangoValidationError]) -> list[exceptions.ErrorDetail]:
    return [
        exceptions.ErrorDetail(message, code=error.code or "invalid")
        for error in errors
        for message in error.messages
    ]


class PreconditionFailed(exceptions.APIException):
    status_code = 412
    default_detail = "The plan changed since you loaded it; reload it and try again."
    default_code = "precondition_failed"


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = "The request body is larger than this API accepts ({limit} bytes)."
    default_code = "payload_too_large"


class BadRequest(exceptions.APIException):
    status_code = 400
    default_detail = "The request is malformed."
    default_code = "bad_request"


class DatabaseUnavailable(exceptions.APIException):
    status_code = 503
    default_detail = "The service is briefly unavailable; try again in a few seconds."
    default_code = "service_unavailable"
    retry_after_seconds = 5


class ProblemExceptionHandler(ExceptionHandler):
    def get_headers(self, exc: exceptions.APIException) -> dict:
        headers = super().get_headers(exc)
        if isinstance(exc, DatabaseUnavailable):
            headers["Retry-After"] = str(exc.retry_after_seconds)
        return headers

    def convert_known_exceptions(self, exc: Exception) -> Exception:
        """Django raises RequestDataTooBig (a SuspiciousOperation) when a view first reads a body
        over DATA_UPLOAD_MAX_MEMORY_SIZE; outside DRF Django answers those with 400, inside DRF
        they were 500s (found by the bad-input corpus). A too-large body is 413, the rest 400."""
        if isinstance(exc, RequestDataTooBig):
            from django.conf import settings

            return PayloadTooLarge(
                PayloadTooLarge.default_detail.format(limit=settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
            )
        if isinstance(exc, SuspiciousOperation):
            return BadRequest()
        if isinstance(exc, OperationalError | InterfaceError):
            # The database is restarting or unreachable (or a deadlock/serialization failure
            # PostgreSQL asks to retry): nothing was committed, so say "retry", not "bug".
            logger.warning("database unavailable: %r", exc)
            return DatabaseUnavailable()
        """Services raise Django's ValidationError (reachable from admin, tasks and shell too);
        the API shows it as a 400 with the same field messages."""
        if isinstance(exc, DjangoValidationError):
            if hasattr(exc, "error_dict"):
                return exceptions.ValidationError(
                    {
                        _field_key(field): _error_details(errors)
                        for field, errors in exc.error_dict.items()
                    }
                )
            return exceptions.ValidationError(
                {api_settings.NON_FIELD_ERRORS_KEY: _error_details(exc.error_list)}
            )
        return super().convert_known_exceptions(exc)

    def get_response(self, exc: exceptions.APIException, data: dict) -> Response:
        return Response(
            data,
            status=exc.status_code,
            headers=self.get_headers(exc),
            content_type=PROBLEM_CONTENT_TYPE,
        )


class ProblemErrorSerializer(serializers.Serializer):
    attr = serializers.CharField(allow_null=True, help_text="The field, dotted for nesting.")
    pointer = serializers.CharField(
        allow_null=True, help_text="RFC 6901 JSON pointer to the field in the request body."
    )
    code = serializers.CharField(help_text="Machine-readable reason, e.g. `required`.")
    detail = serializers.CharField(help_text="Human-readable message.")


class ProblemSerializer(serializers.Serializer):
    """The body of every error response (RFC 9457, `application/problem+json`)."""

    type = serializers.CharField(help_text="`about:blank` or a problem type URI reference.")
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    instance = serializers.CharField(allow_null=True, help_text="The request path.")
    code = serializers.CharField(help_text="Machine-readable error code, e.g. `not_found`.")
    errors = ProblemErrorSerializer(many=True, help_text="Field errors (validation only).")

    class Meta:
        ref_name = "Problem"
