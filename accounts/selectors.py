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


def user_with_profile(*, user_id: int) -> User:
    """One user and their profile in one query (raises `User.DoesNotExist`)."""
    return User.objects.select_related("profile").get(pk=user_id)
