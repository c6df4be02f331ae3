"""Users who existed before profiles did get one when the migration runs."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import Profile

BEFORE = [("accounts", "0001_initial")]
AFTER = [("accounts", "0002_profile")]


@pytest.mark.django_db(transaction=True)
def test_existing_users_get_a_default_profile():
    # given: the schema before profiles, with a user in it
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_apps = executor.loader.project_state(BEFORE).apps
    old_apps.get_model("accounts", "User").objects.create(email="early@example.com", password="!")
    # when
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    # then
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # back to the current schema
    profile = Profile.objects.get(user__email="early@example.com")
    assert profile.timezone == "UTC"
    assert profile.exam_reminder_offsets == [30, 7, 1]
