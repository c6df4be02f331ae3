"""The path finder through the real URLs with the committed catalogue and questionnaire."""

import json

import pytest
from django.core.exceptions import ValidationError

from pathfinder import scoring, selectors
from pathfinder.models import AnswerOption, Question
from plans.models import Plan
from roles.models import TrainingStep
from tests.pathfinder.conftest import (
    BILLING_LIST,
    CODING_CONSTRAINTS,
    CODING_LIST,
    COMBINED_LIST,
    QUESTIONS_URL,
    by_slug,
    errors_by_attr,
    find,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue")]


# --- questionnaire --------------------------------------------------------------------------


def test_the_questionnaire_is_open_to_anonymous_clients_in_order_without_weights(api_client):
    # when
    response = api_client.get(QUESTIONS_URL)
    # then
    assert response.status_code == 200
    body = response.json()
    assert [q["key"] for q in body["questions"]] == [
        "work_style",
        "problems",
        "interests",
        "workplace",
        "goal",
        "long_term",
    ]
    work_style = body["questions"][0]
    assert work_style["kind"] == "single"
    assert work_style["required"] is True
    assert [o["key"] for o in work_style["options"]] == ["records_alone", "with_people", "try_both"]
    assert set(work_style) == {"key", "text", "help_text", "kind", "required", "options"}
    assert all(set(o) == {"key", "label"} for q in body["questions"] for o in q["options"])
    assert body["fit_rule"] == scoring.FIT_RULE
    assert body["scoring_rule"] == scoring.SCORING_RULE


def test_a_question_an_editor_adds_is_asked_and_then_required(api_client):
    # given
    question = Question.objects.create(key="schedule", text="Full or part time?", position=99)
    AnswerOption.objects.create(question=question, key="full", label="Full time")
    AnswerOption.objects.create(question=question, key="part", label="Part time")
    # when / then
    keys = [q["key"] for q in api_client.get(QUESTIONS_URL).json()["questions"]]
    assert keys[-1] == "schedule"
    response = find(api_client, CODING_LIST)
    assert response.status_code == 400
    assert errors_by_attr(response) == {"answers.schedule": "required"}
    assert find(api_client, {**CODING_LIST, "schedule": "part"}).status_code == 200


# --- ranking --------------------------------------------------------------------------------


def test_seed_003s_coding_list_ranks_the_coder_first_and_quotes_the_list(api_client):
    # when
    response = find(api_client, CODING_LIST, CODING_CONSTRAINTS)
    # then
    assert response.status_code == 200
    roles = response.json()["roles"]
    assert [r["role"]["slug"] for r in roles] == ["medical-coder", "coder-biller", "medical-biller"]
    coder = roles[0]
    assert coder["rank"] == 1
    assert coder["score"] == "1.000"  # every point given went to the coder
    assert coder["points"] == "12.94"  # 3 + 3 + 2 + 3 + 3 x 64.8% (remote share)
    assert coder["attainable_points"] == "17.00"
    assert [r["criterion"]["quote"] for r in coder["reasons"]] == [
        "Prefer working independently with medical records",
        "Enjoy analytical work and problem-solving",
        "Want higher starting pay potential in specialized areas",
        "Are comfortable navigating detailed code books and classification systems",
    ]
    assert {r["criterion"]["source"]["slug"] for r in coder["reasons"]} == {
        "seed-003-billing-vs-coding"
    }
    assert coder["reasons"][0]["question"] == "work_style"
    assert coder["reasons"][0]["answer"] == "records_alone"
    # the remote wish counts the catalogue's lower remote share (AAPC 64.8%, not seed 000's 73%)
    assert coder["remote"]["percent"] == "64.80"
    assert coder["remote"]["source"]["slug"] == "aapc-salary-survey-2025"
    assert coder["remote"]["points"] == "1.94"
    assert roles[1]["score"] == roles[2]["score"] == "0.000"
    assert "no points" in roles[2]["remote_note"]


def test_seed_003s_billing_list_ranks_the_biller_first(api_client):
    response = find(api_client, BILLING_LIST)
    roles = response.json()["roles"]
    assert roles[0]["role"]["slug"] == "medical-biller"
    assert roles[0]["score"] == "1.000"
    assert (roles[0]["points"], roles[0]["attainable_points"]) == ("13.00", "16.00")
    assert len(roles[0]["reasons"]) == 5
    assert roles[0]["remote"] is None
    assert roles[0]["remote_note"] is None  # remote work was not asked for


def test_seed_003s_combined_start_list_ranks_the_hybrid_first(api_client):
    response = find(api_client, COMBINED_LIST)
    roles = response.json()["roles"]
    assert roles[0]["role"]["slug"] == "coder-biller"
    assert {r["criterion"]["quote"] for r in roles[0]["reasons"]} == {
        "Want the widest range of job options right away",
        "Plan to work in a small practice where one person handles the full cycle",
        "Want to understand the complete picture before specializing",
        "Aren't sure yet and want to try both before committing",
    }


def test_mixed_answers_rank_by_the_share_of_points_each_role_got(api_client):
    # given: three answers toward the coder (8 points), two toward the hybrid (6)
    answers = {
        "work_style": "records_alone",
        "problems": "whole_cycle",
        "interests": ["code_books"],
        "workplace": "small_practice",
        "goal": "specialized_pay",
    }
    # when
    roles = find(api_client, answers).json()["roles"]
    # then
    assert [(r["role"]["slug"], r["score"], r["points"]) for r in roles] == [
        ("medical-coder", "0.571", "8.00"),
        ("coder-biller", "0.429", "6.00"),
        ("medical-biller", "0.000", "0.00"),
    ]


def test_seed_000s_hybrid_claims_point_to_the_hybrid_with_their_source(api_client):
    answers = {**BILLING_LIST, "long_term": ["employer_demand", "earnings", "automation_risk"]}
    roles = by_slug(find(api_client, answers).json())
    reasons = roles["coder-biller"]["reasons"]
    assert [(r["answer"], r["weight"]) for r in reasons] == [
        ("employer_demand", 2),
        ("earnings", 1),
        ("automation_risk", 1),
    ]
    assert {r["criterion"]["quote"] for r in reasons} == {
        'Hybrid Alert: 68% of employers now prefer "Coder-Billers" with dual certification',
        "Hybrid Future: Professionals mastering both roles earn 25% more and face lower "
        "automation risk",
    }
    assert {r["criterion"]["source"]["slug"] for r in reasons} == {"seed-000-biller-vs-coder"}
    assert roles["coder-biller"]["points"] == "4.00"
    assert roles["medical-biller"]["score"] == "0.765"  # 13 of the 17 points given
    assert roles["coder-biller"]["score"] == "0.235"
    assert (roles["medical-biller"]["rank"], roles["coder-biller"]["rank"]) == (1, 2)


def test_the_same_request_always_gives_the_same_answer(api_client):
    first = find(api_client, COMBINED_LIST, {"wants_remote": True}).content
    assert find(api_client, COMBINED_LIST, {"wants_remote": True}).content == first


# --- paths and constraints ------------------------------------------------------------------


def test_a_3000_budget_fits_neither_the_coder_nor_the_biller_path_and_says_why(api_client):
    # when
    result = find(api_client, CODING_LIST, {"budget": "3000"}).json()
    roles = by_slug(result)
    # then
    coder, biller = roles["medical-coder"], roles["medical-biller"]
    assert coder["fitting_paths"] == []
    assert coder["why_no_path_fits"] == (
        "Your budget $3,000 is below the cheapest path's minimum cost $3,300 (Coder Prep Path)."
    )
    assert coder["other_paths"][0]["slug"] == "coder-prep-path"
    assert coder["other_paths"][0]["fits"] is False
    assert coder["other_paths"][0]["reasons"] == [
        "Your budget $3,000 is below this path's minimum cost $3,300."
    ]
    assert biller["fitting_paths"] == []
    assert biller["why_no_path_fits"] == (
        "Your budget $3,000 is below the cheapest path's minimum cost $3,500 (Biller Bootcamp)."
    )
    # seed 003's combined certificate costs $1,000-$5,000, so $3,000 does cover its minimum;
    # the degree path has no cost in the catalogue and cannot be shown to fit a budget
    hybrid = roles["coder-biller"]
    assert [p["slug"] for p in hybrid["fitting_paths"]] == ["billing-and-coding-certificate"]
    assert [p["slug"] for p in hybrid["other_paths"]] == ["certificate-or-associate-degree"]
    assert hybrid["other_paths"][0]["reasons"] == [scoring.COST_UNKNOWN]
    assert hybrid["why_no_path_fits"] is None
    assert result["fit_rule"] == scoring.FIT_RULE


def test_7000_and_18_months_fit_the_coder_prep_path_and_the_biller_bootcamp(api_client):
    # when
    constraints = {"budget": "7000", "months_available": 18, "current_salary": "30000"}
    roles = by_slug(find(api_client, CODING_LIST, constraints).json())
    # then
    coder_path = roles["medical-coder"]["fitting_paths"][0]
    biller_path = roles["medical-biller"]["fitting_paths"][0]
    assert coder_path["slug"] == "coder-prep-path"
    assert biller_path["slug"] == "biller-bootcamp"
    assert coder_path["fits"] is True
    assert coder_path["reasons"] == []
    assert coder_path["cost"] == {"min": "3300.00", "max": "6600.00", "currency": "USD"}
    assert coder_path["months"] == {"min": 10, "max": 17}
    assert coder_path["other_effort"] == [
        {"quantity": 150, "unit": "practice cases", "is_minimum": True}
    ]
    assert coder_path["source"]["slug"] == "seed-000-biller-vs-coder"
    assert biller_path["cost"] == {"min": "3500.00", "max": "6900.00", "currency": "USD"}
    assert biller_path["months"] == {"min": 10, "max": 16}
    # expected entry salary: the sourced entry bands; payback on the lowest at the path's max cost
    coder = roles["medical-coder"]
    band = coder["expected_entry_salary"]["entry_bands"][0]
    assert (band["amount_min"], band["amount_max"]) == ("38000.00", "45000.00")
    assert band["source"]["slug"] == "seed-000-biller-vs-coder"
    assert coder["salary_basis"]["expected_salary"] == "38000.00"
    assert coder_path["payback"]["months"] == 10  # 6,600 / ((38,000 - 30,000) / 12) = 9.9
    assert biller_path["payback"]["months"] == 17  # 6,900 / ((35,000 - 30,000) / 12) = 16.56
    assert coder_path["payback"]["monthly_gain"] == "666.67"
    assert coder_path["payback"]["basis"]["expected_salary"] == "38000.00"
    assert "paid_back_on" not in coder_path["payback"]  # no start date: the plan has one


def test_too_few_months_names_the_shortest_path(api_client):
    roles = by_slug(find(api_client, CODING_LIST, {"months_available": 6}).json())
    assert roles["medical-coder"]["why_no_path_fits"] == (
        "Your 6 months are fewer than the shortest path's minimum 10 months (Coder Prep Path)."
    )
    # the combined certificate takes 4 to 15 months, so it still fits; at 3 months nothing does
    assert [p["slug"] for p in roles["coder-biller"]["fitting_paths"]] == [
        "billing-and-coding-certificate"
    ]
    roles = by_slug(find(api_client, CODING_LIST, {"months_available": 3}).json())
    assert roles["coder-biller"]["why_no_path_fits"] == (
        "Your 3 months are fewer than the shortest path's minimum 4 months "
        "(Combined Billing and Coding Certificate)."
    )


def test_without_constraints_every_path_fits_and_payback_asks_for_a_salary(api_client):
    roles = by_slug(find(api_client, CODING_LIST).json())
    assert [p["slug"] for p in roles["coder-biller"]["fitting_paths"]] == [
        "billing-and-coding-certificate",
        "certificate-or-associate-degree",
    ]
    path = roles["medical-coder"]["fitting_paths"][0]
    assert path["payback"]["months"] is None
    assert "current_salary" in path["payback"]["reason"]
    degree = roles["coder-biller"]["fitting_paths"][1]
    assert degree["payback"]["reason"] == (
        "The catalogue gives no cost for this path, so there is no payback to compute."
    )
    # the hybrid has no entry band: the all-level figures stand in, premiums listed beside
    hybrid = roles["coder-biller"]["expected_entry_salary"]
    assert {b["level"] for b in hybrid["entry_bands"]} == {"all"}
    assert "hybrid role premium" in {p["qualifier"] for p in hybrid["premiums"]}


def test_the_constraints_are_echoed(api_client):
    body = find(
        api_client,
        CODING_LIST,
        {"budget": 7000, "months_available": 18, "wants_remote": True, "current_salary": "0"},
    ).json()
    assert body["constraints"] == {
        "budget": "7000.00",
        "months_available": 18,
        "wants_remote": True,
        "current_salary": "0.00",
    }


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "constraints", "expected"),
    [
        (
            {**CODING_LIST, "favourite_colour": "blue"},
            None,
            {"answers.favourite_colour": "unknown_question"},
        ),
        ({**CODING_LIST, "work_style": "sleeping"}, None, {"answers.work_style": "unknown_option"}),
        (
            {"work_style": "records_alone"},
            None,
            {
                "answers.problems": "required",
                "answers.workplace": "required",
                "answers.goal": "required",
            },
        ),
        (
            {**CODING_LIST, "work_style": ["records_alone", "with_people"]},
            None,
            {"answers.work_style": "single_choice"},
        ),
        (
            {**CODING_LIST, "interests": "code_books"},
            None,
            {"answers.interests": "multiple_choice"},
        ),
        (
            {**CODING_LIST, "interests": ["code_books", "code_books"]},
            None,
            {"answers.interests": "repeated"},
        ),
        ({**CODING_LIST, "work_style": 3}, None, {"answers.work_style": "invalid"}),
        ({**CODING_LIST, "work_style": None}, None, {"answers.work_style": "null"}),
        (CODING_LIST, {"budget": "-1"}, {"constraints.budget": "min_value"}),
        (CODING_LIST, {"budget": "lots"}, {"constraints.budget": "invalid"}),
        (CODING_LIST, {"months_available": -3}, {"constraints.months_available": "min_value"}),
        (CODING_LIST, {"months_available": "18"}, {"constraints.months_available": "invalid"}),
        (CODING_LIST, {"months_available": 18.5}, {"constraints.months_available": "invalid"}),
        (CODING_LIST, {"wants_remote": "yes"}, {"constraints.wants_remote": "invalid"}),
        (CODING_LIST, {"current_salary": "-5"}, {"constraints.current_salary": "min_value"}),
        (CODING_LIST, {"budjet": "7000"}, {"constraints.budjet": "unknown_field"}),
        ("records_alone", None, {"answers": "not_a_dict"}),
    ],
)
def test_bad_input_is_a_400_naming_each_field(api_client, answers, constraints, expected):
    # when
    response = find(api_client, answers, constraints)
    # then
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert errors_by_attr(response) == expected
    pointers = {e["pointer"] for e in response.json()["errors"]}
    assert pointers == {"/" + attr.replace(".", "/") for attr in expected}


def test_unknown_top_level_fields_and_missing_answers_are_400(api_client):
    response = find(api_client, CODING_LIST, explain=True)
    assert errors_by_attr(response) == {"explain": "unknown_field"}
    response = api_client.post("/api/v1/path-finder/", {}, format="json")
    assert errors_by_attr(response) == {"answers": "required"}
    response = api_client.post("/api/v1/path-finder/", "not json", content_type="application/json")
    assert response.status_code == 400


def test_asking_saves_nothing(api_client):
    # given
    before = (Plan.objects.count(), Question.objects.count(), AnswerOption.objects.count())
    # when
    find(api_client, CODING_LIST, {"budget": "7000"})
    find(api_client, {"work_style": "nope"})
    # then
    assert (Plan.objects.count(), Question.objects.count(), AnswerOption.objects.count()) == before


def test_a_signed_in_user_gets_the_same_result(auth_client, api_client):
    signed_in = find(auth_client, BILLING_LIST, {"budget": "7000"})
    assert signed_in.status_code == 200
    assert (
        json.loads(signed_in.content) == find(api_client, BILLING_LIST, {"budget": "7000"}).json()
    )


def test_bad_answers_and_bad_constraints_are_reported_together(api_client):
    response = find(api_client, {"work_style": "sleeping", "colour": "blue"}, {"budget": "-3000"})
    assert response.status_code == 400
    assert errors_by_attr(response) == {
        "answers.work_style": "unknown_option",
        "answers.colour": "unknown_question",
        "answers.problems": "required",
        "answers.workplace": "required",
        "answers.goal": "required",
        "constraints.budget": "min_value",
    }


def test_the_selector_guards_its_answers_without_the_api():
    with pytest.raises(ValidationError) as caught:
        selectors.path_finder_result(answers={"work_style": "sleeping"}, inputs=selectors.Inputs())
    assert caught.value.message_dict["answers.work_style"] == [
        "“sleeping” is not an answer to this question. "
        "Answers: records_alone, with_people, try_both."
    ]
    assert "answers.goal" in caught.value.message_dict


def test_a_path_priced_in_two_currencies_is_shown_without_a_cost_not_a_500(api_client):
    # given: an editor prices one step of the Coder Prep Path in euros
    TrainingStep.objects.filter(path__slug="coder-prep-path", position=1).update(currency="EUR")
    # when
    roles = by_slug(find(api_client, CODING_LIST, {"budget": "7000"}).json())
    # then
    path = roles["medical-coder"]["other_paths"][0]
    assert path["cost"] == {"min": None, "max": None, "currency": None}
    assert path["months"] == {"min": 10, "max": 17}
    assert path["reasons"] == [scoring.COST_UNKNOWN]


def test_the_questionnaire_is_cacheable_until_an_editor_changes_it(api_client):
    # given
    first = api_client.get(QUESTIONS_URL)
    etag = first["ETag"]
    assert "max-age" in first["Cache-Control"]
    # when / then: unchanged, a conditional GET is a 304
    assert api_client.get(QUESTIONS_URL, HTTP_IF_NONE_MATCH=etag).status_code == 304
    # when: an option's label is edited
    option = AnswerOption.objects.get(question__key="goal", key="widest_options")
    option.label = "As many job options as possible"
    option.save()
    # then: a new ETag and the new text
    again = api_client.get(QUESTIONS_URL, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200
    assert again["ETag"] != etag
    assert "As many job options as possible" in again.content.decode()
