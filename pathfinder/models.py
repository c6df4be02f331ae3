"""The path finder's questionnaire: questions, answer options and their sourced weights.

Every weight says which role an answer points to, how strongly, and why: the criterion it
rests on is a sentence quoted from a source (seed 003's "Which Should You Choose?" lists, seed
000's hybrid claims), so a result can quote what each answer matched and where it comes from.

Editors change the questionnaire in the admin; the fixture `fixtures/path_finder.json` uses
natural keys only, so loading it twice changes nothing and rows an editor added survive.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

from roles.models import NaturalKeyManager, Role, Source

MIN_WEIGHT = 1
MAX_WEIGHT = 5

validate_key = RegexValidator(
    r"^[a-z][a-z0-9_]*$",
    "Use lower-case letters, digits and underscores, starting with a letter (e.g. work_style).",
)


class Criterion(models.Model):
    """A reason to choose a role, quoted from a source ("Prefer working independently ...")."""

    key = models.SlugField(max_length=80, unique=True)
    quote = models.TextField(help_text="The criterion in the source's own words.")
    section = models.CharField(
        max_length=200,
        blank=True,
        help_text="Where in the source, e.g. “Which Should You Choose? (coding)”.",
    )
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="path_criteria")

    objects = NaturalKeyManager("key")

    class Meta:
        ordering = ["key"]
        verbose_name_plural = "criteria"
        constraints = [
            models.CheckConstraint(condition=~Q(quote=""), name="pathfinder_criterion_quote"),
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.quote}"

    def natural_key(self) -> tuple[str]:
        return (self.key,)

    natural_key.dependencies = ["roles.source"]


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", "Single choice (one answer)"
        MULTIPLE = "multiple", "Multiple choice (any number of answers)"

    key = models.CharField(
        max_length=60,
        unique=True,
        validators=[validate_key],
        help_text="The name clients send the answer under; changing it breaks saved clients.",
    )
    text = models.CharField(max_length=300)
    help_text = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SINGLE)
    required = models.BooleanField(
        default=True,
        help_text="A required multiple-choice question needs at least one answer.",
    )
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in the questionnaire.")

    objects = NaturalKeyManager("key")

    class Meta:
        ordering = ["position", "key"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["single", "multiple"]), name="pathfinder_question_kind"
            ),
        ]

    def __str__(self) -> str:
        return self.text

    def natural_key(self) -> tuple[str]:
        return (self.key,)


class AnswerOption(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    key = models.CharField(max_length=60, validators=[validate_key])
    label = models.CharField(max_length=300)
    position = models.PositiveSmallIntegerField(default=0)

    objects = NaturalKeyManager("question__key", "key")

    class Meta:
        ordering = ["question", "position", "key"]
        constraints = [
            models.UniqueConstraint(fields=["question", "key"], name="pathfinder_option_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.question.key}: {self.label}"

    def natural_key(self) -> tuple[str, str]:
        return (self.question.key, self.key)

    natural_key.dependencies = ["pathfinder.question"]


class OptionWeight(models.Model):
    """How strongly an answer points to a role, and the sourced criterion that says so."""

    option = models.ForeignKey(AnswerOption, on_delete=models.CASCADE, related_name="weights")
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="path_finder_weights")
    weight = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(MIN_WEIGHT), MaxValueValidator(MAX_WEIGHT)],
        help_text=f"{MIN_WEIGHT} (a hint) to {MAX_WEIGHT} (decisive).",
    )
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="weights")

    objects = NaturalKeyManager("option__question__key", "option__key", "role__slug")

    class Meta:
        ordering = ["option", "role"]
        constraints = [
            models.UniqueConstraint(fields=["option", "role"], name="pathfinder_weight_unique"),
            models.CheckConstraint(
                condition=Q(weight__gte=MIN_WEIGHT, weight__lte=MAX_WEIGHT),
                name="pathfinder_weight_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.option} → {self.role.slug} x{self.weight}"

    def natural_key(self) -> tuple[str, str, str]:
        return (*self.option.natural_key(), self.role.slug)

    natural_key.dependencies = ["pathfinder.answeroption", "pathfinder.criterion", "roles.role"]
