"""accounts.backends: the session's user read by a compiled query; the rest is stock."""

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, get_backends
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.contrib.sessions.backends.cached_db import SessionStore
from rest_framework.test import APIClient

from accounts.backends import (
    USER_COLUMNS,
    AuthenticationBackend,
    CompiledUserMixin,
    ModelBackend,
    user_by_id,
    user_read_with_profile,
)
from accounts.models import Profile, User
from accounts.selectors import PROFILE_COLUMNS, profile_for_user, profile_for_user_id
from tests.accounts.allauth_helpers import ME, app_login, post_json, session_token
from tests.factories import ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

BACKENDS = [ModelBackend, AuthenticationBackend]


def fields(user: User) -> dict:
    return {name: getattr(user, name) for name in USER_COLUMNS}


def test_the_user_is_loaded_as_the_orm_loads_it():
    # given: users with every column set (a staff member signed in before, one with a name)
    users = [
        UserFactory(is_staff=True, display_name="Dana Ortiz"),
        UserFactory(display_name=""),
    ]
    User.objects.filter(pk=users[0].pk).update(last_login="2026-11-01T08:30:00Z")
    for user in users:
        # when
        loaded = user_by_id(user.pk)
        # then: the same values, types and state as User.objects.get gives
        stock = User.objects.get(pk=user.pk)
        assert fields(loaded) == fields(stock)
        assert {name: type(value) for name, value in fields(loaded).items()} == {
            name: type(value) for name, value in fields(stock).items()
        }
        assert loaded == stock
        assert loaded._state.adding is False
        assert loaded._state.db == "default"
        assert loaded.get_session_auth_hash() == stock.get_session_auth_hash()


def test_with_the_profile_the_user_is_the_same_and_the_profile_is_kept_on_it(
    django_assert_num_queries,
):
    # given: a user with a profile (every column set) and one without
    profile = ProfileFactory(
        timezone="America/Chicago", exam_reminder_offsets=[30, 7], current_salary="41000.50"
    )
    without = UserFactory()
    Profile.objects.filter(user=without).delete()
    # when: each read with the profile (one query each)
    with user_read_with_profile(), django_assert_num_queries(2):
        loaded = user_by_id(profile.user_id)
        bare = user_by_id(without.pk)
    # then: the same user as read alone, and the profile as profile_for_user reads it, kept
    # where profile_for_user finds it (no query)
    assert fields(loaded) == fields(user_by_id(profile.user_id))
    stock = profile_for_user_id(user_id=profile.user_id)
    with django_assert_num_queries(0):
        kept = profile_for_user(user=loaded)
    assert {c: getattr(kept, c) for c in PROFILE_COLUMNS} == {
        c: getattr(stock, c) for c in PROFILE_COLUMNS
    }
    assert kept._state.adding is False
    assert kept.user is loaded
    # and a user without a profile has none kept (profile_for_user creates it as before)
    assert fields(bare) == fields(User.objects.get(pk=without.pk))
    assert not User.profile.related.is_cached(bare)
    assert profile_for_user(user=bare).pk is not None


def test_outside_the_context_the_user_is_read_alone():
    # given: a user with a profile, read with it once
    profile = ProfileFactory()
    with user_read_with_profile():
        user_by_id(profile.user_id)
    # when: read again outside
    loaded = user_by_id(profile.user_id)
    # then: no profile joined or kept
    assert not User.profile.related.is_cached(loaded)


@pytest.mark.parametrize("backend", BACKENDS)
def test_get_user_answers_as_django_s_backend(backend):
    # given: an active user, an inactive one and an id nobody has
    active, inactive = UserFactory(), UserFactory(is_active=False)
    missing = inactive.pk + 1000
    for user_id in (active.pk, inactive.pk, missing):
        # when / then: the same answer as Django's ModelBackend.get_user
        got, stock = backend().get_user(user_id), DjangoModelBackend().get_user(user_id)
        assert (got and fields(got)) == (stock and fields(stock))
    assert backend().get_user(inactive.pk) is None
    assert backend().get_user(missing) is None


def test_every_configured_backend_reads_the_user_by_the_compiled_query():
    # a stock backend added to the settings would bring the per-request ORM query back
    backends = get_backends()
    assert [type(backend) for backend in backends] == BACKENDS
    assert all(isinstance(backend, CompiledUserMixin) for backend in backends)


def test_an_app_sign_in_names_one_of_these_backends_and_reaches_the_api(
    verified_user, password, django_assert_num_queries
):
    # given: a signed-in app client
    ProfileFactory(user=verified_user)
    client = APIClient()
    token = session_token(app_login(client, verified_user.email, password))
    # then: its session names one of the backends of this module
    assert SessionStore(session_key=token)[BACKEND_SESSION_KEY] in settings.AUTHENTICATION_BACKENDS
    # and a request for the profile costs one query: the user with their profile (the session
    # comes from the cache; the view reads the profile: accounts.authentication.reads_profile)
    with django_assert_num_queries(1):
        me = client.get(ME, headers={"X-Session-Token": token})
    assert me.status_code == 200
    assert me.json()["email"] == verified_user.email


def test_a_password_change_still_signs_other_sessions_out(verified_user, password):
    # given: two signed-in devices
    phone, tablet = APIClient(), APIClient()
    phone_token = session_token(app_login(phone, verified_user.email, password))
    tablet_token = session_token(app_login(tablet, verified_user.email, password))
    # when: the password is changed from the phone
    response = post_json(
        phone,
        "/_allauth/app/v1/account/password/change",
        {"current_password": password, "new_password": "quince-Meadow-4-harbor"},
        **{"X-Session-Token": phone_token},
    )
    assert response.status_code == 200, response.content
    # then: the tablet's session no longer verifies (the session hash check is the stock one)
    assert tablet.get(ME, headers={"X-Session-Token": tablet_token}).status_code == 401
