"""The path finder's rules as pure functions: answer checks, role scores and path fit.

No ORM and no HTTP here: the selector turns catalogue rows into the small value objects below
(carrying the rows themselves only as opaque `ref`s that these functions never look into), so
every rule is tested directly.

Scoring rule
    Each chosen answer gives each role the weight the questionnaire attaches to it (1-5, each
    weight resting on a quoted, sourced criterion). A role's *points* are the sum over the
    answers given. When the person wants remote work, each role earns up to `REMOTE_WEIGHT`
    more, scaled by its remote share in the catalogue (the lowest figure when sources
    disagree; no figure, no points).
    The fit score is the role's share of all points given: points / sum of every role's
    points, in [0, 1], summing to 1 over the roles (all 0 when no answer points anywhere).
    Roles are ranked by points (so by score), then by slug: equal inputs always give the
    same order.
    Why a share and not "points / the most the role could get": only the answers given
    count. Dividing by a role's own maximum would favour a role with few, sparse weights (one
    weight toward a niche role, chosen, would score 1.0 and outrank a role that most answers
    point to). The role's *attainable points* (the most any valid answers could give it: per
    single-choice question the largest option weight, per multiple-choice question the sum)
    are still reported, so a client can show "13 of a possible 16".

Fit rule
    A training path fits when its minimum total cost is at most the budget and its minimum
    total months are at most the months available. A constraint not given is not checked. A
    path whose cost (or duration) the catalogue does not give cannot be shown to fit a budget
    (or a time limit), so it does not fit when that constraint is given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

SINGLE = "single"
MULTIPLE = "multiple"
REMOTE_WEIGHT = 3
BUDGET_CURRENCY = "USD"

SCORING_RULE = (
    "Each answer gives each role the weight of the sourced criterion it matches (1-5). "
    f"Wanting remote work adds up to {REMOTE_WEIGHT} points to each role, scaled by its remote "
    "share in the catalogue (the lowest figure when sources disagree). A role's score is its "
    "share of all the points given, from 0 to 1; roles are ranked by points, ties by role slug."
)
FIT_RULE = (
    "A training path fits when its minimum total cost is at most your budget and its minimum "
    "total months are at most the months you have. Costs and months are the sums of the "
    "path's steps in the catalogue. A path whose cost or duration the catalogue does not give "
    "cannot be checked against that constraint, so it does not fit when you give one."
)

UNKNOWN_QUESTION = "No question has the key “{key}”. Questions: {keys}."
UNKNOWN_OPTION = "“{option}” is not an answer to this question. Answers: {keys}."
ANSWER_REQUIRED = "This question needs an answer."
SINGLE_ANSWER_EXPECTED = "This question takes one answer: send one option key, not a list."
LIST_EXPECTED = "This question takes any number of answers: send a list of option keys."
REPEATED_OPTION = "“{option}” is given more than once."

BUDGET_TOO_LOW = "Your budget {budget} is below this path's minimum cost {minimum}."
MONTHS_TOO_FEW = "Your {available} months are fewer than this path's minimum {minimum} months."
COST_UNKNOWN = (
    "The catalogue gives no cost for this path, so it cannot be checked against a budget."
)
MONTHS_UNKNOWN = (
    "The catalogue gives no duration in months for this path, so it cannot be checked against "
    "the months you have."
)
OTHER_CURRENCY = "This path is priced in {currency}; budgets are in USD."
NO_PATHS = "The catalogue has no training path for this role yet."
NONE_WITHIN_BUDGET = (
    "Your budget {budget} is below the cheapest path's minimum cost {minimum} ({path})."
)
NONE_WITHIN_MONTHS = (
    "Your {available} months are fewer than the shortest path's minimum {minimum} months ({path})."
)
NONE_FITS_BOTH = (
    "No path fits both your budget and your time: each path misses at least one; see the "
    "reasons given for each path."
)


# --- questionnaire --------------------------------------------------------------------------


@dataclass(frozen=True)
class WeightFacts:
    role: str
    weight: int
    ref: object = None  # the criterion row, passed through to the reasons


@dataclass(frozen=True)
class OptionFacts:
    key: str
    weights: tuple[WeightFacts, ...] = ()
    ref: object = None


@dataclass(frozen=True)
class QuestionFacts:
    key: str
    kind: str
    required: bool
    options: tuple[OptionFacts, ...]
    ref: object = None

    def option(self, key: str) -> OptionFacts | None:
        return next((option for option in self.options if option.key == key), None)


@dataclass(frozen=True)
class AnswerError:
    code: str
    message: str


class InvalidAnswers(ValueError):
    """Answers that do not fit the questionnaire: one error per question key."""

    def __init__(self, errors: Mapping[str, AnswerError]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{key}: {e.message}" for key, e in self.errors.items()))


Answers = Mapping[str, str | Sequence[str]]


def check_answers(
    questions: Sequence[QuestionFacts], answers: Answers
) -> dict[str, tuple[str, ...]]:
    """The answers as {question key: (option keys, ...)}; `InvalidAnswers` lists every problem.

    A single-choice answer is one option key (a string); a multiple-choice answer is a list
    of distinct option keys. An optional question may be left out (or, when it is multiple
    choice, answered with an empty list); a required one may not.
    """
    by_key = {question.key: question for question in questions}
    errors: dict[str, AnswerError] = {}
    checked: dict[str, tuple[str, ...]] = {}
    for key in answers:
        if key not in by_key:
            errors[key] = AnswerError(
                "unknown_question", UNKNOWN_QUESTION.format(key=key, keys=", ".join(by_key))
            )
    for question in questions:
        if question.key not in answers:
            if question.required:
                errors[question.key] = AnswerError("required", ANSWER_REQUIRED)
            continue
        chosen, error = _check_one(question, answers[question.key])
        if error is not None:
            errors[question.key] = error
        elif chosen:
            checked[question.key] = chosen
    if errors:
        raise InvalidAnswers(errors)
    return checked


def _check_one(
    question: QuestionFacts, value: str | Sequence[str]
) -> tuple[tuple[str, ...], AnswerError | None]:
    if question.kind == SINGLE:
        if not isinstance(value, str):
            return (), AnswerError("single_choice", SINGLE_ANSWER_EXPECTED)
        chosen: tuple[str, ...] = (value,)
    else:
        if isinstance(value, str) or not all(isinstance(item, str) for item in value):
            return (), AnswerError("multiple_choice", LIST_EXPECTED)
        chosen = tuple(value)
        if not chosen and question.required:
            return (), AnswerError("required", ANSWER_REQUIRED)
    keys = ", ".join(option.key for option in question.options)
    seen: set[str] = set()
    for option in chosen:
        if question.option(option) is None:
            message = UNKNOWN_OPTION.format(option=option, keys=keys)
            return (), AnswerError("unknown_option", message)
        if option in seen:
            return (), AnswerError("repeated", REPEATED_OPTION.format(option=option))
        seen.add(option)
    return chosen, None


# --- scores ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RemoteFacts:
    role: str
    percent: Decimal
    ref: object = None  # the statistic row


@dataclass(frozen=True)
class Reason:
    """One answer that pointed to the role, with the criterion that says why."""

    question: QuestionFacts
    option: OptionFacts
    weight: int
    criterion: object


@dataclass(frozen=True)
class RoleScore:
    role: str
    rank: int
    score: Fraction
    points: Fraction
    attainable: Fraction
    reasons: tuple[Reason, ...] = ()
    remote: RemoteFacts | None = None
    remote_points: Fraction = Fraction(0)

    @property
    def rounded_score(self) -> Decimal:
        return to_decimal(self.score, "0.001")


def to_decimal(value: Fraction, places: str) -> Decimal:
    """An exact fraction rounded half-up to the given places (for display only)."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        Decimal(places), rounding=ROUND_HALF_UP
    )


def attainable_points(question: QuestionFacts, role: str) -> int:
    """The most one question's answers can give a role."""
    weights = [
        sum(weight.weight for weight in option.weights if weight.role == role)
        for option in question.options
    ]
    if not weights:
        return 0
    return sum(weights) if question.kind == MULTIPLE else max(weights)


def lowest_remote_share(shares: Sequence[RemoteFacts]) -> RemoteFacts | None:
    """The conservative figure when sources disagree (64.8% of coders work from home, 73%
    have the opportunity): a preference is never scored on the rosiest number."""
    return min(shares, key=lambda share: share.percent, default=None)


def score_roles(
    *,
    questions: Sequence[QuestionFacts],
    answers: Mapping[str, Sequence[str]],
    roles: Sequence[str],
    wants_remote: bool = False,
    remote_shares: Mapping[str, Sequence[RemoteFacts]] | None = None,
    remote_weight: int = REMOTE_WEIGHT,
) -> list[RoleScore]:
    """Every role in `roles`, best fit first (see the module docstring for the rule).

    `answers` are checked answers (`check_answers`); `roles` are slugs, and their order only
    breaks ties (callers pass them sorted by slug).
    """
    remote_shares = remote_shares or {}
    tallies = []
    for role in roles:
        points = Fraction(0)
        attainable = Fraction(0)
        reasons: list[Reason] = []
        for question in questions:
            attainable += attainable_points(question, role)
            for option_key in answers.get(question.key, ()):
                option = question.option(option_key)
                for weight in option.weights if option is not None else ():
                    if weight.role == role:
                        points += weight.weight
                        reasons.append(Reason(question, option, weight.weight, weight.ref))
        remote = None
        remote_points = Fraction(0)
        if wants_remote:
            attainable += remote_weight
            remote = lowest_remote_share(remote_shares.get(role, ()))
            if remote is not None:
                remote_points = remote_weight * Fraction(remote.percent) / 100
                points += remote_points
        reasons.sort(key=lambda reason: -reason.weight)  # stable: questionnaire order on ties
        tallies.append((role, points, attainable, tuple(reasons), remote, remote_points))

    total = sum((tally[1] for tally in tallies), Fraction(0))
    order = {role: index for index, role in enumerate(roles)}
    tallies.sort(key=lambda tally: (-tally[1], order[tally[0]]))
    return [
        RoleScore(
            role=role,
            rank=rank,
            score=points / total if total else Fraction(0),
            points=points,
            attainable=attainable,
            reasons=reasons,
            remote=remote,
            remote_points=remote_points,
        )
        for rank, (role, points, attainable, reasons, remote, remote_points) in enumerate(
            tallies, start=1
        )
    ]


# --- training paths -------------------------------------------------------------------------


@dataclass(frozen=True)
class Constraints:
    budget: Decimal | None = None
    months_available: int | None = None


@dataclass(frozen=True)
class PathFacts:
    key: str
    title: str
    cost_min: Decimal | None
    cost_max: Decimal | None
    currency: str | None
    months_min: int | None
    months_max: int | None
    ref: object = None


@dataclass(frozen=True)
class PathFit:
    path: PathFacts
    fits: bool
    reasons: tuple[str, ...] = field(default_factory=tuple)


def money(amount: Decimal) -> str:
    """$3,000 (whole dollars) or $3,000.50."""
    if amount == amount.to_integral_value():
        return f"${int(amount):,}"
    return f"${amount.quantize(Decimal('0.01')):,}"


def path_fit(path: PathFacts, constraints: Constraints) -> PathFit:
    """Whether the path fits the constraints and, when it does not, every reason why."""
    reasons: list[str] = []
    budget, months = constraints.budget, constraints.months_available
    if budget is not None:
        if path.cost_min is None:
            reasons.append(COST_UNKNOWN)
        elif path.currency not in (None, BUDGET_CURRENCY):
            reasons.append(OTHER_CURRENCY.format(currency=path.currency))
        elif path.cost_min > budget:
            reasons.append(
                BUDGET_TOO_LOW.format(budget=money(budget), minimum=money(path.cost_min))
            )
    if months is not None:
        if path.months_min is None:
            reasons.append(MONTHS_UNKNOWN)
        elif path.months_min > months:
            reasons.append(MONTHS_TOO_FEW.format(available=months, minimum=path.months_min))
    return PathFit(path=path, fits=not reasons, reasons=tuple(reasons))


def paths_fit(
    paths: Sequence[PathFacts], constraints: Constraints
) -> tuple[list[PathFit], list[PathFit], str | None]:
    """(fitting, not fitting, why none fits). Fitting paths come cheapest first, then
    shortest, then by key; `why none fits` is None whenever one path fits."""
    fits = sorted(
        (path_fit(path, constraints) for path in paths),
        key=lambda fit: (
            fit.path.cost_min is None,
            fit.path.cost_min or 0,
            fit.path.months_min is None,
            fit.path.months_min or 0,
            fit.path.key,
        ),
    )
    fitting = [fit for fit in fits if fit.fits]
    others = [fit for fit in fits if not fit.fits]
    return fitting, others, None if fitting else why_none_fits(paths, constraints)


def why_none_fits(paths: Sequence[PathFacts], constraints: Constraints) -> str:
    """One sentence: the constraint that rules out every path, when a single one does."""
    if not paths:
        return NO_PATHS
    budget, months = constraints.budget, constraints.months_available
    # only amounts in the budget's currency can be set against it (or shown with its $)
    priced = [
        path
        for path in paths
        if path.cost_min is not None and path.currency in (None, BUDGET_CURRENCY)
    ]
    timed = [path for path in paths if path.months_min is not None]
    over_budget = budget is not None and all(
        path_fit(path, Constraints(budget=budget)).reasons for path in paths
    )
    too_long = months is not None and all(
        path_fit(path, Constraints(months_available=months)).reasons for path in paths
    )
    if over_budget and priced:
        cheapest = min(priced, key=lambda path: (path.cost_min, path.key))
        return NONE_WITHIN_BUDGET.format(
            budget=money(budget), minimum=money(cheapest.cost_min), path=cheapest.title
        )
    if too_long and timed:
        shortest = min(timed, key=lambda path: (path.months_min, path.key))
        return NONE_WITHIN_MONTHS.format(
            available=months, minimum=shortest.months_min, path=shortest.title
        )
    if len(paths) == 1 or over_budget or too_long:
        return path_fit(paths[0], constraints).reasons[0]
    return NONE_FITS_BOTH
