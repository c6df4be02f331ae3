from datetime import timedelta

import pytest
from django.utils import timezone

from plans.models import IdempotencyRecord
from plans.services import idempotency_records_purge
from plans.tasks import purge_idempotency_records

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, django_user_model):
    staff = django_user_model.objects.create_superuser(email="editor@example.com", password="pw")
    client.force_login(staff)
    return client


def test_staff_can_read_plans_with_items_and_milestones_but_not_edit(staff_client, coder_plan):
    changelist = staff_client.get("/admin/plans/plan/?q=" + coder_plan.owner.email)
    assert changelist.status_code == 200
    assert coder_plan.title in changelist.content.decode()
    change = staff_client.get(f"/admin/plans/plan/{coder_plan.pk}/change/")
    assert change.status_code == 200
    page = change.content.decode()
    assert "Foundations" in page
    assert 'name="_save"' not in page  # read-only: no save button
    assert staff_client.get("/admin/plans/plan/add/").status_code == 403
    assert staff_client.get("/admin/plans/idempotencyrecord/").status_code == 200


def test_the_export_holds_the_users_plans_with_items_and_milestones(
    auth_client, coder_plan, others_plan
):
    response = auth_client.get("/api/v1/me/export/")
    assert response.status_code == 200
    plans = response.json()["plans"]
    assert [plan["id"] for plan in plans] == [str(coder_plan.id)]
    assert len(plans[0]["items"]) == 4
    assert len(plans[0]["milestones"]) == 3
    assert plans[0]["items"][0]["training_step"] == "Foundations"


def test_stored_responses_are_purged_after_the_replay_window(user):
    old = IdempotencyRecord.objects.create(
        owner=user, key="old", fingerprint="x", status_code=201, response_body={}
    )
    IdempotencyRecord.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(hours=25)
    )
    IdempotencyRecord.objects.create(
        owner=user, key="new", fingerprint="y", status_code=201, response_body={}
    )
    assert idempotency_records_purge() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]
    assert purge_idempotency_records.run() == 0


def test_the_periodic_jobs_are_installed_once_and_keep_an_admins_change(staff_client):
    import importlib

    from django.apps import apps
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    migration = importlib.import_module("plans.migrations.0003_periodic_tasks")
    # given: the migration's installer has run (a transactional test may have flushed its rows)
    migration.install(apps, None)
    scan = PeriodicTask.objects.select_related("interval").get(task="plans.scan_due_reminders")
    assert (scan.enabled, scan.interval.every, scan.interval.period) == (True, 300, "seconds")
    assert PeriodicTask.objects.filter(task="plans.purge_idempotency_records").exists()
    response = staff_client.get(f"/admin/django_celery_beat/periodictask/{scan.pk}/change/")
    assert response.status_code == 200
    # when: an admin slows the scan down and the installer runs again (a later deploy)
    scan.interval, _ = IntervalSchedule.objects.get_or_create(every=600, period="seconds")
    scan.save()
    migration.install(apps, None)
    # then: one scan job, with the admin's interval
    jobs = PeriodicTask.objects.filter(task="plans.scan_due_reminders")
    assert [job.interval.every for job in jobs] == [600]


def test_the_send_log_is_filterable_and_never_resends_sent_rows(staff_client, coder_plan):
    from plans.models import Reminder

    sent, failed = list(Reminder.objects.filter(milestone__plan=coder_plan)[:2])
    Reminder.objects.filter(pk=sent.pk).update(status="sent", sent_at=timezone.now())
    Reminder.objects.filter(pk=failed.pk).update(status="failed", detail="550 no such user")
    changelist = staff_client.get("/admin/plans/reminder/?status__exact=failed")
    assert changelist.status_code == 200
    assert "550 no such user" in changelist.content.decode()
    assert staff_client.get(f"/admin/plans/reminder/{sent.pk}/change/").status_code == 200
    # when: the retry action is applied to both rows
    staff_client.post(
        "/admin/plans/reminder/",
        {"action": "retry_failed", "_selected_action": [sent.pk, failed.pk]},
    )
    # then: only the failed one is pending again
    assert Reminder.objects.get(pk=sent.pk).status == "sent"
    assert Reminder.objects.get(pk=failed.pk).status == "pending"
