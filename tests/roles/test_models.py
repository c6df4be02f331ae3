"""Invariants hold in the database (constraints) and in `clean()` (editor-facing errors)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from roles.models import Certification, SalaryBand, SalaryPremium, TrainingStep
from tests.roles.factories import (
    CareerStepFactory,
    CertificationFactory,
    FeeFactory,
    RoleFactory,
    SalaryBandFactory,
    SalaryPremiumFactory,
    SourceFactory,
    ToolFactory,
    TrainingPathFactory,
    TrainingStepFactory,
)

pytestmark = pytest.mark.django_db


def refused_by_database(factory, **fields) -> bool:
    try:
        with transaction.atomic():
            factory(**fields)
    except IntegrityError:
        return True
    return False


@pytest.mark.parametrize(
    ("factory", "fields"),
    [
        (SalaryBandFactory, {"amount_min": Decimal("50000"), "amount_max": Decimal("40000")}),
        (SalaryBandFactory, {"amount_min": Decimal("50000"), "amount_max": None}),
        (SalaryBandFactory, {"amount_min": None, "amount_max": None}),  # no figure at all
        (SalaryBandFactory, {"amount_min": Decimal("-1"), "amount_max": Decimal("5")}),
        (SalaryBandFactory, {"amount_min": None, "amount_max": None, "median": Decimal("-5")}),
        (SalaryPremiumFactory, {"amount_min": Decimal("9"), "amount_max": Decimal("1")}),
        (SalaryPremiumFactory, {"percent": Decimal("25")}),  # amount and percent
        (SalaryPremiumFactory, {"amount_min": None, "amount_max": None}),  # neither
        (TrainingStepFactory, {"months_min": 6, "months_max": 2}),
        (TrainingStepFactory, {"months_min": 0, "months_max": 2}),
        (TrainingStepFactory, {"position": 0}),
        (TrainingStepFactory, {"cost_min": Decimal("600"), "cost_max": Decimal("300")}),
        (TrainingStepFactory, {"effort_quantity": 150, "effort_unit": ""}),
        (ToolFactory, {"cost_min": Decimal("300"), "cost_max": Decimal("100")}),
        (FeeFactory, {"amount": Decimal("-1")}),
    ],
)
def test_database_refuses_broken_invariants(factory, fields):
    assert refused_by_database(factory, **fields)


def test_a_single_figure_band_and_a_percent_premium_are_accepted():
    assert SalaryBandFactory(amount_min=None, amount_max=None, median=Decimal("50250")).pk
    assert SalaryPremiumFactory(amount_min=None, amount_max=None, percent=Decimal("25")).pk


def test_codes_are_unique_whatever_the_case():
    CertificationFactory(code="CPC")
    assert refused_by_database(CertificationFactory, code="cpc")


def test_a_role_cannot_step_to_itself_and_steps_are_unique():
    role = RoleFactory()
    assert refused_by_database(CareerStepFactory, from_role=role, to_role=role)
    other = RoleFactory()
    CareerStepFactory(from_role=role, to_role=other)
    assert refused_by_database(CareerStepFactory, from_role=role, to_role=other)


def test_training_step_positions_are_unique_within_a_path():
    path = TrainingPathFactory()
    TrainingStepFactory(path=path, position=1)
    assert refused_by_database(TrainingStepFactory, path=path, position=1)


def test_the_same_source_cannot_give_two_figures_for_the_same_band():
    band = SalaryBandFactory()
    assert refused_by_database(
        SalaryBandFactory, role=band.role, level=band.level, source=band.source
    )


@pytest.mark.parametrize(
    ("instance", "errors"),
    [
        (
            SalaryBand(amount_min=Decimal("50000"), amount_max=Decimal("40000")),
            {"amount_max": ["The maximum (40,000.00) is below the minimum (50,000.00)."]},
        ),
        (
            SalaryBand(amount_min=Decimal("50000")),
            {"amount_max": ["Give both a minimum and a maximum, or neither."]},
        ),
        (
            SalaryBand(),
            {"amount_min": ["Give a range (minimum and maximum), a median or an average."]},
        ),
        (
            SalaryPremium(amount_min=Decimal("1"), amount_max=Decimal("2"), percent=Decimal("5")),
            {"percent": ["Give an amount range or a percentage, not both."]},
        ),
        (
            SalaryPremium(),
            {"amount_min": ["Give an amount range (minimum and maximum) or a percentage."]},
        ),
        (
            TrainingStep(months_min=6, months_max=2),
            {"months_max": ["The maximum (2) is below the minimum (6)."]},
        ),
        (
            TrainingStep(effort_unit="practice cases"),
            {"effort_quantity": ["Give the effort quantity for the unit “practice cases”."]},
        ),
    ],
)
def test_clean_explains_the_rule_on_the_field(instance, errors):
    with pytest.raises(ValidationError) as raised:
        instance.clean()
    assert raised.value.message_dict == errors


def test_current_fee_is_the_lowest_current_one():
    # given
    certification = CertificationFactory()
    source = SourceFactory()
    FeeFactory(certification=certification, source=source, amount=Decimal("499"))
    FeeFactory(certification=certification, source=source, amount=Decimal("399"))
    FeeFactory(certification=certification, source=source, amount=Decimal("300"), is_current=False)

    # when
    fee = Certification.objects.get(pk=certification.pk).current_fee()

    # then
    assert fee.amount == Decimal("399.00")


def test_natural_keys_round_trip():
    step = TrainingStepFactory()
    assert TrainingStep.objects.get_by_natural_key(*step.natural_key()) == step
    band = SalaryBandFactory(qualifier="CPC-certified")
    assert SalaryBand.objects.get_by_natural_key(*band.natural_key()) == band


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("skills", "Anatomy"),
        ("skills", [1, 2]),
        ("key_tools", ["CPT", ""]),
        ("work_environments", ["Remote"]),
        ("work_environments", [{"name": "Remote"}]),
    ],
)
def test_json_lists_must_have_the_documented_shape(field, value):
    role = RoleFactory.build(**{field: value})
    with pytest.raises(ValidationError) as raised:
        role.full_clean()
    assert list(raised.value.message_dict) == [field]


def test_a_step_priced_in_another_currency_than_its_path_is_refused():
    path = TrainingPathFactory()
    TrainingStepFactory(path=path, position=1, currency="USD")
    step = TrainingStepFactory.build(path=path, position=2, currency="EUR")
    with pytest.raises(ValidationError) as raised:
        step.clean()
    assert raised.value.message_dict == {
        "currency": ["The other priced steps of this path are in USD; use the same currency."]
    }
