"""When a backing service fails: a Redis outage costs caching and rate limits, never a request;
a database outage is a 503 problem with Retry-After, never a 500 with a stack trace."""

import pytest
import redis
from django.db import InterfaceError, OperationalError
from redis.exceptions import OutOfMemoryError, ReadOnlyError, ResponseError

from careerplan.cache import FailOpenRedisCache
from plans import read_models

pytestmark = pytest.mark.django_db

NOTHING_LISTENS = "redis://127.0.0.1:9/0"  # the discard port: connection refused
DOWN_CACHE = {
    "default": {
        "BACKEND": "careerplan.cache.FailOpenRedisCache",
        "LOCATION": NOTHING_LISTENS,
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


def test_a_cache_without_redis_misses_and_drops_writes():
    cache = FailOpenRedisCache(NOTHING_LISTENS, {"OPTIONS": {"socket_connect_timeout": 1}})
    assert cache.get("k") is None
    assert cache.get("k", "fallback") == "fallback"
    assert cache.get("k", default=[]) == []
    assert cache.set("k", 1) is False
    assert cache.add("k", 1) is False
    assert cache.get_many(["a", "b"]) == {}
    assert cache.delete("k") is False
    with pytest.raises(ValueError, match="not found"):
        cache.incr("k")


def test_the_api_serves_reads_and_writes_while_redis_is_down(settings, auth_client, user):
    # given: the cache (throttle counters, catalogue version) points at a Redis that is down
    settings.CACHES = DOWN_CACHE
    # when / then: catalogue reads, a private read and a write all succeed
    assert auth_client.get("/api/v1/roles/").status_code == 200
    assert auth_client.get("/api/v1/me/").status_code == 200
    response = auth_client.patch("/api/v1/me/", {"display_name": "Still here"}, format="json")
    assert response.status_code == 200


@pytest.mark.parametrize(
    "error",
    [
        ReadOnlyError("You can't write against a read only replica."),
        OutOfMemoryError("command not allowed when used memory > 'maxmemory'."),
        ResponseError("MISCONF Redis is configured to save RDB snapshots, but it's failing"),
    ],
    ids=["read-only", "out-of-memory", "misconf"],
)
def test_the_api_serves_reads_and_writes_while_redis_refuses(
    settings, auth_client, user, monkeypatch, error
):
    # given: a Redis that answers every command (and pipeline) with an error
    settings.CACHES = {"default": {**DOWN_CACHE["default"], "LOCATION": "redis://127.0.0.1:6379/3"}}

    def refuse(*args, **kwargs):
        raise error

    monkeypatch.setattr(redis.Redis, "execute_command", refuse)
    monkeypatch.setattr(redis.client.Pipeline, "execute", refuse)
    # when / then: the throttle's counter, the version and the bodies miss; requests succeed
    assert auth_client.get("/api/v1/roles/").status_code == 200
    assert auth_client.get("/api/v1/me/").status_code == 200
    response = auth_client.patch("/api/v1/me/", {"display_name": "Still here"}, format="json")
    assert response.status_code == 200


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_database_outage_is_a_503_problem_with_retry_after(monkeypatch, auth_client, error):
    # given: the database connection fails as it does while PostgreSQL restarts
    def unavailable(**kwargs):
        raise error("server closed the connection unexpectedly")

    monkeypatch.setattr(read_models, "plan_rows_for_user", unavailable)
    # 5xx are still reported (got_request_exception, for error trackers); the test client would
    # re-raise the reported exception instead of returning the response
    auth_client.raise_request_exception = False
    # when
    response = auth_client.get("/api/v1/plans/")
    # then
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "service_unavailable"
    assert "server closed" not in response.content.decode()  # no internals leak
