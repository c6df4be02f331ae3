"""Content-Security-Policy on every response (Django 5.2 has no CSP support of its own).

HTML pages (the admin, Swagger UI at /api/v1/docs/, Redoc at /api/v1/redoc/, the unsubscribe
page) get CSP_PAGE_POLICY: everything from our own origin only. Swagger UI and Redoc are served
from local static files (drf-spectacular-sidecar) and Swagger UI's start-up script from its own
URL (SpectacularSwaggerSplitView), so no script is inline; both UIs set inline styles and Redoc
runs its search in a blob: worker, hence 'unsafe-inline' for styles and `worker-src blob:`.

Every other response (JSON, problem+json, calendar files) gets CSP_API_POLICY, which forbids
everything: an API body is never a document to render.
"""

from django.conf import settings

HTML_TYPES = ("text/html",)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            content_type = response.get("Content-Type", "")
            policy = (
                settings.CSP_PAGE_POLICY
                if content_type.startswith(HTML_TYPES)
                else settings.CSP_API_POLICY
            )
            if policy:
                response["Content-Security-Policy"] = policy
        return response
