"""Read queries for accounts."""

from accounts.models import Profile, User
from careerplan.db import CompiledRows, concrete_attnames

PROFILE_COLUMNS = concrete_attnames(Profile)
# compiled once (careerplan.db): a plan create reads the owner's profile on every request, and
# the ORM's reverse one-to-one read builds and compiles its query each time
_PROFILE_OF_USER = CompiledRows(
    Profile,
    lambda user_id: (
        Profile._default_manager.filter(user_id=user_id).order_by().values_list(*PROFILE_COLUMNS)
    ),
    Profile._meta.get_field("user"),
)


def profile_for_user(*, user: User) -> Profile:
    """The user's profile (kept on the user once read), created with the defaults if the user
    has none yet.

    Sign-up, `User.objects.create_user` and the admin create the profile with the user; this
    covers users made any other way (factories, `User.objects.create`, data imports). Safe under
    concurrency: `get_or_create` falls back to a read when a parallel request wins the insert.
    """
    profile = User.profile.related.get_cached_value(user, default=None)
    if profile is None:
        profile = profile_for_user_id(user_id=user.pk)
        user.profile = profile  # and profile.user = user
    return profile


def profile_for_user_id(*, user_id: int) -> Profile:
    """`profile_for_user` by the user's id, always read from the database (one query), never
    from a profile cached on a user instance."""
    found = _PROFILE_OF_USER.instances(user_id)
    if found:
        return found[0]
    profile, _ = Profile.objects.get_or_create(user_id=user_id)
    return profile
