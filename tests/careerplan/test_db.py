"""careerplan.db.CompiledRows: compiled once, run with new values, rows as the ORM gives them."""

from uuid import uuid4

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connections

from accounts.models import User
from careerplan.db import CompiledRows
from plans.models import Plan
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_rows_are_what_the_queryset_gives_for_each_new_value():
    # given: two users, and their query compiled once
    users = UserFactory.create_batch(2)
    by_id = CompiledRows(
        User,
        lambda pk: User.objects.filter(pk=pk).values_list("id", "email", "date_joined"),
        User._meta.pk,
    )
    # when / then: each value gives that user's row, converted as values_list() converts it
    for user in users:
        assert by_id.rows(user.pk) == list(
            User.objects.filter(pk=user.pk).values_list("id", "email", "date_joined")
        )
    assert by_id.rows(max(user.pk for user in users) + 1) == []


def test_a_query_whose_values_do_not_reach_the_sql_is_refused():
    # given: a build that drops its value (the sentinel cannot be found among the parameters)
    broken = CompiledRows(Plan, lambda plan_id: Plan.objects.values_list("id"), Plan._meta.pk)
    # when / then
    with pytest.raises(ImproperlyConfigured, match="one place"):
        broken.rows(uuid4())


def test_compiled_forms_are_kept_on_the_connection_per_query():
    # given: two queries of the same shape over different columns, run on one connection
    emails = CompiledRows(
        User, lambda pk: User.objects.filter(pk=pk).values_list("email"), User._meta.pk
    )
    joined = CompiledRows(
        User, lambda pk: User.objects.filter(pk=pk).values_list("date_joined"), User._meta.pk
    )
    user = UserFactory()
    # when / then: each answers with its own columns, compiled once on that connection
    assert emails.rows(user.pk) == [(user.email,)]
    assert joined.rows(user.pk) == [(user.date_joined,)]
    kept = connections["default"].__dict__["_careerplan_compiled_rows"]
    assert (emails, 1) in kept
    assert (joined, 1) in kept
