"""On PostgreSQL, a plan's stored renderings go with it in the database itself.

Django deletes a plan's PlanRendering rows before the plan (on_delete=CASCADE, in Python), but
a read may store a rendering between the two DELETEs when nothing locks the plan first (an
account deleted, with its plans, by the API or the admin): the foreign key, checked at the
deletion's COMMIT, would then fail the deletion. ON DELETE CASCADE on the constraint removes
such a row with the plan. SQLite runs one writer at a time, so no read writes in between there.
Django's state does not record this: a migration that recreates the constraint must keep it.
"""

from django.db import migrations

TABLE, COLUMN = "plans_planrendering", "plan_id"


def _foreign_key(schema_editor) -> str:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, TABLE)
    (name,) = [
        name
        for name, found in constraints.items()
        if found["foreign_key"] and found["columns"] == [COLUMN]
    ]
    return name


def _recreate(schema_editor, action: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    name = quote(_foreign_key(schema_editor))
    schema_editor.execute(
        f"ALTER TABLE {quote(TABLE)} DROP CONSTRAINT {name}, "
        f"ADD CONSTRAINT {name} FOREIGN KEY ({quote(COLUMN)}) "
        f"REFERENCES {quote('plans_plan')} ({quote('id')}) {action}"
        "DEFERRABLE INITIALLY DEFERRED"
    )


def cascade_in_the_database(apps, schema_editor):
    _recreate(schema_editor, "ON DELETE CASCADE ")


def as_django_makes_it(apps, schema_editor):
    _recreate(schema_editor, "")


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0007_plan_rendering"),
    ]

    operations = [
        migrations.RunPython(cascade_in_the_database, as_django_makes_it),
    ]
