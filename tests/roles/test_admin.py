"""Editors can open every catalogue page in the admin, and get field errors, not crashes."""

import json

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse

from roles.models import CatalogueRevision, Role, SalaryBand, TrainingPath, TrainingStep
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue")]

CATALOGUE_MODELS = list(apps.get_app_config("roles").get_models())


@pytest.fixture
def staff_client(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    return client


def admin_url(model, action: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


def test_every_catalogue_model_is_registered():
    assert [m for m in CATALOGUE_MODELS if not admin.site.is_registered(m)] == []


@pytest.mark.parametrize("model", CATALOGUE_MODELS, ids=lambda m: m.__name__)
def test_changelist_change_and_add_forms_load(staff_client, model):
    # when / then: the list, a search, the first row's change form and the add form
    assert staff_client.get(admin_url(model, "changelist")).status_code == 200
    assert staff_client.get(admin_url(model, "changelist"), {"q": "c"}).status_code == 200
    row = model.objects.order_by("pk").first()
    assert staff_client.get(admin_url(model, "change", row.pk)).status_code == 200
    read_only = model is CatalogueRevision  # bumped by every catalogue write, never edited
    assert staff_client.get(admin_url(model, "add")).status_code == (403 if read_only else 200)


def test_salary_band_list_shows_figures_and_sources(staff_client):
    response = staff_client.get(admin_url(SalaryBand, "changelist"), {"q": "CPC-certified"})
    content = response.content.decode()
    assert "average USD 58,895.00" in content
    assert "AAPC: AAPC 2025 Salary Survey" in content


def test_training_path_list_shows_totals(staff_client):
    content = staff_client.get(admin_url(TrainingStep.path.field.related_model, "changelist"))
    assert "USD 3,300.00-6,600.00" in content.content.decode()
    assert "10-17" in content.content.decode()


def band_form(band: SalaryBand, **changes) -> dict:
    data = {
        "role": band.role_id,
        "level": band.level,
        "qualifier": band.qualifier,
        "amount_min": band.amount_min or "",
        "amount_max": band.amount_max or "",
        "median": band.median or "",
        "average": band.average or "",
        "period": band.period,
        "currency": band.currency,
        "source": band.source_id,
        "as_of": band.as_of or "",
        "note": band.note,
    }
    return {**data, **changes}


def test_a_maximum_below_the_minimum_is_a_field_error(staff_client):
    # given
    band = SalaryBand.objects.get(role__slug="medical-coder", level="entry", qualifier="")

    # when
    response = staff_client.post(
        admin_url(SalaryBand, "change", band.pk), band_form(band, amount_max="30000")
    )

    # then: the form comes back with the editor's error; the row is unchanged
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["amount_max"] == ["The maximum (30,000.00) is below the minimum (38,000.00)."]
    band.refresh_from_db()
    assert str(band.amount_max) == "45000.00"


def test_a_band_without_any_figure_is_a_field_error(staff_client):
    band = SalaryBand.objects.get(role__slug="medical-coder", level="entry", qualifier="")
    response = staff_client.post(
        admin_url(SalaryBand, "change", band.pk),
        band_form(band, amount_min="", amount_max=""),
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["amount_min"] == [
        "Give a range (minimum and maximum), a median or an average."
    ]


def test_a_valid_edit_saves(staff_client):
    band = SalaryBand.objects.get(role__slug="medical-coder", level="entry", qualifier="")
    response = staff_client.post(
        admin_url(SalaryBand, "change", band.pk), band_form(band, amount_max="46000")
    )
    assert response.status_code == 302
    band.refresh_from_db()
    assert str(band.amount_max) == "46000.00"


def path_change_data(path) -> dict:
    """The admin change form of a training path as the browser posts it, steps inline."""
    steps = list(path.steps.order_by("position"))
    data = {
        "slug": path.slug,
        "title": path.title,
        "role": path.role_id,
        "summary": path.summary,
        "source": path.source_id,
        "steps-TOTAL_FORMS": str(len(steps)),
        "steps-INITIAL_FORMS": str(len(steps)),
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
    }
    for index, step in enumerate(steps):
        prefix = f"steps-{index}-"
        data.update(
            {
                prefix + "id": step.pk,
                prefix + "path": path.pk,
                prefix + "position": step.position,
                prefix + "name": step.name,
                prefix + "months_min": step.months_min or "",
                prefix + "months_max": step.months_max or "",
                prefix + "cost_min": step.cost_min or "",
                prefix + "cost_max": step.cost_max or "",
                prefix + "currency": step.currency,
                prefix + "effort_quantity": step.effort_quantity or "",
                prefix + "effort_unit": step.effort_unit,
                prefix + "key_skills": json.dumps(step.key_skills),
                prefix + "certifications": [c.pk for c in step.certifications.all()],
            }
        )
    return data


def coder_prep_path():
    return TrainingPath.objects.get(slug="coder-prep-path")


def test_a_training_step_inline_with_min_above_max_is_refused(staff_client):
    # given: the Coder Prep Path with its four steps in the inline formset
    path = coder_prep_path()
    data = path_change_data(path)
    data["steps-0-months_max"] = "2"  # Foundations: 6 to 2 months

    # when
    response = staff_client.post(admin_url(path, "change", path.pk), data)

    # then
    assert response.status_code == 200
    formset_errors = response.context["inline_admin_formsets"][0].formset.errors
    assert formset_errors[0]["months_max"] == ["The maximum (2) is below the minimum (6)."]


def test_steps_of_one_path_priced_in_two_currencies_are_refused(staff_client):
    path = coder_prep_path()
    data = path_change_data(path)
    data["steps-0-currency"] = "EUR"

    response = staff_client.post(admin_url(path, "change", path.pk), data)

    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.non_form_errors() == [
        "The priced steps of this path are in EUR, USD; use one currency."
    ]


def test_every_step_of_a_path_moved_to_another_currency_at_once_saves(staff_client):
    # regression: each step was checked against the others as stored (still USD), so the
    # change could only be made by blanking the costs first
    path = coder_prep_path()
    data = path_change_data(path)
    priced = [key for key, value in data.items() if key.endswith("-cost_min") and value != ""]
    assert len(priced) >= 2
    for key in data:
        if key.endswith("-currency"):
            data[key] = "EUR"

    response = staff_client.post(admin_url(path, "change", path.pk), data)

    assert response.status_code == 302
    assert set(path.steps.values_list("currency", flat=True)) == {"EUR"}


def test_one_step_moved_to_another_currency_on_its_own_page_is_refused(staff_client):
    step = coder_prep_path().steps.filter(cost_min__isnull=False).first()
    step.currency = "EUR"
    with pytest.raises(ValidationError) as raised:
        step.full_clean()
    assert raised.value.message_dict["currency"] == [
        "The other priced steps of this path are in USD; use the same currency."
    ]


def test_new_steps_in_two_currencies_are_refused_together(staff_client):
    # given: a new path whose two new steps (not yet in the database) disagree on currency
    path = coder_prep_path()
    data = {
        **{k: v for k, v in path_change_data(path).items() if not k.startswith("steps-")},
        "slug": "new-path",
        "steps-TOTAL_FORMS": "2",
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
    }
    for index, currency in enumerate(["USD", "EUR"]):
        prefix = f"steps-{index}-"
        data.update(
            {
                prefix + "position": index + 1,
                prefix + "name": f"Step {index}",
                prefix + "cost_min": "100",
                prefix + "cost_max": "200",
                prefix + "currency": currency,
                prefix + "key_skills": "[]",
            }
        )

    # when
    response = staff_client.post(admin_url(TrainingPath, "add"), data)

    # then
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.non_form_errors() == [
        "The priced steps of this path are in EUR, USD; use one currency."
    ]
    assert not TrainingPath.objects.filter(slug="new-path").exists()


def test_an_unchanged_path_form_saves(staff_client):
    path = coder_prep_path()
    response = staff_client.post(admin_url(path, "change", path.pk), path_change_data(path))
    assert response.status_code == 302


def test_a_premium_added_on_its_roles_page_can_carry_its_year(staff_client):
    # figures keep their source and year: the premium inline lacked the year
    role = Role.objects.get(slug="medical-coder")
    page = staff_client.get(admin_url(role, "change", role.pk)).content.decode()
    assert 'name="salary_premiums-__prefix__-as_of"' in page
