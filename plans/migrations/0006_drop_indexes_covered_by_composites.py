"""Drop the foreign-key indexes that an index on (the column, ...) already serves.

Each write to these tables then updates one index fewer. The indexes go with DROP INDEX
CONCURRENTLY, outside a transaction, and the foreign keys stay as they are: Django's
AlterField for `db_index=False` would drop and re-add each foreign key (re-checking every row
under locks that block writes for the whole migration) and, on Milestone.item, drop the partial
unique index milestone_one_per_item with the column's own index. So the field changes are
recorded in the state only, and the database loses just these four indexes.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# (table, column, the index Django named for the column in 0001); the index serving it instead
# is plan_owner_created_idx, planitem_plan_position_idx, milestone_one_per_item (partial,
# unique: PostgreSQL proves `item_id = x` implies its `item_id IS NOT NULL`) and
# reminder_once_per_date
COVERED = [
    ("plans_plan", "owner_id", "plans_plan_owner_id_a2432b51"),
    ("plans_planitem", "plan_id", "plans_planitem_plan_id_4eac74aa"),
    ("plans_milestone", "item_id", "plans_milestone_item_id_363a3cd9"),
    ("plans_reminder", "milestone_id", "plans_reminder_milestone_id_d2626401"),
]


def _concurrently(schema_editor) -> str:
    return "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""


def drop_covered_indexes(apps, schema_editor):
    quote = schema_editor.quote_name
    for _table, _column, index in COVERED:
        schema_editor.execute(f"DROP INDEX {_concurrently(schema_editor)}IF EXISTS {quote(index)}")


def restore_covered_indexes(apps, schema_editor):
    quote = schema_editor.quote_name
    for table, column, index in COVERED:
        schema_editor.execute(
            f"CREATE INDEX {_concurrently(schema_editor)}IF NOT EXISTS {quote(index)} "
            f"ON {quote(table)} ({quote(column)})"
        )


class Migration(migrations.Migration):
    atomic = False  # CREATE/DROP INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [
        ("plans", "0005_reminder_commit_point"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="plan",
                    name="owner",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="plans",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="planitem",
                    name="plan",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="items",
                        to="plans.plan",
                    ),
                ),
                migrations.AlterField(
                    model_name="milestone",
                    name="item",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        help_text=(
                            "The item this milestone was generated from (empty for custom ones)."
                        ),
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="milestones",
                        to="plans.planitem",
                    ),
                ),
                migrations.AlterField(
                    model_name="reminder",
                    name="milestone",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reminders",
                        to="plans.milestone",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunPython(drop_covered_indexes, restore_covered_indexes),
            ],
        ),
    ]
