"""Questionnaire editing: questions with their options inline, options with their weights
inline (Django has no nested inlines), and the quoted criteria the weights rest on.

Field rules (key format, weight 1-5, one weight per option and role) are model validators and
constraints, so the forms show field errors; the inline formsets add the rules that span
rows (a question needs at least two options; option keys are unique within a question).
"""

from __future__ import annotations

from collections import Counter

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from pathfinder.models import AnswerOption, Criterion, OptionWeight, Question

TOO_FEW_OPTIONS = "A question needs at least two answer options."
DELETE_LEAVES_SHORT = "Question “{question}”, which would be left with fewer than two options"
MOVE_LEAVES_SHORT = "Moving this option would leave “{question}” with fewer than two options."


class AnswerOptionFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        kept = [
            form
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE", False)
        ]
        if len(kept) < 2:
            raise forms.ValidationError(TOO_FEW_OPTIONS, code="too_few_options")


class AnswerOptionInline(admin.TabularInline):
    model = AnswerOption
    formset = AnswerOptionFormSet
    extra = 0
    min_num = 2
    ordering = ["position", "key"]
    fields = ["position", "key", "label", "weights_shown", "edit_weights"]
    readonly_fields = ["weights_shown", "edit_weights"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("weights__role")

    @admin.display(description="weights")
    def weights_shown(self, option: AnswerOption) -> str:
        if option.pk is None:
            return "—"
        return ", ".join(f"{w.role.slug} x{w.weight}" for w in option.weights.all()) or "none"

    @admin.display(description="")
    def edit_weights(self, option: AnswerOption) -> str:
        if option.pk is None:
            return "save first"
        url = reverse("admin:pathfinder_answeroption_change", args=[option.pk])
        return format_html('<a href="{}">edit weights</a>', url)


class OptionWeightInline(admin.TabularInline):
    model = OptionWeight
    extra = 0
    fields = ["role", "weight", "criterion"]
    autocomplete_fields = ["role", "criterion"]


class CriterionWeightInline(admin.TabularInline):
    """Where a criterion is used (read-only: weights are edited on their option)."""

    model = OptionWeight
    extra = 0
    fields = ["option", "role", "weight"]
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = "used by these answer weights"

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("option__question", "role")


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "key", "kind", "required", "position", "option_count"]
    list_editable = ["position"]
    list_filter = ["kind", "required"]
    search_fields = ["key", "text", "options__label", "options__key"]
    inlines = [AnswerOptionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(options_total=Count("options"))

    @admin.display(description="options", ordering="options_total")
    def option_count(self, question: Question) -> int:
        return question.options_total


def questions_left_short(removed: Counter[int]) -> list[str]:
    """The keys of the questions that taking away the options counted in `removed` (question
    id -> options deleted or moved away) would leave with fewer than two answer options."""
    counts = Question.objects.filter(pk__in=removed).annotate(n=Count("options"))
    return [question.key for question in counts if question.n - removed[question.pk] < 2]


class AnswerOptionForm(forms.ModelForm):
    def clean_question(self):
        question = self.cleaned_data["question"]
        before = self.instance.question if self.instance.pk else None
        moved = before is not None and question != before
        if moved and questions_left_short(Counter({before.pk: 1})):
            raise forms.ValidationError(
                MOVE_LEAVES_SHORT.format(question=before.key), code="too_few_options"
            )
        return question


@admin.register(AnswerOption)
class AnswerOptionAdmin(admin.ModelAdmin):
    form = AnswerOptionForm
    list_display = ["label", "key", "question", "position", "weights_shown"]
    list_filter = ["question", "weights__role"]
    list_select_related = ["question"]
    search_fields = ["key", "label", "question__key", "question__text"]
    autocomplete_fields = ["question"]
    inlines = [OptionWeightInline]

    def get_deleted_objects(self, objs, request):
        """A delete (one option, or the bulk action) that would leave a question with fewer
        than two options is refused on Django's confirmation page, as a protected object is:
        the path finder answers every request with a 400 while a required question has none
        to choose from. Deleting the question deletes its options with it."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        removed = Counter(option.question_id for option in objs)
        short = [DELETE_LEAVES_SHORT.format(question=key) for key in questions_left_short(removed)]
        return deleted, counts, perms_needed, [*protected, *short]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("weights__role").distinct()

    @admin.display(description="weights")
    def weights_shown(self, option: AnswerOption) -> str:
        return ", ".join(f"{w.role.slug} x{w.weight}" for w in option.weights.all()) or "none"


@admin.register(OptionWeight)
class OptionWeightAdmin(admin.ModelAdmin):
    list_display = ["option", "role", "weight", "criterion_quote", "source"]
    list_filter = ["role", "weight", "criterion__source", "option__question"]
    list_select_related = ["option__question", "role", "criterion__source"]
    search_fields = ["option__key", "option__label", "criterion__quote", "role__slug"]
    autocomplete_fields = ["option", "role", "criterion"]

    @admin.display(description="criterion", ordering="criterion__quote")
    def criterion_quote(self, weight: OptionWeight) -> str:
        return weight.criterion.quote

    @admin.display(description="source", ordering="criterion__source__slug")
    def source(self, weight: OptionWeight) -> str:
        return weight.criterion.source.slug


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ["key", "quote", "section", "source", "roles"]
    list_filter = ["source", "weights__role"]
    list_select_related = ["source"]
    search_fields = ["key", "quote", "section", "source__title", "source__slug"]
    autocomplete_fields = ["source"]
    inlines = [CriterionWeightInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("weights__role").distinct()

    @admin.display(description="points to")
    def roles(self, criterion: Criterion) -> str:
        slugs = sorted({weight.role.slug for weight in criterion.weights.all()})
        return format_html_join(", ", "{}", ((slug,) for slug in slugs)) or "—"
