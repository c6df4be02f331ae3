"""Catalogue editing for content editors: every model, figures and sources in the lists.

Validation lives in the models' `clean()` (min <= max, a band needs a figure ...), so the
forms here show an editor field errors before the database constraints would refuse a row.
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count
from django.forms.models import BaseInlineFormSet

from roles.models import (
    PATH_IN_SEVERAL_CURRENCIES,
    CareerStep,
    CatalogueRevision,
    Certification,
    CertificationExamFormat,
    CertificationFee,
    CertificationRenewal,
    CertifyingBody,
    ContinuingEducationTier,
    Role,
    RoleStatistic,
    SalaryBand,
    SalaryPremium,
    Source,
    Tool,
    TrainingPath,
    TrainingStep,
)

# Django 6 makes https the default scheme of URL form fields; say so now (and silence the warning).
URL_FIELDS_HTTPS = {models.URLField: {"assume_scheme": "https"}}


def money_range(low, high, currency: str, *, open_ended: bool = False) -> str:
    if low is None and high is None:
        return "—"
    plus = "+" if open_ended else ""
    if low == high:
        return f"{currency} {low:,}{plus}"
    return f"{currency} {low:,}-{high:,}{plus}"


# --- inlines ---------------------------------------------------------------------------------


class SalaryBandInline(admin.TabularInline):
    model = SalaryBand
    extra = 0
    fields = [
        "level",
        "qualifier",
        "amount_min",
        "amount_max",
        "max_is_open_ended",
        "median",
        "average",
        "currency",
        "source",
        "as_of",
    ]
    autocomplete_fields = ["source"]


class SalaryPremiumInline(admin.TabularInline):
    model = SalaryPremium
    extra = 0
    fields = [
        "level",
        "qualifier",
        "amount_min",
        "amount_max",
        "percent",
        "currency",
        "source",
        "as_of",
    ]
    autocomplete_fields = ["source"]


class RoleStatisticInline(admin.TabularInline):
    model = RoleStatistic
    extra = 0
    fields = ["kind", "percent", "measure", "source", "as_of", "period"]
    autocomplete_fields = ["source"]


class NextStepInline(admin.TabularInline):
    model = CareerStep
    fk_name = "from_role"
    extra = 0
    verbose_name = "next step"
    verbose_name_plural = "next steps (advancement map)"
    fields = ["to_role", "kind", "enabling_certification", "source", "note"]
    autocomplete_fields = ["to_role", "enabling_certification", "source"]


class ExamFormatInline(admin.StackedInline):
    model = CertificationExamFormat
    extra = 0
    autocomplete_fields = ["source"]


class FeeInline(admin.TabularInline):
    model = CertificationFee
    extra = 0
    fields = ["label", "amount", "currency", "is_current", "source", "as_of", "notes"]
    autocomplete_fields = ["source"]


class RenewalInline(admin.TabularInline):
    model = CertificationRenewal
    extra = 0
    fields = ["cycle_months", "ceus", "membership_required", "source", "as_of", "notes"]
    autocomplete_fields = ["source"]


class TrainingStepFormSet(BaseInlineFormSet):
    """The steps of a path are summed, so the priced ones must share a currency: checked here
    across the steps as edited (every step of the path is in the inline), instead of each step
    against the others as stored (TrainingStep.clean), which refused changing them all."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.instance.currency_checked_with_its_path = True
        return form

    def clean(self):
        super().clean()
        currencies = {
            form.cleaned_data["currency"]
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("cost_min") is not None
            and form.cleaned_data.get("currency")
        }
        if len(currencies) > 1:
            raise ValidationError(
                PATH_IN_SEVERAL_CURRENCIES.format(currencies=", ".join(sorted(currencies)))
            )


class TrainingStepInline(admin.TabularInline):
    model = TrainingStep
    formset = TrainingStepFormSet
    extra = 0
    ordering = ["position"]
    fields = [
        "position",
        "name",
        "months_min",
        "months_max",
        "cost_min",
        "cost_max",
        "currency",
        "effort_quantity",
        "effort_unit",
        "effort_is_minimum",
        "key_skills",
        "certifications",
    ]
    autocomplete_fields = ["certifications"]


class CeuTierInline(admin.TabularInline):
    model = ContinuingEducationTier
    extra = 0
    autocomplete_fields = ["source"]


# --- model admins ----------------------------------------------------------------------------


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELDS_HTTPS
    list_display = ["slug", "publisher", "title", "year", "as_of", "kind"]
    list_filter = ["kind", "year"]
    search_fields = ["slug", "publisher", "title", "notes"]
    prepopulated_fields = {"slug": ["publisher", "title"]}


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "family", "primary_focus", "ai_impact", "soc_code", "bands"]
    list_filter = ["family", "ai_impact"]
    search_fields = ["title", "slug", "summary", "skills", "key_tools"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["sources"]
    inlines = [SalaryBandInline, SalaryPremiumInline, RoleStatisticInline, NextStepInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(band_count=Count("salary_bands"))

    @admin.display(description="salary figures", ordering="band_count")
    def bands(self, role: Role) -> int:
        return role.band_count


@admin.register(RoleStatistic)
class RoleStatisticAdmin(admin.ModelAdmin):
    list_display = ["role", "kind", "percent", "measure", "source", "as_of"]
    list_filter = ["kind", "source"]
    list_select_related = ["role", "source"]
    search_fields = ["role__title", "measure"]
    autocomplete_fields = ["role", "source"]


@admin.register(CertifyingBody)
class CertifyingBodyAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELDS_HTTPS
    list_display = ["code", "name"]
    search_fields = ["code", "name"]
    inlines = [CeuTierInline]


@admin.register(Certification)
class CertificationAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "body", "level", "focus", "current_fees"]
    list_filter = ["body", "level", "focus"]
    list_select_related = ["body"]
    search_fields = ["code", "name", "description"]
    filter_horizontal = ["roles", "sources"]
    inlines = [ExamFormatInline, FeeInline, RenewalInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("fees")

    @admin.display(description="current fees")
    def current_fees(self, certification: Certification) -> str:
        fees = [fee for fee in certification.fees.all() if fee.is_current]
        return ", ".join(f"{fee.label} {fee.currency} {fee.amount:,}" for fee in fees) or "—"


@admin.register(CertificationExamFormat)
class CertificationExamFormatAdmin(admin.ModelAdmin):
    list_display = [
        "certification",
        "questions",
        "duration_minutes",
        "open_book",
        "is_current",
        "source",
        "as_of",
    ]
    list_filter = ["is_current", "certification__body", "source"]
    list_select_related = ["certification", "source"]
    search_fields = ["certification__code", "notes"]
    autocomplete_fields = ["certification", "source"]


@admin.register(CertificationFee)
class CertificationFeeAdmin(admin.ModelAdmin):
    list_display = ["certification", "label", "amount", "currency", "is_current", "source", "as_of"]
    list_filter = ["is_current", "currency", "certification__body", "source"]
    list_select_related = ["certification", "source"]
    search_fields = ["certification__code", "label"]
    autocomplete_fields = ["certification", "source"]


@admin.register(CertificationRenewal)
class CertificationRenewalAdmin(admin.ModelAdmin):
    list_display = ["certification", "cycle_months", "ceus", "membership_required", "source"]
    list_filter = ["certification__body", "source"]
    list_select_related = ["certification", "source"]
    search_fields = ["certification__code", "notes"]
    autocomplete_fields = ["certification", "source"]


@admin.register(ContinuingEducationTier)
class ContinuingEducationTierAdmin(admin.ModelAdmin):
    list_display = ["body", "credentials_held", "or_more", "ceus", "cycle_months", "source"]
    list_filter = ["body"]
    list_select_related = ["body", "source"]
    autocomplete_fields = ["source"]


@admin.register(CareerStep)
class CareerStepAdmin(admin.ModelAdmin):
    list_display = ["from_role", "to_role", "kind", "enabling_certification", "source"]
    list_filter = ["kind", "from_role__family", "source"]
    list_select_related = ["from_role", "to_role", "enabling_certification", "source"]
    search_fields = ["from_role__title", "to_role__title", "enabling_certification__code"]
    autocomplete_fields = ["from_role", "to_role", "enabling_certification", "source"]


@admin.register(TrainingPath)
class TrainingPathAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "role", "cost", "months", "source"]
    list_filter = ["role__family", "source"]
    list_select_related = ["role", "source"]
    search_fields = ["title", "slug", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["role", "source"]
    inlines = [TrainingStepInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("steps")

    @admin.display(description="total cost")
    def cost(self, path: TrainingPath) -> str:
        cost = path.totals.cost
        return money_range(cost.min, cost.max, cost.currency or "")

    @admin.display(description="total months")
    def months(self, path: TrainingPath) -> str:
        months = path.totals.months
        return "—" if months.min is None else f"{months.min}-{months.max}"


@admin.register(TrainingStep)
class TrainingStepAdmin(admin.ModelAdmin):
    list_display = [
        "path",
        "position",
        "name",
        "months_min",
        "months_max",
        "cost_min",
        "cost_max",
        "effort_quantity",
        "effort_unit",
    ]
    list_filter = ["path"]
    list_select_related = ["path"]
    search_fields = ["name", "path__title"]
    autocomplete_fields = ["path", "certifications"]


@admin.register(SalaryBand)
class SalaryBandAdmin(admin.ModelAdmin):
    list_display = ["role", "level", "qualifier", "figure", "source", "as_of"]
    list_filter = ["level", "role__family", "source", "as_of"]
    list_select_related = ["role", "source"]
    search_fields = ["role__title", "qualifier", "note", "source__title"]
    autocomplete_fields = ["role", "source"]

    @admin.display(description="figure")
    def figure(self, band: SalaryBand) -> str:
        parts = []
        if band.amount_min is not None:
            parts.append(
                money_range(
                    band.amount_min,
                    band.amount_max,
                    band.currency,
                    open_ended=band.max_is_open_ended,
                )
            )
        if band.median is not None:
            parts.append(f"median {band.currency} {band.median:,}")
        if band.average is not None:
            parts.append(f"average {band.currency} {band.average:,}")
        return "; ".join(parts)


@admin.register(SalaryPremium)
class SalaryPremiumAdmin(admin.ModelAdmin):
    list_display = ["role", "level", "qualifier", "figure", "source", "as_of"]
    list_filter = ["level", "source"]
    list_select_related = ["role", "source"]
    search_fields = ["role__title", "qualifier", "note"]
    autocomplete_fields = ["role", "source"]

    @admin.display(description="premium")
    def figure(self, premium: SalaryPremium) -> str:
        if premium.percent is not None:
            return f"+{premium.percent}%"
        return "+" + money_range(premium.amount_min, premium.amount_max, premium.currency)


@admin.register(Tool)
class ToolAdmin(admin.ModelAdmin):
    list_display = ["name", "family", "purpose", "cost", "cadence", "source"]
    list_filter = ["family", "cadence", "source"]
    list_select_related = ["source"]
    search_fields = ["name", "slug", "purpose"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["source"]

    @admin.display(description="cost")
    def cost(self, tool: Tool) -> str:
        return money_range(tool.cost_min, tool.cost_max, tool.currency)


@admin.register(CatalogueRevision)
class CatalogueRevisionAdmin(admin.ModelAdmin):
    """Read-only: when the catalogue last changed (every save bumps it; ETags follow it)."""

    list_display = ["number", "changed_at"]
    readonly_fields = ["number", "changed_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
