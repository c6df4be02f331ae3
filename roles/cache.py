"""The catalogue's version, which every catalogue ETag hashes.

Truth is `CatalogueRevision.number` in the database, bumped in the same transaction as every
catalogue write that sends Django's model signals (admin edits, `load_catalogue`, `.save()` and
`.delete()` in a shell). Writes that send none (`QuerySet.update()`, `bulk_update()`, raw SQL,
a data migration's historical models) must call `catalogue_changed()` themselves, or caches
keyed by the version keep the old figures: catalogue bodies until they expire, plans' stored
rendered bodies until the plan changes (`manage.py render_plans --all` renders them all). The
cache keeps the number for at most `VERSION_TTL` seconds, and a bump clears the cached copy
(again once the transaction commits, so a reader cannot cache the pre-commit number). With a
shared cache (`CACHE_URL`, e.g. Redis) every process sees a change within `LOCAL_TTL` seconds
(each process also holds the number that long, so a catalogue read costs no round trip at all);
with the per-process default (locmem) other processes see it within `VERSION_TTL` seconds,
never later. The process that made the change sees it at once.
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.db import transaction
from django.db.models import F

from roles.models import CatalogueRevision

VERSION_KEY = "roles:catalogue-revision"
VERSION_TTL = 60
LOCAL_TTL = 1.0

# (version, monotonic time it expires); replaced as a whole, so threads never see half of it.
_local: tuple[str, float] = ("", 0.0)


def catalogue_version() -> str:
    global _local
    version, expires = _local
    now = time.monotonic()
    if version and now < expires:
        return version
    version = cache.get(VERSION_KEY)
    if version is None:
        number = (
            CatalogueRevision.objects.filter(pk=1).values_list("number", flat=True).first() or 0
        )
        version = str(number)
        cache.set(VERSION_KEY, version, VERSION_TTL)
    _local = (version, now + LOCAL_TTL)
    return version


def forget_local_version() -> None:
    """Drop this process's copy (the next read asks the cache), and every VersionedMemo."""
    global _local
    _local = ("", 0.0)
    for memo in VersionedMemo.instances:
        memo.clear()


class VersionedMemo:
    """Values computed from the catalogue, kept in this process while the catalogue version
    stays the same (and at most `ttl` seconds, which bounds the harm of a version number
    reused after a rolled-back write), at most `max_entries` of them.

    Values are shared by every request of the process: treat them as read-only.
    """

    instances: list[VersionedMemo] = []

    def __init__(self, *, ttl: float = 60.0, max_entries: int = 256) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._state: tuple[str, float, dict] = ("", 0.0, {})
        VersionedMemo.instances.append(self)

    def get_or_compute(self, key, compute):
        version = catalogue_version()
        kept_version, expires_at, values = self._state
        now = time.monotonic()
        if kept_version != version or now >= expires_at:
            values = {}
            self._state = (version, now + self.ttl, values)
        if key in values:
            return values[key]
        value = compute()
        if len(values) < self.max_entries:
            values[key] = value
        return value

    def clear(self) -> None:
        self._state = ("", 0.0, {})


def _forget_cached_version() -> None:
    forget_local_version()
    cache.delete(VERSION_KEY)


def catalogue_changed(**_signal_kwargs) -> None:
    """Receiver for save, delete and m2m changes of every catalogue model.

    A signal fits here: it invalidates caches and starts no business flow, and it also catches
    writes that bypass our code (admin, loaddata).
    """
    updated = CatalogueRevision.objects.filter(pk=1).update(number=F("number") + 1)
    if not updated:
        CatalogueRevision.objects.get_or_create(pk=1, defaults={"number": 1})
    _forget_cached_version()
    transaction.on_commit(_forget_cached_version)
