"""Admin: users with their profile inline, searchable by email."""

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from accounts.models import Profile, User
from tests.admin_forms import user_change_form
from tests.factories import ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    admin = User.objects.create_superuser("root@example.com", "pw-Long-enough-1")
    client.force_login(admin)
    return client


def test_users_are_searchable_by_email(admin_client):
    UserFactory(email="findme@example.com")
    UserFactory(email="hidden@example.com")
    response = admin_client.get(reverse("admin:accounts_user_changelist"), {"q": "findme"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "findme@example.com" in content
    assert "hidden@example.com" not in content


def test_the_change_page_edits_the_profile_inline(admin_client):
    # given
    profile = ProfileFactory(current_salary="40000.00")
    user = profile.user
    url = reverse("admin:accounts_user_change", args=[user.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert "exam_reminder_offsets" in page.content.decode()
    # when: the inline is changed along with the user
    response = admin_client.post(
        url,
        user_change_form(
            user,
            profile,
            timezone="America/Phoenix",
            reminders_enabled="on",
            exam_reminder_offsets="[1, 14]",
            current_salary="45000.00",
        )
        | {"display_name": "Edited"},
    )
    # then
    assert response.status_code == 302, (
        response.context["adminform"].errors if response.context else response
    )
    profile.refresh_from_db()
    assert profile.timezone == "America/Phoenix"
    assert profile.exam_reminder_offsets == [14, 1]


def test_the_inline_refuses_a_bad_zone(admin_client):
    profile = ProfileFactory()
    user = profile.user
    response = admin_client.post(
        reverse("admin:accounts_user_change", args=[user.pk]),
        user_change_form(
            user, profile, timezone="Atlantis/Capital", exam_reminder_offsets="[30, 7, 1]"
        ),
    )
    assert response.status_code == 200  # the form again, with the error
    assert "is not an IANA time zone name" in response.content.decode()
    profile.refresh_from_db()
    assert profile.timezone == "America/Chicago"


def test_a_user_without_profile_gets_one_on_the_change_page(admin_client):
    user = UserFactory()
    response = admin_client.get(reverse("admin:accounts_user_change", args=[user.pk]))
    assert response.status_code == 200
    assert Profile.objects.filter(user=user).count() == 1


def test_adding_a_user_in_the_admin_creates_the_profile(admin_client):
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "Added@Example.com",
            "password1": "pw-Long-enough-1",
            "password2": "pw-Long-enough-1",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="added@example.com")
    assert Profile.objects.filter(user=user).exists()
    assert EmailAddress.objects.filter(user=user, email="added@example.com", primary=True).exists()


def test_admin_sign_in_is_limited_like_the_api(client, settings):
    # given: a staff account and a per-account limit of 3 failures
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "login_failed": "10/m/ip,3/5m/key",
    }
    User.objects.create_superuser("staff@example.com", "pw-Long-enough-1")
    url = reverse("admin:login")
    for _ in range(3):
        response = client.post(url, {"username": "staff@example.com", "password": "guess"})
        assert response.status_code == 200  # the form again, with the error
    # when: the next attempt, even with the right password
    response = client.post(url, {"username": "Staff@Example.com", "password": "pw-Long-enough-1"})
    # then
    assert response.status_code == 429
    assert response["Retry-After"] == "300"
    assert client.get(reverse("admin:index")).status_code == 302  # still signed out


def test_admin_sign_in_still_works(client):
    User.objects.create_superuser("staff@example.com", "pw-Long-enough-1")
    response = client.post(
        reverse("admin:login"), {"username": "staff@example.com", "password": "pw-Long-enough-1"}
    )
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
