"""The API's rate limits (careerplan.api.throttling): fixed-window counters, one cache round
trip each, 429 with Retry-After at the window's end; failing open when Redis is down."""

import os
import uuid

import pytest
from rest_framework.test import APIClient

from careerplan.api import throttling
from careerplan.cache import FailOpenRedisCache

pytestmark = pytest.mark.django_db

WINDOW_START = 1_800_000_000.0  # a multiple of 60: a minute window starts here


@pytest.fixture
def clock(monkeypatch):
    """The throttles' clock, set by the test."""
    now = {"t": WINDOW_START + 15}
    monkeypatch.setattr(throttling.FixedWindowMixin, "timer", lambda self: now["t"], raising=False)
    return now


@pytest.fixture
def rates(monkeypatch):
    rates = {"anon": "2/minute", "user": "3/minute"}
    for throttle in (throttling.AnonRateThrottle, throttling.UserRateThrottle):
        monkeypatch.setattr(throttle, "THROTTLE_RATES", rates)
    return rates


def test_a_signed_in_user_gets_a_429_with_retry_after_once_the_window_is_spent(
    clock, rates, auth_client, other_user
):
    # given: 3 requests a minute; 3 made 15 s into the window
    for _ in range(3):
        assert auth_client.get("/api/v1/me/").status_code == 200
    # when: the 4th, 20 s into the window
    clock["t"] = WINDOW_START + 20
    response = auth_client.get("/api/v1/me/")
    # then: refused until the window ends, 40 s later
    assert response.status_code == 429
    assert response["Retry-After"] == "40"
    assert response["Content-Type"] == "application/problem+json"
    # and: another user is not affected
    other = APIClient()
    other.force_authenticate(other_user)
    assert other.get("/api/v1/me/").status_code == 200
    # and: the next window starts afresh
    clock["t"] = WINDOW_START + 60
    assert auth_client.get("/api/v1/me/").status_code == 200


def test_catalogue_reads_that_do_work_are_limited_per_address_even_with_a_token(clock, rates, user):
    # given: the anonymous rate (2 a minute); the catalogue does not look tokens up
    first = APIClient(REMOTE_ADDR="203.0.113.5")
    first.credentials(HTTP_X_SESSION_TOKEN="any-token")
    assert first.get("/api/v1/roles/?search=a").status_code == 200
    assert first.get("/api/v1/roles/?search=b").status_code == 200
    # when / then: a third query that must be computed is refused from that address ...
    assert first.get("/api/v1/roles/?search=c").status_code == 429
    # ... while answers already in memory are not counted, nor refused
    assert [first.get("/api/v1/roles/?search=a").status_code for _ in range(5)] == [200] * 5
    etag = first.get("/api/v1/roles/?search=b")["ETag"]
    assert first.get("/api/v1/roles/?search=b", HTTP_IF_NONE_MATCH=etag).status_code == 304
    # and another address is served
    assert APIClient(REMOTE_ADDR="203.0.113.6").get("/api/v1/roles/?search=c").status_code == 200


def redis_url() -> str | None:
    url = os.environ.get("CACHE_URL", "")
    return url if url.startswith("redis") else None


@pytest.mark.integration
@pytest.mark.skipif(redis_url() is None, reason="needs CACHE_URL=redis://... (CI sets it)")
def test_counting_in_redis_is_one_pipelined_round_trip_with_an_expiry():
    import redis

    prefix = f"test-{uuid.uuid4().hex}"
    cache = FailOpenRedisCache(redis_url(), {"KEY_PREFIX": prefix})
    raw = redis.Redis.from_url(redis_url())
    try:
        counts = [throttling.count_in_window(cache, "throttle_user_1:30", 61) for _ in range(3)]
        assert counts == [1, 2, 3]
        (key,) = raw.keys(f"{prefix}:*throttle_user_1:30")
        assert 0 < raw.ttl(key) <= 61
    finally:
        for key in raw.scan_iter(f"{prefix}:*"):
            raw.delete(key)


def test_counting_in_the_local_cache_starts_each_key_at_one():
    from django.core.cache import cache

    assert [throttling.count_in_window(cache, "k:1", 61) for _ in range(3)] == [1, 2, 3]
    assert throttling.count_in_window(cache, "k:2", 61) == 1


def test_with_redis_down_nothing_is_counted_and_requests_are_served(settings, clock, rates):
    nothing_listens = "redis://127.0.0.1:9/0"
    options = {"OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}
    down = FailOpenRedisCache(nothing_listens, options)
    assert throttling.count_in_window(down, "k:1", 61) is None
    settings.CACHES = {
        "default": {
            "BACKEND": "careerplan.cache.FailOpenRedisCache",
            "LOCATION": nothing_listens,
            **options,
        }
    }
    client = APIClient(REMOTE_ADDR="203.0.113.7")
    assert [client.get("/api/v1/roles/").status_code for _ in range(3)] == [200, 200, 200]


@pytest.mark.integration
@pytest.mark.skipif(redis_url() is None, reason="needs CACHE_URL=redis://... (CI sets it)")
def test_the_redis_cache_reuses_one_client_per_connection_pool():
    cache = FailOpenRedisCache(redis_url(), {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    first = cache._cache.get_client("a", write=True)
    assert cache._cache.get_client("b", write=True) is first
    assert cache._cache.get_client("c") is first  # one server: reads use the same pool
    cache.set("k", 1)
    assert cache.get("k") == 1
    cache.delete("k")
