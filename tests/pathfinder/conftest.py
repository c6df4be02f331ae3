import pytest
from django.core.management import call_command

from roles.models import Role

FIND_URL = "/api/v1/path-finder/"
QUESTIONS_URL = "/api/v1/path-finder/questions/"
PLAN_URL = "/api/v1/path-finder/plan/"

# Seed 003, "Which Should You Choose?" — the coding list: independent work with medical
# records, analytical problem-solving, the strongest remote options (a constraint here, scored
# with the catalogue's remote share), code books, higher specialized starting pay.
CODING_LIST = {
    "work_style": "records_alone",
    "problems": "clinical_puzzles",
    "interests": ["code_books"],
    "workplace": "no_preference",
    "goal": "specialized_pay",
}
CODING_CONSTRAINTS = {"wants_remote": True}

# The billing list: people, the financial and business side, resolving payment issues, RCM
# leadership, variety.
BILLING_LIST = {
    "work_style": "with_people",
    "problems": "payment_issues",
    "interests": ["business_side", "variety"],
    "workplace": "no_preference",
    "goal": "rcm_leadership",
}

# The combined start: widest options right away, a small practice handling the full cycle,
# the complete picture before specializing, not sure yet and wanting to try both.
COMBINED_LIST = {
    "work_style": "try_both",
    "problems": "whole_cycle",
    "workplace": "small_practice",
    "goal": "widest_options",
}


@pytest.fixture(scope="package")
def _catalogue_for_pathfinder_tests(django_db_setup, django_db_blocker):
    """Load the committed fixtures (catalogue and questionnaire) once for this package, and
    take them away afterwards so other packages start from an empty database."""
    with django_db_blocker.unblock():
        call_command("load_catalogue", verbosity=0)
        yield
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def catalogue(_catalogue_for_pathfinder_tests, db):
    """The catalogue and questionnaire as `make run` loads them."""
    if not Role.objects.filter(slug="medical-coder").exists():
        call_command("load_catalogue", verbosity=0)


def find(client, answers, constraints=None, **extra):
    body = {"answers": answers, **extra}
    if constraints is not None:
        body["constraints"] = constraints
    return client.post(FIND_URL, body, format="json")


def by_slug(result: dict) -> dict[str, dict]:
    return {row["role"]["slug"]: row for row in result["roles"]}


def errors_by_attr(response) -> dict[str, str]:
    return {error["attr"]: error["code"] for error in response.json()["errors"]}
