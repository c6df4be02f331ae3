"""The questionnaire and a result cost the same number of queries however large they grow."""

import pytest

from pathfinder.models import AnswerOption, Criterion, OptionWeight, Question
from roles.models import Role, Source, TrainingPath, TrainingStep
from tests.pathfinder.conftest import CODING_LIST, QUESTIONS_URL, find

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue")]


def grow(extra: int) -> None:
    """`extra` more optional questions (3 options each, weights to every entry role and to a new
    role with its own path), so every prefetch has more rows to fetch."""
    source = Source.objects.get(slug="seed-003-billing-vs-coding")
    criterion = Criterion.objects.create(key="extra", quote="Extra", source=source)
    roles = list(Role.objects.filter(slug__in=["medical-coder", "medical-biller", "coder-biller"]))
    for index in range(extra):
        role = Role.objects.create(slug=f"extra-{index}", title=f"Extra {index}", family="coding")
        path = TrainingPath.objects.create(
            slug=f"extra-path-{index}", title=f"Extra path {index}", role=role, source=source
        )
        TrainingStep.objects.create(path=path, position=1, name="Step", months_min=1, months_max=2)
        question = Question.objects.create(
            key=f"extra_{index}", text=f"Extra {index}?", required=False, position=100 + index
        )
        for opt in range(3):
            option = AnswerOption.objects.create(question=question, key=f"o{opt}", label="O")
            for target in [*roles, role]:
                OptionWeight.objects.create(
                    option=option, role=target, weight=1 + opt, criterion=criterion
                )


# questions + options
QUESTIONS_QUERIES = 3  # the catalogue revision (for the ETag), questions, options
# questions, options, weights (with roles, criteria, sources); roles, salary bands, premiums,
# remote shares, training paths (with sources), steps
RESULT_QUERIES = 9


@pytest.mark.parametrize("extra", [0, 12])
def test_the_questionnaire_costs_constant_queries(api_client, django_assert_num_queries, extra):
    grow(extra)
    with django_assert_num_queries(QUESTIONS_QUERIES):
        response = api_client.get(QUESTIONS_URL)
    assert len(response.json()["questions"]) == 6 + extra


@pytest.mark.parametrize("extra", [0, 12])
def test_a_result_costs_constant_queries(api_client, django_assert_num_queries, extra):
    grow(extra)
    answers = {**CODING_LIST, **{f"extra_{index}": "o2" for index in range(extra)}}
    with django_assert_num_queries(RESULT_QUERIES):
        response = find(
            api_client,
            answers,
            {"budget": "7000", "months_available": 18, "wants_remote": True, "current_salary": "1"},
        )
    assert response.status_code == 200
    assert len(response.json()["roles"]) == 3 + extra


def test_a_bad_answer_is_refused_after_reading_only_the_questionnaire(
    api_client, django_assert_num_queries
):
    with django_assert_num_queries(3):
        response = find(api_client, {**CODING_LIST, "work_style": "nope"})
    assert response.status_code == 400
