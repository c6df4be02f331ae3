from collections.abc import Callable
from typing import TypeVar

from allauth.headless.contrib.rest_framework.authentication import XSessionTokenAuthentication
from allauth.headless.internal import sessionkit
from allauth.headless.tokens.strategies import sessions
from drf_spectacular.extensions import OpenApiAuthenticationExtension

from accounts.backends import user_read_with_profile

Handler = TypeVar("Handler", bound=Callable)


def reads_profile(handler: Handler) -> Handler:
    """Mark a view's handler (`get`, `post`, ...) as one that reads the signed-in user's
    profile: a session-token request to it reads the user and the profile in one query
    (`accounts.backends.user_read_with_profile`). Decorators above it keep the mark when they
    copy the function's attributes (`functools.wraps`); one that does not only costs the
    profile's query again."""
    handler.reads_profile = True
    return handler


def _reads_profile(request) -> bool:
    view = (getattr(request, "parser_context", None) or {}).get("view")
    handler = getattr(view, request.method.lower(), None)
    return getattr(handler, "reads_profile", False)


class SessionTokenStrategy(sessions.SessionTokenStrategy):
    """allauth's session-token strategy, looking the session up with one read instead of an
    `exists()` query followed by the load (allauth's `sessionkit.lookup_session`, which its
    stock strategy does not use yet). A missing or expired session is still no session."""

    def lookup_session(self, session_token: str):
        return sessionkit.lookup_session(session_token)


class SessionTokenAuthentication(XSessionTokenAuthentication):
    """allauth's app-client session token (`X-Session-Token` header).

    Being first among the authentication classes, its `WWW-Authenticate` challenge makes DRF
    answer an anonymous request to a private endpoint with 401 rather than 403.
    """

    def authenticate(self, request):
        if _reads_profile(request):
            with user_read_with_profile():
                return super().authenticate(request)
        return super().authenticate(request)

    def authenticate_header(self, request) -> str:
        return 'X-Session-Token realm="api"'


class SessionTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.SessionTokenAuthentication"
    name = "sessionToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "X-Session-Token",
            "description": (
                "Session token from the allauth app client "
                "(`POST /_allauth/app/v1/auth/login` or `/auth/signup`)."
            ),
        }
