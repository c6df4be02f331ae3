"""Shapes of the path finder's requests and responses. Rules live in pathfinder/scoring.py."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.serializers import RejectUnknownFieldsMixin, StrictIntegerField
from careerplan.api.serializers import SlugRelatedField
from pathfinder import scoring
from pathfinder.models import AnswerOption, Question
from plans.serializers import (
    PaybackBasisSerializer,
    PaybackSerializer,
    PlanDateField,
    SalaryBandRefSerializer,
    SalaryPremiumRefSerializer,
)
from roles.models import Role, TrainingPath
from roles.serializers import TOTAL_MONEY, RoleRefSerializer, SourceSerializer

MONEY = {"max_digits": 12, "decimal_places": 2}
INPUT_MONEY = {"max_digits": 10, "decimal_places": 2, "min_value": 0}
MAX_MONTHS = 600
ANSWER_SHAPE = "Send an option key (a string) or a list of option keys."
NOT_A_BOOLEAN = "Must be true or false."

# --- questionnaire ----------------------------------------------------------------------------


class PathFinderOptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = AnswerOption
        fields = ["key", "label"]


class PathFinderQuestionSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(
        choices=Question.Kind.choices,
        help_text="`single`: answer with one option key; `multiple`: with a list of them.",
    )
    options = PathFinderOptionSerializer(many=True)

    class Meta:
        model = Question
        fields = ["key", "text", "help_text", "kind", "required", "options"]


class PathFinderQuestionnaireSerializer(serializers.Serializer):
    questions = PathFinderQuestionSerializer(many=True)
    scoring_rule = serializers.CharField()
    fit_rule = serializers.CharField()


# --- request ----------------------------------------------------------------------------------


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "description": "The option key (single-choice question)."},
            {
                "type": "array",
                "items": {"type": "string"},
                "description": "Option keys (multiple-choice question).",
            },
        ]
    }
)
class PathFinderAnswerField(serializers.Field):
    """An option key or a list of option keys; whether they belong to the question is checked
    against the questionnaire afterwards."""

    default_error_messages = {"invalid": ANSWER_SHAPE}

    def to_internal_value(self, data):
        if isinstance(data, str):
            return data
        if isinstance(data, list) and all(isinstance(item, str) for item in data):
            return data
        self.fail("invalid")

    def to_representation(self, value):
        return value


class StrictBooleanField(serializers.BooleanField):
    """A JSON boolean, nothing else: `"true"`, `1` and `"yes"` are refused, not coerced."""

    default_error_messages = {"invalid": NOT_A_BOOLEAN}

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class PathFinderConstraintsSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    budget = serializers.DecimalField(
        **INPUT_MONEY,
        required=False,
        allow_null=True,
        help_text="What you can spend on training, in USD. Paths whose minimum cost is above "
        "it do not fit.",
    )
    months_available = StrictIntegerField(
        min_value=0,
        max_value=MAX_MONTHS,
        required=False,
        allow_null=True,
        help_text="Months you can spend training. Paths whose minimum duration is longer do "
        "not fit.",
    )
    wants_remote = StrictBooleanField(
        required=False,
        default=False,
        help_text="Count each role's remote share (from the catalogue) towards its score.",
    )
    current_salary = serializers.DecimalField(
        **INPUT_MONEY,
        required=False,
        allow_null=True,
        help_text="Your yearly salary now, in USD, for the payback of each path.",
    )


class PathFinderSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    """A path finder request. With the questionnaire in the context (`questionnaire`: the
    scoring's `QuestionFacts`), the answers are checked against it too, so one response lists
    every bad answer and every bad constraint together."""

    answers = serializers.DictField(
        child=PathFinderAnswerField(),
        help_text="Question key -> option key (single choice) or list of option keys "
        "(multiple choice), as listed by /path-finder/questions/.",
    )
    constraints = PathFinderConstraintsSerializer(required=False)

    def validate_answers(self, value: dict) -> dict:
        questions = self.context.get("questionnaire")
        if questions is not None:
            try:
                scoring.check_answers(questions, value)
            except scoring.InvalidAnswers as exc:
                raise serializers.ValidationError(
                    {
                        key: [serializers.ErrorDetail(error.message, code=error.code)]
                        for key, error in exc.errors.items()
                    }
                ) from None
        return value


class PathFinderPlanCreateSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    role = SlugRelatedField(
        slug_field="slug", queryset=Role.objects.all(), help_text="A role slug from the result."
    )
    training_path = SlugRelatedField(
        slug_field="slug",
        queryset=TrainingPath.objects.select_related("role"),
        help_text="A training path slug of that role (one of its paths in the result).",
    )
    start_date = PlanDateField()
    current_salary = serializers.DecimalField(**INPUT_MONEY, required=False, allow_null=True)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)


# --- result -----------------------------------------------------------------------------------


class PathFinderCriterionSerializer(serializers.Serializer):
    key = serializers.CharField()
    quote = serializers.CharField(help_text="The criterion in the source's own words.")
    section = serializers.CharField()
    source = SourceSerializer()


class PathFinderReasonSerializer(serializers.Serializer):
    question = serializers.CharField(source="question.key")
    question_text = serializers.CharField(source="question.text")
    answer = serializers.CharField(source="option.key")
    answer_label = serializers.CharField(source="option.label")
    weight = serializers.IntegerField(help_text="Points this answer gave the role.")
    criterion = PathFinderCriterionSerializer()


class PathFinderRemoteSerializer(serializers.Serializer):
    percent = serializers.DecimalField(max_digits=5, decimal_places=2, source="statistic.percent")
    measure = serializers.CharField(source="statistic.measure")
    as_of = serializers.IntegerField(source="statistic.as_of", allow_null=True)
    source = SourceSerializer(source="statistic.source")
    points = serializers.DecimalField(max_digits=6, decimal_places=2)


class PathFinderCostSerializer(serializers.Serializer):
    # a path's totals, as the catalogue shows them (any number of steps added up)
    min = serializers.DecimalField(**TOTAL_MONEY, allow_null=True)
    max = serializers.DecimalField(**TOTAL_MONEY, allow_null=True)
    currency = serializers.CharField(allow_null=True)


class PathFinderMonthsSerializer(serializers.Serializer):
    min = serializers.IntegerField(allow_null=True)
    max = serializers.IntegerField(allow_null=True)


class PathFinderEffortSerializer(serializers.Serializer):
    quantity = serializers.IntegerField()
    unit = serializers.CharField()
    is_minimum = serializers.BooleanField()


class PathFinderPaybackSerializer(PaybackSerializer):
    """A plan's payback without its date: the path finder has no start date to count from."""

    paid_back_on = None


class PathFinderPathSerializer(serializers.Serializer):
    slug = serializers.CharField(source="path.slug")
    title = serializers.CharField(source="path.title")
    summary = serializers.CharField(source="path.summary")
    source = SourceSerializer(source="path.source")
    fits = serializers.BooleanField()
    reasons = serializers.ListField(
        child=serializers.CharField(), help_text="Why the path does not fit (empty when it does)."
    )
    cost = PathFinderCostSerializer(source="totals.cost", help_text="Sum of the steps' costs.")
    months = PathFinderMonthsSerializer(source="totals.months", help_text="Sum of the steps.")
    other_effort = PathFinderEffortSerializer(
        source="totals.other_effort", many=True, help_text="Effort not in months (e.g. cases)."
    )
    payback = PathFinderPaybackSerializer(
        help_text="Months of the higher entry pay that repay the path at its maximum cost (a "
        "plan started from the path is costed at the steps' upper bounds too)."
    )


class PathFinderSalarySerializer(serializers.Serializer):
    entry_bands = SalaryBandRefSerializer(
        many=True, help_text="Each source's entry-level figure for the role, not merged."
    )
    premiums = SalaryPremiumRefSerializer(many=True)


class PathFinderRoleSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    role = RoleRefSerializer()
    score = serializers.DecimalField(
        max_digits=4,
        decimal_places=3,
        help_text="The role's share of all points the answers gave, 0 to 1 (see scoring_rule).",
    )
    points = serializers.DecimalField(
        max_digits=8, decimal_places=2, help_text="Points the answers (and remote wish) gave."
    )
    attainable_points = serializers.DecimalField(
        max_digits=8, decimal_places=2, help_text="The most points any answers could give."
    )
    reasons = PathFinderReasonSerializer(
        many=True, help_text="The answers that pointed to this role, strongest first."
    )
    remote = PathFinderRemoteSerializer(
        allow_null=True, help_text="The remote share counted (when remote work is wanted)."
    )
    remote_note = serializers.CharField(allow_null=True)
    expected_entry_salary = PathFinderSalarySerializer(source="salary")
    salary_basis = PaybackBasisSerializer(
        allow_null=True, help_text="The lowest sourced entry figure, which payback counts on."
    )
    fitting_paths = PathFinderPathSerializer(many=True)
    other_paths = PathFinderPathSerializer(many=True, help_text="Paths that do not fit, and why.")
    why_no_path_fits = serializers.CharField(allow_null=True)


class PathFinderConstraintsEchoSerializer(serializers.Serializer):
    budget = serializers.DecimalField(**MONEY, allow_null=True)
    months_available = serializers.IntegerField(allow_null=True)
    wants_remote = serializers.BooleanField()
    current_salary = serializers.DecimalField(**MONEY, allow_null=True)


class PathFinderResultSerializer(serializers.Serializer):
    scoring_rule = serializers.CharField()
    fit_rule = serializers.CharField()
    constraints = PathFinderConstraintsEchoSerializer()
    roles = PathFinderRoleSerializer(many=True, help_text="Best fit first.")
