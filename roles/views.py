"""Read-only catalogue endpoints: anyone may read; editors write through the admin.

Views stay thin: a selector fetches, a pure function computes, a serializer shapes. Every
response carries an ETag and Cache-Control; `If-None-Match` with a current ETag is a 304.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from careerplan.api.caching import (
    IF_NONE_MATCH_PARAMETER,
    NOT_MODIFIED_RESPONSE,
    ConditionalGetMixin,
)
from roles import comparison, selectors
from roles.cache import catalogue_version
from roles.filters import (
    CertificationFilter,
    RoleFilter,
    SalaryBandFilter,
    SourceFilter,
    ToolFilter,
)
from roles.serializers import (
    CertificationSerializer,
    CompareQuerySerializer,
    ComparisonSerializer,
    RoleDetailSerializer,
    RoleListSerializer,
    RolePathsSerializer,
    SalaryBandSerializer,
    SourceSerializer,
    ToolSerializer,
    TrainingPathSerializer,
)

UNKNOWN_ROLES = "Unknown role slug(s): {slugs}."


def catalogue_schema(serializer, *, summary: str, description: str = "", **kwargs):
    """OpenAPI for a catalogue read: the 200 body, the 304 and the If-None-Match header."""
    return extend_schema(
        summary=summary,
        description=description,
        parameters=[IF_NONE_MATCH_PARAMETER, *kwargs.pop("parameters", [])],
        responses={200: serializer, 304: NOT_MODIFIED_RESPONSE},
        tags=["catalogue"],
        **kwargs,
    )


class CatalogueView(ConditionalGetMixin, generics.GenericAPIView):
    """A read-only catalogue endpoint (anyone may read; ETag, Cache-Control, 304).

    No authentication: the answer is the same for everyone, so a signed-in app's session
    token is not looked up (that was most of a cached read's cost); such requests are
    throttled per client address like anonymous ones.
    """

    authentication_classes = []
    permission_classes = [AllowAny]
    http_method_names = ["get", "head", "options"]
    cache_body = True  # the catalogue is the same for everyone

    def etag_version(self) -> str:
        return catalogue_version()

    def handle_exception(self, exc):
        if isinstance(exc, selectors.NotInCatalogue):
            exc = NotFound(str(exc))
        return super().handle_exception(exc)


class CatalogueDetailView(CatalogueView):
    filter_backends = []
    pagination_class = None


class RoleListView(CatalogueView, generics.ListAPIView):
    serializer_class = RoleListSerializer
    filterset_class = RoleFilter
    search_fields = ["title", "summary", "skills", "key_tools"]
    ordering_fields = ["title", "family"]

    def get_queryset(self):
        return selectors.role_list()

    @catalogue_schema(
        RoleListSerializer(many=True),
        summary="List roles",
        description="Filter by `family` or `certification`; `search` matches title, summary, "
        "skills and key tools.",
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


class RoleDetailView(CatalogueDetailView):
    serializer_class = RoleDetailSerializer

    @catalogue_schema(
        RoleDetailSerializer,
        summary="A role with its figures",
        description="Salary bands and premiums (each with its source), statistics such as the "
        "remote share, certifications, training paths with totals, and the next and previous "
        "steps of the advancement map.",
    )
    def get(self, request: Request, slug: str, **kwargs) -> Response:
        role = selectors.role_detail(slug=slug)
        return Response(self.get_serializer(role).data)


class RolePathsView(CatalogueDetailView):
    serializer_class = RolePathsSerializer

    @catalogue_schema(
        RolePathsSerializer,
        summary="Every route upward from a role",
        description="Walks the advancement map from the role to every role with no further "
        "step; crossover moves name the certification that opens them.",
    )
    def get(self, request: Request, slug: str, **kwargs) -> Response:
        return Response(self.get_serializer(selectors.role_paths(slug=slug)).data)


class RoleCompareView(CatalogueDetailView):
    serializer_class = ComparisonSerializer

    @catalogue_schema(
        ComparisonSerializer,
        summary="Compare 2 to 4 roles side by side",
        description="The seeds' comparison tables, computed from the catalogue: one column "
        "per role, in the order asked; `factors` gives the rows. An unknown slug or a wrong "
        "count is a 400 naming it.",
        parameters=[
            OpenApiParameter(
                "roles",
                str,
                required=True,
                description="2 to 4 role slugs separated by commas, e.g. "
                "`medical-coder,medical-biller`.",
            )
        ],
    )
    def get(self, request: Request, **kwargs) -> Response:
        query = CompareQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        try:
            roles = selectors.roles_for_comparison(slugs=query.validated_data["roles"])
        except selectors.UnknownRoles as unknown:
            raise ValidationError(
                {"roles": [UNKNOWN_ROLES.format(slugs=", ".join(unknown.slugs))]},
                code="unknown",
            ) from None
        return Response(self.get_serializer(comparison.compare_roles(roles)).data)


class CertificationListView(CatalogueView, generics.ListAPIView):
    serializer_class = CertificationSerializer
    filterset_class = CertificationFilter
    search_fields = ["code", "name", "description"]
    ordering_fields = ["code", "name", "level"]

    def get_queryset(self):
        return selectors.certification_list()

    @catalogue_schema(
        CertificationSerializer(many=True),
        summary="List certifications",
        description="Filter by certifying `body` (code) and `role` (slug). Exam formats and "
        "fees keep every source's figures; `is_current` marks the ones in force.",
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


class CertificationDetailView(CatalogueDetailView):
    serializer_class = CertificationSerializer

    @catalogue_schema(
        CertificationSerializer,
        summary="A certification by code (any case)",
        description="Its body, the roles it serves, every source's exam format and fee "
        "(`is_current` marks those in force; `current_fee` is the lowest current one, for "
        "planning) and renewal rules.",
    )
    def get(self, request: Request, code: str, **kwargs) -> Response:
        certification = selectors.certification_detail(code=code)
        return Response(self.get_serializer(certification).data)


class TrainingPathListView(CatalogueView, generics.ListAPIView):
    serializer_class = TrainingPathSerializer
    search_fields = ["title", "summary"]
    ordering_fields = ["title"]

    def get_queryset(self):
        return selectors.training_path_list()

    @catalogue_schema(
        TrainingPathSerializer(many=True),
        summary="List training paths",
        description="Each path with its ordered steps and totals.",
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


class TrainingPathDetailView(CatalogueDetailView):
    serializer_class = TrainingPathSerializer

    @catalogue_schema(
        TrainingPathSerializer,
        summary="A training path with ordered steps and totals",
        description="`totals.cost` and `totals.months` sum the steps that have them; effort "
        "in other units (e.g. 150+ practice cases) is listed in `totals.other_effort`.",
    )
    def get(self, request: Request, slug: str, **kwargs) -> Response:
        path = selectors.training_path_detail(slug=slug)
        return Response(self.get_serializer(path).data)


class SalaryBandListView(CatalogueView, generics.ListAPIView):
    serializer_class = SalaryBandSerializer
    filterset_class = SalaryBandFilter
    ordering_fields = ["amount_min", "amount_max", "median", "average", "as_of"]

    def get_queryset(self):
        return selectors.salary_band_list()

    @catalogue_schema(
        SalaryBandSerializer(many=True),
        summary="List salary figures",
        description="Every source's figure is its own row; filter by `role`, `level` and `source`.",
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


class ToolListView(CatalogueView, generics.ListAPIView):
    serializer_class = ToolSerializer
    filterset_class = ToolFilter
    search_fields = ["name", "purpose"]
    ordering_fields = ["name", "cost_min", "cost_max"]

    def get_queryset(self):
        return selectors.tool_list()

    @catalogue_schema(
        ToolSerializer(many=True),
        summary="List tools with cost and cadence",
        description="What coders and billers pay for their tools: a cost range per month, per "
        "year, per claim or one-time. Filter by `family` and `cadence`.",
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


class SourceListView(CatalogueView, generics.ListAPIView):
    serializer_class = SourceSerializer
    filterset_class = SourceFilter
    search_fields = ["publisher", "title"]
    ordering_fields = ["slug", "year"]

    def get_queryset(self):
        return selectors.source_list()

    @catalogue_schema(
        SourceSerializer(many=True),
        summary="List the sources of the figures",
        description="Seed articles, issuers' pages, surveys and statistics; every figure in "
        "the catalogue names one of these. Filter by `kind`.",
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)
