"""Conditional GET for read-mostly resources: `ETag` + `Cache-Control`, 304 on `If-None-Match`.

A view supplies a *version* token that changes whenever its resource family changes (the
catalogue's lives in `roles.cache`). A response's ETag hashes that version, a digest of the
code that makes the bodies (`CODE_VERSION`), the full request path (query string included)
and the negotiated media type, so answering `If-None-Match`
needs no query beyond reading the version.

Views whose body is the same for every caller (`cache_body = True`: the catalogue) also keep
the rendered body under that ETag and the absolute URL (links in it name the host), so a
client without an ETag costs no query either; a new version means a new key, so an admin edit
is seen as soon as the version is (bench/RESULTS.md has the figures). Bodies live in two
levels: a small per-process LRU (`LocalBodies`: no round trip at all) in front of the shared
cache (Redis in production, so a new worker starts warm). Only bodies whose query string
holds nothing but the parameters a view declares (`shared_cache_params`: a page number) go
to the shared cache, so what anonymous clients put in a URL cannot grow it.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags, quote_etag
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.response import Response

from careerplan.code_version import RENDERING_LIBRARIES, source_digest


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


class _CachedBody(APIException):
    """Raised in `initial` to answer from the cache, skipping the handler."""

    status_code = status.HTTP_200_OK

    def __init__(self, content: bytes, content_type: str) -> None:
        super().__init__()
        self.content = content
        self.content_type = content_type


# The code that makes the bodies: a deploy that changes how they are made changes every ETag
# (and so every cached body's key), instead of answering 304 for, or serving from the cache,
# a body the older code made until the catalogue's next edit
CODE_VERSION = source_digest(
    ("accounts", "careerplan", "pathfinder", "plans", "roles"), RENDERING_LIBRARIES
)

BODY_CACHE_PREFIX = "api:body:"
BODY_CACHE_TTL = 3600


class LocalBodies:
    """A bounded, thread-safe LRU of rendered bodies in this process.

    Keys contain the resource version, so entries never go stale: an old version's bodies
    are simply no longer asked for and fall off the end.
    """

    def __init__(self, max_entries: int = 256) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[str, tuple[bytes, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple[bytes, str] | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def set(self, key: str, entry: tuple[bytes, str]) -> None:
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


local_bodies = LocalBodies()


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
    # Only for responses that are the same for every caller (public data): the cached body
    # is served before the handler runs, so nothing per-user may be in it.
    cache_body: bool = False
    # The query parameters whose bodies go to the shared cache too. Any other parameter
    # (a search's free text, an ordering DRF ignores when unknown, `?x=<anything>`) makes a
    # body only this process keeps, in its bounded LRU: otherwise each distinct query string,
    # even a meaningless one, would store a body in Redis for an hour, and Redis (which also
    # carries the broker) would grow with whatever anonymous clients send.
    shared_cache_params: frozenset[str] = frozenset({"page"})

    def etag_version(self) -> str:
        raise NotImplementedError("Return a token that changes with the resource.")

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.etag = None
        if request.method in ("GET", "HEAD"):
            self.etag = self.compute_etag(request)
            if etag_matches(self.etag, request.headers.get("If-None-Match", "")):
                raise NotModified
            if self.cache_body:
                key = self._body_key(request)
                cached = local_bodies.get(key)
                if cached is None and self._shared(request):
                    cached = cache.get(key)
                    if cached is not None:
                        local_bodies.set(key, tuple(cached))
                if cached is not None:
                    raise _CachedBody(*cached)
                self._throttle_deferred = False
                self.check_throttles(request)

    def check_throttles(self, request):
        """Public, cached resources count only the requests that do work: a 304 or a body
        answered from memory costs less than the counter's own round trip, so rate limits
        (which guard the database) apply once the body has to be built (`initial`)."""
        deferred = getattr(self, "_throttle_deferred", True)
        if self.cache_body and request.method in ("GET", "HEAD") and deferred:
            return
        super().check_throttles(request)

    def _shared(self, request) -> bool:
        """Whether this request's body goes to (and comes from) the shared cache."""
        return all(name in self.shared_cache_params for name in request.GET)

    def _body_key(self, request) -> str:
        where = f"{self.etag}\n{request.build_absolute_uri()}"
        return BODY_CACHE_PREFIX + hashlib.sha256(where.encode()).hexdigest()

    def compute_etag(self, request) -> str:
        parts = (
            CODE_VERSION,
            self.etag_version(),
            request.get_full_path(),
            request.accepted_media_type or "",
        )
        digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]
        return quote_etag(digest)

    def handle_exception(self, exc):
        if isinstance(exc, NotModified):
            return Response(status=status.HTTP_304_NOT_MODIFIED)
        if isinstance(exc, _CachedBody):
            return HttpResponse(exc.content, content_type=exc.content_type)
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        etag = getattr(self, "etag", None)
        if (
            etag
            and self.cache_body
            and response.status_code == status.HTTP_200_OK
            and isinstance(response, Response)
            and request.method == "GET"
        ):
            response.render()
            key = self._body_key(request)
            entry = (response.content, response["Content-Type"])
            local_bodies.set(key, entry)
            if self._shared(request):
                cache.set(key, entry, BODY_CACHE_TTL)
        if etag and response.status_code in (status.HTTP_200_OK, status.HTTP_304_NOT_MODIFIED):
            response["ETag"] = etag
            patch_cache_control(response, public=True, max_age=self.cache_max_age)
            patch_vary_headers(response, ["Accept"])
        return response
