"""`DELETE /api/v1/me/`: the account and everything it owns go, after the password."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType

from accounts.models import Profile, User

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"


def test_delete_with_the_password_removes_the_account_and_what_it_owns(
    auth_client, user, profile, password, other_user, other_profile
):
    # given: the user's own rows, and another account's
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    EmailAddress.objects.create(user=other_user, email=other_user.email, primary=True)
    # when
    response = auth_client.delete(ME, {"password": password})
    # then
    assert response.status_code == 204
    assert not User.objects.filter(pk=user.pk).exists()
    assert not Profile.objects.filter(pk=profile.pk).exists()
    assert not EmailAddress.objects.filter(email=user.email).exists()
    # and: nobody else's
    assert User.objects.filter(pk=other_user.pk).exists()
    assert Profile.objects.filter(pk=other_profile.pk).exists()
    assert EmailAddress.objects.filter(user=other_user).exists()


@pytest.mark.parametrize(
    ("body", "code"),
    [
        pytest.param({"password": "not the password"}, "password_mismatch", id="wrong"),
        pytest.param({"password": ""}, "blank", id="blank"),
        pytest.param({}, "required", id="missing"),
    ],
)
def test_delete_without_the_right_password_is_refused_and_deletes_nothing(
    auth_client, user, profile, body, code
):
    response = auth_client.delete(ME, body)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == [("password", code)]
    assert User.objects.filter(pk=user.pk).exists()
    assert Profile.objects.filter(pk=profile.pk).exists()


def test_wrong_password_message_says_nothing_was_deleted(auth_client, user):
    response = auth_client.delete(ME, {"password": "nope"})
    assert "not deleted" in response.json()["errors"][0]["detail"]


def test_delete_refuses_unknown_fields(auth_client, user, password):
    response = auth_client.delete(ME, {"password": password, "confirm": True})
    assert response.status_code == 400
    assert User.objects.filter(pk=user.pk).exists()


def test_delete_attempts_are_throttled_per_user(auth_client, user, password, settings):
    # given: the configured rate (5 per hour by default)
    rate = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["account_delete"]
    attempts = int(rate.split("/")[0])
    for _ in range(attempts):
        assert auth_client.delete(ME, {"password": "guess"}).status_code == 400
    # when: one more, even with the right password
    response = auth_client.delete(ME, {"password": password})
    # then
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response["Content-Type"] == "application/problem+json"
    assert User.objects.filter(pk=user.pk).exists()
    # and: reading the profile is not throttled by it
    assert auth_client.get(ME).status_code == 200


def test_staff_audit_trail_of_the_user_goes_with_the_account(auth_client, user, password):
    # given: an admin log entry written by this user (cascades with the user)
    LogEntry.objects.create(
        user=user,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(user.pk),
        object_repr=str(user),
        action_flag=CHANGE,
    )
    # when
    assert auth_client.delete(ME, {"password": password}).status_code == 204
    # then
    assert not LogEntry.objects.filter(user_id=user.pk).exists()


def test_personal_data_cascades_and_nothing_blocks_the_deletion():
    """DELETE /me/ relies on the database cascades: every exported (personal) model must
    cascade from the user, and no relation may PROTECT/RESTRICT the user from deletion."""
    from django.apps import apps
    from django.conf import settings
    from django.db import models

    from accounts import exports

    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    relations = [
        (model._meta.label, field)
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if (field.many_to_one or field.one_to_one)
        and field.concrete
        and field.related_model is user_model
    ]
    personal = exports.covered_models()
    not_cascading = sorted(
        f"{label}.{field.name}"
        for label, field in relations
        if label in personal and field.remote_field.on_delete is not models.CASCADE
    )
    blocking = sorted(
        f"{label}.{field.name}"
        for label, field in relations
        if field.remote_field.on_delete in (models.PROTECT, models.RESTRICT)
    )
    assert not not_cascading, f"{not_cascading}: personal data needs on_delete=CASCADE"
    assert not blocking, f"{blocking} would make account deletion fail"
