"""Django's and allauth's authentication backends, reading the signed-in user with one query
compiled once.

Every API request finds its user through the backend that signed the session in
(`django.contrib.auth.get_user` -> `backend.get_user(user_id)`). The stock `get_user` builds
and compiles the same `User.objects.get(pk=...)` on every request: about 1.4 ms of CPU on the
bench machine, against about 0.7 ms for the compiled query and the instance (bench/RESULTS.md,
"Plan reads, writes and authentication, third round"; `python -m bench.tried user-read`).
Authentication itself (passwords, email login, the session hash check that signs a session
out after a password change) is the stock code.

The settings list these two instead of the stock ones, so sessions signed in before name a
backend no longer listed: they are signed out once, at the deploy that brings this module.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.db import router

from accounts.models import Profile, User
from accounts.selectors import PROFILE_COLUMNS
from careerplan.db import CompiledRows, concrete_attnames

USER_COLUMNS = concrete_attnames(User)
# unordered, as QuerySet.get() clears the model's default ordering
_USER_BY_ID = CompiledRows(
    User,
    lambda user_id: User._default_manager.filter(pk=user_id).order_by().values_list(*USER_COLUMNS),
    User._meta.pk,
)
# the same, with the profile's columns by a LEFT JOIN (all None when the user has none)
_USER_WITH_PROFILE_BY_ID = CompiledRows(
    User,
    lambda user_id: (
        User._default_manager.filter(pk=user_id)
        .order_by()
        .values_list(*USER_COLUMNS, *(f"profile__{column}" for column in PROFILE_COLUMNS))
    ),
    User._meta.pk,
)
_PROFILE_ID = PROFILE_COLUMNS.index(Profile._meta.pk.attname)
_WITH_PROFILE: ContextVar[bool] = ContextVar("accounts_user_read_with_profile", default=False)


@contextmanager
def user_read_with_profile() -> Iterator[None]:
    """Within it, `user_by_id` reads the user's profile in the same query and keeps it on the
    user, where `accounts.selectors.profile_for_user` finds it: for requests that need the
    signed-in user's profile (a plan create arms reminders by its time zone), one round trip
    fewer. Every other request reads the user alone (the join costs about 0.1 ms)."""
    token = _WITH_PROFILE.set(True)
    try:
        yield
    finally:
        _WITH_PROFILE.reset(token)


def user_by_id(user_id) -> User | None:
    """The user with this primary key, as `User.objects.get(pk=user_id)` loads it; or None.
    Inside `user_read_with_profile`, with their profile (if they have one) as
    `profile_for_user` would read it."""
    with_profile = _WITH_PROFILE.get()
    rows = (_USER_WITH_PROFILE_BY_ID if with_profile else _USER_BY_ID).rows(user_id)
    if not rows:
        return None
    database = router.db_for_read(User)
    row = rows[0]
    user = User.from_db(database, USER_COLUMNS, row[: len(USER_COLUMNS)])
    profile_row = row[len(USER_COLUMNS) :]
    if with_profile and profile_row[_PROFILE_ID] is not None:  # NULL when there is none
        user.profile = Profile.from_db(database, PROFILE_COLUMNS, profile_row)
    return user


class CompiledUserMixin:
    def get_user(self, user_id):
        user = user_by_id(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(CompiledUserMixin, DjangoModelBackend):
    """Django's ModelBackend (sign-in by email and password, permissions)."""


class AuthenticationBackend(CompiledUserMixin, AllauthBackend):
    """allauth's backend (its login flows prefer it)."""
