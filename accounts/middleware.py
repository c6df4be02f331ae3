"""`Retry-After` on django-allauth's 429 responses (allauth sends none)."""

import math
from collections.abc import Callable

from allauth.account import app_settings as account_settings
from allauth.core.internal.ratelimit import parse_rates  # allauth's own parser (pinned version)
from django.http import HttpRequest, HttpResponse

# allauth's headless URL names -> the rate-limit actions that can refuse them.
ACTIONS_BY_URL_NAME = {
    "login": ("login", "login_failed"),
    "reauthenticate": ("reauthenticate", "login_failed"),
    "signup": ("signup",),
    "request_password_reset": ("reset_password",),
    "reset_password": ("reset_password_from_key",),
    "change_password": ("change_password",),
    "manage_email": ("manage_email",),
    "verify_email": ("confirm_email",),
    "resend_email_verification_code": ("confirm_email",),
}
DEFAULT_RETRY_AFTER_SECONDS = 60


def retry_after_seconds(url_name: str | None) -> int:
    """The longest window among the limits that may have refused the request.

    allauth's limits are sliding windows that do not count refused attempts, so the oldest
    counted attempt leaves its window within that time: waiting this long always helps, and is
    never more than one window (e.g. 300 s for `5/5m/key`).
    """
    rates = [
        rate
        for action in ACTIONS_BY_URL_NAME.get(url_name or "", ())
        for rate in parse_rates(account_settings.RATE_LIMITS.get(action))
    ]
    if not rates:
        return DEFAULT_RETRY_AFTER_SECONDS
    return math.ceil(max(rate.duration for rate in rates))


class RateLimitRetryAfterMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 429 and not response.has_header("Retry-After"):
            match = request.resolver_match
            if match is not None and "headless" in match.namespaces:
                response["Retry-After"] = str(retry_after_seconds(match.url_name))
        return response
