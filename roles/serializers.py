"""Output shapes of the catalogue API (read-only; money is a decimal string, e.g. "2000.00")."""

from __future__ import annotations

from rest_framework import serializers

from roles.comparison import COMPARE_MAX_ROLES, COMPARE_MIN_ROLES
from roles.models import (
    CareerStep,
    Certification,
    CertificationExamFormat,
    CertificationFee,
    CertificationRenewal,
    CertifyingBody,
    Role,
    RoleStatistic,
    SalaryBand,
    SalaryLevel,
    SalaryPremium,
    Source,
    Tool,
    TrainingPath,
    TrainingStep,
)

MONEY = {"max_digits": 10, "decimal_places": 2}


class SourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Source
        fields = ["slug", "publisher", "title", "year", "as_of", "url", "kind", "notes"]


class RoleRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Role
        fields = ["slug", "title", "family"]


class CertificationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Certification
        fields = ["code", "name"]


class CertifyingBodySerializer(serializers.ModelSerializer):
    class Meta:
        model = CertifyingBody
        fields = ["code", "name", "url", "notes"]


class WorkEnvironmentSerializer(serializers.Serializer):
    name = serializers.CharField()
    description = serializers.CharField()


# --- figures ---------------------------------------------------------------------------------


class SalaryBandSerializer(serializers.ModelSerializer):
    role = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    source = SourceSerializer(read_only=True)

    class Meta:
        model = SalaryBand
        fields = [
            "role",
            "level",
            "level_label",
            "qualifier",
            "amount_min",
            "amount_max",
            "max_is_open_ended",
            "median",
            "average",
            "period",
            "currency",
            "as_of",
            "note",
            "source",
        ]


class SalaryPremiumSerializer(serializers.ModelSerializer):
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    source = SourceSerializer(read_only=True)

    class Meta:
        model = SalaryPremium
        fields = [
            "level",
            "level_label",
            "qualifier",
            "amount_min",
            "amount_max",
            "percent",
            "currency",
            "as_of",
            "note",
            "source",
        ]


class RoleStatisticSerializer(serializers.ModelSerializer):
    source = SourceSerializer(read_only=True)

    class Meta:
        model = RoleStatistic
        fields = ["kind", "percent", "measure", "as_of", "period", "source"]


# --- training --------------------------------------------------------------------------------


# A path's totals add up any number of steps, each within MONEY: no bound on their digits
TOTAL_MONEY = {"max_digits": None, "decimal_places": 2}


class CostRangeSerializer(serializers.Serializer):
    min = serializers.DecimalField(**TOTAL_MONEY, allow_null=True)
    max = serializers.DecimalField(**TOTAL_MONEY, allow_null=True)
    currency = serializers.CharField(allow_null=True, help_text="ISO 4217 code.")


class MonthRangeSerializer(serializers.Serializer):
    min = serializers.IntegerField(allow_null=True)
    max = serializers.IntegerField(allow_null=True)


class EffortSerializer(serializers.Serializer):
    quantity = serializers.IntegerField()
    unit = serializers.CharField(help_text="e.g. practice cases.")
    is_minimum = serializers.BooleanField(help_text="The source gives it as a minimum (“150+”).")


class PathTotalsSerializer(serializers.Serializer):
    cost = CostRangeSerializer(
        help_text="Sum of the priced steps (a step priced N/A is left out); null if none is priced."
    )
    months = MonthRangeSerializer(help_text="Sum of the steps measured in months.")
    other_effort = EffortSerializer(many=True, help_text="Effort not measured in months.")


class TrainingStepSerializer(serializers.ModelSerializer):
    certifications = CertificationRefSerializer(many=True, read_only=True)

    class Meta:
        model = TrainingStep
        fields = [
            "position",
            "name",
            "months_min",
            "months_max",
            "cost_min",
            "cost_max",
            "currency",
            "effort_quantity",
            "effort_unit",
            "effort_is_minimum",
            "key_skills",
            "certifications",
        ]


class TrainingPathSummarySerializer(serializers.ModelSerializer):
    role = RoleRefSerializer(read_only=True)
    totals = PathTotalsSerializer(read_only=True)
    source = SourceSerializer(read_only=True)

    class Meta:
        model = TrainingPath
        fields = ["slug", "title", "role", "summary", "totals", "source"]


class TrainingPathSerializer(TrainingPathSummarySerializer):
    steps = TrainingStepSerializer(many=True, read_only=True)

    class Meta(TrainingPathSummarySerializer.Meta):
        fields = [*TrainingPathSummarySerializer.Meta.fields, "steps"]


# --- certifications --------------------------------------------------------------------------


class ExamFormatSerializer(serializers.ModelSerializer):
    source = SourceSerializer(read_only=True)

    class Meta:
        model = CertificationExamFormat
        fields = [
            "questions",
            "scored_questions",
            "duration_minutes",
            "completion_window_days",
            "open_book",
            "allowed_materials",
            "passing_score",
            "is_current",
            "as_of",
            "notes",
            "source",
        ]


class FeeSerializer(serializers.ModelSerializer):
    source = SourceSerializer(read_only=True)

    class Meta:
        model = CertificationFee
        fields = ["label", "amount", "currency", "is_current", "as_of", "notes", "source"]


class RenewalSerializer(serializers.ModelSerializer):
    source = SourceSerializer(read_only=True)

    class Meta:
        model = CertificationRenewal
        fields = ["cycle_months", "ceus", "membership_required", "as_of", "notes", "source"]


class CertificationSerializer(serializers.ModelSerializer):
    body = CertifyingBodySerializer(read_only=True)
    credential_level = serializers.ChoiceField(
        source="level", choices=Certification.Level.choices, read_only=True
    )
    roles = RoleRefSerializer(many=True, read_only=True)
    exam_formats = ExamFormatSerializer(many=True, read_only=True)
    fees = FeeSerializer(many=True, read_only=True)
    current_fee = FeeSerializer(
        read_only=True, allow_null=True, help_text="The lowest current fee, for planning."
    )
    renewals = RenewalSerializer(many=True, read_only=True)
    sources = SourceSerializer(many=True, read_only=True)

    class Meta:
        model = Certification
        fields = [
            "code",
            "name",
            "body",
            "credential_level",
            "focus",
            "description",
            "prerequisites",
            "notes",
            "roles",
            "exam_formats",
            "fees",
            "current_fee",
            "renewals",
            "sources",
        ]


class RoleCertificationSerializer(serializers.ModelSerializer):
    body = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Certification
        fields = ["code", "name", "body", "focus"]


# --- roles -----------------------------------------------------------------------------------


class CareerStepSerializer(serializers.ModelSerializer):
    from_role = RoleRefSerializer(read_only=True)
    to_role = RoleRefSerializer(read_only=True)
    enabling_certification = CertificationRefSerializer(read_only=True, allow_null=True)
    source = SourceSerializer(read_only=True)

    class Meta:
        model = CareerStep
        fields = ["from_role", "to_role", "kind", "enabling_certification", "note", "source"]


class RoleListSerializer(serializers.ModelSerializer):
    certifications = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Role
        fields = [
            "slug",
            "title",
            "family",
            "summary",
            "primary_focus",
            "ai_impact",
            "soc_code",
            "certifications",
        ]


ROLE_PROFILE_FIELDS = [
    "slug",
    "title",
    "family",
    "summary",
    "mission",
    "superpower",
    "end_goal",
    "guiding_question",
    "primary_focus",
    "responsibilities",
    "required_knowledge",
    "daily_toolkit",
    "key_tools",
    "daily_stress",
    "work_product",
    "work_style",
    "culture",
    "revenue_impact",
    "compliance_risk",
    "career_demand",
    "skills",
    "work_environments",
    "choose_if",
    "ai_impact",
    "ai_impact_note",
    "survival_skill",
    "hot_skill",
    "hot_skill_year",
    "soc_code",
]


class RoleDetailSerializer(serializers.ModelSerializer):
    daily_toolkit = serializers.ListField(child=serializers.CharField(), read_only=True)
    key_tools = serializers.ListField(child=serializers.CharField(), read_only=True)
    skills = serializers.ListField(child=serializers.CharField(), read_only=True)
    choose_if = serializers.ListField(child=serializers.CharField(), read_only=True)
    work_environments = WorkEnvironmentSerializer(many=True, read_only=True)
    statistics = RoleStatisticSerializer(many=True, read_only=True)
    salary_bands = SalaryBandSerializer(many=True, read_only=True)
    salary_premiums = SalaryPremiumSerializer(many=True, read_only=True)
    certifications = RoleCertificationSerializer(many=True, read_only=True)
    training_paths = TrainingPathSummarySerializer(many=True, read_only=True)
    next_steps = CareerStepSerializer(many=True, read_only=True)
    previous_steps = CareerStepSerializer(many=True, read_only=True)
    sources = SourceSerializer(many=True, read_only=True)

    class Meta:
        model = Role
        fields = [
            *ROLE_PROFILE_FIELDS,
            "statistics",
            "salary_bands",
            "salary_premiums",
            "certifications",
            "training_paths",
            "next_steps",
            "previous_steps",
            "sources",
        ]


class RouteSerializer(serializers.Serializer):
    roles = RoleRefSerializer(many=True, help_text="The roles along the route, start first.")
    steps = CareerStepSerializer(many=True)
    crossover_certifications = CertificationRefSerializer(
        many=True, help_text="Certifications that open a crossover move on this route."
    )


class RolePathsSerializer(serializers.Serializer):
    role = RoleRefSerializer()
    routes = RouteSerializer(many=True, help_text="Every route from the role upward.")
    crossover_certifications = CertificationRefSerializer(
        many=True, help_text="Every certification that opens a crossover on some route."
    )


# --- comparison ------------------------------------------------------------------------------


class CompareQuerySerializer(serializers.Serializer):
    roles = serializers.CharField(
        help_text=(
            f"{COMPARE_MIN_ROLES} to {COMPARE_MAX_ROLES} role slugs separated by commas, "
            "e.g. `medical-coder,medical-biller`."
        )
    )

    def validate_roles(self, value: str) -> list[str]:
        slugs = [slug.strip() for slug in value.split(",") if slug.strip()]
        if not COMPARE_MIN_ROLES <= len(slugs) <= COMPARE_MAX_ROLES:
            raise serializers.ValidationError(
                f"Compare {COMPARE_MIN_ROLES} to {COMPARE_MAX_ROLES} roles; {len(slugs)} given.",
                code="count",
            )
        repeated = sorted({slug for slug in slugs if slugs.count(slug) > 1})
        if repeated:
            raise serializers.ValidationError(
                f"Name each role once; repeated: {', '.join(repeated)}.", code="repeated"
            )
        return slugs


class LevelBandsSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=SalaryLevel.choices)
    items = SalaryBandSerializer(many=True, help_text="Every source's figure at this level.")


class ComparisonColumnSerializer(serializers.Serializer):
    slug = serializers.CharField(source="role.slug")
    title = serializers.CharField(source="role.title")
    family = serializers.ChoiceField(source="role.family", choices=Role.Family.choices)
    primary_focus = serializers.CharField(source="role.primary_focus")
    key_tools = serializers.ListField(source="role.key_tools", child=serializers.CharField())
    daily_stress = serializers.CharField(source="role.daily_stress")
    certifications = RoleCertificationSerializer(source="role.certifications", many=True)
    work_product = serializers.CharField(source="role.work_product")
    training = TrainingPathSummarySerializer(source="role.training_paths", many=True)
    salary_by_level = LevelBandsSerializer(many=True)
    salary_premiums = SalaryPremiumSerializer(source="role.salary_premiums", many=True)
    remote_share = RoleStatisticSerializer(many=True)
    ai_impact = serializers.ChoiceField(
        source="role.ai_impact", choices=Role.AIImpact.choices, allow_blank=True
    )
    ai_impact_note = serializers.CharField(source="role.ai_impact_note")
    survival_skill = serializers.CharField(source="role.survival_skill")
    hot_skill = serializers.CharField(source="role.hot_skill")
    next_steps = CareerStepSerializer(source="role.next_steps", many=True)


class FactorSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The column field that holds this factor.")
    label = serializers.CharField()


class ComparisonSerializer(serializers.Serializer):
    roles = ComparisonColumnSerializer(source="columns", many=True)
    factors = FactorSerializer(many=True, help_text="The rows of the table, in order.")


# --- tools -----------------------------------------------------------------------------------


class ToolSerializer(serializers.ModelSerializer):
    source = SourceSerializer(read_only=True)

    class Meta:
        model = Tool
        fields = [
            "slug",
            "name",
            "purpose",
            "family",
            "cost_min",
            "cost_max",
            "cadence",
            "currency",
            "as_of",
            "source",
        ]
