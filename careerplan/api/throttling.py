"""DRF throttles counted in fixed windows: one cache round trip per request.

DRF's own throttles keep, per client, the list of every request time in the last window and
read it, trim it and write it back on each request: two Redis round trips and a pickled list
as long as the rate allows (1,200 floats for a busy user), which `make bench` showed as the
largest single cost of a cached catalogue read. These count requests per clock-aligned window
with `INCR` + `EXPIRE` in one pipelined round trip instead (the usual Redis rate-limit
pattern). The price of a fixed window: a client can spend its allowance at the end of one
window and again at the start of the next, so a burst may briefly reach twice the rate.

Like the rest of the cache (careerplan.cache), a throttle fails open: with Redis down,
requests are served unthrottled rather than refused.
"""

from __future__ import annotations

import logging

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.redis import RedisCache
from rest_framework import throttling

from careerplan.cache import UNAVAILABLE

logger = logging.getLogger(__name__)


def count_in_window(cache, key: str, timeout: int) -> int | None:
    """Add one to the counter `key` (created with `timeout` seconds to live); the new count,
    or None when the cache cannot be reached."""
    try:
        if isinstance(cache, RedisCache):
            full_key = cache.make_and_validate_key(key)
            client = cache._cache.get_client(full_key, write=True)
            pipe = client.pipeline(transaction=False)
            pipe.incr(full_key)
            pipe.expire(full_key, timeout)
            count, _ = pipe.execute()
            return int(count)
        cache.add(key, 0, timeout)
        return cache.incr(key)
    except UNAVAILABLE:
        return None
    except ValueError:  # the key expired between add() and incr(): a new window began
        cache.add(key, 1, timeout)
        return 1


class FixedWindowMixin:
    """`allow_request` and `wait` for a SimpleRateThrottle, with the fixed-window counter."""

    cache_alias = DEFAULT_CACHE_ALIAS

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        now = self.timer()
        window = int(now // self.duration)
        self.window_ends_at = (window + 1) * self.duration
        self.now = now
        cache = caches[self.cache_alias]  # the backend itself (`self.cache` is a proxy)
        count = count_in_window(cache, f"{key}:{window}", self.duration + 1)
        return count is None or count <= self.num_requests

    def wait(self) -> float:
        return max(self.window_ends_at - self.now, 0.0)


class AnonRateThrottle(FixedWindowMixin, throttling.AnonRateThrottle):
    """Anonymous requests per client address (scope `anon`)."""


class UserRateThrottle(FixedWindowMixin, throttling.UserRateThrottle):
    """Signed-in requests per user, anonymous ones per address (scope `user`)."""
