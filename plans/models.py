"""Personal plans: a target role, a training path, ordered items, milestones.

Costs, schedule, salary, payback and progress are computed (plans/computations.py), never
stored. `Plan.version` is bumped by every service that changes a plan, its items or its
milestones: it is the plan's ETag for optimistic concurrency between devices.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from plans.computations import Kind, Unit


class Plan(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        COMPLETED = "completed", "Completed"
        ARCHIVED = "archived", "Archived"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # no index of its own: plan_owner_created_idx (owner, -created_at) serves owner look-ups
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="plans", db_index=False
    )
    title = models.CharField(max_length=200)
    target_role = models.ForeignKey("roles.Role", on_delete=models.PROTECT, related_name="+")
    training_path = models.ForeignKey(
        "roles.TrainingPath",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    start_date = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    current_salary = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="Yearly salary today (USD); overrides the profile's for payback.",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "id"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="plan_owner_created_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(current_salary__isnull=True) | Q(current_salary__gte=0),
                name="plan_current_salary_not_negative",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def etag(self) -> str:
        return f'"{self.id}-{self.version}"'


class PlanRendering(models.Model):
    """A plan as GET /plans/<id>/ (`detail`) and GET /plans/ (`summary`) render it: the API's
    JSON bytes, zlib-compressed, each with the key it was rendered for (plans.read_models
    names in it the plan's version, the catalogue version, the profile salary, the time zone
    and the code that shaped it). A read uses a body only under its own key and renders and
    stores it otherwise, so a plan is rendered once per change of what it shows. Derived data
    only: emptying the table loses nothing but the time to render again."""

    plan = models.OneToOneField(
        Plan, on_delete=models.CASCADE, primary_key=True, related_name="rendering"
    )
    # the plan's version the last store rendered: a store for an older one leaves the row
    # alone (a read that rendered before a change and stores after it)
    version = models.PositiveIntegerField()
    detail_key = models.TextField(blank=True)
    detail = models.BinaryField(null=True)
    summary_key = models.TextField(blank=True)
    summary = models.BinaryField(null=True)

    def __str__(self) -> str:
        return f"Rendering of plan {self.plan_id}"


class PlanItem(models.Model):
    class ItemKind(models.TextChoices):
        STEP = Kind.STEP, "Training step"
        EXAM = Kind.EXAM, "Certification exam"
        TOOL = Kind.TOOL, "Tool"
        CUSTOM = Kind.CUSTOM, "Custom course"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        DONE = "done", "Done"
        SKIPPED = "skipped", "Skipped"

    class DurationUnit(models.TextChoices):
        MONTHS = Unit.MONTHS, "Months"
        WEEKS = Unit.WEEKS, "Weeks"

    # no index of its own: planitem_plan_position_idx (plan, position) serves plan look-ups
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="items", db_index=False)
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=8, choices=ItemKind.choices)
    training_step = models.ForeignKey(
        "roles.TrainingStep", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    certification = models.ForeignKey(
        "roles.Certification", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    tool = models.ForeignKey(
        "roles.Tool", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    title = models.CharField(
        max_length=200, blank=True, help_text="Custom course title, or a label override."
    )
    provider = models.CharField(max_length=200, blank=True)
    url = models.URLField(max_length=500, blank=True)
    exam_date = models.DateField(null=True, blank=True)
    planned_cost = models.DecimalField(
        max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )
    duration_value = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
        help_text="Planned length; empty when the item takes no calendar time.",
    )
    duration_unit = models.CharField(
        max_length=8, choices=DurationUnit.choices, default=DurationUnit.MONTHS
    )
    quantity = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text="Tools: how many billing periods (months, years, claims) are planned.",
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PLANNED)
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["plan", "position"], name="planitem_plan_position_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_cost__gte=0), name="planitem_planned_cost_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(duration_value__isnull=True) | Q(duration_value__gte=1),
                name="planitem_duration_positive",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind=Kind.STEP, training_step__isnull=False)
                    | Q(kind=Kind.EXAM, certification__isnull=False, exam_date__isnull=False)
                    | Q(kind=Kind.TOOL, tool__isnull=False)
                    | (Q(kind=Kind.CUSTOM) & ~Q(title=""))
                ),
                name="planitem_kind_has_its_reference",
            ),
        ]

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        if self.title:
            return self.title
        if self.kind == Kind.STEP and self.training_step_id:
            return self.training_step.name
        if self.kind == Kind.EXAM and self.certification_id:
            return f"{self.certification.code} exam"
        if self.kind == Kind.TOOL and self.tool_id:
            return self.tool.name
        return self.get_kind_display()


class Milestone(models.Model):
    class MilestoneKind(models.TextChoices):
        EXAM = "exam", "Exam"
        STEP_END = "step_end", "End of a step"
        CUSTOM = "custom", "Custom"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="milestones")
    # no index of its own: the unique milestone_one_per_item (item, where not null) serves
    # every look-up by an item (PostgreSQL proves `item_id = x` implies its condition)
    item = models.ForeignKey(
        PlanItem,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        db_index=False,
        related_name="milestones",
        help_text="The item this milestone was generated from (empty for custom ones).",
    )
    kind = models.CharField(max_length=8, choices=MilestoneKind.choices)
    title = models.CharField(max_length=200)
    due_on = models.DateField(db_index=True)
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(item__isnull=False),
                name="milestone_one_per_item",
            ),
            models.CheckConstraint(
                condition=Q(kind="custom", item__isnull=True)
                | (~Q(kind="custom") & Q(item__isnull=False)),
                name="milestone_generated_iff_item",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.due_on})"

    @property
    def is_generated(self) -> bool:
        return self.item_id is not None


class IdempotencyRecord(models.Model):
    """The first response to a POST sent with an `Idempotency-Key`, replayed on retries."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of method, path and body.")
    status_code = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    location = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "key"], name="idempotency_owner_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.status_code})"


class Reminder(models.Model):
    """One reminder email: (milestone, days before, the date reminded of), sent at most once.

    Rows are armed (status `pending`) when a plan's milestones change, picked by the periodic
    scan when `next_attempt_at` has come, and end `sent`, `skipped` (with the reason) or
    `failed`. The unique constraint makes a second arming, a second scan or a redelivered task
    a no-op; a milestone moved to a new date gets new rows for that date.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        QUEUED = "queued", "Queued for a worker"
        SENT = "sent", "Sent"
        SKIPPED = "skipped", "Skipped"
        FAILED = "failed", "Failed"

    # no index of its own: the unique reminder_once_per_date (milestone, ...) serves look-ups
    milestone = models.ForeignKey(
        Milestone, on_delete=models.CASCADE, related_name="reminders", db_index=False
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    offset_days = models.PositiveSmallIntegerField(help_text="Days before the due date.")
    due_on = models.DateField(help_text="The milestone's date this reminder is about.")
    scheduled_for = models.DateTimeField(help_text="When it should go out (UTC).")
    next_attempt_at = models.DateTimeField(help_text="When the scan may next pick it (UTC).")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    recipient = models.EmailField(blank=True)
    message_id = models.CharField(max_length=200, blank=True)
    detail = models.CharField(
        max_length=300, blank=True, help_text="Why it was skipped or failed; the last error."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["scheduled_for", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["milestone", "offset_days", "due_on"], name="reminder_once_per_date"
            )
        ]
        indexes = [
            # The scan: pending rows whose time has come, oldest first.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="reminder_pending_due_idx",
            ),
            # Recovery: queued rows whose worker went away.
            models.Index(
                fields=["claimed_at"],
                condition=Q(status="queued"),
                name="reminder_inflight_claim_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.milestone_id} -{self.offset_days}d ({self.get_status_display()})"


class CalendarFeed(models.Model):
    """The secret behind a user's calendar subscription URL; rotating it revokes the old URL."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"calendar feed of {self.user_id}"
