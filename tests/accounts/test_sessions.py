"""accounts.sessions: cached_db with each cached copy of a session kept at most 10 minutes."""

import pytest
from django.core.cache import caches

from accounts.sessions import SESSION_CACHE_SECONDS, SessionStore

pytestmark = pytest.mark.django_db


@pytest.fixture
def timeouts(monkeypatch):
    """The timeouts the session cache is written with."""
    cache = caches["default"]
    seen = []
    real = cache.set

    def recording(key, value, timeout=None, version=None):
        seen.append(timeout)
        return real(key, value, timeout, version)

    monkeypatch.setattr(cache, "set", recording)
    return seen


def test_a_saved_session_is_cached_for_at_most_ten_minutes(timeouts):
    store = SessionStore()
    store["user"] = 1
    store.save()
    assert timeouts  # created, then saved
    assert set(timeouts) == {SESSION_CACHE_SECONDS}
    assert store.get_expiry_age() > SESSION_CACHE_SECONDS  # the session itself lives on


def test_a_session_read_from_the_database_is_cached_for_at_most_ten_minutes(timeouts):
    # given: a session whose cached copy is gone (evicted, expired, or lost)
    store = SessionStore()
    store["user"] = 1
    store.save()
    caches["default"].delete(store.cache_key)
    timeouts.clear()
    # when: it is read again
    again = SessionStore(store.session_key)
    # then: from the database, and cached again for the capped time
    assert again["user"] == 1
    assert timeouts == [SESSION_CACHE_SECONDS]


def test_a_signed_out_session_whose_cache_delete_was_lost_ends_when_its_copy_does(
    monkeypatch,
):
    # given: a session, and a sign-out while the cache drops deletes (Redis unreachable)
    store = SessionStore()
    store["user"] = 1
    store.save()
    cache = caches["default"]
    monkeypatch.setattr(cache, "delete", lambda *args, **kwargs: False)
    store.delete()
    # then: the copy answers until it expires (at most SESSION_CACHE_SECONDS)...
    assert SessionStore(store.session_key).get("user") == 1
    # ...and once it has, the session is gone
    monkeypatch.undo()
    cache.delete(store.cache_key)  # what its expiry does
    assert SessionStore(store.session_key).get("user") is None
