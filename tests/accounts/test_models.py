"""Profile invariants and the user manager, without HTTP."""

import io
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction

from accounts.models import (
    Profile,
    User,
    normalize_reminder_offsets,
    validate_reminder_offsets,
    validate_timezone,
)
from accounts.selectors import profile_for_user
from accounts.services import profile_update
from tests.factories import UserFactory


@pytest.mark.parametrize("name", ["UTC", "America/Chicago", "Europe/Berlin", "Asia/Kolkata"])
def test_iana_zones_are_valid(name):
    validate_timezone(name)


@pytest.mark.parametrize("name", ["", "Chicago", "utc ", "Mars/Base", "../../etc/passwd", "EST5"])
def test_other_names_are_not_zones(name):
    with pytest.raises(ValidationError):
        validate_timezone(name)


@pytest.mark.parametrize("offsets", [[], [0], [365], [30, 7, 1], list(range(10))])
def test_valid_offsets(offsets):
    validate_reminder_offsets(offsets)


@pytest.mark.parametrize(
    ("offsets", "code"),
    [
        ([366], "out_of_range"),
        ([-1], "out_of_range"),
        ([1.5], "not_an_integer"),
        (["7"], "not_an_integer"),
        ([True], "not_an_integer"),
        ([7, 7], "duplicate"),
        (list(range(11)), "too_many"),
        ({"days": 7}, "not_a_list"),
        (7, "not_a_list"),
    ],
)
def test_invalid_offsets(offsets, code):
    with pytest.raises(ValidationError) as excinfo:
        validate_reminder_offsets(offsets)
    assert code in {error.code for error in excinfo.value.error_list}


def test_offsets_are_stored_unique_and_descending():
    assert normalize_reminder_offsets([1, 30, 7]) == [30, 7, 1]
    assert normalize_reminder_offsets([]) == []


@pytest.mark.django_db
def test_create_user_creates_the_profile_with_defaults():
    user = User.objects.create_user("Someone@Example.com", "pw-Long-enough-1")
    assert user.email == "someone@example.com"
    profile = Profile.objects.get(user=user)
    assert profile.timezone == "UTC"
    assert profile.reminders_enabled is True
    assert profile.exam_reminder_offsets == [30, 7, 1]
    assert profile.current_salary is None
    # and: allauth knows the address, as after sign-up (not verified: nobody clicked a link)
    address = EmailAddress.objects.get(user=user)
    assert address.email == "someone@example.com"
    assert address.primary is True
    assert address.verified is False


@pytest.mark.django_db
def test_create_superuser_creates_the_profile():
    admin = User.objects.create_superuser("boss@example.com", "pw-Long-enough-1")
    assert admin.is_staff
    assert admin.is_superuser
    assert Profile.objects.filter(user=admin).exists()


@pytest.mark.django_db
def test_emails_are_unique_whatever_their_case():
    UserFactory(email="dup@example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="DUP@example.com")


@pytest.mark.django_db
def test_the_database_refuses_a_negative_salary():
    user = UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Profile.objects.create(user=user, current_salary=Decimal("-1"))


@pytest.mark.django_db
def test_profile_update_validates_like_the_api_and_saves_nothing_on_error():
    user = UserFactory()
    with pytest.raises(ValidationError) as excinfo:
        profile_update(
            user=user, data={"timezone": "Nowhere/Land", "exam_reminder_offsets": [9, 9]}
        )
    assert set(excinfo.value.message_dict) == {"timezone", "exam_reminder_offsets"}
    profile = profile_for_user(user=User.objects.get(pk=user.pk))
    assert profile.timezone == "UTC"
    assert profile.exam_reminder_offsets == [30, 7, 1]


@pytest.mark.django_db
def test_profile_update_refuses_fields_it_does_not_own():
    user = UserFactory()
    with pytest.raises(ValidationError) as excinfo:
        profile_update(user=user, data={"email": "x@example.com", "is_staff": True})
    assert set(excinfo.value.message_dict) == {"email", "is_staff"}
    user.refresh_from_db()
    assert not user.is_staff


@pytest.mark.django_db
def test_demo_accounts_have_profiles(settings):
    settings.DEBUG = True
    call_command("create_demo_accounts", stdout=io.StringIO())
    assert Profile.objects.filter(user__email="demo@careerplan.local").exists()
