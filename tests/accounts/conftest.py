import pytest
from rest_framework.test import APIClient

from tests.factories import DEFAULT_PASSWORD, ProfileFactory, UserFactory


@pytest.fixture
def profile(user):
    return ProfileFactory(user=user, current_salary="41000.00")


@pytest.fixture
def other_profile(other_user):
    return ProfileFactory(
        user=other_user,
        timezone="Europe/Berlin",
        exam_reminder_offsets=[14],
        current_salary="99999.99",
    )


@pytest.fixture
def password() -> str:
    return DEFAULT_PASSWORD


@pytest.fixture
def verified_user(db):
    """A user who signed up and verified their address (as allauth records it)."""
    from allauth.account.models import EmailAddress

    user = UserFactory(email="verified@example.com")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def csrf_client() -> APIClient:
    """A browser-like client: cookies, and CSRF checks enforced as in production."""
    return APIClient(enforce_csrf_checks=True)
