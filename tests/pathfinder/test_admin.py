"""Editors can open and edit the questionnaire in the admin, and get field errors."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from pathfinder.models import AnswerOption, Criterion, OptionWeight, Question
from roles.models import Role
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue")]

MODELS = list(apps.get_app_config("pathfinder").get_models())


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def admin_url(model, action: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


def test_every_model_is_registered():
    assert {m.__name__ for m in MODELS} == {"Criterion", "Question", "AnswerOption", "OptionWeight"}
    assert all(admin.site.is_registered(model) for model in MODELS)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_changelist_search_filter_change_and_add_pages_load(staff_client, model):
    assert staff_client.get(admin_url(model, "changelist")).status_code == 200
    assert staff_client.get(admin_url(model, "changelist"), {"q": "coder"}).status_code == 200
    row = model.objects.order_by("pk").first()
    assert staff_client.get(admin_url(model, "change", row.pk)).status_code == 200
    assert staff_client.get(admin_url(model, "add")).status_code == 200


def test_filters_by_role_and_source_load(staff_client):
    coder = Role.objects.get(slug="medical-coder")
    response = staff_client.get(
        admin_url(OptionWeight, "changelist"), {"role__id__exact": coder.pk}
    )
    assert response.status_code == 200
    assert (
        len(response.context["cl"].result_list) == OptionWeight.objects.filter(role=coder).count()
    )
    response = staff_client.get(
        admin_url(Criterion, "changelist"), {"weights__role__id__exact": coder.pk}
    )
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == (
        Criterion.objects.filter(weights__role=coder).distinct().count()
    )


def test_anonymous_and_non_staff_users_cannot_open_the_pages(client):
    assert client.get(admin_url(Question, "changelist")).status_code == 302
    client.force_login(UserFactory())
    assert client.get(admin_url(Question, "changelist")).status_code == 302


def question_form(**overrides) -> dict:
    data = {
        "key": "schedule",
        "text": "Full or part time?",
        "help_text": "",
        "kind": "single",
        "required": "on",
        "position": "70",
        "options-TOTAL_FORMS": "2",
        "options-INITIAL_FORMS": "0",
        "options-MIN_NUM_FORMS": "0",
        "options-MAX_NUM_FORMS": "1000",
        "options-0-position": "10",
        "options-0-key": "full",
        "options-0-label": "Full time",
        "options-1-position": "20",
        "options-1-key": "part",
        "options-1-label": "Part time",
    }
    data.update(overrides)
    return data


def test_an_editor_adds_a_question_with_its_options(staff_client):
    response = staff_client.post(admin_url(Question, "add"), question_form())
    assert response.status_code == 302
    question = Question.objects.get(key="schedule")
    assert list(question.options.values_list("key", flat=True)) == ["full", "part"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"key": "Work Style!"}, "Use lower-case letters"),
        ({"key": "work_style"}, "Question with this Key already exists."),
        ({"options-TOTAL_FORMS": "1"}, "at least two answer options"),
        ({"options-1-key": "full"}, "Please correct the duplicate data for key"),
        ({"options-1-key": "Part-Time"}, "Use lower-case letters"),
    ],
)
def test_question_form_errors_are_shown_not_saved(staff_client, overrides, message):
    before = Question.objects.count()
    response = staff_client.post(admin_url(Question, "add"), question_form(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Question.objects.count() == before


def weight_form(option: AnswerOption, **overrides) -> dict:
    data = {
        "question": option.question_id,
        "key": option.key,
        "label": option.label,
        "position": option.position,
        "weights-TOTAL_FORMS": "1",
        "weights-INITIAL_FORMS": "0",
        "weights-MIN_NUM_FORMS": "0",
        "weights-MAX_NUM_FORMS": "1000",
        "weights-0-role": Role.objects.get(slug="coder-biller").pk,
        "weights-0-weight": "2",
        "weights-0-criterion": Criterion.objects.get(key="s003-combined-not-sure").pk,
    }
    data.update(overrides)
    return data


def test_an_editor_adds_a_weight_with_its_criterion_to_an_option(staff_client):
    option = AnswerOption.objects.get(question__key="workplace", key="no_preference")
    response = staff_client.post(admin_url(AnswerOption, "change", option.pk), weight_form(option))
    assert response.status_code == 302
    weight = option.weights.get()
    assert (weight.role.slug, weight.weight, weight.criterion.key) == (
        "coder-biller",
        2,
        "s003-combined-not-sure",
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"weights-0-weight": "9"}, "less than or equal to 5"),
        ({"weights-0-weight": "0"}, "greater than or equal to 1"),
        ({"weights-0-criterion": ""}, "This field is required"),
    ],
)
def test_weight_errors_are_shown_not_saved(staff_client, overrides, message):
    option = AnswerOption.objects.get(question__key="workplace", key="no_preference")
    response = staff_client.post(
        admin_url(AnswerOption, "change", option.pk), weight_form(option, **overrides)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not option.weights.exists()


def test_a_second_weight_for_the_same_role_is_refused(staff_client):
    option = AnswerOption.objects.get(question__key="work_style", key="records_alone")
    existing = option.weights.get()
    response = staff_client.post(
        admin_url(AnswerOption, "change", option.pk),
        weight_form(
            option,
            **{
                "weights-TOTAL_FORMS": "2",
                "weights-INITIAL_FORMS": "1",
                "weights-0-id": existing.pk,
                "weights-0-option": option.pk,
                "weights-0-role": existing.role_id,
                "weights-0-weight": existing.weight,
                "weights-0-criterion": existing.criterion_id,
                "weights-1-role": existing.role_id,
                "weights-1-weight": "1",
                "weights-1-criterion": existing.criterion_id,
            },
        ),
    )
    assert response.status_code == 200
    assert "Please correct the duplicate data" in response.content.decode()
    assert option.weights.count() == 1


def test_a_criterion_in_use_cannot_be_deleted(staff_client):
    criterion = Criterion.objects.get(key="s003-coding-analytical")
    response = staff_client.post(admin_url(Criterion, "delete", criterion.pk), {"post": "yes"})
    assert response.status_code == 200  # the "cannot delete, protected" page
    assert Criterion.objects.filter(pk=criterion.pk).exists()


def _question_with_two_options() -> Question:
    """A question of the fixture, its options cut to two (the least a question may have)."""
    question = next(q for q in Question.objects.all() if q.options.count() >= 3)
    keep = list(question.options.order_by("pk").values_list("pk", flat=True)[:2])
    question.options.exclude(pk__in=keep).delete()
    return question


def test_deleting_options_that_would_leave_a_question_short_is_refused(staff_client):
    # given: a question with exactly two options
    question = _question_with_two_options()
    options = list(question.options.all())
    # when: one is deleted from its page, or both by the bulk action
    single = staff_client.post(admin_url(AnswerOption, "delete", options[0].pk), {"post": "yes"})
    bulk = staff_client.post(
        admin_url(AnswerOption, "changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [option.pk for option in options],
            "post": "yes",
        },
    )
    # then: Django's "cannot delete" page names the question, and both options remain
    for response in (single, bulk):
        assert response.status_code == 200
        assert f"Question “{question.key}”, which would be left" in response.content.decode()
    assert question.options.count() == 2


def test_moving_an_option_away_from_a_question_it_leaves_short_is_refused(staff_client):
    question = _question_with_two_options()
    option = question.options.first()
    other = Question.objects.exclude(pk=question.pk).first()
    data = {
        "question": other.pk,
        "key": option.key,
        "label": option.label,
        "position": option.position,
        "weights-TOTAL_FORMS": 0,
        "weights-INITIAL_FORMS": 0,
        "weights-MIN_NUM_FORMS": 0,
        "weights-MAX_NUM_FORMS": 1000,
    }
    response = staff_client.post(admin_url(AnswerOption, "change", option.pk), data)
    assert response.status_code == 200
    assert "with fewer than two options" in response.content.decode()
    option.refresh_from_db()
    assert option.question_id == question.pk


def test_an_option_of_a_question_with_three_can_go(staff_client):
    question = next(q for q in Question.objects.all() if q.options.count() >= 3)
    option = question.options.first()
    response = staff_client.post(admin_url(AnswerOption, "delete", option.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not AnswerOption.objects.filter(pk=option.pk).exists()
