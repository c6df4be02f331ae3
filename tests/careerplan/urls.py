"""The real URLs plus one small DRF view, to exercise the API defaults before any app has one."""

from django.urls import path, re_path
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from careerplan.urls import handler404, handler500
from careerplan.urls import urlpatterns as product_urlpatterns

__all__ = ["handler404", "handler500", "urlpatterns"]


class EchoSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=10)
    months = serializers.IntegerField(min_value=1)
    tags = serializers.ListField(child=serializers.IntegerField(), required=False)


class EchoView(APIView):
    permission_classes = [IsAuthenticated]

    def post(self, request, version):
        serializer = EchoSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(serializer.validated_data)


urlpatterns = [
    *product_urlpatterns,
    re_path(r"^api/(?P<version>v1)/_echo/$", EchoView.as_view(), name="echo"),
    path("api/v1/_crash/", lambda request: 1 / 0),
]


class ServiceErrorView(APIView):
    """Raises Django's ValidationError, as services do."""

    permission_classes = []

    def post(self, request, version):
        from django.core.exceptions import ValidationError

        if request.data.get("fields"):
            raise ValidationError({"due_on": ValidationError("Too early.", code="before_start")})
        raise ValidationError("Not allowed.", code="forbidden_move")


urlpatterns.append(re_path(r"^api/(?P<version>v1)/_service/$", ServiceErrorView.as_view()))
