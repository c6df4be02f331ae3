"""Write flows for accounts: one function per use case, keyword-only, atomic.

Sign-up, sign-in, email verification and password reset are django-allauth's (headless);
`accounts.adapters.AccountAdapter` hooks the profile into its sign-up.
"""

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from accounts import exports
from accounts.models import Profile, User, normalize_reminder_offsets
from accounts.selectors import profile_for_user

USER_FIELDS = frozenset({"display_name"})
PROFILE_FIELDS = frozenset(
    {"timezone", "reminders_enabled", "exam_reminder_offsets", "current_salary"}
)
EXPORT_FORMAT = "careerplan.user-export/1"

# Called as handler(user=..., fields=...) after a profile change is saved, inside its
# transaction. Other apps append theirs in AppConfig.ready() (plans re-times reminders when the
# time zone, the offsets or the opt-in change), so accounts depends on no other app.
PROFILE_CHANGE_HANDLERS: list[Callable[..., None]] = []

UNKNOWN_PROFILE_FIELD = "“{field}” is not a profile field."
PASSWORD_MISMATCH = "The password is not correct; the account was not deleted."  # noqa: S105


@transaction.atomic
def user_setup(*, user: User) -> Profile:
    """Give a user made outside sign-up (`create_user`, `createsuperuser`, the admin) what sign-up
    gives: a profile, and the primary (unverified) email address that allauth's email checks
    and verification work on. Idempotent; returns the profile."""
    from allauth.account.models import EmailAddress

    if not EmailAddress.objects.filter(user=user).exists():
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)
    return profile_for_user(user=user)


@transaction.atomic
def profile_update(*, user: User, data: Mapping[str, Any]) -> Profile:
    """Change some of the user's profile fields (`display_name` lives on the user).

    Only the given fields are written (`update_fields`), so two clients changing different
    fields at the same time do not undo each other. Raises `ValidationError` (per field) and
    then saves nothing. Reminder offsets are stored unique and in descending order.
    """
    unknown = set(data) - USER_FIELDS - PROFILE_FIELDS
    if unknown:
        raise ValidationError(
            {field: UNKNOWN_PROFILE_FIELD.format(field=field) for field in sorted(unknown)}
        )
    profile = profile_for_user(user=user)
    user_fields = [field for field in data if field in USER_FIELDS]
    profile_fields = [field for field in data if field in PROFILE_FIELDS]
    for field in user_fields:
        setattr(user, field, data[field])
    for field in profile_fields:
        setattr(profile, field, data[field])

    errors: dict[str, list] = {}
    if user_fields:
        try:
            user.clean_fields(exclude=[f.name for f in User._meta.fields if f.name not in data])
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if profile_fields:
        try:
            profile.full_clean(
                exclude=[f.name for f in Profile._meta.fields if f.name not in data],
                validate_unique=False,
            )
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        # Leave the (possibly cached) instances as they are in the database.
        if user_fields:
            user.refresh_from_db(fields=user_fields)
        if profile_fields:
            profile.refresh_from_db(fields=profile_fields)
        raise ValidationError(errors)

    if "exam_reminder_offsets" in data:
        profile.exam_reminder_offsets = normalize_reminder_offsets(profile.exam_reminder_offsets)
    if user_fields:
        user.save(update_fields=user_fields)
    if profile_fields:
        profile.save(update_fields=[*profile_fields, "updated_at"])
        profile_changed(user=user, fields=profile_fields)
    return profile


def profile_changed(*, user: User, fields: Iterable[str]) -> None:
    """Tell the other apps (PROFILE_CHANGE_HANDLERS) that these profile fields of the user
    were saved: `profile_update` does, and so does the admin's profile form. Call it inside
    the transaction that saved them."""
    changed = frozenset(fields) & PROFILE_FIELDS
    if changed:
        for handler in PROFILE_CHANGE_HANDLERS:
            handler(user=user, fields=changed)


@transaction.atomic
def user_delete(*, user: User, password: str) -> None:
    """Delete the account and, through the database cascades, everything it owns (profile,
    email addresses, plans with their items, milestones and reminders).

    The password is re-entered so that a stolen session token alone cannot erase an account.
    Raises `ValidationError({"password": ...})` when it does not match; nothing is deleted then.
    """
    if not password or not user.check_password(password):
        raise ValidationError(
            {"password": ValidationError(PASSWORD_MISMATCH, code="password_mismatch")}
        )
    user.delete()


@transaction.atomic
def user_export(*, user: User) -> dict[str, Any]:
    """All of the user's data as one JSON-ready dict: `format`, `exported_at`, then one key per
    registered export section (`account`, `profile`, `email_addresses`, then other apps', e.g.
    `plans`; see `accounts.exports`), read inside one transaction.
    """
    data: dict[str, Any] = {"format": EXPORT_FORMAT, "exported_at": timezone.now()}
    for section in exports.sections():
        data[section.key] = section.export(user)
    # One canonical JSON form whatever the exporters returned (Decimal -> "1.50", dates ISO).
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))
