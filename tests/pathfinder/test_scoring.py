"""The path finder's rules, called directly: answer checks, scores, ranks and path fit."""

from dataclasses import replace
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pathfinder import scoring
from pathfinder.scoring import (
    MULTIPLE,
    SINGLE,
    Constraints,
    InvalidAnswers,
    OptionFacts,
    PathFacts,
    QuestionFacts,
    RemoteFacts,
    WeightFacts,
    check_answers,
    path_fit,
    paths_fit,
    score_roles,
)

CODER, BILLER, HYBRID = "medical-coder", "medical-biller", "coder-biller"
ROLES = [HYBRID, BILLER, CODER]


def option(key, **weights):
    return OptionFacts(
        key=key,
        weights=tuple(
            WeightFacts(role=role.replace("_", "-"), weight=w) for role, w in weights.items()
        ),
    )


QUESTIONS = [
    QuestionFacts(
        key="style",
        kind=SINGLE,
        required=True,
        options=(
            option("alone", medical_coder=3),
            option("people", medical_biller=3),
            option("both", coder_biller=2, medical_coder=1),
        ),
    ),
    QuestionFacts(
        key="likes",
        kind=MULTIPLE,
        required=False,
        options=(
            option("books", medical_coder=2),
            option("money", medical_biller=2),
            option("variety", medical_biller=1),
            option("nothing"),
        ),
    ),
]


# --- answers --------------------------------------------------------------------------------


def test_valid_answers_come_back_as_tuples_and_skipped_optional_questions_are_left_out():
    assert check_answers(QUESTIONS, {"style": "alone"}) == {"style": ("alone",)}
    assert check_answers(QUESTIONS, {"style": "alone", "likes": []}) == {"style": ("alone",)}
    assert check_answers(QUESTIONS, {"style": "both", "likes": ["money", "books"]}) == {
        "style": ("both",),
        "likes": ("money", "books"),
    }


@pytest.mark.parametrize(
    ("answers", "key", "code"),
    [
        ({"style": "alone", "colour": "blue"}, "colour", "unknown_question"),
        ({"style": "nope"}, "style", "unknown_option"),
        ({}, "style", "required"),
        ({"style": ["alone"]}, "style", "single_choice"),
        ({"style": "alone", "likes": "books"}, "likes", "multiple_choice"),
        ({"style": "alone", "likes": ["books", "books"]}, "likes", "repeated"),
        ({"style": "alone", "likes": ["books", "nope"]}, "likes", "unknown_option"),
    ],
)
def test_each_kind_of_bad_answer_is_named_with_its_question(answers, key, code):
    with pytest.raises(InvalidAnswers) as caught:
        check_answers(QUESTIONS, answers)
    assert caught.value.errors[key].code == code


def test_a_required_multiple_choice_question_needs_at_least_one_answer():
    required = [replace(QUESTIONS[1], required=True)]
    with pytest.raises(InvalidAnswers) as caught:
        check_answers(required, {"likes": []})
    assert caught.value.errors["likes"].code == "required"


def test_every_problem_is_reported_at_once():
    with pytest.raises(InvalidAnswers) as caught:
        check_answers(QUESTIONS, {"colour": "blue", "likes": "books"})
    assert set(caught.value.errors) == {"colour", "style", "likes"}


# --- scores ---------------------------------------------------------------------------------


def test_score_is_the_roles_share_of_all_points_given():
    # given: single choice attains its largest option weight, multiple choice the sum
    assert scoring.attainable_points(QUESTIONS[0], CODER) == 3
    assert scoring.attainable_points(QUESTIONS[1], BILLER) == 3
    # when: "both" gives the hybrid 2 and the coder 1, "money" gives the biller 2
    scores = score_roles(
        questions=QUESTIONS, answers={"style": ("both",), "likes": ("money",)}, roles=ROLES
    )
    # then
    by_role = {score.role: score for score in scores}
    assert by_role[HYBRID].score == by_role[BILLER].score == Fraction(2, 5)
    assert by_role[CODER].score == Fraction(1, 5)
    assert (by_role[CODER].points, by_role[CODER].attainable) == (1, 5)  # 3 (style) + 2 (books)
    # the tie between hybrid and biller goes to the role given first
    assert [score.role for score in scores] == [HYBRID, BILLER, CODER]
    assert [score.rank for score in scores] == [1, 2, 3]


def test_a_role_with_one_sparse_weight_does_not_outrank_the_role_most_answers_point_to():
    # given: one optional question points to a niche role, weakly
    niche = QuestionFacts(
        key="niche",
        kind=SINGLE,
        required=False,
        options=(option("yes", risk_adjustment_coder=1), option("no")),
    )
    # when: the person also answers everything toward the coder
    scores = score_roles(
        questions=[*QUESTIONS, niche],
        answers={"style": ("alone",), "likes": ("books",), "niche": ("yes",)},
        roles=[CODER, "risk-adjustment-coder"],
    )
    # then: the niche role matched all it could (1 of 1) but the coder has most of the points
    assert [score.role for score in scores] == [CODER, "risk-adjustment-coder"]
    assert scores[0].score == Fraction(5, 6)


def test_reasons_name_the_answers_that_pointed_to_the_role_strongest_first():
    scores = score_roles(
        questions=QUESTIONS,
        answers={"style": ("people",), "likes": ("variety", "money")},
        roles=ROLES,
    )
    biller = next(score for score in scores if score.role == BILLER)
    assert [(r.question.key, r.option.key, r.weight) for r in biller.reasons] == [
        ("style", "people", 3),
        ("likes", "money", 2),
        ("likes", "variety", 1),
    ]


def test_ties_are_broken_by_points_then_by_the_given_role_order():
    # given: no answer points anywhere, so every score is 0 with 0 points
    scores = score_roles(questions=QUESTIONS, answers={"style": ("alone",)}, roles=[BILLER, HYBRID])
    assert [score.role for score in scores] == [BILLER, HYBRID]
    # and: equal scores (1/1 vs 2/2) rank the role with more points first
    equal = [
        QuestionFacts(
            key="q",
            kind=MULTIPLE,
            required=True,
            options=(option("a", medical_coder=1), option("b", medical_biller=2)),
        )
    ]
    scores = score_roles(questions=equal, answers={"q": ("a", "b")}, roles=[CODER, BILLER])
    assert [score.role for score in scores] == [BILLER, CODER]


def test_a_role_nothing_points_to_scores_zero_not_a_division_error():
    scores = score_roles(questions=QUESTIONS, answers={"style": ("alone",)}, roles=["rcm-manager"])
    assert scores[0].score == 0
    assert scores[0].attainable == 0


def test_wanting_remote_work_counts_the_lowest_remote_share_and_no_share_counts_nothing():
    shares = {
        CODER: [
            RemoteFacts(CODER, Decimal("73.00"), ref="seed 000"),
            RemoteFacts(CODER, Decimal("64.80"), ref="AAPC"),
        ]
    }
    scores = score_roles(
        questions=QUESTIONS,
        answers={"style": ("alone",)},
        roles=ROLES,
        wants_remote=True,
        remote_shares=shares,
    )
    by_role = {score.role: score for score in scores}
    coder = by_role[CODER]
    assert coder.remote.ref == "AAPC"
    assert coder.remote_points == Fraction(3) * Fraction("0.648")
    assert coder.attainable == 3 + 2 + scoring.REMOTE_WEIGHT
    assert by_role[BILLER].remote is None
    assert by_role[BILLER].attainable == 3 + 3 + scoring.REMOTE_WEIGHT
    # without the wish, the share is not counted at all
    plain = score_roles(
        questions=QUESTIONS, answers={"style": ("alone",)}, roles=ROLES, remote_shares=shares
    )
    assert next(s for s in plain if s.role == CODER).attainable == 5


def test_rounded_score_is_three_places_half_up():
    score = scoring.RoleScore(
        role=CODER, rank=1, score=Fraction(2, 3), points=Fraction(2), attainable=Fraction(3)
    )
    assert score.rounded_score == Decimal("0.667")


# --- properties -----------------------------------------------------------------------------

ROLE_POOL = ["a-role", "b-role", "c-role", "d-role"]


@st.composite
def questionnaires(draw):
    """Random questionnaires (1-5 questions, 1-5 options, 0-3 weights each) and valid answers."""
    questions = []
    answers = {}
    for q in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from([SINGLE, MULTIPLE]))
        options = []
        for o in range(draw(st.integers(1, 5))):
            roles = draw(st.lists(st.sampled_from(ROLE_POOL), max_size=3, unique=True))
            weights = tuple(WeightFacts(role, draw(st.integers(1, 5))) for role in roles)
            options.append(OptionFacts(key=f"o{o}", weights=weights))
        question = QuestionFacts(key=f"q{q}", kind=kind, required=True, options=tuple(options))
        questions.append(question)
        keys = [opt.key for opt in options]
        if kind == SINGLE:
            answers[question.key] = (draw(st.sampled_from(keys)),)
        else:
            answers[question.key] = tuple(
                draw(st.lists(st.sampled_from(keys), min_size=1, unique=True))
            )
    return questions, answers


remote_shares = st.dictionaries(
    st.sampled_from(ROLE_POOL),
    st.lists(
        st.decimals(0, 100, places=2).map(lambda p: RemoteFacts("x", p)), min_size=1, max_size=2
    ),
)


@settings(max_examples=200, deadline=None)
@given(questionnaires(), st.booleans(), remote_shares)
def test_scores_are_within_zero_and_one_and_ranks_are_one_to_n(data, wants_remote, shares):
    questions, answers = data
    raw = {
        q.key: answers[q.key][0] if q.kind == SINGLE else list(answers[q.key]) for q in questions
    }
    assert check_answers(questions, raw) == answers  # the strategy draws valid answers only
    scores = score_roles(
        questions=questions,
        answers=answers,
        roles=ROLE_POOL,
        wants_remote=wants_remote,
        remote_shares=shares,
    )
    assert all(0 <= score.score <= 1 for score in scores)
    assert all(Decimal(0) <= score.rounded_score <= Decimal(1) for score in scores)
    assert all(0 <= score.points <= score.attainable for score in scores)
    assert sum(score.score for score in scores) in (0, 1)
    assert [score.points for score in scores] == sorted(
        (score.points for score in scores), reverse=True
    )
    assert [score.rank for score in scores] == list(range(1, len(ROLE_POOL) + 1))
    assert sorted(score.role for score in scores) == sorted(ROLE_POOL)


@settings(max_examples=200, deadline=None)
@given(questionnaires(), st.booleans(), remote_shares)
def test_the_ranking_is_deterministic_and_ignores_the_order_questions_come_in(
    data, wants_remote, shares
):
    questions, answers = data
    kwargs = {"answers": answers, "roles": ROLE_POOL, "wants_remote": wants_remote}
    first = score_roles(questions=questions, remote_shares=shares, **kwargs)
    again = score_roles(questions=list(reversed(questions)), remote_shares=shares, **kwargs)
    assert [(s.role, s.score, s.rank) for s in first] == [(s.role, s.score, s.rank) for s in again]


def _with_more_weight(questions, question_key, option_key, role, extra):
    changed = []
    for question in questions:
        options = []
        for opt in question.options:
            if question.key == question_key and opt.key == option_key:
                others = [w for w in opt.weights if w.role != role]
                current = sum(w.weight for w in opt.weights if w.role == role)
                opt = replace(opt, weights=(*others, WeightFacts(role, current + extra)))
            options.append(opt)
        changed.append(replace(question, options=tuple(options)))
    return changed


@settings(max_examples=300, deadline=None)
@given(questionnaires(), st.sampled_from(ROLE_POOL), st.integers(1, 5), st.data())
def test_adding_weight_toward_a_role_on_a_chosen_answer_never_lowers_its_rank(
    data, role, extra, draw
):
    # given: a questionnaire, its answers, and one chosen answer
    questions, answers = data
    question_key = draw.draw(st.sampled_from(sorted(answers)))
    option_key = draw.draw(st.sampled_from(answers[question_key]))
    before = score_roles(questions=questions, answers=answers, roles=ROLE_POOL)
    # when: that answer points more strongly to the role
    more = _with_more_weight(questions, question_key, option_key, role, extra)
    after = score_roles(questions=more, answers=answers, roles=ROLE_POOL)
    # then: the role's score does not fall and its rank does not worsen
    rank = {s.role: s.rank for s in before}[role]
    new = {s.role: s for s in after}[role]
    assert new.score >= {s.role: s.score for s in before}[role]
    assert new.rank <= rank


# --- paths ----------------------------------------------------------------------------------

CODER_PREP = PathFacts(
    "coder-prep-path", "Coder Prep Path", Decimal(3300), Decimal(6600), "USD", 10, 17
)
BOOTCAMP = PathFacts(
    "biller-bootcamp", "Biller Bootcamp", Decimal(3500), Decimal(6900), "USD", 10, 16
)
DEGREE = PathFacts("degree", "Certificate or Associate Degree", None, None, None, 12, 24)


def test_a_path_fits_when_its_minimum_cost_and_months_are_within_the_constraints():
    assert path_fit(CODER_PREP, Constraints(budget=Decimal(3300), months_available=10)).fits
    assert path_fit(CODER_PREP, Constraints()).fits
    too_dear = path_fit(CODER_PREP, Constraints(budget=Decimal("3299.99")))
    assert not too_dear.fits
    assert too_dear.reasons == ("Your budget $3,299.99 is below this path's minimum cost $3,300.",)
    both = path_fit(CODER_PREP, Constraints(budget=Decimal(3000), months_available=9))
    assert len(both.reasons) == 2


def test_a_path_without_a_figure_cannot_fit_a_constraint_on_that_figure():
    assert path_fit(DEGREE, Constraints(months_available=24)).fits
    assert path_fit(DEGREE, Constraints(budget=Decimal(100000))).reasons == (scoring.COST_UNKNOWN,)
    no_months = replace(CODER_PREP, months_min=None, months_max=None)
    assert path_fit(no_months, Constraints(months_available=99)).reasons == (
        scoring.MONTHS_UNKNOWN,
    )
    euros = replace(CODER_PREP, currency="EUR")
    assert not path_fit(euros, Constraints(budget=Decimal(10000))).fits


def test_why_none_fits_names_the_binding_constraint():
    fitting, others, why = paths_fit([BOOTCAMP, CODER_PREP], Constraints(budget=Decimal(3000)))
    assert fitting == []
    assert [fit.path.key for fit in others] == ["coder-prep-path", "biller-bootcamp"]
    assert (
        why
        == "Your budget $3,000 is below the cheapest path's minimum cost $3,300 (Coder Prep Path)."
    )

    _, _, why = paths_fit([CODER_PREP, DEGREE], Constraints(months_available=6))
    assert (
        why
        == "Your 6 months are fewer than the shortest path's minimum 10 months (Coder Prep Path)."
    )

    # the cheap path is too long and the short path too dear: neither constraint alone explains
    cheap_but_long = replace(BOOTCAMP, key="long", cost_min=Decimal(1000), months_min=30)
    _, _, why = paths_fit(
        [cheap_but_long, CODER_PREP], Constraints(budget=Decimal(2000), months_available=12)
    )
    assert why == scoring.NONE_FITS_BOTH

    assert paths_fit([], Constraints())[2] == scoring.NO_PATHS
    assert paths_fit([CODER_PREP], Constraints(budget=Decimal(7000)))[2] is None


def test_fitting_paths_come_cheapest_first():
    fitting, _, _ = paths_fit([DEGREE, BOOTCAMP, CODER_PREP], Constraints())
    assert [fit.path.key for fit in fitting] == ["coder-prep-path", "biller-bootcamp", "degree"]


@pytest.mark.parametrize(
    ("amount", "shown"),
    [(Decimal(3000), "$3,000"), (Decimal("3300.00"), "$3,300"), (Decimal("1234.5"), "$1,234.50")],
)
def test_money_is_shown_in_dollars(amount, shown):
    assert scoring.money(amount) == shown


money_amounts = st.decimals(0, 20000, places=2)
paths = st.builds(
    lambda index, cost, extra, months, more: PathFacts(
        key=f"p{index}",
        title=f"Path {index}",
        cost_min=cost,
        cost_max=None if cost is None else cost + extra,
        currency=None if cost is None else "USD",
        months_min=months,
        months_max=None if months is None else months + more,
    ),
    st.integers(0, 99),
    st.none() | money_amounts,
    money_amounts,
    st.none() | st.integers(1, 48),
    st.integers(0, 12),
)
constraints = st.builds(
    Constraints, budget=st.none() | money_amounts, months_available=st.none() | st.integers(0, 60)
)


@settings(max_examples=300, deadline=None)
@given(paths, constraints)
def test_a_path_fits_exactly_when_the_rule_says_so(path, given_constraints):
    budget, months = given_constraints.budget, given_constraints.months_available
    within_budget = budget is None or (path.cost_min is not None and path.cost_min <= budget)
    within_time = months is None or (path.months_min is not None and path.months_min <= months)
    fit = path_fit(path, given_constraints)
    assert fit.fits == (within_budget and within_time)
    assert fit.fits == (not fit.reasons)


@settings(max_examples=300, deadline=None)
@given(paths, constraints, money_amounts, st.integers(0, 24))
def test_more_budget_or_more_time_never_unfits_a_path(path, given_constraints, more, months):
    looser = Constraints(
        budget=None if given_constraints.budget is None else given_constraints.budget + more,
        months_available=(
            None
            if given_constraints.months_available is None
            else given_constraints.months_available + months
        ),
    )
    if path_fit(path, given_constraints).fits:
        assert path_fit(path, looser).fits


@settings(max_examples=300, deadline=None)
@given(st.lists(paths, max_size=4, unique_by=lambda path: path.key), constraints)
def test_there_is_a_reason_exactly_when_no_path_fits(many, given_constraints):
    fitting, others, why = paths_fit(many, given_constraints)
    assert len(fitting) + len(others) == len(many)
    assert (why is None) == bool(fitting)


def test_why_none_fits_sets_only_paths_in_the_budgets_currency_against_it():
    # regression: a path priced in euros was named the cheapest, its amount shown with a $
    euros = replace(
        CODER_PREP, key="euro-path", title="Euro Path", cost_min=Decimal(900), currency="EUR"
    )
    _, _, why = paths_fit([euros, CODER_PREP], Constraints(budget=Decimal(3000)))
    assert why == (
        "Your budget $3,000 is below the cheapest path's minimum cost $3,300 (Coder Prep Path)."
    )
    # and with no path in dollars, the reason is the currency itself
    _, _, why = paths_fit([euros], Constraints(budget=Decimal(3000)))
    assert why == scoring.OTHER_CURRENCY.format(currency="EUR")
