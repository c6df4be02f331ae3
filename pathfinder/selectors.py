"""Reads for the path finder: the questionnaire, and a result computed from the catalogue.

Both cost a fixed number of queries whatever the number of questions, options, weights,
roles and paths: the questionnaire is three queries (questions, options, weights with their
roles, criteria and sources), the candidate roles six more (roles, salary bands, premiums,
remote statistics, training paths, their steps).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet

from pathfinder import scoring
from pathfinder.models import AnswerOption, Criterion, OptionWeight, Question
from plans.computations import Payback, SalaryFigure, payback, salary_basis
from plans.selectors import SalaryOutlook, salary_figure, salary_outlook
from roles.calculations import PathTotals
from roles.models import (
    Role,
    RoleStatistic,
    SalaryBand,
    SalaryPremium,
    TrainingPath,
    TrainingStep,
)

NO_CURRENT_SALARY = (
    "Give constraints.current_salary to see how many months of the higher pay repay this path."
)
NO_PATH_COST = "The catalogue gives no cost for this path, so there is no payback to compute."
NO_REMOTE_SHARE = (
    "No source in the catalogue gives a remote share for {role}, so wanting remote work adds "
    "no points to it."
)


def question_list() -> QuerySet[Question]:
    """The questionnaire as clients see it: questions and options, without the weights."""
    return Question.objects.prefetch_related(
        Prefetch("options", queryset=AnswerOption.objects.order_by("position", "key"))
    ).order_by("position", "key")


@dataclass(frozen=True)
class Questionnaire:
    """The questionnaire rows with their weights, and the same as the scoring's value objects."""

    questions: list[Question]
    facts: list[scoring.QuestionFacts]


def questionnaire_get() -> Questionnaire:
    """Questions, options and weights (with roles, criteria and sources): three queries."""
    questions = _questionnaire_rows()
    return Questionnaire(questions=questions, facts=_facts(questions))


def _questionnaire_rows() -> list[Question]:
    weights = OptionWeight.objects.select_related("role", "criterion__source").order_by(
        "role__slug"
    )
    options = AnswerOption.objects.order_by("position", "key").prefetch_related(
        Prefetch("weights", queryset=weights)
    )
    return list(
        Question.objects.prefetch_related(Prefetch("options", queryset=options)).order_by(
            "position", "key"
        )
    )


def _candidate_roles(role_ids: set[int]) -> list[Role]:
    """The roles the questionnaire can point to, with salaries, remote shares and paths."""
    steps = TrainingStep.objects.order_by("position")
    paths = (
        TrainingPath.objects.select_related("source")
        .prefetch_related(Prefetch("steps", queryset=steps))
        .order_by("slug")
    )
    remote = RoleStatistic.objects.filter(kind=RoleStatistic.Kind.REMOTE_SHARE).select_related(
        "source"
    )
    return list(
        Role.objects.filter(pk__in=role_ids)
        .prefetch_related(
            Prefetch(
                "salary_bands",
                queryset=SalaryBand.objects.select_related("source").order_by("level", "pk"),
            ),
            Prefetch(
                "salary_premiums",
                queryset=SalaryPremium.objects.select_related("source").order_by("level", "pk"),
            ),
            Prefetch("statistics", queryset=remote.order_by("percent", "pk"), to_attr="remote"),
            Prefetch("training_paths", queryset=paths),
        )
        .order_by("slug")
    )


def _facts(questions: Sequence[Question]) -> list[scoring.QuestionFacts]:
    return [
        scoring.QuestionFacts(
            key=question.key,
            kind=question.kind,
            required=question.required,
            options=tuple(
                scoring.OptionFacts(
                    key=option.key,
                    weights=tuple(
                        scoring.WeightFacts(
                            role=weight.role.slug, weight=weight.weight, ref=weight.criterion
                        )
                        for weight in option.weights.all()
                    ),
                    ref=option,
                )
                for option in question.options.all()
            ),
            ref=question,
        )
        for question in questions
    ]


# --- result ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    question: Question
    option: AnswerOption
    weight: int
    criterion: Criterion


@dataclass(frozen=True)
class RemoteShare:
    statistic: RoleStatistic
    points: Decimal


@dataclass(frozen=True)
class PathOutcome:
    path: TrainingPath
    fits: bool
    reasons: tuple[str, ...]
    totals: PathTotals
    payback: Payback


@dataclass(frozen=True)
class RoleResult:
    rank: int
    role: Role
    score: Decimal
    points: Decimal
    attainable_points: Decimal
    reasons: list[Reason]
    remote: RemoteShare | None
    remote_note: str | None
    salary: SalaryOutlook
    salary_basis: SalaryFigure | None
    fitting_paths: list[PathOutcome]
    other_paths: list[PathOutcome]
    why_no_path_fits: str | None


@dataclass(frozen=True)
class Inputs:
    budget: Decimal | None = None
    months_available: int | None = None
    wants_remote: bool = False
    current_salary: Decimal | None = None


@dataclass(frozen=True)
class PathFinderResult:
    constraints: Inputs
    roles: list[RoleResult]
    scoring_rule: str = scoring.SCORING_RULE
    fit_rule: str = scoring.FIT_RULE


def path_finder_result(
    *,
    answers: Mapping[str, str | Sequence[str]],
    inputs: Inputs,
    questionnaire: Questionnaire | None = None,
) -> PathFinderResult:
    """Roles ranked by fit for these answers, each with the paths that fit the constraints.

    Unknown questions or options, missing required answers and answers of the wrong kind are
    a `ValidationError` naming each answer (`answers.<question key>`). Pass the questionnaire
    when the caller already read it (the view does, to validate the request in one go).
    """
    questionnaire = questionnaire or questionnaire_get()
    questions, facts = questionnaire.questions, questionnaire.facts
    try:
        checked = scoring.check_answers(facts, answers)
    except scoring.InvalidAnswers as exc:
        raise ValidationError(
            {
                f"answers.{key}": ValidationError(error.message, code=error.code)
                for key, error in exc.errors.items()
            }
        ) from None

    role_ids = {
        weight.role_id
        for question in questions
        for option in question.options.all()
        for weight in option.weights.all()
    }
    roles = {role.slug: role for role in _candidate_roles(role_ids)}
    scores = scoring.score_roles(
        questions=facts,
        answers=checked,
        roles=sorted(roles),
        wants_remote=inputs.wants_remote,
        remote_shares={
            slug: [
                scoring.RemoteFacts(role=slug, percent=stat.percent, ref=stat)
                for stat in role.remote
            ]
            for slug, role in roles.items()
        },
    )
    constraints = scoring.Constraints(
        budget=inputs.budget, months_available=inputs.months_available
    )
    return PathFinderResult(
        constraints=inputs,
        roles=[_role_result(roles[score.role], score, constraints, inputs) for score in scores],
    )


def _role_result(
    role: Role, score: scoring.RoleScore, constraints: scoring.Constraints, inputs: Inputs
) -> RoleResult:
    outlook = salary_outlook(role)
    figures = [salary_figure(band) for band in outlook.entry_bands]
    # a path priced in several currencies has no cost (roles.calculations.path_totals)
    totals = {path.pk: path.totals for path in role.training_paths.all()}
    facts = [
        scoring.PathFacts(
            key=path.slug,
            title=path.title,
            cost_min=totals[path.pk].cost.min,
            cost_max=totals[path.pk].cost.max,
            currency=totals[path.pk].cost.currency,
            months_min=totals[path.pk].months.min,
            months_max=totals[path.pk].months.max,
            ref=path,
        )
        for path in role.training_paths.all()
    ]
    fitting, others, why = scoring.paths_fit(facts, constraints)

    def outcome(fit: scoring.PathFit) -> PathOutcome:
        path = fit.path.ref
        return PathOutcome(
            path=path,
            fits=fit.fits,
            reasons=fit.reasons,
            totals=totals[path.pk],
            payback=_payback(totals[path.pk], inputs.current_salary, figures),
        )

    remote = None
    remote_note = None
    if inputs.wants_remote:
        if score.remote is not None:
            remote = RemoteShare(
                statistic=score.remote.ref,
                points=scoring.to_decimal(score.remote_points, "0.01"),
            )
        else:
            remote_note = NO_REMOTE_SHARE.format(role=role.title)
    return RoleResult(
        rank=score.rank,
        role=role,
        score=score.rounded_score,
        points=scoring.to_decimal(score.points, "0.01"),
        attainable_points=scoring.to_decimal(score.attainable, "0.01"),
        reasons=[
            Reason(
                question=reason.question.ref,
                option=reason.option.ref,
                weight=reason.weight,
                criterion=reason.criterion,
            )
            for reason in score.reasons
        ],
        remote=remote,
        remote_note=remote_note,
        salary=outlook,
        salary_basis=salary_basis(figures),
        fitting_paths=[outcome(fit) for fit in fitting],
        other_paths=[outcome(fit) for fit in others],
        why_no_path_fits=why,
    )


def _payback(
    totals: PathTotals, current_salary: Decimal | None, figures: Sequence[SalaryFigure]
) -> Payback:
    """Months of higher pay that repay the path at its maximum cost: a plan started from the
    path is costed at the steps' upper bounds, so the two figures agree."""
    if totals.cost.max is None:
        return Payback(months=None, reason=NO_PATH_COST, basis=salary_basis(figures))
    if current_salary is None:
        return Payback(months=None, reason=NO_CURRENT_SALARY, basis=salary_basis(figures))
    return payback(planned_cost=totals.cost.max, current_salary=current_salary, figures=figures)
