"""Reminders through a real Celery worker on the configured broker (Redis in CI) and a real
SMTP server: exactly one email, whatever runs twice."""

import threading
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection
from django.utils import timezone

from accounts.selectors import profile_for_user
from careerplan.celery import app
from plans import services
from plans.models import Reminder
from plans.reminders import reminders_claim_due, reminders_dispatch_due
from roles.models import Certification
from tests.plans.conftest import make_plan, wait_for

CANDIDATE_ZONES = [
    "Pacific/Kiritimati",
    "Asia/Tokyo",
    "Asia/Kolkata",
    "Europe/Berlin",
    "UTC",
    "America/New_York",
    "America/Los_Angeles",
    "Pacific/Honolulu",
]


def zone_past_send_hour(now: datetime, hour: int) -> str:
    """A zone where today's send hour has passed (so today's reminder is due), but recently."""
    for name in CANDIDATE_ZONES:
        local = now.astimezone(ZoneInfo(name))
        if hour + 1 <= local.hour <= 23:
            return name
    raise AssertionError("every candidate zone is before its send hour")  # pragma: no cover


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_an_exam_seven_days_ahead_gets_exactly_one_reminder_through_worker_and_smtp(
    catalogue, user, smtp_server, settings
):
    if connection.vendor != "postgresql":
        pytest.skip("a worker thread beside the test needs a server database (CI: PostgreSQL)")
    # given: a user whose local send hour (09:00) has passed today, with an exam in 7 days
    now = timezone.now()
    zone = zone_past_send_hour(now, settings.REMINDER_SEND_HOUR)
    profile = profile_for_user(user=user)
    profile.timezone = zone
    profile.save()
    local_today = now.astimezone(ZoneInfo(zone)).date()
    plan = make_plan(user, path=None, start_date=local_today)
    services.plan_item_add(
        user=plan.owner,
        plan_id=plan.pk,
        kind="exam",
        certification=Certification.objects.get(code="CPC"),
        exam_date=local_today + timedelta(days=7),
    )
    seven_day = Reminder.objects.get(milestone__plan=plan, offset_days=7)
    local = seven_day.scheduled_for.astimezone(ZoneInfo(zone))
    assert (local.date(), local.hour) == (local_today, settings.REMINDER_SEND_HOUR)

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        # when: beat's scan runs, enqueuing a batch for the worker
        claim = reminders_dispatch_due()
        assert claim.claimed == [seven_day.pk]
        assert wait_for(lambda: Reminder.objects.get(pk=seven_day.pk).status == "sent")
        # and: the scan runs again, and twice at once
        again = reminders_dispatch_due()
        racing = []
        threads = [
            threading.Thread(target=lambda: racing.append(_claim_in_thread())) for _ in range(2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        time.sleep(1)  # let anything wrongly enqueued reach the worker

    # then: one email, at the local send hour, and nothing more
    assert again.claimed == []
    assert racing == [[], []]
    assert len(smtp_server.messages) == 1
    assert smtp_server.messages[0]["To"] == user.email
    assert "In 7 days: CPC exam" in smtp_server.messages[0]["Subject"]
    assert Reminder.objects.filter(status="sent").count() == 1


def _claim_in_thread() -> list[int]:
    try:
        return reminders_claim_due().claimed
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_scans_never_claim_the_same_reminder(catalogue, user):
    if connection.vendor != "postgresql":
        pytest.skip("row locks (SKIP LOCKED) need PostgreSQL; SQLite runs one writer at a time")
    # given: 40 reminders due now
    plan = make_plan(user, path=None, start_date=timezone.now().date())
    for index in range(40):
        services.milestone_create(
            user=plan.owner, plan_id=plan.pk, title=f"M{index}", due_on=plan.start_date
        )
    due_at = Reminder.objects.order_by("-scheduled_for").first().scheduled_for
    assert Reminder.objects.filter(status="pending").count() == 40
    # when: two scans run at the same moment, each allowed to claim 25
    results: list[list[int]] = []
    barrier = threading.Barrier(2)

    def scan() -> None:
        try:
            barrier.wait()
            results.append(reminders_claim_due(now=due_at + timedelta(minutes=1), limit=25).claimed)
        finally:
            connection.close()

    threads = [threading.Thread(target=scan) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then: disjoint claims covering every reminder
    first, second = results
    assert not set(first) & set(second)
    assert len(first) + len(second) == 40
