"""The plan tables' indexes on PostgreSQL: every foreign-key look-up served, none kept twice.

A foreign key's own index is dropped where an index on (the column, ...) already serves its
look-ups (plans/migrations/0006, DROP INDEX CONCURRENTLY): each write updates one index fewer.
Django's AlterField would have dropped the partial unique milestone_one_per_item along with
Milestone.item's own index; the migration drops the named indexes only, and this test checks
the constraint is still there.
"""

import os

import pytest
from django.db import connection

from plans.models import Milestone, Plan, PlanItem, PlanRendering, Reminder
from tests.factories import UserFactory
from tests.plans.conftest import make_plan

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's indexes"),
]


def indexes(model) -> dict[str, dict]:
    """Index name -> what the introspection says of it, for the table's indexes."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return {
        name: found
        for name, found in constraints.items()
        if (found["index"] or found["unique"]) and found["columns"]
    }


@pytest.mark.parametrize(
    ("model", "column", "index"),
    [
        (Plan, "owner_id", "plan_owner_created_idx"),
        (PlanItem, "plan_id", "planitem_plan_position_idx"),
        (Milestone, "item_id", "milestone_one_per_item"),
        (Reminder, "milestone_id", "reminder_once_per_date"),
    ],
)
def test_a_foreign_key_an_index_already_serves_has_no_index_of_its_own(model, column, index):
    leading = {name: found["columns"][0] for name, found in indexes(model).items()}
    assert [name for name, first in leading.items() if first == column] == [index]


def test_every_foreign_key_of_the_plan_tables_leads_an_index():
    for model in (Plan, PlanItem, Milestone, Reminder):
        leading = {found["columns"][0] for found in indexes(model).values()}
        for field in model._meta.concrete_fields:
            if field.is_relation:
                assert field.column in leading, f"{model.__name__}.{field.name}"


def test_the_unique_constraints_the_look_ups_use_are_there():
    assert indexes(Milestone)["milestone_one_per_item"]["unique"]
    assert indexes(Reminder)["reminder_once_per_date"]["columns"] == [
        "milestone_id",
        "offset_days",
        "due_on",
    ]


def test_stored_bodies_stay_in_their_rows(catalogue):
    # plans/migrations/0007: MAIN storage for the already-compressed bodies, so a read takes
    # them from the plan rendering's row instead of the TOAST table (a second look-up)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, attstorage FROM pg_attribute "
            "WHERE attrelid = %s::regclass AND attname IN ('detail', 'summary')",
            [PlanRendering._meta.db_table],
        )
        assert dict(cursor.fetchall()) == {"detail": "m", "summary": "m"}
    # and a 2 KB body (a plan of 50 items) is in the row: the TOAST table stays empty
    plan = make_plan(UserFactory(), role="medical-coder", path=None)
    body = os.urandom(2_500)  # incompressible, as zlib's output is
    PlanRendering.objects.create(plan=plan, version=1, detail=body, summary=body[:600])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltoastrelid::regclass::text FROM pg_class WHERE oid = %s::regclass",
            [PlanRendering._meta.db_table],
        )
        (toast,) = cursor.fetchone()
        cursor.execute(f"SELECT count(*) FROM {toast}")  # noqa: S608 (a name from pg_class)
        assert cursor.fetchone() == (0,)
