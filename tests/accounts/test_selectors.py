"""accounts.selectors: the profile read by a compiled query, as the ORM loads it."""

from decimal import Decimal

import pytest

from accounts.models import Profile, User
from accounts.selectors import PROFILE_COLUMNS, profile_for_user, profile_for_user_id
from tests.factories import ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db


def fields(profile: Profile) -> dict:
    return {name: getattr(profile, name) for name in PROFILE_COLUMNS}


def test_the_profile_is_loaded_as_the_orm_loads_it():
    # given: profiles with every column set (a salary, offsets, reminders off) and defaults
    profiles = [
        ProfileFactory(
            timezone="Asia/Kolkata",
            reminders_enabled=False,
            exam_reminder_offsets=[14, 2],
            current_salary=Decimal("41000.50"),
        ),
        ProfileFactory(),
    ]
    for profile in profiles:
        # when
        loaded = profile_for_user_id(user_id=profile.user_id)
        # then: the same values, types and state as Profile.objects.get gives
        stock = Profile.objects.get(user_id=profile.user_id)
        assert fields(loaded) == fields(stock)
        assert {name: type(value) for name, value in fields(loaded).items()} == {
            name: type(value) for name, value in fields(stock).items()
        }
        assert (loaded._state.adding, loaded._state.db) == (False, "default")


def test_profile_for_user_reads_once_and_keeps_it_on_the_user(django_assert_num_queries):
    # given: a user as a request loads it, nothing related cached
    user = User.objects.get(pk=ProfileFactory(timezone="Europe/Paris").user_id)
    # when / then: one query, then none; the profile and the user know each other
    with django_assert_num_queries(1):
        profile = profile_for_user(user=user)
    with django_assert_num_queries(0):
        assert profile_for_user(user=user) is profile
        assert user.profile is profile
        assert profile.user is user
    assert profile.timezone == "Europe/Paris"


def test_a_user_without_a_profile_gets_one_with_the_defaults():
    # given: a user made without one (User.objects.create, as a data import would)
    user = UserFactory()
    Profile.objects.filter(user=user).delete()
    user = User.objects.get(pk=user.pk)
    # when
    profile = profile_for_user(user=user)
    # then: saved, with the defaults, and found by the next read
    assert (profile.timezone, profile.reminders_enabled) == ("UTC", True)
    assert profile_for_user_id(user_id=user.pk).pk == profile.pk
