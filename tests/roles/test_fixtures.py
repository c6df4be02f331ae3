"""The committed fixtures: built from the readable builder, loadable, and idempotent."""

import importlib.util
import json
from io import StringIO

import pytest
from django.apps import apps
from django.conf import settings
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
    call_command("dumpdata", "roles", format="json", stdout=out)
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


@pytest.mark.django_db
def test_reloading_keeps_rows_an_editor_added_and_restores_edited_figures():
    # given
    call_command("load_catalogue", verbosity=0)
    band = SalaryBand.objects.get(role__slug="medical-coder", level="entry", qualifier="")
    band.amount_max = 99999
    band.save()
    extra = Source.objects.create(
        slug="editor-added", publisher="Editor", title="Note", kind="secondary"
    )

    # when
    call_command("load_catalogue", verbosity=0)

    # then
    band.refresh_from_db()
    assert str(band.amount_max) == "45000.00"
    assert Source.objects.filter(pk=extra.pk).exists()


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
