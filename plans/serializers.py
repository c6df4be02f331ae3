"""Shapes of plan requests and responses. Rules live in plans/services.py."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from careerplan.api.serializers import (
    ListField,
    RejectUnknownFieldsMixin,
    SlugRelatedField,
    StrictIntegerField,
)
from plans.computations import Duration
from plans.models import Milestone, Plan, PlanItem
from plans.services import MAX_PLAN_DATE, MAX_PLAN_ITEMS, MAX_SHIFT_DAYS, MIN_PLAN_DATE
from roles.models import Certification, Role, Tool, TrainingPath, TrainingStep
from roles.selectors import training_path_of_role
from roles.serializers import CertificationRefSerializer, RoleRefSerializer, SourceSerializer

MONEY = {"max_digits": 12, "decimal_places": 2}
INPUT_MONEY = {"max_digits": 10, "decimal_places": 2, "min_value": 0}


# --- small read shapes ------------------------------------------------------------------


class PlanDateField(serializers.DateField):
    """A date a plan takes (its start, an exam's date, a milestone's), from MIN_PLAN_DATE to
    MAX_PLAN_DATE: any plan's schedule then stays inside the calendar."""

    window = f"from {MIN_PLAN_DATE} to {MAX_PLAN_DATE}"
    default_error_messages = {"out_of_range": f"Enter a date {window}."}

    def __init__(self, **kwargs):
        # the window in the API schema too, after what the field says of itself
        described = f"{self.window[0].upper()}{self.window[1:]}."
        kwargs["help_text"] = " ".join(filter(None, (kwargs.get("help_text"), described)))
        super().__init__(**kwargs)

    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        if not MIN_PLAN_DATE <= day <= MAX_PLAN_DATE:
            self.fail("out_of_range")
        return day


class PlanTrainingPathRefSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()


class DurationSerializer(serializers.Serializer):
    value = StrictIntegerField(min_value=1, max_value=600)
    unit = serializers.ChoiceField(choices=PlanItem.DurationUnit.choices)

    def to_internal_value(self, data) -> Duration:
        validated = super().to_internal_value(data)
        return Duration(validated["value"], validated["unit"])


class CatalogueFiguresSerializer(serializers.Serializer):
    cost_min = serializers.DecimalField(
        **MONEY, allow_null=True, source="catalogue_cost_min", help_text="Catalogue low (USD)."
    )
    cost_max = serializers.DecimalField(
        **MONEY, allow_null=True, source="catalogue_cost_max", help_text="Catalogue high (USD)."
    )
    months_min = serializers.IntegerField(allow_null=True, source="catalogue_months_min")
    months_max = serializers.IntegerField(allow_null=True, source="catalogue_months_max")


class SpanSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()


class StepRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    position = serializers.IntegerField()


class ToolRefSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    cadence = serializers.CharField()


@extend_schema_field(
    {"oneOf": [{"type": "string", "format": "uri"}, {"type": "string", "maxLength": 0}]}
)
class OptionalURLField(serializers.CharField):
    """An address or "" (none): a bare URLField is documented as format "uri", which "" is not
    (schema fuzzing found every item without a url violating its own schema)."""


class PlanItemSerializer(serializers.ModelSerializer):
    """An item with its catalogue figures and projected dates (set by the view)."""

    title = serializers.CharField(source="display_title")
    training_step = StepRefSerializer(allow_null=True)
    certification = CertificationRefSerializer(allow_null=True)
    tool = ToolRefSerializer(allow_null=True)
    duration = serializers.SerializerMethodField()
    catalogue = CatalogueFiguresSerializer(source="facts")
    schedule = SpanSerializer(source="span")
    url = OptionalURLField(read_only=True, help_text="The course's address, or empty.")

    class Meta:
        model = PlanItem
        fields = [
            "id",
            "position",
            "kind",
            "title",
            "status",
            "training_step",
            "certification",
            "tool",
            "provider",
            "url",
            "exam_date",
            "planned_cost",
            "duration",
            "quantity",
            "catalogue",
            "schedule",
            "done_at",
        ]
        read_only_fields = fields

    @extend_schema_field(DurationSerializer(allow_null=True))
    def get_duration(self, item: PlanItem) -> dict | None:
        if item.duration_value is None:
            return None
        return {"value": item.duration_value, "unit": item.duration_unit}


class MilestoneSerializer(serializers.ModelSerializer):
    item = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    is_generated = serializers.BooleanField(read_only=True)
    done = serializers.SerializerMethodField()

    class Meta:
        model = Milestone
        fields = ["id", "kind", "title", "due_on", "done", "done_at", "item", "is_generated"]
        read_only_fields = fields

    def get_done(self, milestone: Milestone) -> bool:
        return milestone.done_at is not None


# --- computed summary -------------------------------------------------------------------


class PlanCostRangeSerializer(serializers.Serializer):
    planned = serializers.DecimalField(**MONEY)
    min = serializers.DecimalField(**MONEY)
    max = serializers.DecimalField(**MONEY)


class CostSerializer(serializers.Serializer):
    currency = serializers.CharField()
    planned = serializers.DecimalField(**MONEY, source="total.planned")
    min = serializers.DecimalField(**MONEY, source="total.min", help_text="Catalogue low total.")
    max = serializers.DecimalField(**MONEY, source="total.max", help_text="Catalogue high total.")
    by_kind = serializers.DictField(
        child=PlanCostRangeSerializer(), help_text="Keyed by item kind: step, exam, tool, custom."
    )


class MonthsSerializer(serializers.Serializer):
    planned = serializers.DecimalField(max_digits=6, decimal_places=1)
    optimistic = serializers.DecimalField(max_digits=6, decimal_places=1)
    conservative = serializers.DecimalField(max_digits=6, decimal_places=1)


class ScheduleSerializer(serializers.Serializer):
    finish_date = serializers.DateField()
    optimistic_finish_date = serializers.DateField()
    conservative_finish_date = serializers.DateField()
    months = MonthsSerializer()


class SalaryBandRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    level = serializers.CharField()
    qualifier = serializers.CharField()
    amount_min = serializers.DecimalField(**MONEY, allow_null=True)
    amount_max = serializers.DecimalField(**MONEY, allow_null=True)
    median = serializers.DecimalField(**MONEY, allow_null=True)
    average = serializers.DecimalField(**MONEY, allow_null=True)
    currency = serializers.CharField()
    period = serializers.CharField()
    as_of = serializers.IntegerField(allow_null=True)
    source = SourceSerializer()


class SalaryPremiumRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    level = serializers.CharField()
    qualifier = serializers.CharField()
    amount_min = serializers.DecimalField(**MONEY, allow_null=True)
    amount_max = serializers.DecimalField(**MONEY, allow_null=True)
    percent = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    currency = serializers.CharField()
    as_of = serializers.IntegerField(allow_null=True)
    note = serializers.CharField()
    source = SourceSerializer()


class SalarySerializer(serializers.Serializer):
    role = RoleRefSerializer()
    entry_bands = SalaryBandRefSerializer(
        many=True, help_text="Each source's entry-level figure for the target role, not merged."
    )
    premiums = SalaryPremiumRefSerializer(many=True)


class PaybackBasisSerializer(serializers.Serializer):
    band_id = serializers.IntegerField(source="ref")
    label = serializers.CharField()
    source = serializers.CharField()
    expected_salary = serializers.DecimalField(**MONEY, source="conservative")


class PaybackSerializer(serializers.Serializer):
    months = serializers.IntegerField(allow_null=True)
    reason = serializers.CharField(allow_null=True)
    monthly_gain = serializers.DecimalField(**MONEY, allow_null=True)
    paid_back_on = serializers.DateField(allow_null=True)
    basis = PaybackBasisSerializer(allow_null=True)


class ProgressSerializer(serializers.Serializer):
    done = serializers.IntegerField()
    total = serializers.IntegerField(help_text="Items not skipped.")
    skipped = serializers.IntegerField()
    by_count = serializers.DecimalField(max_digits=4, decimal_places=3)
    months_done = serializers.DecimalField(max_digits=6, decimal_places=1)
    months_total = serializers.DecimalField(max_digits=6, decimal_places=1)
    by_months = serializers.DecimalField(max_digits=4, decimal_places=3)


class PlanSummaryFieldsMixin(serializers.Serializer):
    cost = CostSerializer(source="summary.cost")
    schedule = ScheduleSerializer(source="summary.schedule")
    salary = SalarySerializer(source="summary.salary")
    payback = PaybackSerializer(source="summary.payback")
    progress = ProgressSerializer(source="summary.progress")
    current_salary = serializers.DecimalField(
        **MONEY, source="summary.current_salary", allow_null=True
    )
    current_salary_from = serializers.ChoiceField(
        choices=["plan", "profile"],
        source="summary.current_salary_from",
        allow_null=True,
        help_text="Whether the current salary comes from the plan or from the profile.",
    )


PLAN_FIELDS = [
    "id",
    "title",
    "status",
    "target_role",
    "training_path",
    "start_date",
    "version",
    "created_at",
    "updated_at",
]
SUMMARY_FIELDS = [
    "cost",
    "schedule",
    "salary",
    "payback",
    "progress",
    "current_salary",
    "current_salary_from",
]


class PlanListSerializer(PlanSummaryFieldsMixin, serializers.ModelSerializer):
    target_role = RoleRefSerializer()
    training_path = PlanTrainingPathRefSerializer(allow_null=True)

    class Meta:
        model = Plan
        fields = [*PLAN_FIELDS, *SUMMARY_FIELDS]
        read_only_fields = fields


class PlanDetailSerializer(PlanListSerializer):
    items = PlanItemSerializer(many=True, source="summary_items")
    milestones = MilestoneSerializer(many=True)

    class Meta(PlanListSerializer.Meta):
        fields = [*PLAN_FIELDS, "items", "milestones", *SUMMARY_FIELDS]
        read_only_fields = fields


# --- requests ---------------------------------------------------------------------------


class CertificationCodeField(SlugRelatedField):
    """A certification by its code, in any case (`cpc` is CPC)."""

    def look_up(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        try:
            return self.get_queryset().get(code__iexact=data)
        except Certification.DoesNotExist:
            self.fail("does_not_exist", slug_name="code", value=data)


class _RoleOrPathSlugField(SlugRelatedField):
    """The target role or training path of a new plan, taken from the one query the
    serializer makes for both when the path is one of the role's (the usual request)."""

    def look_up(self, data):
        found = self.parent.role_and_path().get(self.field_name)
        if found is not None and isinstance(data, str) and found.slug == data:
            return found
        return super().look_up(data)


class PlanCreateSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    target_role = _RoleOrPathSlugField(slug_field="slug", queryset=Role.objects.all())
    training_path = _RoleOrPathSlugField(
        slug_field="slug",
        queryset=TrainingPath.objects.all(),
        required=False,
        allow_null=True,
        help_text="Builds one item per step of the path (with its milestones).",
    )
    start_date = PlanDateField()
    current_salary = serializers.DecimalField(**INPUT_MONEY, required=False, allow_null=True)

    _role_and_path: dict[str, Role | TrainingPath] | None = None

    def role_and_path(self) -> dict[str, Role | TrainingPath]:
        """{"target_role": ..., "training_path": ...} when the request names a path of the
        target role (kept per catalogue version: no query once warm); empty otherwise (each
        field then looks its slug up)."""
        if self._role_and_path is None:
            self._role_and_path = {}
            role, path = (
                self.initial_data.get("target_role"),
                self.initial_data.get("training_path"),
            )
            if (
                isinstance(role, str)
                and isinstance(path, str)
                and "\x00" not in role + path  # each field refuses it; never a query
            ):
                found = training_path_of_role(role_slug=role, path_slug=path)
                if found is not None:
                    self._role_and_path = {"target_role": found.role, "training_path": found}
        return self._role_and_path


class PlanUpdateSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=Plan.Status.choices, required=False)
    target_role = SlugRelatedField(slug_field="slug", queryset=Role.objects.all(), required=False)
    training_path = SlugRelatedField(
        slug_field="slug", queryset=TrainingPath.objects.all(), required=False, allow_null=True
    )
    start_date = PlanDateField(required=False)
    current_salary = serializers.DecimalField(**INPUT_MONEY, required=False, allow_null=True)


class PlanItemCreateSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    kind = serializers.ChoiceField(choices=PlanItem.ItemKind.choices)
    training_step = serializers.PrimaryKeyRelatedField(
        queryset=TrainingStep.objects.all(), required=False, help_text="For kind=step."
    )
    certification = CertificationCodeField(
        slug_field="code",
        queryset=Certification.objects.all(),
        required=False,
        help_text="Certification code, for kind=exam.",
    )
    tool = SlugRelatedField(
        slug_field="slug", queryset=Tool.objects.all(), required=False, help_text="For kind=tool."
    )
    title = serializers.CharField(max_length=200, required=False, default="")
    provider = serializers.CharField(max_length=200, required=False, default="")
    url = serializers.URLField(max_length=500, required=False, default="")
    exam_date = PlanDateField(required=False, help_text="For kind=exam.")
    planned_cost = serializers.DecimalField(
        **INPUT_MONEY,
        required=False,
        help_text="Defaults from the catalogue (step: its upper cost; exam: the current fee).",
    )
    duration = DurationSerializer(
        required=False, help_text="Defaults from the catalogue (step: its upper months)."
    )
    quantity = StrictIntegerField(min_value=1, max_value=1000, required=False, default=1)
    position = StrictIntegerField(
        min_value=0, required=False, help_text="Where to insert (default: at the end)."
    )


class PlanItemUpdateSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    provider = serializers.CharField(max_length=200, required=False, allow_blank=True)
    url = serializers.URLField(max_length=500, required=False, allow_blank=True)
    exam_date = PlanDateField(required=False)
    planned_cost = serializers.DecimalField(**INPUT_MONEY, required=False)
    duration = DurationSerializer(required=False, allow_null=True)
    quantity = StrictIntegerField(min_value=1, max_value=1000, required=False)
    status = serializers.ChoiceField(choices=PlanItem.Status.choices, required=False)


class ReorderSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    items = ListField(
        child=StrictIntegerField(min_value=1),
        max_length=MAX_PLAN_ITEMS,
        help_text="Every item id of the plan, once each, in the new order.",
    )


class ShiftSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    days = StrictIntegerField(
        min_value=-MAX_SHIFT_DAYS,
        max_value=MAX_SHIFT_DAYS,
        help_text="Days to move every open date by (non-zero; negative moves earlier).",
    )


class ShiftResultSerializer(serializers.Serializer):
    items_moved = serializers.IntegerField()
    milestones_moved = serializers.IntegerField()
    plan = PlanDetailSerializer()


class MilestoneCreateSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    title = serializers.CharField(max_length=200)
    due_on = PlanDateField()


class MilestoneUpdateSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    due_on = PlanDateField(required=False, help_text="Custom milestones only.")
    done = serializers.BooleanField(required=False)


class PlanCompareSerializer(serializers.Serializer):
    plans = PlanListSerializer(many=True)
