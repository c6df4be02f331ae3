"""A Redis cache that fails open: while Redis is down or refuses, reads miss and writes are
dropped.

The cache holds only what can be recomputed or lost (throttle counters, allauth rate limits,
the catalogue's version token and payloads). Django's RedisCache raises on a refused
connection, which turned a Redis outage into 500s on every API request (the Redis fault drill,
bench/drills/). With this backend the API keeps serving reads and writes from PostgreSQL; rate
limits are not enforced until Redis returns (logged, at most once every LOG_EVERY seconds).

CACHE_URL=redis://... selects it (careerplan.settings); short socket timeouts keep a hung
Redis from holding requests.
"""

from __future__ import annotations

import functools
import logging
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

LOG_EVERY = 30.0
# Down, unreachable, or up but refusing: a replica after a failover (READONLY), a memory cap
# without eviction (OOM), a failing snapshot (MISCONF) answer with a ResponseError
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, ResponseError, OSError)
_last_logged = 0.0


def _log(operation: str, exc: Exception) -> None:
    global _last_logged
    now = time.monotonic()
    if now - _last_logged >= LOG_EVERY:
        _last_logged = now
        logger.warning("cache unavailable (%s answered as a miss): %r", operation, exc)


def _fail_open(default):
    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except UNAVAILABLE as exc:
                _log(method.__name__, exc)
                return default(args, kwargs) if callable(default) else default

        return wrapper

    return decorate


def _default_argument(args, kwargs):
    """`get(key, default)`: the caller's default."""
    return kwargs.get("default", args[1] if len(args) > 1 else None)


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's client builds a new `redis.Redis` for every cache call (~0.1 ms of CPU, paid by
    each throttle, session and version read); a `redis.Redis` only wraps its connection pool
    and is thread-safe, so one per pool is kept."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class FailOpenRedisCache(RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient

    get = _fail_open(_default_argument)(RedisCache.get)
    get_many = _fail_open({})(RedisCache.get_many)
    has_key = _fail_open(False)(RedisCache.has_key)
    add = _fail_open(False)(RedisCache.add)
    set = _fail_open(False)(RedisCache.set)
    set_many = _fail_open([])(RedisCache.set_many)
    touch = _fail_open(False)(RedisCache.touch)
    delete = _fail_open(False)(RedisCache.delete)
    delete_many = _fail_open(None)(RedisCache.delete_many)
    clear = _fail_open(False)(RedisCache.clear)

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except UNAVAILABLE as exc:
            _log("incr", exc)
            raise ValueError(f"Key {key!r} not found (cache unavailable).") from exc
