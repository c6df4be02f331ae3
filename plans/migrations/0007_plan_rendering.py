import django.db.models.deletion
from django.db import migrations, models

BODIES = ("detail", "summary")


def keep_bodies_in_their_rows(apps, schema_editor):
    """The bodies come compressed already (zlib). PostgreSQL's default storage for bytea
    (EXTENDED) moves a row's large values out into the TOAST table once the row passes ~2 KB,
    a second look-up on every read of a plan of some 50 items. MAIN keeps them in the row
    unless the row could not fit a page otherwise (it may still try to compress them, which
    fails fast on zlib's output)."""
    _set_storage(schema_editor, "MAIN")


def default_storage(apps, schema_editor):
    _set_storage(schema_editor, "EXTENDED")


def _set_storage(schema_editor, storage):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name("plans_planrendering")
    columns = ", ".join(
        f"ALTER COLUMN {schema_editor.quote_name(column)} SET STORAGE {storage}"
        for column in BODIES
    )
    schema_editor.execute(f"ALTER TABLE {table} {columns}")


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0006_drop_indexes_covered_by_composites"),
    ]

    operations = [
        migrations.CreateModel(
            name="PlanRendering",
            fields=[
                (
                    "plan",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="rendering",
                        serialize=False,
                        to="plans.plan",
                    ),
                ),
                ("version", models.PositiveIntegerField()),
                ("detail_key", models.TextField(blank=True)),
                ("detail", models.BinaryField(null=True)),
                ("summary_key", models.TextField(blank=True)),
                ("summary", models.BinaryField(null=True)),
            ],
        ),
        migrations.RunPython(keep_bodies_in_their_rows, default_storage),
    ]
