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

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.db import router

from accounts.models import User
from careerplan.db import CompiledRows

USER_COLUMNS = tuple(field.attname for field in User._meta.concrete_fields)
# unordered, as QuerySet.get() clears the model's default ordering
_USER_BY_ID = CompiledRows(
    User,
    lambda user_id: User._default_manager.filter(pk=user_id).order_by().values_list(*USER_COLUMNS),
    User._meta.pk,
)


def user_by_id(user_id) -> User | None:
    """The user with this primary key, as `User.objects.get(pk=user_id)` loads it; or None."""
    rows = _USER_BY_ID.rows(user_id)
    if not rows:
        return None
    return User.from_db(router.db_for_read(User), USER_COLUMNS, rows[0])


class CompiledUserMixin:
    def get_user(self, user_id):
        user = user_by_id(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(CompiledUserMixin, DjangoModelBackend):
    """Django's ModelBackend (sign-in by email and password, permissions)."""


class AuthenticationBackend(CompiledUserMixin, AllauthBackend):
    """allauth's backend (its login flows prefer it)."""
