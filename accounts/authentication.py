from allauth.headless.contrib.rest_framework.authentication import XSessionTokenAuthentication
from allauth.headless.internal import sessionkit
from allauth.headless.tokens.strategies import sessions
from drf_spectacular.extensions import OpenApiAuthenticationExtension


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
