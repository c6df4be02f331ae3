"""The plan tables' indexes on PostgreSQL: every foreign-key look-up served, none kept twice.

A foreign key's own index is dropped where a composite or unique index starts with its
column (plans/migrations/0006): each write updates one index fewer, and each look-up by
the key uses the composite. Django's AlterField drops a *partial* unique index on a column
along with the column's index, so Milestone.item keeps its own (milestone_one_per_item is
partial): this test would catch that constraint going missing.
"""

import pytest
from django.db import connection

from plans.models import Milestone, Plan, PlanItem, Reminder

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's indexes"),
]


def leading_columns(model) -> dict[str, str]:
    """Index name -> its first column, for every index and unique constraint of the table."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return {
        name: found["columns"][0]
        for name, found in constraints.items()
        if (found["index"] or found["unique"]) and found["columns"]
    }


@pytest.mark.parametrize(
    ("model", "column", "index"),
    [
        (Plan, "owner_id", "plan_owner_created_idx"),
        (PlanItem, "plan_id", "planitem_plan_position_idx"),
        (Reminder, "milestone_id", "reminder_once_per_date"),
    ],
)
def test_a_foreign_key_led_by_a_composite_index_has_no_index_of_its_own(model, column, index):
    leading = leading_columns(model)
    assert leading[index] == column
    assert [name for name, first in leading.items() if first == column] == [index]


def test_every_foreign_key_of_the_plan_tables_leads_an_index():
    for model in (Plan, PlanItem, Milestone, Reminder):
        leading = set(leading_columns(model).values())
        for field in model._meta.concrete_fields:
            if field.is_relation:
                assert field.column in leading, f"{model.__name__}.{field.name}"


def test_the_milestone_constraints_survive():
    leading = leading_columns(Milestone)
    assert leading["milestone_one_per_item"] == "item_id"
    assert "item_id" in {
        first for name, first in leading.items() if name != "milestone_one_per_item"
    }
