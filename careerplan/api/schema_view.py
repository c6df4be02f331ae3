"""The OpenAPI schema's view (kept apart from careerplan.api.schema, which DRF's settings
import while drf-spectacular's views are still loading)."""

import threading

from django.conf import settings
from django.utils import translation
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SCHEMA_KWARGS, SpectacularAPIView
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings

UNKNOWN_LANGUAGE = "“{lang}” is not a language this API knows (settings.LANGUAGES)."


class SchemaView(SpectacularAPIView):
    """GET /api/v1/schema/: drf-spectacular's view, with each schema built once per process.

    drf-spectacular builds the schema on every request (0.3 to 0.5 s of CPU for ours), which
    let any anonymous client keep a worker busy for the cost of a URL; and it passes `?lang=`
    to Django's translation machinery unchecked, which keeps one catalogue object per code it
    is asked for, forever. The schema depends only on the code (and the API version and the
    language), so it is built once per (version, language) and a language must be one of
    settings.LANGUAGES (a 400 problem on `lang` otherwise)."""

    _built: dict[tuple[str | None, str | None], dict] = {}
    _lock = threading.Lock()

    @extend_schema(**SCHEMA_KWARGS)  # as drf-spectacular's own get (left out of the schema)
    def get(self, request, *args, **kwargs):
        lang = request.GET.get("lang") or None
        if lang is not None and lang not in dict(settings.LANGUAGES):
            raise ValidationError({"lang": [UNKNOWN_LANGUAGE.format(lang=lang)]})
        return super().get(request, *args, **kwargs)

    def handle_exception(self, exc):
        """A problem is rendered as the API's JSON, as everywhere (this view's own renderers
        write schemas: YAML by default)."""
        renderer = api_settings.DEFAULT_RENDERER_CLASSES[0]()
        self.request.accepted_renderer = renderer
        self.request.accepted_media_type = renderer.media_type
        return super().handle_exception(exc)

    def _get_schema_response(self, request):
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (version, translation.get_language())
        with self._lock:
            schema = self._built.get(key)
            if schema is None:
                generator = self.generator_class(
                    urlconf=self.urlconf, api_version=version, patterns=self.patterns
                )
                schema = self._built[key] = generator.get_schema(
                    request=request, public=self.serve_public
                )
        filename = self._get_filename(request, version)
        return Response(
            data=schema, headers={"Content-Disposition": f'inline; filename="{filename}"'}
        )
