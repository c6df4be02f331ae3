"""Plan endpoints: thin. Lookups are owner-scoped (another user's id is a 404), writes go
through plans.services, and the plan's ETag guards edits made from several devices.

A change reads nothing before its service: its body (400) and the form of its If-Match (412)
are checked first, then the service locks the plan by id and owner (404 for anyone else's),
checks the version If-Match names (412) and the change itself (400). None of these answers
tells whether someone else's plan exists."""

import re
import uuid

from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import reads_profile
from careerplan.api.caching import etag_matches
from careerplan.api.errors import PreconditionFailed, ProblemSerializer
from careerplan.api.pagination import PageNumberPagination
from plans import read_models, selectors, services
from plans.calendar_feed import calendar_feed_get_or_create, calendar_feed_rotate, calendar_feed_url
from plans.idempotency import IDEMPOTENCY_PARAMETER, KEY_REUSED_RESPONSE, idempotent
from plans.serializers import (
    MilestoneCreateSerializer,
    MilestoneSerializer,
    MilestoneUpdateSerializer,
    PlanCompareSerializer,
    PlanCreateSerializer,
    PlanDetailSerializer,
    PlanItemCreateSerializer,
    PlanItemSerializer,
    PlanItemUpdateSerializer,
    PlanListSerializer,
    PlanUpdateSerializer,
    ReorderSerializer,
    ShiftResultSerializer,
    ShiftSerializer,
)

# "<plan id>-<version>", as writes answer; GET /plans/<id>/ adds ".<digest>" of what else its
# body shows (read_models.ShownPlan.etag): If-Match checks the version either way.
ETAG_PATTERN = re.compile(r'^(?:W/)?"(?P<plan>[0-9a-f-]{36})-(?P<version>\d+)(?:\.[0-9a-f]{8})?"$')
COMPARE_COUNT = "Compare two to four of your plans: plans=<id>,<id>[,...]."
COMPARE_UNKNOWN = "Not one of your plans: {ids}."
COMPARE_INVALID = "Not a plan id: {ids}."

IF_MATCH_PARAMETER = OpenApiParameter(
    "If-Match",
    str,
    location=OpenApiParameter.HEADER,
    required=False,
    description="The plan's ETag as you last read it: a stale one is refused with 412.",
)
PRECONDITION_FAILED = OpenApiResponse(
    ProblemSerializer, description="If-Match does not match the plan's current ETag."
)


def expected_version(request, plan_id) -> int | None:
    """The plan version named by `If-Match` (None when absent or `*`); 412 when it names
    another plan or is not one of our ETags."""
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return None
    for tag in header.split(","):
        match = ETAG_PATTERN.match(tag.strip())
        if match and match["plan"] == str(plan_id):
            return int(match["version"])
    raise PreconditionFailed()


def _guarded(service, **kwargs):
    try:
        return service(**kwargs)
    except services.PlanVersionConflict as exc:
        raise PreconditionFailed() from exc


def plan_detail_response(request, plan_id) -> Response:
    """The plan as GET /plans/<id>/ shows it (summary, items, milestones, ETag), after a write:
    rendered for the version the write made, and stored for the reads after it."""
    shown = read_models.plan_shown(user=request.user, plan_id=plan_id)
    return Response(shown.body(), headers={"ETag": shown.version_etag})


def new_plan_response(request, plan) -> Response:
    """201 with the plan just created (as GET /plans/<id>/ shows it), its ETag and Location;
    also used by the path finder's "start this plan"."""
    data, etag = read_models.new_plan_detail_data(plan)
    location = reverse("plans:detail", kwargs={"version": request.version, "plan_id": plan.id})
    return Response(
        data, status=status.HTTP_201_CREATED, headers={"ETag": etag, "Location": location}
    )


def _items_response(request, plan_id) -> Response:
    items, etag = read_models.plan_items_data(user=request.user, plan_id=plan_id)
    return Response(items, headers={"ETag": etag})


def _item_response(request, item, status_code=status.HTTP_200_OK) -> Response:
    items, etag = read_models.plan_items_data(user=request.user, plan_id=item.plan_id)
    data = next((shown for shown in items if shown["id"] == item.pk), None)
    if data is None:  # deleted by another request since this one's change committed
        raise Http404(selectors.ITEM_NOT_FOUND)
    return Response(data, status=status_code, headers={"ETag": etag})


class PlanListView(APIView):
    permission_classes = [IsAuthenticated]
    # Read by drf-spectacular too: the list is documented as the paginated envelope it is.
    pagination_class = PageNumberPagination

    @extend_schema(responses=PlanListSerializer(many=True), operation_id="plans_list")
    def get(self, request, version):
        paginator = self.pagination_class()
        rows = read_models.plan_rows_for_user(
            user=request.user, expected=paginator.requested_slice(request)
        )
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(read_models.plan_list_fragments(page))

    @extend_schema(
        request=PlanCreateSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: PlanDetailSerializer, 422: KEY_REUSED_RESPONSE},
        operation_id="plans_create",
    )
    @idempotent
    @reads_profile  # its reminders are armed by the owner's time zone and wishes
    def post(self, request, version):
        serializer = PlanCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        plan = services.plan_create(owner=request.user, **serializer.validated_data)
        return new_plan_response(request, plan)


class PlanDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "If-None-Match", str, OpenApiParameter.HEADER, description="Answered with 304."
            )
        ],
        responses={200: PlanDetailSerializer, 304: OpenApiResponse(description="Not modified.")},
    )
    def get(self, request, version, plan_id):
        # the plan's row decides a 304 before its stored body is decompressed or rendered
        shown = read_models.plan_shown(user=request.user, plan_id=plan_id)
        if etag_matches(shown.etag, request.headers.get("If-None-Match", "")):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": shown.etag})
        return Response(shown.body(), headers={"ETag": shown.etag})

    @extend_schema(
        request=PlanUpdateSerializer,
        parameters=[IF_MATCH_PARAMETER],
        responses={200: PlanDetailSerializer, 412: PRECONDITION_FAILED},
    )
    def patch(self, request, version, plan_id):
        serializer = PlanUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _guarded(
            services.plan_update,
            user=request.user,
            plan_id=plan_id,
            data=serializer.validated_data,
            expected_version=expected_version(request, plan_id),
        )
        return plan_detail_response(request, plan_id)

    @extend_schema(parameters=[IF_MATCH_PARAMETER], responses={204: None, 412: PRECONDITION_FAILED})
    def delete(self, request, version, plan_id):
        _guarded(
            services.plan_delete,
            user=request.user,
            plan_id=plan_id,
            expected_version=expected_version(request, plan_id),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class PlanItemListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=PlanItemSerializer(many=True), operation_id="plans_items_list")
    def get(self, request, version, plan_id):
        return _items_response(request, plan_id)

    @extend_schema(
        request=PlanItemCreateSerializer,
        parameters=[IDEMPOTENCY_PARAMETER, IF_MATCH_PARAMETER],
        responses={201: PlanItemSerializer, 412: PRECONDITION_FAILED, 422: KEY_REUSED_RESPONSE},
        operation_id="plans_items_create",
    )
    @idempotent
    def post(self, request, version, plan_id):
        serializer = PlanItemCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = _guarded(
            services.plan_item_add,
            user=request.user,
            plan_id=plan_id,
            expected_version=expected_version(request, plan_id),
            **serializer.validated_data,
        )
        return _item_response(request, item, status.HTTP_201_CREATED)


class PlanItemDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=PlanItemUpdateSerializer,
        parameters=[IF_MATCH_PARAMETER],
        responses={200: PlanItemSerializer, 412: PRECONDITION_FAILED},
    )
    def patch(self, request, version, plan_id, item_id):
        serializer = PlanItemUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = _guarded(
            services.plan_item_update,
            user=request.user,
            plan_id=plan_id,
            item_id=item_id,
            data=serializer.validated_data,
            expected_version=expected_version(request, plan_id),
        )
        return _item_response(request, item)

    @extend_schema(parameters=[IF_MATCH_PARAMETER], responses={204: None, 412: PRECONDITION_FAILED})
    def delete(self, request, version, plan_id, item_id):
        plan = _guarded(
            services.plan_item_delete,
            user=request.user,
            plan_id=plan_id,
            item_id=item_id,
            expected_version=expected_version(request, plan_id),
        )
        return Response(status=status.HTTP_204_NO_CONTENT, headers={"ETag": plan.etag})


class PlanItemReorderView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=ReorderSerializer,
        parameters=[IF_MATCH_PARAMETER],
        responses={200: PlanItemSerializer(many=True), 412: PRECONDITION_FAILED},
    )
    def post(self, request, version, plan_id):
        serializer = ReorderSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _guarded(
            services.plan_items_reorder,
            user=request.user,
            plan_id=plan_id,
            item_ids=serializer.validated_data["items"],
            expected_version=expected_version(request, plan_id),
        )
        return _items_response(request, plan_id)


class PlanShiftView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=ShiftSerializer,
        parameters=[IF_MATCH_PARAMETER],
        responses={200: ShiftResultSerializer, 412: PRECONDITION_FAILED},
    )
    def post(self, request, version, plan_id):
        serializer = ShiftSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = _guarded(
            services.plan_shift,
            user=request.user,
            plan_id=plan_id,
            days=serializer.validated_data["days"],
            expected_version=expected_version(request, plan_id),
        )
        shown = read_models.plan_shown(user=request.user, plan_id=plan_id)
        body = {
            "items_moved": result.items_moved,
            "milestones_moved": result.milestones_moved,
            "plan": shown.body(),
        }
        return Response(body, headers={"ETag": shown.version_etag})


class MilestoneListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MilestoneSerializer(many=True), operation_id="plans_milestones_list")
    def get(self, request, version, plan_id):
        milestones = selectors.milestones_for_user(user=request.user, plan_id=plan_id)
        return Response([read_models.milestone_data(milestone) for milestone in milestones])

    @extend_schema(
        request=MilestoneCreateSerializer,
        parameters=[IDEMPOTENCY_PARAMETER, IF_MATCH_PARAMETER],
        responses={201: MilestoneSerializer, 412: PRECONDITION_FAILED, 422: KEY_REUSED_RESPONSE},
        operation_id="plans_milestones_create",
    )
    @idempotent
    def post(self, request, version, plan_id):
        serializer = MilestoneCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        milestone = _guarded(
            services.milestone_create,
            user=request.user,
            plan_id=plan_id,
            expected_version=expected_version(request, plan_id),
            **serializer.validated_data,
        )
        return Response(
            read_models.milestone_data(milestone),
            status=status.HTTP_201_CREATED,
            headers={"ETag": milestone.plan.etag},
        )


class MilestoneDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=MilestoneUpdateSerializer,
        parameters=[IF_MATCH_PARAMETER],
        responses={200: MilestoneSerializer, 412: PRECONDITION_FAILED},
    )
    def patch(self, request, version, plan_id, milestone_id):
        serializer = MilestoneUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        milestone = _guarded(
            services.milestone_update,
            user=request.user,
            plan_id=plan_id,
            milestone_id=milestone_id,
            data=serializer.validated_data,
            expected_version=expected_version(request, plan_id),
        )
        return Response(
            read_models.milestone_data(milestone), headers={"ETag": milestone.plan.etag}
        )

    @extend_schema(parameters=[IF_MATCH_PARAMETER], responses={204: None, 412: PRECONDITION_FAILED})
    def delete(self, request, version, plan_id, milestone_id):
        plan = _guarded(
            services.milestone_delete,
            user=request.user,
            plan_id=plan_id,
            milestone_id=milestone_id,
            expected_version=expected_version(request, plan_id),
        )
        return Response(status=status.HTTP_204_NO_CONTENT, headers={"ETag": plan.etag})


class PlanCompareView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "plans",
                str,
                required=True,
                description="Two to four of your plan ids, comma-separated.",
            )
        ],
        responses=PlanCompareSerializer,
    )
    def get(self, request, version):
        raw = [part.strip() for part in request.query_params.get("plans", "").split(",")]
        raw = list(dict.fromkeys(part for part in raw if part))
        if not 2 <= len(raw) <= 4:
            raise ValidationError({"plans": [COMPARE_COUNT]})
        ids, invalid = [], []
        for part in raw:
            try:
                ids.append(uuid.UUID(part))
            except ValueError:
                invalid.append(part)
        if invalid:
            raise ValidationError({"plans": [COMPARE_INVALID.format(ids=", ".join(invalid))]})
        found = read_models.plans_data_for_user_by_ids(user=request.user, plan_ids=ids)
        unknown = [str(plan_id) for plan_id in ids if plan_id not in found]
        if unknown:
            raise ValidationError({"plans": [COMPARE_UNKNOWN.format(ids=", ".join(unknown))]})
        return Response({"plans": [found[plan_id] for plan_id in ids]})


class CalendarFeedSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="Subscribe to this in a calendar app; keep it secret.")
    created_at = serializers.DateTimeField()


class CalendarTokenView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=CalendarFeedSerializer, operation_id="me_calendar_token_retrieve")
    def get(self, request, version):
        """Your calendar subscription URL (created on first use)."""
        feed = calendar_feed_get_or_create(user=request.user)
        return Response(
            CalendarFeedSerializer(
                {"url": calendar_feed_url(feed), "created_at": feed.created_at}
            ).data
        )

    @extend_schema(
        request=None,
        responses={201: CalendarFeedSerializer},
        operation_id="me_calendar_token_rotate",
    )
    def post(self, request, version):
        """A new secret URL; the old one stops working (404) at once."""
        feed = calendar_feed_rotate(user=request.user)
        body = {"url": calendar_feed_url(feed), "created_at": feed.created_at}
        return Response(CalendarFeedSerializer(body).data, status=status.HTTP_201_CREATED)
