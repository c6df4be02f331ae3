"""`/api/v1/me/`: the signed-in user's profile, account deletion and data export.

Sign-up, sign-in, sign-out, email verification and password reset are django-allauth's headless
endpoints under `/_allauth/{app,browser}/v1/` (documented at `/_allauth/openapi.html` when
`HEADLESS_SERVE_SPECIFICATION` is on).
"""

from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import APIView

from accounts.authentication import reads_profile
from accounts.selectors import profile_for_user
from accounts.serializers import AccountDeleteSerializer, MeSerializer, UserExportSerializer
from accounts.services import profile_update, user_delete, user_export
from careerplan.api.schema import AutoSchema
from careerplan.api.throttling import UserRateThrottle


def _api_validation_error(exc: DjangoValidationError) -> ValidationError:
    """A service's Django `ValidationError` as the API's 400 problem, field by field."""
    return ValidationError(detail=as_serializer_error(exc))


class AccountDeleteThrottle(UserRateThrottle):
    """Deletion attempts per user (`THROTTLE_RATE_ACCOUNT_DELETE`): the password check must
    not become a way to guess the password of a hijacked session."""

    scope = "account_delete"


class RequestBodyOnDeleteSchema(AutoSchema):
    """drf-spectacular documents request bodies for POST/PUT/PATCH only; `DELETE /me/` takes
    the password in its body (RFC 9110 allows it), so document that body too."""

    def _get_request_body(self, direction="request"):
        if self.method != "DELETE":
            return super()._get_request_body(direction)
        self.method = "POST"
        try:
            return super()._get_request_body(direction)
        finally:
            self.method = "DELETE"


@method_decorator(never_cache, name="dispatch")
class MeView(APIView):
    schema = RequestBodyOnDeleteSchema()

    def get_throttles(self):
        throttles = super().get_throttles()
        if self.request.method == "DELETE":
            throttles.append(AccountDeleteThrottle())
        return throttles

    @extend_schema(
        operation_id="me_retrieve",
        summary="Your profile",
        tags=["me"],
        responses={200: MeSerializer},
    )
    @reads_profile
    def get(self, request, *args, **kwargs):
        profile = profile_for_user(user=request.user)
        return Response(MeSerializer(profile).data)

    @extend_schema(
        operation_id="me_partial_update",
        summary="Change your profile",
        description=(
            "Send only the fields to change. Unknown fields and `email` are refused (400); the "
            "email address is changed through the account email endpoints, which verify it."
        ),
        tags=["me"],
        request=MeSerializer,
        responses={200: MeSerializer},
    )
    def patch(self, request, *args, **kwargs):
        serializer = MeSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.update(data.pop("user", {}))
        try:
            profile = profile_update(user=request.user, data=data)
        except DjangoValidationError as exc:
            raise _api_validation_error(exc) from exc
        return Response(MeSerializer(profile).data)

    @extend_schema(
        operation_id="me_destroy",
        summary="Delete your account",
        description=(
            "Deletes the account and everything it owns (profile, plans, items, milestones, "
            "reminder records), after the password is re-entered. A wrong or missing password "
            "is a 400 with an error on `password`, and nothing is deleted. Ends the session "
            "(cookie or `X-Session-Token`) the request was made with."
        ),
        tags=["me"],
        request=AccountDeleteSerializer,
        responses={204: OpenApiResponse(description="The account is deleted.")},
    )
    def delete(self, request, *args, **kwargs):
        serializer = AccountDeleteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            user_delete(user=request.user, password=serializer.validated_data["password"])
        except DjangoValidationError as exc:
            raise _api_validation_error(exc) from exc
        if isinstance(request.auth, SessionBase):  # app client: the X-Session-Token session
            request.auth.flush()
        request.session.flush()  # browser client: the cookie session
        return Response(status=status.HTTP_204_NO_CONTENT)


@method_decorator(never_cache, name="dispatch")
class MeExportView(APIView):
    @extend_schema(
        operation_id="me_export",
        summary="Export all your data",
        description=(
            "Everything stored about you, as one JSON document: account, profile, email "
            "addresses, and each app's data (plans with their items, milestones and the "
            "reminders sent)."
        ),
        tags=["me"],
        responses={200: UserExportSerializer},
    )
    def get(self, request, *args, **kwargs):
        return Response(user_export(user=request.user))
