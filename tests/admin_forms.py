"""What the admin's user change page posts: the user's fields and its profile inline."""

from accounts.models import Profile, User


def user_change_form(user: User, profile: Profile, **profile_fields: str) -> dict[str, str]:
    """The form for `user` with `profile` inline, whose fields are given as the page posts them
    (`timezone="Asia/Tokyo"`, `reminders_enabled="on"`, ...; a field left out is posted empty,
    or unchecked)."""
    form = {
        "email": user.email,
        "display_name": user.display_name,
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        "profile-TOTAL_FORMS": "1",
        "profile-INITIAL_FORMS": "1",
        "profile-MIN_NUM_FORMS": "1",
        "profile-MAX_NUM_FORMS": "1",
        "profile-0-id": str(profile.pk),
        "profile-0-user": str(user.pk),
    }
    form.update({f"profile-0-{name}": value for name, value in profile_fields.items()})
    return form
