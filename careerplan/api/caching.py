"""Conditional GET for read-mostly resources: `ETag` + `Cache-Control`, 304 on `If-None-Match`.

A resource family (e.g. the catalogue) has a *version* token kept in the cache. Whatever
writes to that family bumps the token (the roles app bumps it from model save/delete
signals, so admin edits and `loaddata` count too). A response's ETag hashes the version, the
full request path (query string included) and the negotiated media type, so answering
`If-None-Match` needs no database query at all.

With several processes the version must live in a shared cache (`CACHE_URL`, e.g. Redis);
with the per-process default (locmem) each process keeps its own token, which is correct
only for a single process.
"""

from __future__ import annotations

import hashlib
import uuid

from django.core.cache import cache
from django.db import transaction
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags, quote_etag
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.response import Response

VERSION_KEY = "careerplan:resource-version:{namespace}"
VERSION_TIMEOUT = None  # never expires; a lost token (eviction) just changes every ETag once


def resource_version(namespace: str) -> str:
    """The current version token of a resource family (created on first use)."""
    key = VERSION_KEY.format(namespace=namespace)
    version = cache.get(key)
    if version is None:
        cache.add(key, uuid.uuid4().hex, timeout=VERSION_TIMEOUT)
        version = cache.get(key)
    return version


def bump_resource_version(namespace: str) -> None:
    """Invalidate every ETag of the family, now and again once the transaction commits.

    The second bump closes the window in which a concurrent reader could fetch the old rows
    and tag them with a version minted before the commit.
    """

    def bump() -> None:
        cache.set(VERSION_KEY.format(namespace=namespace), uuid.uuid4().hex, VERSION_TIMEOUT)

    bump()
    transaction.on_commit(bump)


def etag_matches(etag: str, if_none_match: str) -> bool:
    """RFC 9110 weak comparison, as If-None-Match requires: W/"x" matches "x"; * matches all."""
    if if_none_match.strip() == "*":
        return True
    candidates = parse_etags(if_none_match)
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

    Set `etag_namespace` on the view. The check runs after authentication, permissions,
    throttling and content negotiation (`initial`), and before the handler, so a 304 costs no
    database query.
    """

    etag_namespace: str = ""
    cache_max_age: int = 300

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.etag = None
        if request.method in ("GET", "HEAD") and self.etag_namespace:
            self.etag = self.compute_etag(request)
            if etag_matches(self.etag, request.headers.get("If-None-Match", "")):
                raise NotModified

    def compute_etag(self, request) -> str:
        parts = (
            resource_version(self.etag_namespace),
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
