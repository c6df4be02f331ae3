"""The plans section of a user's data export (GET /api/v1/me/export/)."""

from rest_framework import serializers

from plans.models import Milestone, Plan, PlanItem, Reminder


class PlanItemExportSerializer(serializers.ModelSerializer):
    # null when the item is of another kind (the schema says so: the fuzzer caught them typed
    # as plain strings)
    training_step = serializers.CharField(
        source="training_step.name", default=None, allow_null=True
    )
    certification = serializers.CharField(
        source="certification.code", default=None, allow_null=True
    )
    tool = serializers.CharField(source="tool.slug", default=None, allow_null=True)

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


class ReminderExportSerializer(serializers.ModelSerializer):
    milestone_title = serializers.CharField(source="milestone.title")
    plan = serializers.UUIDField(source="milestone.plan_id")

    class Meta:
        model = Reminder
        fields = [
            "id",
            "plan",
            "milestone",
            "milestone_title",
            "offset_days",
            "due_on",
            "scheduled_for",
            "status",
            "sent_at",
            "recipient",
            "detail",
        ]


def export_reminders(user) -> list:
    """Every reminder of the user's plans: sent, skipped, failed and still pending."""
    reminders = (
        Reminder.objects.filter(user=user)
        .select_related("milestone")
        .order_by("scheduled_for", "id")
    )
    return ReminderExportSerializer(reminders, many=True).data
