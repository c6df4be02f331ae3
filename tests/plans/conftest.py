from datetime import date

import pytest
from django.core.management import call_command

from plans import services
from plans.models import Plan
from roles.models import Role, TrainingPath

PLAN_START = date(2027, 1, 4)


@pytest.fixture(scope="package")
def _catalogue_for_plans_tests(django_db_setup, django_db_blocker):
    """Load the committed catalogue once for this package, and take it away afterwards so
    other packages start from an empty database as they expect."""
    with django_db_blocker.unblock():
        call_command("load_catalogue", verbosity=0)
        yield
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def catalogue(_catalogue_for_plans_tests, db):
    """The catalogue, as `make run` loads it (reloaded if a transactional test flushed it)."""
    if not Role.objects.filter(slug="medical-coder").exists():
        call_command("load_catalogue", verbosity=0)


def make_plan(owner, *, role="medical-coder", path="coder-prep-path", **kwargs) -> Plan:
    return services.plan_create(
        owner=owner,
        target_role=Role.objects.get(slug=role),
        training_path=TrainingPath.objects.get(slug=path) if path else None,
        start_date=kwargs.pop("start_date", PLAN_START),
        **kwargs,
    )


@pytest.fixture
def coder_plan(catalogue, user) -> Plan:
    return make_plan(user)


@pytest.fixture
def others_plan(catalogue, other_user) -> Plan:
    return make_plan(other_user, role="medical-biller", path="biller-bootcamp")
