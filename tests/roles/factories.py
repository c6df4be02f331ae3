"""Factories for catalogue rows (tests build their own data; figure tests load the fixtures)."""

from decimal import Decimal

import factory

from roles.models import (
    CareerStep,
    Certification,
    CertificationExamFormat,
    CertificationFee,
    CertifyingBody,
    Role,
    RoleStatistic,
    SalaryBand,
    SalaryPremium,
    Source,
    Tool,
    TrainingPath,
    TrainingStep,
)


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    slug = factory.Sequence(lambda n: f"source-{n}")
    publisher = "Test publisher"
    title = factory.Sequence(lambda n: f"Source {n}")
    year = 2025
    kind = Source.Kind.SECONDARY


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Role

    slug = factory.Sequence(lambda n: f"role-{n}")
    title = factory.Sequence(lambda n: f"Role {n}")
    family = Role.Family.CODING
    primary_focus = "Accuracy"
    skills = factory.LazyFunction(lambda: ["Anatomy", "ICD-10-CM"])


class CertifyingBodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CertifyingBody
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"BODY{n}")
    name = factory.Sequence(lambda n: f"Body {n}")


class CertificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certification

    code = factory.Sequence(lambda n: f"C{n}")
    name = factory.Sequence(lambda n: f"Certification {n}")
    body = factory.SubFactory(CertifyingBodyFactory)
    level = Certification.Level.PROFESSIONAL
    focus = Certification.Focus.CODING


class ExamFormatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CertificationExamFormat

    certification = factory.SubFactory(CertificationFactory)
    questions = 100
    duration_minutes = 240
    source = factory.SubFactory(SourceFactory)
    is_current = True


class FeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CertificationFee

    certification = factory.SubFactory(CertificationFactory)
    label = factory.Sequence(lambda n: f"price {n}")
    amount = Decimal("399.00")
    source = factory.SubFactory(SourceFactory)
    is_current = True


class RoleStatisticFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleStatistic

    role = factory.SubFactory(RoleFactory)
    kind = RoleStatistic.Kind.REMOTE_SHARE
    percent = Decimal("50.00")
    measure = "work from home"
    source = factory.SubFactory(SourceFactory)


class CareerStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareerStep

    from_role = factory.SubFactory(RoleFactory)
    to_role = factory.SubFactory(RoleFactory)
    source = factory.SubFactory(SourceFactory)


class TrainingPathFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingPath

    slug = factory.Sequence(lambda n: f"path-{n}")
    title = factory.Sequence(lambda n: f"Path {n}")
    role = factory.SubFactory(RoleFactory)
    source = factory.SubFactory(SourceFactory)


class TrainingStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingStep

    path = factory.SubFactory(TrainingPathFactory)
    position = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Step {n}")
    months_min = 1
    months_max = 2
    cost_min = Decimal("100.00")
    cost_max = Decimal("200.00")


class SalaryBandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SalaryBand

    role = factory.SubFactory(RoleFactory)
    level = "entry"
    amount_min = Decimal("38000.00")
    amount_max = Decimal("45000.00")
    source = factory.SubFactory(SourceFactory)
    as_of = 2025


class SalaryPremiumFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SalaryPremium

    role = factory.SubFactory(RoleFactory)
    level = "entry"
    amount_min = Decimal("3000.00")
    amount_max = Decimal("5000.00")
    source = factory.SubFactory(SourceFactory)


class ToolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tool

    slug = factory.Sequence(lambda n: f"tool-{n}")
    name = factory.Sequence(lambda n: f"Tool {n}")
    purpose = "Code lookup"
    family = Role.Family.CODING
    cost_min = Decimal("100.00")
    cost_max = Decimal("300.00")
    cadence = Tool.Cadence.PER_MONTH
    source = factory.SubFactory(SourceFactory)


def build_role_graph(count: int) -> list[Role]:
    """`count` roles, each fully dressed (bands, premium, statistic, certification, path with
    steps, a career step to the next role), so query-count tests see every relation filled."""
    roles = RoleFactory.create_batch(count)
    for index, role in enumerate(roles):
        source = SourceFactory()
        SalaryBandFactory(role=role, source=source)
        SalaryBandFactory(role=role, source=source, level="mid")
        SalaryPremiumFactory(role=role, source=source)
        RoleStatisticFactory(role=role, source=source)
        certification = CertificationFactory()
        certification.roles.add(role)
        FeeFactory(certification=certification, source=source)
        ExamFormatFactory(certification=certification, source=source)
        path = TrainingPathFactory(role=role, source=source)
        step = TrainingStepFactory(path=path, position=1)
        step.certifications.add(certification)
        TrainingStepFactory(path=path, position=2)
        ToolFactory(source=source)
        if index:
            CareerStepFactory(
                from_role=roles[index - 1],
                to_role=role,
                source=source,
                kind=CareerStep.Kind.CROSSOVER,
                enabling_certification=certification,
            )
    return roles
