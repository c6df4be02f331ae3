from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import (
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from careerplan import health
from careerplan.api.schema_view import SchemaView
from plans.public_views import unsubscribe

api_v1 = [
    path("schema/", SchemaView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script from its own URL (no inline script),
    # so the Content-Security-Policy can be script-src 'self' (careerplan/security.py).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("", include("accounts.urls")),
    path("", include("roles.urls")),
    path("", include("plans.urls")),
    path("", include("pathfinder.urls")),
]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("unsubscribe/<str:token>/", unsubscribe, name="unsubscribe"),
    path("_allauth/", include("allauth.headless.urls")),
    re_path(r"^api/(?P<version>v1)/", include(api_v1)),
]

handler400 = "careerplan.api.views.bad_request"
handler404 = "careerplan.api.views.page_not_found"
handler500 = "careerplan.api.views.server_error"
