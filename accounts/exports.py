"""The registry behind `GET /api/v1/me/export/`: every app contributes its part of a user's data.

An export is one JSON object; each registered *section* supplies one top-level key. accounts
registers `account`, `profile` and `email_addresses` (see `AccountsConfig.ready`). Another app
adds its data from its own `AppConfig.ready()`, e.g. plans::

    # plans/apps.py
    class PlansConfig(AppConfig):
        name = "plans"

        def ready(self) -> None:
            from accounts import exports
            from plans.exports import export_plans
            from plans.serializers import PlanExportSerializer

            exports.register(
                "plans",
                export_plans,  # (user) -> JSON-ready data: plans with items, milestones, reminders
                models=["plans.Plan"],  # the models with a foreign key to the user it exports
                schema=PlanExportSerializer(many=True),  # documents the section in OpenAPI
            )

Contract for an exporter `export(user) -> data`:
- it returns only rows that belong to `user` (filter by the owner, never `.all()`), with
  constant queries (select_related / prefetch_related);
- `data` is JSON-ready: dicts, lists, strings, numbers, booleans, None. Dates, datetimes,
  UUIDs and Decimals are also accepted and come out as ISO 8601 / plain strings (the export is
  normalised through `DjangoJSONEncoder`, so money is a decimal string as everywhere in the API);
- it runs inside the export's transaction and must not write.

`models` lists the model labels (`app_label.ModelName`) holding a foreign key / one-to-one to the
user that the section covers. tests/accounts/test_export.py checks that every model pointing at
the user is covered by a section or excused with `exclude("app.Model", reason)` (kept in
`NOT_EXPORTED`), so personal data added later cannot silently be left out of the export; and
tests/accounts/test_delete.py checks that the covered models cascade from the user, so
`DELETE /api/v1/me/` removes them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from rest_framework.fields import Field

    from accounts.models import User

Exporter = Callable[["User"], Any]

# Models that point at the user but hold no data of theirs to hand back, with the reason.
NOT_EXPORTED: dict[str, str] = {
    "admin.LogEntry": "the staff audit trail of admin actions, kept for the operators",
}

SECTION_ALREADY_REGISTERED = "An export section named “{key}” is already registered by {other}."


@dataclass(frozen=True)
class ExportSection:
    key: str
    export: Exporter
    models: tuple[str, ...] = ()
    schema: Field | None = None


_sections: dict[str, ExportSection] = {}


def register(
    key: str,
    export: Exporter,
    *,
    models: Iterable[str] = (),
    schema: Field | None = None,
) -> None:
    """Add a top-level `key` to every user's export, filled by `export(user)`.

    `schema` is an (unbound) DRF serializer or field describing the section for the OpenAPI
    document; without one the section is documented as free-form JSON. Registering the same
    exporter under the same key again is a no-op (so `ready()` may run twice); another exporter
    under a taken key is a configuration error.
    """
    existing = _sections.get(key)
    if existing is not None:
        if existing.export is export:
            return
        raise ImproperlyConfigured(
            SECTION_ALREADY_REGISTERED.format(key=key, other=existing.export.__module__)
        )
    _sections[key] = ExportSection(key=key, export=export, models=tuple(models), schema=schema)


def exclude(model_label: str, reason: str) -> None:
    """Declare a model that points at the user but holds nothing of theirs to export (e.g.
    short-lived technical records), with the reason; see `NOT_EXPORTED`."""
    NOT_EXPORTED.setdefault(model_label, reason)


def unregister(key: str) -> None:
    """Remove a section (tests that register a temporary one clean up with this)."""
    _sections.pop(key, None)


def sections() -> list[ExportSection]:
    """The registered sections, in registration order (accounts' own come first)."""
    return list(_sections.values())


def covered_models() -> set[str]:
    return {label for section in _sections.values() for label in section.models}


# --- accounts' own sections -------------------------------------------------------------------


def export_account(user: User) -> dict:
    from accounts.serializers import AccountExportSerializer

    return AccountExportSerializer(user).data


def export_profile(user: User) -> dict:
    from accounts.selectors import profile_for_user
    from accounts.serializers import ProfileExportSerializer

    return ProfileExportSerializer(profile_for_user(user=user)).data


def export_email_addresses(user: User) -> list:
    from allauth.account.models import EmailAddress

    from accounts.serializers import EmailAddressExportSerializer

    addresses = EmailAddress.objects.filter(user=user).order_by("-primary", "email")
    return EmailAddressExportSerializer(addresses, many=True).data


def register_account_sections() -> None:
    """Called from `AccountsConfig.ready()`, so these come first in every export."""
    from accounts.serializers import (
        AccountExportSerializer,
        EmailAddressExportSerializer,
        ProfileExportSerializer,
    )

    register("account", export_account, models=["accounts.User"], schema=AccountExportSerializer())
    register(
        "profile", export_profile, models=["accounts.Profile"], schema=ProfileExportSerializer()
    )
    register(
        "email_addresses",
        export_email_addresses,
        models=["account.EmailAddress"],
        schema=EmailAddressExportSerializer(many=True),
    )
