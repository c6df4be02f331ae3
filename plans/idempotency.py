"""`Idempotency-Key` for POSTs from mobile clients that retry on a flaky network.

The first successful response to (user, key) is stored in the same transaction as the write
it describes; a retry with the same key and the same request gets that response again
(`Idempotent-Replayed: true`) and writes nothing. The same key with a different request is
a 422. Two identical requests racing each other: the second one's insert of the key fails,
its whole transaction (the duplicate write included) rolls back, and it replays the first.
"""

import functools
import hashlib
import json

from django.db import IntegrityError, transaction
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from careerplan.api.errors import ProblemSerializer
from plans.models import IdempotencyRecord
from plans.selectors import idempotency_record_get

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
KEY_TOO_LONG = f"{HEADER} must be 1 to {MAX_KEY_LENGTH} characters."

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    HEADER,
    str,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "Any unique string (e.g. a UUID) per logical request: a retry with the same key "
        "returns the first response instead of creating a duplicate."
    ),
)
KEY_REUSED_RESPONSE = OpenApiResponse(
    ProblemSerializer, description="The Idempotency-Key was already used for another request."
)


class IdempotencyKeyReused(exceptions.APIException):
    status_code = 422
    default_detail = (
        f"This {HEADER} was already used for a different request; use a new key per request."
    )
    default_code = "idempotency_key_reused"


def _fingerprint(request) -> str:
    body = json.dumps(request.data, sort_keys=True, default=str).encode()
    return hashlib.sha256(f"{request.method} {request.path}\n".encode() + body).hexdigest()


def _replay(record: IdempotencyRecord, fingerprint: str) -> Response:
    if record.fingerprint != fingerprint:
        raise IdempotencyKeyReused()
    headers = {"Idempotent-Replayed": "true"}
    if record.location:
        headers["Location"] = record.location
    return Response(record.response_body, status=record.status_code, headers=headers)


def idempotent(handler):
    """Decorate a view's `post`: honour the Idempotency-Key header."""

    @functools.wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return handler(view, request, *args, **kwargs)
        if not 0 < len(key) <= MAX_KEY_LENGTH:
            raise exceptions.ValidationError({HEADER: [KEY_TOO_LONG]})
        fingerprint = _fingerprint(request)
        record = idempotency_record_get(user=request.user, key=key)
        if record is not None:
            return _replay(record, fingerprint)
        try:
            with transaction.atomic():
                response = handler(view, request, *args, **kwargs)
                if 200 <= response.status_code < 300:
                    IdempotencyRecord.objects.create(
                        owner=request.user,
                        key=key,
                        fingerprint=fingerprint,
                        status_code=response.status_code,
                        response_body=json.loads(JSONRenderer().render(response.data)),
                        location=response.get("Location", ""),
                    )
        except IntegrityError:
            record = idempotency_record_get(user=request.user, key=key)
            if record is None:
                raise
            return _replay(record, fingerprint)
        return response

    return wrapper
