"""Shapes of the accounts endpoints (validation of input shape only; rules live in models and
services)."""

import copy

from allauth.account.models import EmailAddress
from rest_framework import serializers

from accounts import exports
from accounts.models import (
    REMINDER_OFFSET_MAX_DAYS,
    REMINDER_OFFSET_MIN_DAYS,
    REMINDER_OFFSETS_MAX_COUNT,
    Profile,
    User,
    validate_reminder_offsets,
    validate_timezone,
)
from careerplan.api.serializers import (  # noqa: F401 (re-exported for other apps)
    READ_ONLY_FIELD,
    UNKNOWN_FIELD,
    ListField,
    RejectUnknownFieldsMixin,
    StrictIntegerField,
)

EMAIL_READ_ONLY = (
    "The email address cannot be changed here; use the account email endpoints "
    "(/_allauth/{client}/v1/account/email), which verify the new address first."
)


class MeSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    """The signed-in user's account and profile. Every field is in a response; a PATCH sends
    only the fields it changes (the serializer is used with `partial=True`)."""

    read_only_messages = {"email": EMAIL_READ_ONLY.format(client="app|browser")}

    id = serializers.IntegerField(source="user.id", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    display_name = serializers.CharField(
        source="user.display_name",
        max_length=150,
        allow_blank=True,
        help_text="How the app addresses the user; empty for none.",
    )
    timezone = serializers.CharField(
        max_length=64,
        validators=[validate_timezone],
        help_text="IANA time zone name, e.g. `America/Chicago`. Default `UTC`.",
    )
    reminders_enabled = serializers.BooleanField(
        help_text="Send exam and milestone reminder emails."
    )
    exam_reminder_offsets = ListField(
        child=StrictIntegerField(
            min_value=REMINDER_OFFSET_MIN_DAYS, max_value=REMINDER_OFFSET_MAX_DAYS
        ),
        max_length=REMINDER_OFFSETS_MAX_COUNT,
        help_text=(
            f"Days before each exam to send a reminder: unique whole numbers "
            f"{REMINDER_OFFSET_MIN_DAYS}..{REMINDER_OFFSET_MAX_DAYS}, at most "
            f"{REMINDER_OFFSETS_MAX_COUNT}. Returned in descending order. Default `[30, 7, 1]`."
        ),
    )
    current_salary = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        min_value=0,
        allow_null=True,
        help_text="Current yearly salary in USD, used for payback figures; null when unknown.",
    )

    def validate_exam_reminder_offsets(self, value: list[int]) -> list[int]:
        # Items are already integers in range; this adds the list-level rules (duplicates).
        validate_reminder_offsets(value)
        return value


class AccountDeleteSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    """Confirms an account deletion."""

    password = serializers.CharField(
        trim_whitespace=False,
        style={"input_type": "password"},
        help_text="The account's current password, re-entered to confirm the deletion.",
    )


# --- Export ------------------------------------------------------------------------------------


class AccountExportSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "display_name", "date_joined", "last_login"]
        read_only_fields = fields


class ProfileExportSerializer(serializers.ModelSerializer):
    class Meta:
        model = Profile
        fields = [
            "timezone",
            "reminders_enabled",
            "exam_reminder_offsets",
            "current_salary",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class EmailAddressExportSerializer(serializers.ModelSerializer):
    class Meta:
        model = EmailAddress
        fields = ["email", "verified", "primary"]
        read_only_fields = fields


class UserExportSerializer(serializers.Serializer):
    """Documents the export: one property per registered section (see `accounts.exports`)."""

    format = serializers.CharField(read_only=True, help_text="Export format and version.")
    exported_at = serializers.DateTimeField(read_only=True)

    def get_fields(self):
        fields = super().get_fields()
        for section in exports.sections():
            if section.schema is not None:
                field = copy.deepcopy(section.schema)
            else:
                field = serializers.JSONField(help_text=f"The `{section.key}` data.")
            field.read_only = True
            fields[section.key] = field
        return fields

    class Meta:
        ref_name = "UserExport"
