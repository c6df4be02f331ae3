"""Accounts: the user (email is the login) and the profile that holds their preferences.

Every user has exactly one `Profile`. It is created with the user on every path we control
(`UserManager.create_user`, the allauth sign-up adapter, the admin), and
`accounts.selectors.profile_for_user` creates it on first use for users made elsewhere.
"""

from decimal import Decimal
from functools import cache
from zoneinfo import available_timezones

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.db.models.functions import Lower

DEFAULT_TIMEZONE = "UTC"
DEFAULT_EXAM_REMINDER_OFFSETS = (30, 7, 1)
REMINDER_OFFSET_MIN_DAYS = 0
REMINDER_OFFSET_MAX_DAYS = 365
REMINDER_OFFSETS_MAX_COUNT = 10

UNKNOWN_TIMEZONE = "“{value}” is not an IANA time zone name (e.g. “America/Chicago”)."
OFFSETS_NOT_A_LIST = "Give the reminder offsets as a list of whole days, e.g. [30, 7, 1]."
OFFSET_NOT_AN_INTEGER = "Reminder offsets are whole days; “{value}” is not a whole number."
OFFSET_OUT_OF_RANGE = "Reminder offsets must be between {min} and {max} days; {value} is not."
OFFSETS_TOO_MANY = "At most {max} reminder offsets are allowed; {count} were given."
OFFSETS_DUPLICATED = "Each reminder offset may appear once; {values} repeated."


def validate_timezone(value: str) -> None:
    """An IANA zone known to zoneinfo (from the `tzdata` package, so every host agrees)."""
    if value not in _timezone_names():
        raise ValidationError(
            # no params: Django would %-format the message again, and the value may hold "%"
            UNKNOWN_TIMEZONE.format(value=value),
            code="invalid_timezone",
        )


@cache
def _timezone_names() -> frozenset[str]:
    # available_timezones() walks the tz database on disk: do it once per process.
    return frozenset(available_timezones())


def validate_reminder_offsets(value: object) -> None:
    """Whole days before an exam, each 0..365, unique, at most 10 of them."""
    if not isinstance(value, list | tuple):
        raise ValidationError(OFFSETS_NOT_A_LIST, code="not_a_list")
    errors = []
    for item in value:
        # bool is an int subclass; `true` is not a number of days.
        if isinstance(item, bool) or not isinstance(item, int):
            errors.append(
                ValidationError(OFFSET_NOT_AN_INTEGER.format(value=item), code="not_an_integer")
            )
        elif not REMINDER_OFFSET_MIN_DAYS <= item <= REMINDER_OFFSET_MAX_DAYS:
            errors.append(
                ValidationError(
                    OFFSET_OUT_OF_RANGE.format(
                        min=REMINDER_OFFSET_MIN_DAYS, max=REMINDER_OFFSET_MAX_DAYS, value=item
                    ),
                    code="out_of_range",
                )
            )
    if len(value) > REMINDER_OFFSETS_MAX_COUNT:
        errors.append(
            ValidationError(
                OFFSETS_TOO_MANY.format(max=REMINDER_OFFSETS_MAX_COUNT, count=len(value)),
                code="too_many",
            )
        )
    seen: set = set()
    repeated = sorted({item for item in value if item in seen or seen.add(item)}, key=str)
    if repeated:
        errors.append(
            ValidationError(
                OFFSETS_DUPLICATED.format(values=", ".join(map(str, repeated))),
                code="duplicate",
            )
        )
    if errors:
        raise ValidationError(errors)


def normalize_reminder_offsets(value: list[int] | tuple[int, ...]) -> list[int]:
    """The stored form: unique, latest reminder last (`[1, 30, 7]` -> `[30, 7, 1]`)."""
    return sorted(set(value), reverse=True)


def default_exam_reminder_offsets() -> list[int]:
    return list(DEFAULT_EXAM_REMINDER_OFFSETS)


class UserManager(BaseUserManager):
    """Email is the login: there is no username."""

    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email: str | None) -> str:
        """Lower-case, as allauth stores the addresses it signs up, so that `Dana@x.com` from
        `createsuperuser` and `dana@x.com` from sign-up are one account, not two."""
        return (email or "").strip().lower()

    def _create_user(self, email: str, password: str | None, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        with transaction.atomic(using=self._db):
            user.save(using=self._db)
            from accounts.services import user_setup  # services import this module

            user_setup(user=user)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if not extra_fields["is_staff"] or not extra_fields["is_superuser"]:
            raise ValueError("A superuser must have is_staff=True and is_superuser=True.")
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    username = None
    first_name = None
    last_name = None
    email = models.EmailField("email address", unique=True)
    display_name = models.CharField(max_length=150, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]
        constraints = [
            # The login is case-insensitive (allauth looks addresses up with iexact).
            models.UniqueConstraint(
                Lower("email"),
                name="accounts_user_email_ci_unique",
                violation_error_message="An account with this email address already exists.",
            ),
        ]

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return self.display_name or self.email

    def get_short_name(self) -> str:
        return self.display_name or self.email.split("@")[0]


class Profile(models.Model):
    """A user's preferences: where they are (time zone), how they want reminders, and what
    they earn today (for payback figures). One per user; deleted with the user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    timezone = models.CharField(
        max_length=64,
        default=DEFAULT_TIMEZONE,
        validators=[validate_timezone],
        help_text="IANA time zone name, e.g. “America/Chicago”; reminders are sent by it.",
    )
    reminders_enabled = models.BooleanField(
        default=True, help_text="Whether exam and milestone reminder emails are sent at all."
    )
    exam_reminder_offsets = models.JSONField(
        default=default_exam_reminder_offsets,
        blank=True,  # [] means no exam reminders
        validators=[validate_reminder_offsets],
        help_text=(
            f"Days before each exam to send a reminder: whole numbers "
            f"{REMINDER_OFFSET_MIN_DAYS}..{REMINDER_OFFSET_MAX_DAYS}, at most "
            f"{REMINDER_OFFSETS_MAX_COUNT}, stored unique and in descending order; empty for none."
        ),
    )
    current_salary = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text="Current yearly salary in USD (optional; used for payback figures).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(current_salary__isnull=True) | models.Q(current_salary__gte=0),
                name="accounts_profile_current_salary_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"Profile of {self.user}"

    def clean(self) -> None:
        # Field validators have run; store offsets in their one canonical order.
        if isinstance(self.exam_reminder_offsets, list | tuple):
            try:
                validate_reminder_offsets(self.exam_reminder_offsets)
            except ValidationError:
                return
            self.exam_reminder_offsets = normalize_reminder_offsets(self.exam_reminder_offsets)
