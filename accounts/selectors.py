"""Read queries for accounts."""

from accounts.models import Profile, User


def profile_for_user(*, user: User) -> Profile:
    """The user's profile, created with the defaults if the user has none yet.

    Sign-up, `User.objects.create_user` and the admin create the profile with the user; this
    covers users made any other way (factories, `User.objects.create`, data imports). Safe under
    concurrency: `get_or_create` falls back to a read when a parallel request wins the insert.
    """
    try:
        return user.profile
    except Profile.DoesNotExist:
        profile, _ = Profile.objects.get_or_create(user=user)
        user.profile = profile
        return profile


def profile_for_user_id(*, user_id: int) -> Profile:
    """`profile_for_user` by the user's id, always read from the database (one query), never
    from a profile cached on a user instance."""
    try:
        return Profile.objects.get(user_id=user_id)
    except Profile.DoesNotExist:
        profile, _ = Profile.objects.get_or_create(user_id=user_id)
        return profile
