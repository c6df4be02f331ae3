"""The committed fixtures: built from the readable builder, loadable, and idempotent."""

import importlib.util
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command

from roles.models import Certification, Role, SalaryBand, Source

FIXTURES_DIR = settings.BASE_DIR / "fixtures"


def load_builder():
    spec = importlib.util.spec_from_file_location(
        "build_catalogue", FIXTURES_DIR / "build_catalogue.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def catalogue_dump() -> dict:
    """Every catalogue row, with its primary key, as dumpdata sees it."""
    out = StringIO()
    # The revision counter is excluded: it records writes, it is not catalogue content.
    call_command(
        "dumpdata", "roles", exclude=["roles.CatalogueRevision"], format="json", stdout=out
    )
    return {(row["model"], row["pk"]): row["fields"] for row in json.loads(out.getvalue())}


def test_committed_json_is_what_the_builder_writes():
    builder = load_builder()
    committed = (FIXTURES_DIR / "catalogue.json").read_text(encoding="utf-8")
    assert committed == builder.render(), "run `python fixtures/build_catalogue.py`"


@pytest.mark.django_db
def test_loading_the_catalogue_twice_changes_nothing():
    # given: the catalogue loaded once
    call_command("load_catalogue", verbosity=0)
    first = catalogue_dump()

    # when
    call_command("load_catalogue", verbosity=0)

    # then: the same rows, same keys, same values
    assert catalogue_dump() == first
    assert len(first) == len(load_builder().build())


def coder_entry_band() -> SalaryBand:
    return SalaryBand.objects.get(
        role__slug="medical-coder", level="entry", source__slug="seed-000-biller-vs-coder"
    )


@pytest.mark.django_db
def test_overwrite_mode_is_idempotent_too_and_matches_the_default_load():
    call_command("load_catalogue", verbosity=0)
    first = catalogue_dump()
    call_command("load_catalogue", overwrite=True, verbosity=0)
    call_command("load_catalogue", overwrite=True, verbosity=0)
    assert catalogue_dump() == first


@pytest.mark.django_db
def test_reloading_keeps_what_editors_changed_and_added():
    # given: the catalogue, then an editor's correction and an editor's new source
    call_command("load_catalogue", verbosity=0)
    band = coder_entry_band()
    band.amount_max = Decimal("46000")
    band.save()
    extra = Source.objects.create(
        slug="editor-added", publisher="Editor", title="Note", kind="secondary"
    )

    # when: the next deploy loads the catalogue again
    out = StringIO()
    call_command("load_catalogue", stdout=out)

    # then
    assert coder_entry_band().amount_max == Decimal("46000.00")
    assert Source.objects.filter(pk=extra.pk).exists()
    assert "added 0 row(s)" in out.getvalue()


@pytest.mark.django_db
def test_reloading_restores_a_deleted_fixture_row():
    call_command("load_catalogue", verbosity=0)
    coder_entry_band().delete()

    call_command("load_catalogue", verbosity=0)

    assert coder_entry_band().amount_min == Decimal("38000.00")


@pytest.mark.django_db
def test_overwrite_resets_edited_rows_to_the_fixtures():
    call_command("load_catalogue", verbosity=0)
    SalaryBand.objects.filter(pk=coder_entry_band().pk).update(amount_max=Decimal("46000"))

    call_command("load_catalogue", overwrite=True, verbosity=0)

    assert coder_entry_band().amount_max == Decimal("45000.00")


@pytest.mark.django_db
def test_every_catalogue_model_has_rows_from_the_fixtures():
    call_command("load_catalogue", verbosity=0)
    empty = [
        m.__name__ for m in apps.get_app_config("roles").get_models() if not m.objects.exists()
    ]
    assert empty == []
    assert Role.objects.count() >= 16
    assert Certification.objects.filter(code__in=["CPC", "CPB", "CCS", "CBCS", "CMRS"]).count() == 5


def test_every_figure_names_a_source_and_a_year_or_says_why_not():
    rows = load_builder().build()
    sources = {
        row["fields"]["slug"]: row["fields"] for row in rows if row["model"] == "roles.source"
    }
    for row in rows:
        if row["model"] in {"roles.salaryband", "roles.salarypremium", "roles.certificationfee"}:
            (slug,) = row["fields"]["source"]
            assert slug in sources
            year = row["fields"]["as_of"]
            assert year or sources[slug]["notes"] or row["fields"].get("notes"), row


@pytest.mark.django_db
def test_every_fixture_row_passes_the_validation_editors_get_in_the_admin():
    call_command("load_catalogue", verbosity=0)
    invalid = {}
    for model in apps.get_app_config("roles").get_models():
        for row in model.objects.all():
            try:
                row.full_clean()
            except ValidationError as error:
                invalid[f"{model.__name__} {row}"] = error.message_dict
    assert invalid == {}
