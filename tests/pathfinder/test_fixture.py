"""The committed questionnaire: loadable twice without change, every weight sourced."""

import json
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError

from pathfinder.models import AnswerOption, Criterion, OptionWeight, Question

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue")]

FIXTURE = settings.BASE_DIR / "fixtures" / "path_finder.json"


def dump() -> dict:
    out = StringIO()
    call_command("dumpdata", "pathfinder", format="json", stdout=out)
    return {(row["model"], row["pk"]): row["fields"] for row in json.loads(out.getvalue())}


def test_loading_twice_changes_nothing_and_keeps_what_an_editor_added():
    # given
    first = dump()
    extra = Question.objects.create(key="editor_added", text="Added in the admin")
    # when
    call_command("load_catalogue", verbosity=0)
    # then
    after = dump()
    after.pop(("pathfinder.question", extra.pk))
    assert after == first
    assert len(first) == len(json.loads(FIXTURE.read_text(encoding="utf-8")))


def test_the_fixture_carries_no_primary_keys():
    rows = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert all("pk" not in row for row in rows)


def test_every_criterion_is_used_quoted_and_sourced_from_a_seed():
    for criterion in Criterion.objects.select_related("source"):
        assert criterion.weights.exists(), criterion.key
        assert criterion.quote.strip()
        assert criterion.source.slug in {"seed-000-biller-vs-coder", "seed-003-billing-vs-coding"}
    # seed 003's three "Which Should You Choose?" lists are all there
    sections = set(Criterion.objects.values_list("section", flat=True))
    assert {
        "Which Should You Choose? (coding)",
        "Which Should You Choose? (billing)",
        "Which Should You Choose? (combined start)",
    } <= sections


def test_the_weights_point_to_the_three_entry_roles_only():
    roles = set(OptionWeight.objects.values_list("role__slug", flat=True))
    assert roles == {"medical-coder", "medical-biller", "coder-biller"}
    assert all(1 <= weight <= 5 for weight in OptionWeight.objects.values_list("weight", flat=True))


def test_every_question_has_at_least_two_options():
    for question in Question.objects.all():
        assert question.options.count() >= 2, question.key


def test_the_database_refuses_bad_rows():
    option = AnswerOption.objects.get(question__key="work_style", key="records_alone")
    weight = option.weights.get()
    with pytest.raises(IntegrityError):
        OptionWeight.objects.create(
            option=option, role=weight.role, weight=1, criterion=weight.criterion
        )


def test_the_weight_range_is_a_database_constraint():
    option = AnswerOption.objects.get(question__key="workplace", key="no_preference")
    criterion = Criterion.objects.first()
    weight = OptionWeight(option=option, role_id=criterion.weights.first().role_id, weight=6)
    weight.criterion = criterion
    with pytest.raises(IntegrityError):
        weight.save()
