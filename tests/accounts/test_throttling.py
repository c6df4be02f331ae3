"""Sign-in, sign-up and password reset are rate limited per IP and per account (allauth's
limits, kept in the default cache), answering 429 with `Retry-After`."""

import os
import uuid

import pytest
from django.core import mail
from rest_framework.test import APIClient

from accounts.middleware import retry_after_seconds
from tests.accounts.allauth_helpers import APP, app_login, app_signup, post_json

pytestmark = pytest.mark.django_db


@pytest.fixture
def limits(settings):
    """Small, explicit limits so each test shows the boundary (production defaults are in
    settings.ACCOUNT_RATE_LIMITS and come from the environment)."""
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "login_failed": "4/m/ip,3/5m/key",
        "signup": "3/m/ip",
        "reset_password": "4/m/ip,2/m/key",
    }
    return settings.ACCOUNT_RATE_LIMITS


def client_from(ip: str) -> APIClient:
    return APIClient(REMOTE_ADDR=ip)


def assert_429(response, *, retry_after: int) -> None:
    assert response.status_code == 429, response.content
    assert response["Retry-After"] == str(retry_after)
    assert response.json()["status"] == 429


def test_the_failed_sign_in_after_the_per_account_limit_is_a_429(limits, verified_user, password):
    # given: 3 failed sign-ins for one account (the per-account limit), from different addresses
    for n in range(3):
        response = app_login(client_from(f"10.0.0.{n}"), verified_user.email, "wrong-password")
        assert response.status_code == 400
    # when: the 4th attempt inside the window, even with the right password
    response = app_login(client_from("10.0.0.9"), verified_user.email, password)
    # then: refused until the 5-minute window frees a slot
    assert_429(response, retry_after=300)
    # and: other accounts are not locked out
    other = app_login(client_from("10.0.0.9"), "someone.else@example.com", "wrong")
    assert other.status_code == 400


def test_the_failed_sign_in_after_the_per_ip_limit_is_a_429(limits, verified_user, password):
    # given: one address fails 4 times (the per-IP limit) on different accounts
    attacker = client_from("203.0.113.7")
    for n in range(4):
        assert app_login(attacker, f"victim{n}@example.com", "guess").status_code == 400
    # when / then: the 5th is refused, whatever the account
    assert_429(app_login(attacker, verified_user.email, password), retry_after=300)
    # and: another address signs in fine
    assert app_login(client_from("198.51.100.1"), verified_user.email, password).status_code == 200


def test_a_forged_x_forwarded_for_does_not_escape_the_ip_limit(limits):
    attacker = client_from("203.0.113.7")
    for n in range(4):
        response = app_login(
            attacker, f"victim{n}@example.com", "guess", **{"X-Forwarded-For": f"192.0.2.{n}"}
        )
        assert response.status_code == 400
    response = app_login(
        attacker, "victim9@example.com", "guess", **{"X-Forwarded-For": "192.0.2.99"}
    )
    assert response.status_code == 429


def test_successful_sign_ins_do_not_use_up_the_failed_sign_in_limit(
    limits, verified_user, password
):
    client = client_from("10.1.1.1")
    for _ in range(6):
        response = app_login(client, verified_user.email, password)
        assert response.status_code == 200
        client.delete(
            f"{APP}/auth/session",
            headers={"X-Session-Token": response.json()["meta"]["session_token"]},
        )


def test_sign_up_is_limited_per_ip(limits):
    client = client_from("10.2.2.2")
    for n in range(3):
        assert app_signup(client, f"new{n}@example.com").status_code == 200
        client = client_from("10.2.2.2")  # a fresh, signed-out client on the same address
    assert_429(app_signup(client, "new3@example.com"), retry_after=60)
    assert app_signup(client_from("10.2.2.3"), "new3@example.com").status_code == 200


def test_password_reset_requests_are_limited_per_account(limits, verified_user):
    # given: the per-address limit (2) is used from two different IPs
    for n in range(2):
        response = post_json(
            client_from(f"10.3.3.{n}"),
            f"{APP}/auth/password/request",
            {"email": verified_user.email},
        )
        assert response.status_code == 200
    sent = len(mail.outbox)
    # when: a third request for the same address
    response = post_json(
        client_from("10.3.3.9"), f"{APP}/auth/password/request", {"email": verified_user.email}
    )
    # then: refused, and no third email goes out (no mailbox flooding)
    assert_429(response, retry_after=60)
    assert len(mail.outbox) == sent


def test_password_reset_requests_are_limited_per_ip(limits, db):
    client = client_from("10.4.4.4")
    for n in range(4):
        response = post_json(client, f"{APP}/auth/password/request", {"email": f"x{n}@example.com"})
        assert response.status_code == 200
    response = post_json(client, f"{APP}/auth/password/request", {"email": "x9@example.com"})
    assert_429(response, retry_after=60)


def test_retry_after_is_the_longest_window_of_the_limits_involved(settings):
    settings.ACCOUNT_RATE_LIMITS = {"login": "30/m/ip", "login_failed": "10/m/ip,5/5m/key"}
    assert retry_after_seconds("login") == 300
    assert retry_after_seconds("signup") == 60  # no limit configured: a minute
    assert retry_after_seconds(None) == 60


def redis_cache_url() -> str | None:
    url = os.environ.get("CACHE_URL", "")
    return url if url.startswith("redis") else None


@pytest.mark.integration
@pytest.mark.skipif(redis_cache_url() is None, reason="needs CACHE_URL=redis://... (CI sets it)")
def test_limits_are_kept_in_the_shared_redis_cache(limits, settings):
    """With CACHE_URL pointing at Redis, every web process sees the same counters."""
    import redis

    prefix = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_cache_url(),
            "KEY_PREFIX": prefix,
        }
    }
    raw = redis.Redis.from_url(redis_cache_url())
    try:
        for _ in range(3):
            assert (
                app_login(client_from("10.5.5.5"), "ghost@example.com", "guess").status_code == 400
            )
        # another process would read these keys: they are in Redis, not in this process
        assert raw.keys(f"{prefix}:*allauth:rl*")
        assert app_login(client_from("10.5.5.6"), "ghost@example.com", "guess").status_code == 429
    finally:
        for key in raw.scan_iter(f"{prefix}:*"):
            raw.delete(key)
