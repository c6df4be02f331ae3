"""Conditional GET for read-mostly resources: `ETag` + `Cache-Control`, 304 on `If-None-Match`.

A view supplies a *version* token that changes whenever its resource family changes (the
catalogue's lives in `roles.cache`). A response's ETag hashes that version, the full request
path (query string included) and the negotiated media type, so answering `If-None-Match`
needs no query beyond reading the version.
"""

from __future__ import annotations

import hashlib

from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags, quote_etag
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.response import Response


def etag_matches(etag: str, if_none_match: str) -> bool:
    """RFC 9110 weak comparison, as If-None-Match requires: W/"x" matches "x".

    `*` is not honoured: it would need to know the resource exists before the handler runs,
    and a full 200 answer is never wrong.
    """
    candidates = [tag for tag in parse_etags(if_none_match) if tag != "*"]
    return any(candidate.removeprefix("W/") == etag for candidate in candidates)


class NotModified(APIException):
    status_code = status.HTTP_304_NOT_MODIFIED
    default_detail = "Not modified."
    default_code = "not_modified"


IF_NONE_MATCH_PARAMETER = OpenApiParameter(
    name="If-None-Match",
    location=OpenApiParameter.HEADER,
    required=False,
    type=str,
    description="An `ETag` from an earlier response; the answer is 304 while it still holds.",
)
NOT_MODIFIED_RESPONSE = OpenApiResponse(
    description="Not modified: the resource still matches the `If-None-Match` ETag (no body)."
)


class ConditionalGetMixin:
    """For DRF views: strong ETag + Cache-Control on 200s, 304 for a matching If-None-Match.

    Implement `etag_version()` on the view: a token that changes whenever anything the
    response shows changes. The check runs after authentication, permissions, throttling and
    content negotiation (`initial`) and before the handler, so a 304 costs no query when the
    version itself is cached.
    """

    cache_max_age: int = 300

    def etag_version(self) -> str:
        raise NotImplementedError("Return a token that changes with the resource.")

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.etag = None
        if request.method in ("GET", "HEAD"):
            self.etag = self.compute_etag(request)
            if etag_matches(self.etag, request.headers.get("If-None-Match", "")):
                raise NotModified

    def compute_etag(self, request) -> str:
        parts = (
            self.etag_version(),
            request.get_full_path(),
            request.accepted_media_type or "",
        )
        digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]
        return quote_etag(digest)

    def handle_exception(self, exc):
        if isinstance(exc, NotModified):
            return Response(status=status.HTTP_304_NOT_MODIFIED)
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        etag = getattr(self, "etag", None)
        if etag and response.status_code in (status.HTTP_200_OK, status.HTTP_304_NOT_MODIFIED):
            response["ETag"] = etag
            patch_cache_control(response, public=True, max_age=self.cache_max_age)
            patch_vary_headers(response, ["Accept"])
        return response
