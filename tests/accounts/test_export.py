"""`GET /api/v1/me/export/`: all of the caller's data, and only theirs."""

from datetime import date
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from accounts import exports
from accounts.services import EXPORT_FORMAT, user_export

pytestmark = pytest.mark.django_db

EXPORT = "/api/v1/me/export/"


@pytest.fixture
def extra_section():
    """A section registered the way another app (plans) registers its own."""
    calls = []

    def export_things(user):
        calls.append(user.pk)
        return [{"owner": user.email, "cost": Decimal("12.50"), "on": date(2027, 3, 1)}]

    exports.register("things", export_things, models=["tests.Thing"])
    yield calls
    exports.unregister("things")


def test_export_holds_the_callers_account_profile_and_addresses(auth_client, user, profile):
    # given
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    # when
    response = auth_client.get(EXPORT)
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["format"] == EXPORT_FORMAT
    assert body["exported_at"]
    assert body["account"]["email"] == user.email
    assert body["account"]["id"] == user.id
    assert body["profile"]["timezone"] == "America/Chicago"
    assert body["profile"]["exam_reminder_offsets"] == [30, 7, 1]
    assert body["profile"]["current_salary"] == "41000.00"
    assert body["email_addresses"] == [{"email": user.email, "verified": True, "primary": True}]
    assert "no-cache" in response["Cache-Control"]
    assert "password" not in str(body)


def test_export_never_holds_another_accounts_data(
    api_client, user, profile, other_user, other_profile, extra_section
):
    # given: both users have data; the caller is `user`
    EmailAddress.objects.create(user=other_user, email=other_user.email, primary=True)
    api_client.force_authenticate(user)
    # when
    body = api_client.get(EXPORT).json()
    # then
    flat = str(body)
    assert other_user.email not in flat
    assert "99999.99" not in flat
    assert "Europe/Berlin" not in flat
    assert extra_section == [user.pk]


def test_registered_sections_are_added_in_canonical_json(user, extra_section):
    data = user_export(user=user)
    assert list(data)[:5] == ["format", "exported_at", "account", "profile", "email_addresses"]
    # Decimals and dates from an exporter come out as strings, as everywhere in the API
    assert data["things"] == [{"owner": user.email, "cost": "12.50", "on": "2027-03-01"}]


def test_registering_a_taken_key_with_another_exporter_is_refused(extra_section):
    with pytest.raises(ImproperlyConfigured, match="things"):
        exports.register("things", lambda user: None)


def test_registering_the_same_exporter_twice_is_harmless(extra_section):
    section = next(s for s in exports.sections() if s.key == "things")
    exports.register("things", section.export)
    assert [s.key for s in exports.sections()].count("things") == 1


def test_the_export_schema_documents_registered_sections(extra_section):
    from accounts.serializers import UserExportSerializer

    fields = UserExportSerializer().fields
    assert {"format", "exported_at", "account", "profile", "email_addresses", "things"} <= set(
        fields
    )


def test_every_model_that_points_at_a_user_is_exported_or_excused():
    """Personal data added later (e.g. plans) must be registered in `accounts.exports`
    (`register(..., models=["app.Model"])`) or listed in `exports.NOT_EXPORTED` with a reason."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    pointing = {
        model._meta.label
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if field.is_relation
        and not field.auto_created
        and field.related_model is user_model
        and (field.many_to_one or field.one_to_one or field.many_to_many)
    }
    pointing.add(user_model._meta.label)
    missing = pointing - exports.covered_models() - set(exports.NOT_EXPORTED)
    assert not missing, (
        f"{sorted(missing)} hold user data but no export section covers them: register an "
        f"exporter with accounts.exports.register(..., models=[...]) in the app's ready()."
    )


def test_export_queries_do_not_grow_with_the_data(api_client, user, profile):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api_client.force_authenticate(user)

    def queries_for_export() -> int:
        with CaptureQueriesContext(connection) as context:
            assert api_client.get(EXPORT).status_code == 200
        return len(context)

    # given: one address, then many
    EmailAddress.objects.create(user=user, email="first@example.com")
    few = queries_for_export()
    for n in range(20):
        EmailAddress.objects.create(user=user, email=f"alias{n}@example.com")
    # then: the same number of queries
    assert queries_for_export() == few


def test_a_model_can_be_excused_from_the_export():
    exports.exclude("tests.Scratch", "a test model")
    try:
        assert exports.NOT_EXPORTED["tests.Scratch"] == "a test model"
    finally:
        exports.NOT_EXPORTED.pop("tests.Scratch")
