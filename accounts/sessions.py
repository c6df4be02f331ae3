"""The session engine when the cache is shared (Redis): Django's cached_db, each cached copy
kept for at most SESSION_CACHE_SECONDS.

A sign-out deletes the session's row and its cached copy. The cache fails open
(careerplan.cache), so when Redis cannot be reached at that moment the copy's delete is lost
while the row's goes through; with cached_db's own lifetime for the copy (the session's, two
weeks) the signed-out token would authenticate again once Redis answered. Capped, it does so
for at most SESSION_CACHE_SECONDS; an active session's copy is read from the database again
that often (one query per session per period).
"""

from __future__ import annotations

from django.contrib.sessions.backends import cached_db

SESSION_CACHE_SECONDS = 600


class _CappedCache:
    """The session cache, with every write's timeout capped."""

    def __init__(self, cache, cap: int) -> None:
        self._cache = cache
        self._cap = cap

    def _capped(self, timeout) -> int:
        return self._cap if not isinstance(timeout, int) else min(timeout, self._cap)

    def set(self, key, value, timeout=None, version=None):
        return self._cache.set(key, value, self._capped(timeout), version)

    async def aset(self, key, value, timeout=None, version=None):
        return await self._cache.aset(key, value, self._capped(timeout), version)

    def __contains__(self, key) -> bool:  # `key in cache` (cached_db.exists): not via getattr
        return key in self._cache

    def __getattr__(self, name):
        return getattr(self._cache, name)


class SessionStore(cached_db.SessionStore):
    def __init__(self, session_key=None):
        super().__init__(session_key)
        self._cache = _CappedCache(self._cache, SESSION_CACHE_SECONDS)
