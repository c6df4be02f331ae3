"""The catalogue: roles, certifications, training paths, salaries and advancement, with sources.

Every figure is a row that names its `Source` and the year it describes, because the source
documents disagree (salaries, exam formats, fees): the catalogue keeps each claim side by side
and marks which one is current instead of silently picking one.

Invariants live in the database (check and unique constraints) and again in `clean()`, so the
admin shows an editor a field error ("the maximum is below the minimum") rather than an
IntegrityError. Every model has a natural key, so `fixtures/catalogue.json` carries no primary
keys: loading it twice updates the same rows, and rows an editor added in the admin are never
overwritten by a later fixture.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper

from roles import calculations

MONEY = {"max_digits": 10, "decimal_places": 2}
PERCENT = {"max_digits": 5, "decimal_places": 2}
NON_NEGATIVE = [MinValueValidator(Decimal("0"))]
PERCENT_RANGE = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]

validate_currency = RegexValidator(
    r"^[A-Z]{3}$", "Use a three-letter ISO 4217 currency code in capitals, e.g. USD."
)
validate_soc_code = RegexValidator(r"^\d{2}-\d{4}$", "A SOC code looks like 29-2072.")

NOT_A_STRING_LIST = 'Enter a JSON list of texts, e.g. ["Anatomy", "CPT"].'
NOT_AN_ENVIRONMENT_LIST = (
    'Enter a JSON list of {"name": ..., "description": ...} objects, both texts.'
)
MIN_ABOVE_MAX = "The maximum ({maximum}) is below the minimum ({minimum})."
RANGE_HALF_GIVEN = "Give both a minimum and a maximum, or neither."
BAND_WITHOUT_FIGURE = "Give a range (minimum and maximum), a median or an average."
PREMIUM_WITHOUT_FIGURE = "Give an amount range (minimum and maximum) or a percentage."
PREMIUM_BOTH_FIGURES = "Give an amount range or a percentage, not both."
STEP_TO_ITSELF = "A career step must lead to a different role."
EFFORT_UNIT_MISSING = "Name the unit of the effort, e.g. “practice cases”."
EFFORT_QUANTITY_MISSING = "Give the effort quantity for the unit “{unit}”."
MIXED_CURRENCIES = "The other priced steps of this path are in {currencies}; use the same currency."
PATH_IN_SEVERAL_CURRENCIES = "The priced steps of this path are in {currencies}; use one currency."


def validate_string_list(value) -> None:
    """JSON list fields hold plain, non-empty texts (the API documents them as such)."""
    if not isinstance(value, list) or not all(
        isinstance(item, str) and item.strip() for item in value
    ):
        raise ValidationError(NOT_A_STRING_LIST, code="invalid_list")


def validate_environment_list(value) -> None:
    if not isinstance(value, list) or not all(
        isinstance(item, dict)
        and set(item) == {"name", "description"}
        and all(isinstance(text, str) for text in item.values())
        and item["name"].strip()
        for item in value
    ):
        raise ValidationError(NOT_AN_ENVIRONMENT_LIST, code="invalid_environments")


def string_list_field(help_text: str = "A list of texts.") -> models.JSONField:
    return models.JSONField(
        default=list, blank=True, validators=[validate_string_list], help_text=help_text
    )


def currency_field() -> models.CharField:
    return models.CharField(
        max_length=3, default="USD", validators=[validate_currency], help_text="ISO 4217 code."
    )


def range_checks(prefix: str, low: str, high: str) -> list[models.BaseConstraint]:
    """Database guards for an optional [low, high] range: both or neither, and low <= high."""
    return [
        models.CheckConstraint(
            condition=Q(**{f"{low}__isnull": True, f"{high}__isnull": True})
            | Q(**{f"{low}__isnull": False, f"{high}__isnull": False}),
            name=f"%(app_label)s_%(class)s_{prefix}_both_or_neither",
        ),
        models.CheckConstraint(
            condition=Q(**{f"{low}__isnull": True})
            | Q(**{f"{high}__isnull": True})
            | Q(**{f"{low}__lte": F(high)}),
            name=f"%(app_label)s_%(class)s_{prefix}_min_lte_max",
        ),
        models.CheckConstraint(
            condition=Q(**{f"{low}__isnull": True}) | Q(**{f"{low}__gte": 0}),
            name=f"%(app_label)s_%(class)s_{prefix}_non_negative",
        ),
    ]


def _shown(value: Decimal | int) -> str:
    if isinstance(value, Decimal):
        return f"{value.quantize(Decimal('0.01')):,}"
    return str(value)


def range_errors(instance: models.Model, low: str, high: str) -> dict[str, str]:
    """The same rules as `range_checks`, as field errors an editor can act on."""
    minimum, maximum = getattr(instance, low), getattr(instance, high)
    if (minimum is None) != (maximum is None):
        return {high if maximum is None else low: RANGE_HALF_GIVEN}
    if minimum is not None and maximum is not None and minimum > maximum:
        return {high: MIN_ABOVE_MAX.format(minimum=_shown(minimum), maximum=_shown(maximum))}
    return {}


class NaturalKeyManager(models.Manager):
    """`get_by_natural_key` over the given lookups (used by loaddata to find existing rows)."""

    def __init__(self, *lookups: str) -> None:
        super().__init__()
        self.lookups = lookups

    def get_by_natural_key(self, *values):
        return self.get(**dict(zip(self.lookups, values, strict=True)))


class Source(models.Model):
    """Where a figure comes from: a seed article, an issuer's page, a survey, a statistic."""

    class Kind(models.TextChoices):
        SEED_ARTICLE = "seed_article", "Seed article"
        ISSUER = "issuer", "Certifying body (issuer)"
        GOVERNMENT = "government", "Government statistics"
        SURVEY = "survey", "Salary survey"
        SECONDARY = "secondary", "Secondary (third-party) page"

    slug = models.SlugField(max_length=80, unique=True)
    publisher = models.CharField(max_length=200)
    title = models.CharField(max_length=300)
    year = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1990), MaxValueValidator(2100)],
        help_text="Year the source describes or was read; empty when the source gives none.",
    )
    as_of = models.CharField(
        max_length=60, blank=True, help_text="Reference period as the source states it."
    )
    url = models.URLField(blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    notes = models.TextField(blank=True)

    objects = NaturalKeyManager("slug")

    class Meta:
        ordering = ["slug"]
        constraints = [
            models.CheckConstraint(
                condition=Q(year__isnull=True) | Q(year__gte=1990, year__lte=2100),
                name="roles_source_year_plausible",
            ),
        ]

    def __str__(self) -> str:
        year = f", {self.as_of or self.year}" if (self.as_of or self.year) else ""
        return f"{self.publisher}: {self.title}{year}"

    def natural_key(self) -> tuple[str]:
        return (self.slug,)


class Role(models.Model):
    """A job in the revenue cycle, with the comparison factors the seed articles give."""

    class Family(models.TextChoices):
        CODING = "coding", "Coding"
        BILLING = "billing", "Billing"
        HYBRID = "hybrid", "Hybrid coding and billing"
        LEADERSHIP = "leadership", "Leadership"

    class AIImpact(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=120)
    family = models.CharField(max_length=20, choices=Family.choices)
    summary = models.TextField(blank=True)
    mission = models.CharField(max_length=300, blank=True)
    superpower = models.CharField(max_length=300, blank=True)
    end_goal = models.CharField(max_length=300, blank=True)
    guiding_question = models.CharField(max_length=200, blank=True)
    primary_focus = models.CharField(max_length=300, blank=True)
    responsibilities = models.TextField(blank=True)
    required_knowledge = models.TextField(blank=True)
    daily_toolkit = string_list_field()
    key_tools = string_list_field()
    daily_stress = models.CharField(max_length=300, blank=True)
    work_product = models.CharField(max_length=300, blank=True)
    work_style = models.CharField(max_length=300, blank=True)
    culture = models.CharField(max_length=300, blank=True)
    revenue_impact = models.TextField(blank=True)
    compliance_risk = models.TextField(blank=True)
    career_demand = models.TextField(blank=True)
    skills = string_list_field()
    work_environments = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_environment_list],
        help_text='A list of {"name": ..., "description": ...}.',
    )
    choose_if = string_list_field("Reasons to choose this role.")
    ai_impact = models.CharField(max_length=10, choices=AIImpact.choices, blank=True)
    ai_impact_note = models.CharField(max_length=300, blank=True)
    survival_skill = models.CharField(max_length=200, blank=True)
    hot_skill = models.CharField(max_length=200, blank=True)
    hot_skill_year = models.PositiveSmallIntegerField(null=True, blank=True)
    soc_code = models.CharField(max_length=7, blank=True, validators=[validate_soc_code])
    sources = models.ManyToManyField(
        Source, blank=True, related_name="roles", help_text="Where the descriptions come from."
    )

    objects = NaturalKeyManager("slug")

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def natural_key(self) -> tuple[str]:
        return (self.slug,)


class RoleStatistic(models.Model):
    """A sourced percentage about a role: remote share, employer preference, growth."""

    class Kind(models.TextChoices):
        REMOTE_SHARE = "remote_share", "Share working remotely"
        EMPLOYER_PREFERENCE = "employer_preference", "Share of employers preferring the role"
        EMPLOYMENT_GROWTH = "employment_growth", "Employment growth"

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="statistics")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    percent = models.DecimalField(**PERCENT, validators=PERCENT_RANGE)
    measure = models.CharField(
        max_length=300, help_text="What exactly was measured, in the source's words."
    )
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="role_statistics")
    as_of = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Year.")
    period = models.CharField(max_length=40, blank=True, help_text="e.g. 2024-2034.")

    objects = NaturalKeyManager("role__slug", "kind", "source__slug")

    class Meta:
        ordering = ["role", "kind", "-as_of"]
        constraints = [
            models.UniqueConstraint(
                fields=["role", "kind", "source"], name="roles_rolestatistic_unique"
            ),
            models.CheckConstraint(
                condition=Q(percent__gte=0, percent__lte=100),
                name="roles_rolestatistic_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role}: {self.percent}% {self.get_kind_display().lower()}"

    def natural_key(self) -> tuple[str, str, str]:
        return (self.role.slug, self.kind, self.source.slug)

    natural_key.dependencies = ["roles.role", "roles.source"]


class CertifyingBody(models.Model):
    code = models.CharField(max_length=20, unique=True, help_text="e.g. AAPC, AHIMA.")
    name = models.CharField(max_length=200)
    url = models.URLField(blank=True)
    notes = models.TextField(blank=True)

    objects = NaturalKeyManager("code")

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "certifying bodies"

    def __str__(self) -> str:
        return self.code

    def natural_key(self) -> tuple[str]:
        return (self.code,)


class Certification(models.Model):
    class Level(models.TextChoices):
        APPRENTICE = "apprentice", "Apprentice"
        ENTRY = "entry", "Entry level"
        PROFESSIONAL = "professional", "Professional"
        ADVANCED = "advanced", "Advanced"
        SPECIALTY = "specialty", "Specialty"

    class Focus(models.TextChoices):
        CODING = "coding", "Coding"
        BILLING = "billing", "Billing"
        HYBRID = "hybrid", "Coding and billing"
        AUDITING = "auditing", "Auditing"
        HEALTH_INFORMATION = "health_information", "Health information management"

    code = models.CharField(max_length=20, unique=True, help_text="e.g. CPC (unique, any case).")
    name = models.CharField(max_length=200)
    body = models.ForeignKey(
        CertifyingBody, on_delete=models.PROTECT, related_name="certifications"
    )
    level = models.CharField(max_length=20, choices=Level.choices)
    focus = models.CharField(max_length=30, choices=Focus.choices)
    description = models.TextField(blank=True)
    prerequisites = models.TextField(blank=True)
    roles = models.ManyToManyField(Role, blank=True, related_name="certifications")
    sources = models.ManyToManyField(
        Source, blank=True, related_name="certifications", help_text="Sources of the description."
    )
    notes = models.TextField(blank=True)

    objects = NaturalKeyManager("code")

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(Upper("code"), name="roles_certification_code_ci_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.name}"

    def natural_key(self) -> tuple[str]:
        return (self.code,)

    natural_key.dependencies = ["roles.certifyingbody", "roles.role", "roles.source"]

    def current_fee(self) -> CertificationFee | None:
        """The lowest-priced current fee row (from prefetched `fees` when available)."""
        current = [fee for fee in self.fees.all() if fee.is_current]
        return min(current, key=lambda fee: fee.amount, default=None)

    def current_exam_formats(self) -> list[CertificationExamFormat]:
        return [exam for exam in self.exam_formats.all() if exam.is_current]


class CertificationExamFormat(models.Model):
    """One source's description of an exam; when sources disagree, each keeps its own row."""

    certification = models.ForeignKey(
        Certification, on_delete=models.CASCADE, related_name="exam_formats"
    )
    questions = models.PositiveSmallIntegerField(null=True, blank=True)
    scored_questions = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    completion_window_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Days allowed to finish an online exam once enrolled."
    )
    open_book = models.BooleanField(null=True, blank=True)
    allowed_materials = models.CharField(max_length=300, blank=True)
    passing_score = models.CharField(max_length=100, blank=True)
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="exam_formats")
    as_of = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Year.")
    is_current = models.BooleanField(
        default=False, help_text="The format in use now, as far as the sources tell."
    )
    notes = models.TextField(blank=True)

    objects = NaturalKeyManager("certification__code", "source__slug")

    class Meta:
        ordering = ["certification", "-is_current", "source"]
        constraints = [
            models.UniqueConstraint(
                fields=["certification", "source"], name="roles_examformat_unique"
            ),
            models.CheckConstraint(
                condition=Q(questions__isnull=True) | Q(questions__gt=0),
                name="roles_examformat_questions_positive",
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__isnull=True) | Q(duration_minutes__gt=0),
                name="roles_examformat_duration_positive",
            ),
            models.CheckConstraint(
                condition=Q(completion_window_days__isnull=True) | Q(completion_window_days__gt=0),
                name="roles_examformat_window_positive",
            ),
            models.CheckConstraint(
                condition=Q(scored_questions__isnull=True)
                | Q(questions__isnull=True)
                | Q(scored_questions__lte=F("questions")),
                name="roles_examformat_scored_lte_questions",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.certification.code} exam per {self.source.slug}"

    def natural_key(self) -> tuple[str, str]:
        return (self.certification.code, self.source.slug)

    natural_key.dependencies = ["roles.certification", "roles.source"]

    def clean(self) -> None:
        errors = {}
        for field in ("questions", "duration_minutes", "completion_window_days"):
            if getattr(self, field) == 0:
                errors[field] = "Must be greater than zero."
        if (
            self.scored_questions is not None
            and self.questions is not None
            and self.scored_questions > self.questions
        ):
            errors["scored_questions"] = (
                f"Scored questions ({self.scored_questions}) exceed the total ({self.questions})."
            )
        if errors:
            raise ValidationError(errors)


class CertificationFee(models.Model):
    certification = models.ForeignKey(Certification, on_delete=models.CASCADE, related_name="fees")
    label = models.CharField(
        max_length=60, help_text="Who pays this price, e.g. member, non-member, one attempt."
    )
    amount = models.DecimalField(**MONEY, validators=NON_NEGATIVE)
    currency = currency_field()
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="fees")
    as_of = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Year.")
    is_current = models.BooleanField(default=False)
    notes = models.TextField(blank=True)

    objects = NaturalKeyManager("certification__code", "source__slug", "label")

    class Meta:
        ordering = ["certification", "-is_current", "amount"]
        constraints = [
            models.UniqueConstraint(
                fields=["certification", "source", "label"], name="roles_fee_unique"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="roles_fee_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.certification.code} {self.label}: {self.amount} {self.currency}"

    def natural_key(self) -> tuple[str, str, str]:
        return (self.certification.code, self.source.slug, self.label)

    natural_key.dependencies = ["roles.certification", "roles.source"]


class CertificationRenewal(models.Model):
    """How a credential is kept: the cycle, continuing education, membership."""

    certification = models.ForeignKey(
        Certification, on_delete=models.CASCADE, related_name="renewals"
    )
    cycle_months = models.PositiveSmallIntegerField(null=True, blank=True)
    ceus = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Continuing-education units per cycle."
    )
    membership_required = models.BooleanField(null=True, blank=True)
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="renewals")
    as_of = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Year.")
    notes = models.TextField(blank=True)

    objects = NaturalKeyManager("certification__code", "source__slug")

    class Meta:
        ordering = ["certification", "source"]
        constraints = [
            models.UniqueConstraint(
                fields=["certification", "source"], name="roles_renewal_unique"
            ),
            models.CheckConstraint(
                condition=Q(cycle_months__isnull=True) | Q(cycle_months__gt=0),
                name="roles_renewal_cycle_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.certification.code} renewal per {self.source.slug}"

    def natural_key(self) -> tuple[str, str]:
        return (self.certification.code, self.source.slug)

    natural_key.dependencies = ["roles.certification", "roles.source"]

    def clean(self) -> None:
        if self.cycle_months == 0:
            raise ValidationError({"cycle_months": "Must be greater than zero."})


class ContinuingEducationTier(models.Model):
    """A body's CEU rule that grows with the number of its credentials held (AAPC)."""

    body = models.ForeignKey(CertifyingBody, on_delete=models.CASCADE, related_name="ceu_tiers")
    credentials_held = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    or_more = models.BooleanField(
        default=False, help_text="The tier also covers holding more credentials than this."
    )
    ceus = models.PositiveSmallIntegerField()
    cycle_months = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="ceu_tiers")
    as_of = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Year.")

    objects = NaturalKeyManager("body__code", "credentials_held")

    class Meta:
        ordering = ["body", "credentials_held"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "credentials_held"], name="roles_ceutier_unique"
            ),
            models.CheckConstraint(
                condition=Q(credentials_held__gt=0, cycle_months__gt=0),
                name="roles_ceutier_positive",
            ),
        ]

    def __str__(self) -> str:
        more = "+" if self.or_more else ""
        return f"{self.body.code}: {self.credentials_held}{more} credentials, {self.ceus} CEUs"

    def natural_key(self) -> tuple[str, int]:
        return (self.body.code, self.credentials_held)

    natural_key.dependencies = ["roles.certifyingbody", "roles.source"]


class CareerStep(models.Model):
    """An edge of the advancement map: from one role to the next, maybe opened by a credential."""

    class Kind(models.TextChoices):
        PROMOTION = "promotion", "Promotion up the ladder"
        CROSSOVER = "crossover", "Crossover opened by a certification"
        SPECIALIZATION = "specialization", "Specialization"

    from_role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="next_steps")
    to_role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="previous_steps")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PROMOTION)
    enabling_certification = models.ForeignKey(
        Certification,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="career_steps",
    )
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="career_steps")
    note = models.CharField(max_length=300, blank=True)

    objects = NaturalKeyManager("from_role__slug", "to_role__slug")

    class Meta:
        ordering = ["from_role", "to_role"]
        constraints = [
            models.UniqueConstraint(
                fields=["from_role", "to_role"], name="roles_careerstep_unique"
            ),
            models.CheckConstraint(
                condition=~Q(from_role=F("to_role")), name="roles_careerstep_not_to_itself"
            ),
        ]

    def __str__(self) -> str:
        via = f" (via {self.enabling_certification.code})" if self.enabling_certification else ""
        return f"{self.from_role} → {self.to_role}{via}"

    def natural_key(self) -> tuple[str, str]:
        return (self.from_role.slug, self.to_role.slug)

    natural_key.dependencies = ["roles.role", "roles.certification", "roles.source"]

    def clean(self) -> None:
        if self.from_role_id and self.from_role_id == self.to_role_id:
            raise ValidationError({"to_role": STEP_TO_ITSELF})


class TrainingPath(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=120)
    role = models.ForeignKey(
        Role, on_delete=models.PROTECT, related_name="training_paths", help_text="Target role."
    )
    summary = models.TextField(blank=True)
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="training_paths")

    objects = NaturalKeyManager("slug")

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    natural_key.dependencies = ["roles.role", "roles.source"]

    @property
    def totals(self) -> calculations.PathTotals:
        """Summed cost and months of the steps, and their non-month effort (prefetch `steps`)."""
        return calculations.path_totals(
            [
                calculations.StepFigures(
                    months_min=step.months_min,
                    months_max=step.months_max,
                    cost_min=step.cost_min,
                    cost_max=step.cost_max,
                    currency=step.currency,
                    effort_quantity=step.effort_quantity,
                    effort_unit=step.effort_unit,
                    effort_is_minimum=step.effort_is_minimum,
                )
                for step in self.steps.all()
            ]
        )


class TrainingStep(models.Model):
    path = models.ForeignKey(TrainingPath, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    name = models.CharField(max_length=120)
    months_min = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)]
    )
    months_max = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)]
    )
    cost_min = models.DecimalField(**MONEY, null=True, blank=True, validators=NON_NEGATIVE)
    cost_max = models.DecimalField(**MONEY, null=True, blank=True, validators=NON_NEGATIVE)
    currency = currency_field()
    effort_quantity = models.PositiveIntegerField(
        null=True, blank=True, help_text="Effort not measured in months, e.g. 150."
    )
    effort_unit = models.CharField(max_length=60, blank=True, help_text="e.g. practice cases.")
    effort_is_minimum = models.BooleanField(
        default=False, help_text="The source gives the effort as a minimum (“150+”)."
    )
    key_skills = string_list_field()
    certifications = models.ManyToManyField(
        Certification,
        blank=True,
        related_name="training_steps",
        help_text="Exams this step prepares for.",
    )

    objects = NaturalKeyManager("path__slug", "position")

    class Meta:
        ordering = ["path", "position"]
        constraints = [
            models.UniqueConstraint(fields=["path", "position"], name="roles_trainingstep_unique"),
            models.CheckConstraint(condition=Q(position__gt=0), name="roles_trainingstep_position"),
            *range_checks("months", "months_min", "months_max"),
            models.CheckConstraint(
                condition=Q(months_min__isnull=True) | Q(months_min__gt=0),
                name="roles_trainingstep_months_positive",
            ),
            *range_checks("cost", "cost_min", "cost_max"),
            models.CheckConstraint(
                condition=Q(effort_quantity__isnull=True, effort_unit="")
                | (Q(effort_quantity__gt=0) & ~Q(effort_unit="")),
                name="roles_trainingstep_effort_quantity_and_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.path.slug} #{self.position}: {self.name}"

    def natural_key(self) -> tuple[str, int]:
        return (self.path.slug, self.position)

    natural_key.dependencies = ["roles.trainingpath", "roles.certification"]

    def clean(self) -> None:
        errors = {
            **range_errors(self, "months_min", "months_max"),
            **range_errors(self, "cost_min", "cost_max"),
        }
        if self.months_min == 0:
            errors["months_min"] = "Must be at least one month."
        if self.effort_quantity is not None and not self.effort_unit:
            errors["effort_unit"] = EFFORT_UNIT_MISSING
        if self.effort_unit and not self.effort_quantity:
            errors["effort_quantity"] = EFFORT_QUANTITY_MISSING.format(unit=self.effort_unit)
        # the path's other steps as stored, unless a form of the path's whole inline is
        # validating this one (roles.admin.TrainingStepFormSet checks the steps together, as
        # edited: changing every step's currency at once must not fail against the old ones)
        checked_together = getattr(self, "currency_checked_with_its_path", False)
        if self.path_id and self.cost_min is not None and not checked_together:
            others = set(
                TrainingStep.objects.filter(path_id=self.path_id, cost_min__isnull=False)
                .exclude(pk=self.pk)
                .exclude(currency=self.currency)
                .values_list("currency", flat=True)
            )
            if others:
                errors["currency"] = MIXED_CURRENCIES.format(currencies=", ".join(sorted(others)))
        if errors:
            raise ValidationError(errors)


class SalaryLevel(models.TextChoices):
    ENTRY = "entry", "Entry level"
    MID = "mid", "3-5 years"
    SPECIALIST = "specialist", "Specialist"
    MANAGER = "manager", "Manager"
    ALL = "all", "All levels (median or average)"


class SalaryBand(models.Model):
    """One source's pay figure for a role at a level: a range, a median or an average."""

    class Period(models.TextChoices):
        YEAR = "year", "Per year"

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="salary_bands")
    level = models.CharField(max_length=20, choices=SalaryLevel.choices)
    qualifier = models.CharField(
        max_length=120,
        blank=True,
        help_text="Who the figure covers, e.g. “CPC-certified”, “three or more certifications”.",
    )
    amount_min = models.DecimalField(**MONEY, null=True, blank=True, validators=NON_NEGATIVE)
    amount_max = models.DecimalField(**MONEY, null=True, blank=True, validators=NON_NEGATIVE)
    max_is_open_ended = models.BooleanField(
        default=False, help_text="The source writes the top of the range with a plus (“$85k+”)."
    )
    median = models.DecimalField(**MONEY, null=True, blank=True, validators=NON_NEGATIVE)
    average = models.DecimalField(**MONEY, null=True, blank=True, validators=NON_NEGATIVE)
    period = models.CharField(max_length=10, choices=Period.choices, default=Period.YEAR)
    currency = currency_field()
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="salary_bands")
    as_of = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Year the figure describes; empty if the source says none."
    )
    note = models.CharField(max_length=300, blank=True)

    objects = NaturalKeyManager("role__slug", "level", "source__slug", "qualifier")

    class Meta:
        ordering = ["role", "level", "source"]
        constraints = [
            models.UniqueConstraint(
                fields=["role", "level", "source", "qualifier"], name="roles_salaryband_unique"
            ),
            *range_checks("amount", "amount_min", "amount_max"),
            models.CheckConstraint(
                condition=Q(amount_min__isnull=False)
                | Q(median__isnull=False)
                | Q(average__isnull=False),
                name="roles_salaryband_has_a_figure",
            ),
            models.CheckConstraint(
                condition=Q(median__isnull=True) | Q(median__gte=0),
                name="roles_salaryband_median_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(average__isnull=True) | Q(average__gte=0),
                name="roles_salaryband_average_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role}, {self.get_level_display()} ({self.source.slug})"

    def natural_key(self) -> tuple[str, str, str, str]:
        return (self.role.slug, self.level, self.source.slug, self.qualifier)

    natural_key.dependencies = ["roles.role", "roles.source"]

    def clean(self) -> None:
        errors = range_errors(self, "amount_min", "amount_max")
        has_range = self.amount_min is not None and self.amount_max is not None
        if not errors and not has_range and self.median is None and self.average is None:
            errors["amount_min"] = BAND_WITHOUT_FIGURE
        if errors:
            raise ValidationError(errors)


class SalaryPremium(models.Model):
    """Pay on top of a role's bands: the hybrid premium per level, niche bonuses, "+25%"."""

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="salary_premiums")
    level = models.CharField(max_length=20, choices=SalaryLevel.choices, default=SalaryLevel.ALL)
    qualifier = models.CharField(
        max_length=120, blank=True, help_text="Who earns it, e.g. “oncology coders”."
    )
    amount_min = models.DecimalField(**MONEY, null=True, blank=True, validators=NON_NEGATIVE)
    amount_max = models.DecimalField(**MONEY, null=True, blank=True, validators=NON_NEGATIVE)
    percent = models.DecimalField(**PERCENT, null=True, blank=True, validators=PERCENT_RANGE)
    currency = currency_field()
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="salary_premiums")
    as_of = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Year.")
    note = models.CharField(max_length=300, blank=True)

    objects = NaturalKeyManager("role__slug", "level", "source__slug", "qualifier")

    class Meta:
        ordering = ["role", "level", "source"]
        constraints = [
            models.UniqueConstraint(
                fields=["role", "level", "source", "qualifier"], name="roles_salarypremium_unique"
            ),
            *range_checks("amount", "amount_min", "amount_max"),
            models.CheckConstraint(
                condition=Q(amount_min__isnull=False, percent__isnull=True)
                | Q(amount_min__isnull=True, percent__isnull=False),
                name="roles_salarypremium_amount_xor_percent",
            ),
            models.CheckConstraint(
                condition=Q(percent__isnull=True) | Q(percent__gte=0, percent__lte=100),
                name="roles_salarypremium_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role} premium, {self.get_level_display()} ({self.source.slug})"

    def natural_key(self) -> tuple[str, str, str, str]:
        return (self.role.slug, self.level, self.source.slug, self.qualifier)

    natural_key.dependencies = ["roles.role", "roles.source"]

    def clean(self) -> None:
        errors = range_errors(self, "amount_min", "amount_max")
        if not errors:
            has_amount = self.amount_min is not None
            if has_amount and self.percent is not None:
                errors["percent"] = PREMIUM_BOTH_FIGURES
            elif not has_amount and self.percent is None:
                errors["amount_min"] = PREMIUM_WITHOUT_FIGURE
        if errors:
            raise ValidationError(errors)


class Tool(models.Model):
    class Cadence(models.TextChoices):
        PER_MONTH = "per_month", "Per month"
        PER_YEAR = "per_year", "Per year"
        ONE_TIME = "one_time", "One-time"
        PER_CLAIM = "per_claim", "Per claim"

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120)
    purpose = models.CharField(max_length=200)
    family = models.CharField(
        max_length=20, choices=Role.Family.choices, help_text="Role family that uses it."
    )
    cost_min = models.DecimalField(**MONEY, validators=NON_NEGATIVE)
    cost_max = models.DecimalField(**MONEY, validators=NON_NEGATIVE)
    cadence = models.CharField(max_length=20, choices=Cadence.choices)
    currency = currency_field()
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="tools")
    as_of = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Year.")

    objects = NaturalKeyManager("slug")

    class Meta:
        ordering = ["family", "name"]
        constraints = [*range_checks("cost", "cost_min", "cost_max")]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    natural_key.dependencies = ["roles.source"]

    def clean(self) -> None:
        errors = range_errors(self, "cost_min", "cost_max")
        if errors:
            raise ValidationError(errors)


class CatalogueRevision(models.Model):
    """A counter bumped (in the same transaction) by every write to a catalogue row.

    It makes the catalogue's ETags agree across processes even without a shared cache: each
    process caches the number briefly (see `roles.cache`), and the database is the truth.
    """

    number = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="roles_cataloguerevision_singleton")
        ]

    def __str__(self) -> str:
        return f"catalogue revision {self.number}"
