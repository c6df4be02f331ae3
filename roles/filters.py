"""Query filters of the catalogue lists; an unknown value is a 400 naming the parameter."""

import django_filters
from django.core.exceptions import ValidationError
from django_filters.fields import ModelChoiceField

from roles.models import Certification, CertifyingBody, Role, SalaryBand, SalaryLevel, Source, Tool

UNKNOWN_VALUE = "“%(value)s” matches no {model}."  # the value goes in as a param
AMBIGUOUS_VALUE = (
    "“%(value)s” matches more than one {model} in another case: give its exact spelling."
)


class CaseInsensitiveModelChoiceField(ModelChoiceField):
    """Finds the row by `to_field_name` ignoring case (as the certification URLs do) and names
    the value it could not find."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        field = self.to_field_name
        # unique, but case-sensitively: `BLS-OES` and `bls-oes` may both exist (the admin
        # allows it); the one spelled as asked wins, and between others none is guessed
        found = list(self.queryset.filter(**{f"{field}__iexact": value})[:2])
        if len(found) > 1:
            found = [row for row in found if getattr(row, field) == value]
            if not found:
                found = list(self.queryset.filter(**{field: value})[:1])
            if not found:
                raise ValidationError(
                    AMBIGUOUS_VALUE.format(model=self.queryset.model._meta.verbose_name),
                    code="ambiguous",
                    params={"value": value},
                )
        if not found:
            raise ValidationError(
                UNKNOWN_VALUE.format(model=self.queryset.model._meta.verbose_name),
                code="invalid_choice",
                params={"value": value},  # never formatted into the message: it may hold "%"
            )
        return found[0]


class CatalogueChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = CaseInsensitiveModelChoiceField


class RoleFilter(django_filters.FilterSet):
    family = django_filters.ChoiceFilter(choices=Role.Family.choices)
    certification = CatalogueChoiceFilter(
        field_name="certifications",
        to_field_name="code",
        queryset=Certification.objects.all(),
        label="Certification code, e.g. CPC",
    )

    class Meta:
        model = Role
        fields = ["family", "certification"]


class CertificationFilter(django_filters.FilterSet):
    body = CatalogueChoiceFilter(
        to_field_name="code",
        queryset=CertifyingBody.objects.all(),
        label="Body code, e.g. AAPC",
    )
    role = CatalogueChoiceFilter(
        field_name="roles",
        to_field_name="slug",
        queryset=Role.objects.all(),
        label="Role slug, e.g. medical-coder",
    )
    credential_level = django_filters.ChoiceFilter(
        field_name="level", choices=Certification.Level.choices
    )
    focus = django_filters.ChoiceFilter(choices=Certification.Focus.choices)

    class Meta:
        model = Certification
        fields = ["body", "role", "credential_level", "focus"]


class SalaryBandFilter(django_filters.FilterSet):
    role = CatalogueChoiceFilter(
        to_field_name="slug", queryset=Role.objects.all(), label="Role slug"
    )
    level = django_filters.ChoiceFilter(choices=SalaryLevel.choices)
    source = CatalogueChoiceFilter(
        to_field_name="slug", queryset=Source.objects.all(), label="Source slug"
    )

    class Meta:
        model = SalaryBand
        fields = ["role", "level", "source"]


class ToolFilter(django_filters.FilterSet):
    family = django_filters.ChoiceFilter(choices=Role.Family.choices)
    cadence = django_filters.ChoiceFilter(choices=Tool.Cadence.choices)

    class Meta:
        model = Tool
        fields = ["family", "cadence"]


class SourceFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Source.Kind.choices)

    class Meta:
        model = Source
        fields = ["kind"]
