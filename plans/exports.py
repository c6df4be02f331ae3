"""The plans section of a user's data export (GET /api/v1/me/export/)."""

from rest_framework import serializers

from plans.models import Milestone, Plan, PlanItem


class PlanItemExportSerializer(serializers.ModelSerializer):
    training_step = serializers.CharField(source="training_step.name", default=None)
    certification = serializers.CharField(source="certification.code", default=None)
    tool = serializers.CharField(source="tool.slug", default=None)

    class Meta:
        model = PlanItem
        fields = [
            "id",
            "position",
            "kind",
            "title",
            "training_step",
            "certification",
            "tool",
            "provider",
            "url",
            "exam_date",
            "planned_cost",
            "duration_value",
            "duration_unit",
            "quantity",
            "status",
            "done_at",
            "created_at",
        ]


class MilestoneExportSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "kind", "title", "due_on", "done_at", "item", "created_at"]


class PlanExportSerializer(serializers.ModelSerializer):
    target_role = serializers.CharField(source="target_role.slug")
    training_path = serializers.CharField(source="training_path.slug", default=None)
    items = PlanItemExportSerializer(many=True)
    milestones = MilestoneExportSerializer(many=True)

    class Meta:
        model = Plan
        fields = [
            "id",
            "title",
            "status",
            "target_role",
            "training_path",
            "start_date",
            "current_salary",
            "created_at",
            "updated_at",
            "items",
            "milestones",
        ]


def export_plans(user) -> list:
    plans = (
        Plan.objects.filter(owner=user)
        .select_related("target_role", "training_path")
        .prefetch_related(
            "items__training_step", "items__certification", "items__tool", "milestones"
        )
        .order_by("created_at", "id")
    )
    return PlanExportSerializer(plans, many=True).data
