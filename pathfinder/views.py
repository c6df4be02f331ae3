"""Path finder endpoints: thin. The questionnaire and the result are open to anyone; turning
a result into a plan needs a signed-in user and goes through the plans service."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import reads_profile
from careerplan.api.caching import (
    IF_NONE_MATCH_PARAMETER,
    NOT_MODIFIED_RESPONSE,
    ConditionalGetMixin,
)
from careerplan.api.errors import ProblemSerializer
from pathfinder import scoring, selectors, services
from pathfinder.cache import catalogue_version
from pathfinder.serializers import (
    PathFinderPlanCreateSerializer,
    PathFinderQuestionnaireSerializer,
    PathFinderResultSerializer,
    PathFinderSerializer,
)
from plans.idempotency import IDEMPOTENCY_PARAMETER, KEY_REUSED_RESPONSE, idempotent
from plans.serializers import PlanDetailSerializer
from plans.views import new_plan_response

TAG = "path finder"
INVALID = OpenApiResponse(ProblemSerializer, description="Field errors (`errors[].attr`).")
UNAUTHENTICATED = OpenApiResponse(ProblemSerializer, description="Not signed in.")


class PathFinderQuestionsView(ConditionalGetMixin, APIView):
    permission_classes = [AllowAny]

    def etag_version(self) -> str:
        return catalogue_version()

    @extend_schema(
        parameters=[IF_NONE_MATCH_PARAMETER],
        responses={200: PathFinderQuestionnaireSerializer, 304: NOT_MODIFIED_RESPONSE},
        operation_id="path_finder_questions",
        tags=[TAG],
        description=(
            "The questionnaire: each question's key, kind and options. The weights behind the "
            "options are not shown here; a result explains itself instead, quoting for each "
            "answer the sourced criterion it matched."
        ),
    )
    def get(self, request, version):
        data = {
            "questions": selectors.question_list(),
            "scoring_rule": scoring.SCORING_RULE,
            "fit_rule": scoring.FIT_RULE,
        }
        return Response(PathFinderQuestionnaireSerializer(data).data)


class PathFinderView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        request=PathFinderSerializer,
        responses={200: PathFinderResultSerializer, 400: INVALID},
        operation_id="path_finder_result",
        tags=[TAG],
        description=(
            "Roles ranked by fit for the answers, with the reasons, and for each role the "
            "training paths that fit the constraints (or why none does). Nothing is saved."
        ),
    )
    def post(self, request, version):
        questionnaire = selectors.questionnaire_get()
        serializer = PathFinderSerializer(
            data=request.data, context={"questionnaire": questionnaire.facts}
        )
        serializer.is_valid(raise_exception=True)
        constraints = serializer.validated_data.get("constraints", {})
        result = selectors.path_finder_result(
            questionnaire=questionnaire,
            answers=serializer.validated_data["answers"],
            inputs=selectors.Inputs(
                budget=constraints.get("budget"),
                months_available=constraints.get("months_available"),
                wants_remote=constraints.get("wants_remote", False),
                current_salary=constraints.get("current_salary"),
            ),
        )
        return Response(PathFinderResultSerializer(result).data)


class PathFinderPlanView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=PathFinderPlanCreateSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={
            201: PlanDetailSerializer,
            400: INVALID,
            401: UNAUTHENTICATED,
            422: KEY_REUSED_RESPONSE,
        },
        operation_id="path_finder_plan_create",
        tags=[TAG],
        description="Start a plan from a result: the chosen role along one of its paths.",
    )
    @idempotent
    @reads_profile  # the new plan's reminders are armed by the owner's profile
    def post(self, request, version):
        serializer = PathFinderPlanCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        plan = services.path_finder_plan_create(owner=request.user, **serializer.validated_data)
        return new_plan_response(request, plan)
