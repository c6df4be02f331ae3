"""Reminder arming, the scan, sending over SMTP, retries, crash recovery, unsubscribe."""

import io
import json
import threading
import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection, connections, router, transaction
from django.db.models.deletion import Collector
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile
from accounts.selectors import profile_for_user
from plans import services
from plans.computations import reminder_send_at
from plans.models import Milestone, Plan, Reminder
from plans.reminders import (
    SKIP_DATE_PASSED,
    SKIP_MILESTONE_DONE,
    SKIP_OPTED_OUT,
    SKIP_TOO_LATE,
    reminders_claim_due,
    reminders_send_batch,
    reminders_send_due_now,
    reminders_sync_for_plan,
    unsubscribe_token,
    user_for_unsubscribe_token,
)
from roles.models import Certification
from tests.admin_forms import user_change_form
from tests.factories import UserFactory
from tests.plans.conftest import PLAN_START, make_plan, wait_for

pytestmark = pytest.mark.django_db

EXAM_DAY = date(2027, 6, 15)


def add_exam(plan, exam_date=EXAM_DAY):
    return services.plan_item_add(
        user=plan.owner,
        plan_id=plan.pk,
        kind="exam",
        certification=Certification.objects.get(code="CPC"),
        exam_date=exam_date,
    )


def exam_reminders(plan):
    return Reminder.objects.filter(milestone__plan=plan, milestone__kind="exam").order_by(
        "-offset_days"
    )


def reminders_on(user) -> bool:
    """Read from the database (the `user` instance may hold a cached profile)."""
    return Profile.objects.get_or_create(user=user)[0].reminders_enabled


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# --- send times ------------------------------------------------------------------------------

ZONES_AND_DAYS = [
    # zone, a spring-forward day, a fall-back day, a normal day (all in 2027)
    ("America/New_York", date(2027, 3, 14), date(2027, 11, 7), date(2027, 6, 1)),
    ("Europe/Berlin", date(2027, 3, 28), date(2027, 10, 31), date(2027, 6, 1)),
    ("Australia/Sydney", date(2027, 10, 3), date(2027, 4, 4), date(2027, 6, 1)),
    ("Asia/Kolkata", date(2027, 3, 14), date(2027, 11, 7), date(2027, 6, 1)),
]


@pytest.mark.parametrize("zone_name", [z[0] for z in ZONES_AND_DAYS])
@pytest.mark.parametrize("day_index", [1, 2, 3], ids=["spring-forward", "fall-back", "normal"])
def test_a_reminder_goes_out_once_at_nine_local_on_dst_and_normal_days(
    user, catalogue, zone_name, day_index
):
    # given: a user in `zone_name` with an exam whose 1-day reminder falls on the given day
    zone_row = next(z for z in ZONES_AND_DAYS if z[0] == zone_name)
    reminder_day = zone_row[day_index]
    profile = profile_for_user(user=user)
    profile.timezone, profile.exam_reminder_offsets = zone_name, [1]
    profile.save()
    plan = make_plan(user, path=None, start_date=date(2027, 1, 1))
    add_exam(plan, exam_date=reminder_day + timedelta(days=1))
    reminder = exam_reminders(plan).get()
    # then: it is armed for 09:00 local on that day
    local = reminder.scheduled_for.astimezone(ZoneInfo(zone_name))
    assert (local.date(), local.hour, local.minute) == (reminder_day, 9, 0)
    # when: the scan runs a minute before, at the time, and again later that day
    early = reminders_send_due_now(now=reminder.scheduled_for - timedelta(minutes=1))
    on_time = reminders_send_due_now(now=reminder.scheduled_for + timedelta(minutes=2))
    later = reminders_send_due_now(now=reminder.scheduled_for + timedelta(hours=5))
    # then: exactly one email, sent at the local send hour
    assert (early[1].sent, on_time[1].sent, later[1].sent) == (0, 1, 0)
    assert len([m for m in mail.outbox if "CPC exam" in m.subject]) == 1


def test_send_time_is_computed_from_the_local_calendar_day():
    new_york = ZoneInfo("America/New_York")
    # the day clocks spring forward: 09:00 EDT is 13:00 UTC (the day before, EST, 14:00 UTC)
    assert reminder_send_at(due_on=date(2027, 3, 15), offset_days=1, zone=new_york, hour=9) == at(
        "2027-03-14T13:00:00"
    )
    assert reminder_send_at(due_on=date(2027, 3, 14), offset_days=1, zone=new_york, hour=9) == at(
        "2027-03-13T14:00:00"
    )


# --- arming ----------------------------------------------------------------------------------


def test_an_exam_arms_reminders_at_the_users_offsets(user, catalogue):
    plan = make_plan(user, path=None)
    add_exam(plan)
    assert [r.offset_days for r in exam_reminders(plan)] == [30, 7, 1]
    assert {r.due_on for r in exam_reminders(plan)} == {EXAM_DAY}
    assert all(r.status == Reminder.Status.PENDING for r in exam_reminders(plan))


def test_step_milestones_get_a_reminder_on_the_due_day(user, catalogue):
    plan = make_plan(user)
    step_reminders = Reminder.objects.filter(milestone__plan=plan, milestone__kind="step_end")
    assert sorted((r.offset_days, r.due_on) for r in step_reminders) == [
        (0, date(2027, 10, 4)),
        (0, date(2028, 4, 4)),
        (0, date(2028, 6, 4)),
    ]


def test_moving_an_exam_rearms_for_the_new_date_and_keeps_sent_history(user, catalogue):
    plan = make_plan(user, path=None)
    exam = add_exam(plan)
    thirty_days = exam_reminders(plan).get(offset_days=30)
    reminders_send_due_now(now=thirty_days.scheduled_for + timedelta(minutes=1))
    # when: the exam moves a week later
    services.plan_item_update(
        user=exam.plan.owner,
        plan_id=exam.plan_id,
        item_id=exam.pk,
        data={"exam_date": EXAM_DAY + timedelta(days=7)},
    )
    # then: the sent one stays as history; the open ones are armed for the new date
    rows = {(r.offset_days, r.due_on, r.status) for r in exam_reminders(plan)}
    new_day = EXAM_DAY + timedelta(days=7)
    assert rows == {
        (30, EXAM_DAY, "sent"),
        (30, new_day, "pending"),
        (7, new_day, "pending"),
        (1, new_day, "pending"),
    }


def test_completing_or_opting_out_drops_pending_reminders(user, catalogue):
    plan = make_plan(user, path=None)
    exam = add_exam(plan)
    services.plan_item_update(
        user=exam.plan.owner, plan_id=exam.plan_id, item_id=exam.pk, data={"status": "done"}
    )
    assert not exam_reminders(plan).filter(status="pending").exists()
    profile = profile_for_user(user=user)
    profile.reminders_enabled = False
    profile.save()
    services.plan_update(user=plan.owner, plan_id=plan.pk, data={"title": "renamed"})
    assert not Reminder.objects.filter(milestone__plan=plan, status="pending").exists()


def pending_rows(plan) -> set[tuple]:
    return set(
        Reminder.objects.filter(milestone__plan=plan, status="pending").values_list(
            "id", "milestone_id", "offset_days", "due_on", "scheduled_for"
        )
    )


def _pause(plan, user) -> None:
    services.plan_update(user=plan.owner, plan_id=plan.pk, data={"status": "paused"})


def _opt_out(plan, user) -> None:
    profile = profile_for_user(user=user)
    profile.reminders_enabled = False
    profile.save()
    services.plan_update(
        user=plan.owner, plan_id=plan.pk, data={"title": "Opted out"}
    )  # a whole sync after it


SYNC_STATES = {"active": lambda plan, user: None, "paused": _pause, "opted out": _opt_out}


@pytest.mark.parametrize("state", list(SYNC_STATES))
def test_a_milestone_change_matches_its_own_reminders_as_a_whole_sync_would(user, catalogue, state):
    # given: a plan (started in the past) with generated milestones and a custom one, each with
    # a pending reminder while the plan is active and its owner wants them; then the plan or the
    # owner as `state`
    plan = make_plan(user, start_date=date(2026, 10, 1))
    custom = services.milestone_create(
        user=plan.owner, plan_id=plan.pk, title="Check-in", due_on=date(2027, 2, 1)
    )
    assert any(row[1] == custom.pk for row in pending_rows(plan))
    SYNC_STATES[state](Plan.objects.get(pk=plan.pk), user)
    reminders_sync_for_plan(plan=Plan.objects.get(pk=plan.pk))
    assert bool(pending_rows(plan)) == (state == "active")
    generated = Milestone.objects.filter(plan=plan, item__isnull=False).order_by("pk").first()
    changes = [
        (custom, {"done": True}),  # completed
        (custom, {"done": False}),  # reopened
        (custom, {"due_on": date(2027, 3, 1)}),  # moved
        (custom, {"due_on": date(2026, 11, 1)}),  # moved into the past: nothing to send
        (custom, {"due_on": date(2026, 12, 1)}),  # and back ahead
        (custom, {"title": "Renamed"}),  # renamed
        (generated, {"done": True}),  # a step's milestone completed
        (generated, {"done": False}),  # and reopened
    ]
    for milestone, data in changes:
        others = {row for row in pending_rows(plan) if row[1] != milestone.pk}
        # when: only that milestone changes (the sync reads only its reminders)
        services.milestone_update(
            user=plan.owner, plan_id=plan.pk, milestone_id=milestone.pk, data=data
        )
        # then: the others' rows are the very same rows
        rows = pending_rows(plan)
        assert {row for row in rows if row[1] != milestone.pk} == others, data
        # and a sync of the whole plan finds nothing left to do
        reminders_sync_for_plan(plan=Plan.objects.get(pk=plan.pk))
        assert pending_rows(plan) == rows, data
    if state == "active":
        assert {row[3] for row in pending_rows(plan) if row[1] == custom.pk} == {date(2026, 12, 1)}
    else:
        assert pending_rows(plan) == set()
    # when: a milestone is added (its sync reads no pending rows: a new one has none)
    before = pending_rows(plan)
    added = services.milestone_create(
        user=plan.owner, plan_id=plan.pk, title="Mock exam", due_on=date(2027, 4, 1)
    )
    # then: only its own rows are new, and a whole sync finds nothing left to do
    rows = pending_rows(plan)
    assert {row for row in rows if row[1] != added.pk} == before
    assert any(row[1] == added.pk for row in rows) == (state == "active")
    reminders_sync_for_plan(plan=Plan.objects.get(pk=plan.pk))
    assert pending_rows(plan) == rows


def test_a_reminder_can_be_deleted_by_one_statement():
    # a completed milestone's pending reminders go by one DELETE written by hand
    # (plans.reminders._delete_pending_of): right only while QuerySet.delete() would send that
    # one statement too (nothing to collect: no relation to a reminder, no delete receivers)
    collector = Collector(using=router.db_for_write(Reminder))
    assert collector.can_fast_delete(Reminder.objects.all())


def _complete(plan, milestone) -> None:
    services.milestone_update(
        user=plan.owner, plan_id=plan.pk, milestone_id=milestone.pk, data={"done": True}
    )


def _pause_plan(plan, milestone) -> None:
    services.plan_update(user=plan.owner, plan_id=plan.pk, data={"status": "paused"})


NOTHING_WANTED = {"a milestone completed": _complete, "the plan paused": _pause_plan}


@pytest.mark.django_db(transaction=True)
def test_a_milestone_added_while_the_owner_opts_in_gets_its_reminder(user, catalogue):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    from accounts.services import profile_update

    # given: an owner who wants no reminders, and a milestone being added to their plan by
    # another request, which has read that wish and not yet committed
    plan = make_plan(user, start_date=date(2026, 10, 1))
    profile_update(user=user, data={"reminders_enabled": False})
    added, commit = threading.Event(), threading.Event()
    milestone_ids = []

    def add_milestone() -> None:
        try:
            with transaction.atomic():
                milestone_ids.append(
                    services.milestone_create(
                        user=plan.owner, plan_id=plan.pk, title="Check-in", due_on=date(2027, 2, 1)
                    ).pk
                )
                added.set()
                commit.wait(10)
        finally:
            connections.close_all()

    adder = threading.Thread(target=add_milestone)
    adder.start()
    assert added.wait(10)
    # when: the owner opts in meanwhile (the other request commits half a second later)
    threading.Timer(0.5, commit.set).start()
    profile_update(user=user, data={"reminders_enabled": True})
    adder.join(10)
    # then: the re-arm waited for the plan, saw the new milestone and armed it
    assert Reminder.objects.filter(milestone_id=milestone_ids[0], status="pending").exists()


def test_a_sync_told_of_new_milestones_needs_them_named(user, catalogue):
    # `created` skips reading pending rows: only for the milestones it names
    with pytest.raises(ValueError, match="milestones"):
        reminders_sync_for_plan(plan=make_plan(user), created=True)


@pytest.mark.parametrize("change", list(NOTHING_WANTED))
def test_a_change_that_wants_no_reminder_deletes_only_pending_ones(user, catalogue, change):
    # given: two milestones with a reminder each, one of them claimed by the scan (queued)
    plan = make_plan(user, start_date=date(2026, 10, 1))
    claimed, pending = (
        services.milestone_create(user=plan.owner, plan_id=plan.pk, title=title, due_on=due_on)
        for title, due_on in (("Check-in", date(2027, 2, 1)), ("Mock exam", date(2027, 3, 1)))
    )
    assert Reminder.objects.filter(milestone=pending, status=Reminder.Status.PENDING).exists()
    Reminder.objects.filter(milestone=claimed).update(status=Reminder.Status.QUEUED)
    # when: the change wants no reminder for them
    for milestone in (claimed, pending):
        NOTHING_WANTED[change](plan, milestone)
    # then: the pending one is gone; the queued one stays for its send, which skips it
    assert not Reminder.objects.filter(milestone=pending).exists()
    assert list(Reminder.objects.filter(milestone=claimed).values_list("status", flat=True)) == [
        Reminder.Status.QUEUED
    ]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("change", list(NOTHING_WANTED))
def test_a_reminder_the_scan_claims_while_a_change_deletes_it_stays_claimed(
    user, catalogue, change
):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    # given: a milestone with a pending reminder, which the scan is claiming: its transaction
    # has marked the row queued and holds its lock
    plan = make_plan(user, start_date=date(2026, 10, 1))
    milestone = services.milestone_create(
        user=plan.owner, plan_id=plan.pk, title="Check-in", due_on=date(2027, 2, 1)
    )
    reminder = Reminder.objects.get(milestone=milestone, status=Reminder.Status.PENDING)
    locked, commit = threading.Event(), threading.Event()

    def scan() -> None:
        try:
            with transaction.atomic():
                Reminder.objects.filter(pk=reminder.pk).update(status=Reminder.Status.QUEUED)
                locked.set()
                commit.wait(10)
        finally:
            connections.close_all()

    scanner = threading.Thread(target=scan)
    scanner.start()
    assert locked.wait(10)
    # when: the change deletes the pending reminders while that lock is held (its DELETE
    # waits), and the scan commits half a second later
    releaser = threading.Timer(0.5, commit.set)
    releaser.start()
    NOTHING_WANTED[change](plan, milestone)
    scanner.join(10)
    # then: the row was rechecked after the scan's commit, found queued, and left alone
    assert Reminder.objects.get(pk=reminder.pk).status == Reminder.Status.QUEUED


def test_a_time_zone_changed_in_the_admin_re_times_the_users_reminders(client, user, catalogue):
    # given: an exam's reminders armed for the owner's time zone
    plan = make_plan(user, path=None)
    add_exam(plan)
    profile = profile_for_user(user=user)
    assert profile.timezone != "Asia/Tokyo"
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    # when: an admin changes the zone on the user's page (the profile inline)
    response = client.post(
        reverse("admin:accounts_user_change", args=[user.pk]),
        user_change_form(
            user,
            profile,
            timezone="Asia/Tokyo",
            reminders_enabled="on",
            exam_reminder_offsets=json.dumps(profile.exam_reminder_offsets),
        ),
    )
    # then: they go out at 09:00 Tokyo time, as the API's profile change would have them
    assert response.status_code == 302, response.context and response.context["errors"]
    tokyo = ZoneInfo("Asia/Tokyo")
    for reminder in exam_reminders(plan).filter(status="pending"):
        assert reminder.scheduled_for == reminder_send_at(
            due_on=reminder.due_on, offset_days=reminder.offset_days, zone=tokyo, hour=9
        )


def test_arm_reminders_re_times_every_plan_after_a_settings_change(user, other_user, catalogue):
    # given: two owners' exams with reminders at 09:00 local, then the send hour moved to 07:00
    plans = [make_plan(owner, path=None) for owner in (user, other_user)]
    for plan in plans:
        add_exam(plan)
    with override_settings(REMINDER_SEND_HOUR=7):
        # when
        out = io.StringIO()
        call_command("arm_reminders", "--batch", "1", stdout=out)
    # then: every pending reminder at 07:00 in its owner's zone, none lost or added
    for plan in plans:
        zone = ZoneInfo(profile_for_user(user=plan.owner).timezone)
        pending = list(exam_reminders(plan).filter(status="pending"))
        assert [reminder.offset_days for reminder in pending] == [30, 7, 1]
        for reminder in pending:
            assert reminder.scheduled_for == reminder_send_at(
                due_on=reminder.due_on, offset_days=reminder.offset_days, zone=zone, hour=7
            )
    assert "for the plans of 2 owners" in out.getvalue()


def test_arm_reminders_refuses_a_batch_below_one(catalogue):
    with pytest.raises(CommandError):
        call_command("arm_reminders", "--batch", "0")


def test_reminders_already_in_the_past_are_not_armed(user, catalogue):
    plan = make_plan(user, path=None, start_date=date(2020, 1, 1))
    add_exam(plan, exam_date=date(2020, 2, 1))
    assert not exam_reminders(plan).exists()


# --- the scan and the send -------------------------------------------------------------------


def test_scan_claims_each_due_reminder_once(user, catalogue):
    plan = make_plan(user, path=None)
    add_exam(plan)
    due = exam_reminders(plan).get(offset_days=30).scheduled_for
    first = reminders_claim_due(now=due + timedelta(minutes=1))
    second = reminders_claim_due(now=due + timedelta(minutes=2))
    assert len(first.claimed) == 1
    assert second.claimed == []


def test_the_email_has_both_bodies_a_stable_message_id_and_one_click_unsubscribe(user, catalogue):
    plan = make_plan(user, path=None)
    add_exam(plan)
    reminder = exam_reminders(plan).get(offset_days=7)
    _claim, result = reminders_send_due_now(now=reminder.scheduled_for + timedelta(minutes=1))
    assert result.sent == 1
    message = mail.outbox[-1]
    assert message.to == [user.email]
    assert message.subject == f"In 7 days: CPC exam ({plan.title})"
    assert "Tuesday, 15 June 2027" in message.body
    assert message.alternatives[0][1] == "text/html"
    assert "Tuesday, 15 June 2027" in message.alternatives[0][0]
    reminder.refresh_from_db()
    assert message.extra_headers["Message-ID"] == reminder.message_id
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # the token is signed with a timestamp: compare whom it names, not its text
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert user_for_unsubscribe_token(token=link.rstrip("/").rsplit("/", 1)[-1]) == user
    assert f"/plans/{plan.id}" in message.body


def test_a_reminder_sent_late_counts_the_days_left_from_the_day_it_goes_out(user, catalogue):
    # given: the 7-day reminder of an exam, sent within the catch-up but on the next day
    plan = make_plan(user, path=None)
    add_exam(plan)
    reminder = exam_reminders(plan).get(offset_days=7)
    # when
    _claim, result = reminders_send_due_now(now=reminder.scheduled_for + timedelta(hours=23))
    # then: it says 6 days, as the calendar does that day
    assert result.sent == 1
    assert mail.outbox[-1].subject == f"In 6 days: CPC exam ({plan.title})"
    assert "in 6 days: Tuesday, 15 June 2027" in mail.outbox[-1].body


def test_a_reminder_for_a_day_already_gone_is_skipped_not_sent(user, catalogue):
    # given: an exam's reminder on its very day (offset 0 of the user's offsets)
    profile = profile_for_user(user=user)
    profile.exam_reminder_offsets = [0]
    profile.save()
    plan = make_plan(user, path=None)
    add_exam(plan)
    reminder = exam_reminders(plan).get(offset_days=0)
    # when: it goes out within the catch-up, but after that day ended in the user's zone
    _claim, result = reminders_send_due_now(now=reminder.scheduled_for + timedelta(hours=16))
    # then
    reminder.refresh_from_db()
    assert (reminder.status, reminder.detail) == ("skipped", SKIP_DATE_PASSED)
    assert result.sent == 0


def test_a_redelivered_batch_sends_nothing_twice(user, catalogue):
    plan = make_plan(user, path=None)
    add_exam(plan)
    due = exam_reminders(plan).get(offset_days=30).scheduled_for
    claim = reminders_claim_due(now=due + timedelta(minutes=1))
    first = reminders_send_batch(reminder_ids=claim.claimed)
    again = reminders_send_batch(reminder_ids=claim.claimed)
    assert (first.sent, again.sent) == (1, 0)
    assert len(mail.outbox) == 1


def test_stale_reminders_are_recorded_as_skipped_not_sent_late(user, catalogue):
    plan = make_plan(user, path=None)
    add_exam(plan)
    reminder = exam_reminders(plan).get(offset_days=30)
    _claim, result = reminders_send_due_now(now=reminder.scheduled_for + timedelta(hours=25))
    reminder.refresh_from_db()
    assert (reminder.status, reminder.detail) == ("skipped", SKIP_TOO_LATE)
    assert result.sent == 0


def test_a_reminder_is_skipped_at_send_time_when_no_longer_wanted(user, catalogue):
    plan = make_plan(user, path=None)
    exam = add_exam(plan)
    due = exam_reminders(plan).get(offset_days=30).scheduled_for
    claim = reminders_claim_due(now=due + timedelta(minutes=1))
    # the exam is passed early while the reminder waits in the queue
    exam.milestones.update(done_at=due)
    result = reminders_send_batch(reminder_ids=claim.claimed, now=due + timedelta(minutes=2))
    assert (result.sent, result.skipped) == (0, 1)
    assert Reminder.objects.get(pk=claim.claimed[0]).detail == SKIP_MILESTONE_DONE


def test_a_worker_that_died_mid_batch_leaves_every_reminder_sent_exactly_once(user, catalogue):
    # given: five step and exam reminders due, claimed by a worker that sent two and died
    plan = make_plan(user, path=None)
    for days in range(5):
        services.milestone_create(
            user=plan.owner, plan_id=plan.pk, title=f"M{days}", due_on=date(2027, 3, 1)
        )
    reminders = list(Reminder.objects.filter(milestone__plan=plan).order_by("scheduled_for"))
    now = reminders[-1].scheduled_for + timedelta(minutes=1)
    claim = reminders_claim_due(now=now)
    assert len(claim.claimed) == 5
    reminders_send_batch(reminder_ids=claim.claimed[:2], now=now)  # then the process is killed
    # when: the lease runs out and the next scans pick up what was left
    recovered = reminders_send_due_now(now=now + timedelta(minutes=5))
    assert recovered[1].sent == 0  # still leased: nothing is taken twice
    after_lease = reminders_send_due_now(now=now + timedelta(minutes=16))
    # then
    assert after_lease[0].recovered == 3
    assert after_lease[1].sent == 3
    assert len(mail.outbox) == 5
    assert sorted(m.extra_headers["Message-ID"] for m in mail.outbox) == sorted(
        set(m.extra_headers["Message-ID"] for m in mail.outbox)
    )


def test_send_due_reminders_command_prints_the_counts(user, catalogue, capsys):
    # given: a milestone ahead whose reminder is due (its send time an hour ago)
    plan = make_plan(user, path=None)
    milestone = services.milestone_create(
        user=plan.owner, plan_id=plan.pk, title="Check-in", due_on=PLAN_START + timedelta(days=60)
    )
    an_hour_ago = timezone.now() - timedelta(hours=1)
    Reminder.objects.filter(milestone=milestone).update(
        scheduled_for=an_hour_ago, next_attempt_at=an_hour_ago
    )
    call_command("send_due_reminders")
    assert "claimed 1, sent 1, skipped 0, failed 0, retrying later 0" in capsys.readouterr().out


# --- SMTP: a real server, failures and refusals -----------------------------------------------


def test_reminders_go_through_a_real_smtp_server(user, catalogue, smtp_server):
    plan = make_plan(user, path=None)
    add_exam(plan)
    reminder = exam_reminders(plan).get(offset_days=7)
    claim, result = reminders_send_due_now(now=reminder.scheduled_for + timedelta(minutes=1))
    # then: the 7-day one arrives; the 30-day one, 23 days late, is recorded as skipped
    assert (result.sent, claim.too_late) == (1, 1)
    [received] = smtp_server.messages
    reminder.refresh_from_db()
    assert received["Message-ID"] == reminder.message_id
    assert received["To"] == user.email
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert received.get_body(preferencelist=("html",)) is not None


def test_smtp_down_is_retried_with_backoff_and_sent_when_it_returns(
    user, catalogue, smtp_server, settings
):
    plan = make_plan(user, path=None)
    add_exam(plan)
    reminder = exam_reminders(plan).get(offset_days=30)
    due = reminder.scheduled_for + timedelta(minutes=1)
    # given: the mail server is down
    smtp_server.stop()
    _, first = reminders_send_due_now(now=due)
    reminder.refresh_from_db()
    assert (first.sent, first.retrying) == (0, 1)
    assert (reminder.status, reminder.attempts) == ("pending", 1)
    assert reminder.next_attempt_at == due + timedelta(seconds=60)
    _, _second = reminders_send_due_now(now=due + timedelta(seconds=61))
    reminder.refresh_from_db()
    assert reminder.next_attempt_at == due + timedelta(seconds=61 + 120)  # backoff doubles
    # when: it comes back
    smtp_server.start()
    _, third = reminders_send_due_now(now=due + timedelta(seconds=200))
    # then
    reminder.refresh_from_db()
    assert (third.sent, reminder.status, reminder.attempts) == (1, "sent", 3)
    assert len(smtp_server.messages) == 1


def test_a_refused_address_fails_alone_and_the_batch_goes_on(
    user, other_user, catalogue, smtp_server
):
    plans = [make_plan(user, path=None), make_plan(other_user, path=None)]
    for plan in plans:
        services.milestone_create(
            user=plan.owner, plan_id=plan.pk, title="Check-in", due_on=date(2027, 2, 1)
        )
    smtp_server.handler.refused.add(user.email)
    due = Reminder.objects.order_by("-scheduled_for").first().scheduled_for
    _claim, result = reminders_send_due_now(now=due + timedelta(minutes=1))
    assert (result.sent, result.failed) == (1, 1)
    failed = Reminder.objects.get(user=user)
    assert failed.status == "failed"
    assert "550" in failed.detail
    assert [m["To"] for m in smtp_server.messages] == [other_user.email]


# --- unsubscribe -----------------------------------------------------------------------------


def test_one_click_unsubscribe_stops_reminders(client, user, catalogue):
    plan = make_plan(user, path=None)
    add_exam(plan)
    token = unsubscribe_token(user=user)
    response = client.post(f"/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert reminders_on(user) is False
    assert not Reminder.objects.filter(user=user, status="pending").exists()


def test_the_footer_link_asks_first_then_stops_reminders(client, user, catalogue):
    token = unsubscribe_token(user=user)
    page = client.get(f"/unsubscribe/{token}/")
    assert page.status_code == 200
    assert b"Stop reminders" in page.content
    assert reminders_on(user) is True  # a GET changes nothing
    client.post(f"/unsubscribe/{token}/")
    assert reminders_on(user) is False


def test_unsubscribe_tokens_cannot_be_forged_or_pointed_at_another_user(client, user, other_user):
    token = unsubscribe_token(user=user)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.post(f"/unsubscribe/{tampered}/").status_code == 404
    assert client.post(f"/unsubscribe/{token}/").status_code == 200
    assert reminders_on(other_user) is True


def test_an_opted_out_user_gets_nothing_even_if_already_queued(user, catalogue):
    plan = make_plan(user, path=None)
    add_exam(plan)
    due = exam_reminders(plan).get(offset_days=30).scheduled_for
    claim = reminders_claim_due(now=due + timedelta(minutes=1))
    profile = profile_for_user(user=user)
    profile.reminders_enabled = False
    profile.save()
    result = reminders_send_batch(reminder_ids=claim.claimed, now=due)
    assert (result.sent, result.skipped) == (0, 1)
    assert Reminder.objects.get(pk=claim.claimed[0]).detail == SKIP_OPTED_OUT


def test_changing_the_time_zone_in_the_profile_retimes_pending_reminders(
    auth_client, user, catalogue
):
    plan = make_plan(user, path=None)
    add_exam(plan)
    response = auth_client.patch(
        "/api/v1/me/", {"timezone": "Asia/Tokyo", "exam_reminder_offsets": [7]}, format="json"
    )
    assert response.status_code == 200, response.json()
    [reminder] = exam_reminders(plan)
    local = reminder.scheduled_for.astimezone(ZoneInfo("Asia/Tokyo"))
    assert (reminder.offset_days, local.hour, local.date()) == (7, 9, date(2027, 6, 8))


def test_a_write_arms_reminders_with_the_profile_as_stored_when_it_locks_the_plan(user, catalogue):
    # given: the user with their profile kept on it (as request.user may carry one), and a
    # time zone change that commits before the write locks the plan
    profile = profile_for_user(user=user)
    profile.timezone = "America/Chicago"
    profile.save()
    plan = make_plan(user, path=None)
    assert user.profile.timezone == "America/Chicago"
    assert Profile.objects.filter(user=user).update(timezone="Asia/Tokyo") == 1
    # when: that user's write arms the plan's reminders
    services.plan_item_add(
        user=user,
        plan_id=plan.pk,
        kind="exam",
        certification=Certification.objects.get(code="CPC"),
        exam_date=EXAM_DAY,
    )
    # then: at 09:00 in the stored time zone, not in the one loaded before
    for reminder in exam_reminders(plan):
        local = reminder.scheduled_for.astimezone(ZoneInfo("Asia/Tokyo"))
        assert (local.hour, local.minute) == (9, 0)


def test_a_profile_change_unrelated_to_reminders_leaves_them_alone(auth_client, user, catalogue):
    plan = make_plan(user, path=None)
    add_exam(plan)
    before = list(exam_reminders(plan).values_list("pk", "scheduled_for"))
    auth_client.patch("/api/v1/me/", {"current_salary": "31000"}, format="json")
    assert list(exam_reminders(plan).values_list("pk", "scheduled_for")) == before


# --- the cost of a batch (found by bench/reminders.py) ---------------------------------------


def test_a_batch_locks_each_reminder_by_primary_key_alone_and_reads_context_per_chunk(
    user, catalogue
):
    # given: 60 reminders due and claimed (more than one context chunk of 50)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    plan = make_plan(user, path=None)
    for index in range(60):
        services.milestone_create(
            user=plan.owner, plan_id=plan.pk, title=f"M{index}", due_on=date(2027, 3, 1)
        )
    due = Reminder.objects.filter(milestone__plan=plan).latest("scheduled_for").scheduled_for
    claim = reminders_claim_due(now=due + timedelta(minutes=1))
    assert len(claim.claimed) == 60
    # when
    with CaptureQueriesContext(connection) as queries:
        result = reminders_send_batch(reminder_ids=claim.claimed, now=due + timedelta(minutes=2))
    # then: every lock is a primary-key lookup of plans_reminder alone: no join (planned per
    # reminder) and no status in the WHERE clause (which let PostgreSQL scan the partial
    # queued index for the id: ~17 ms a lock with 10,000 queued)
    assert result.sent == 60
    locks = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT") and '"plans_reminder"."id" = ' in q["sql"]
    ]
    assert len(locks) == 60
    for sql in locks:
        where = sql.split("WHERE", 1)[1]
        assert "JOIN" not in sql.upper()
        assert "status" not in where
        if connection.vendor == "postgresql":  # SQLite has no row locks
            assert "FOR UPDATE SKIP LOCKED" in sql
    # and: the milestones, plans and profiles are read once per chunk of 50, not per reminder
    context_reads = [
        q["sql"]
        for q in queries.captured_queries
        if "plans_milestone" in q["sql"] and "FOR UPDATE" not in q["sql"]
    ]
    assert len(context_reads) == 2


def test_a_reminder_queued_after_its_chunk_was_read_is_still_checked_and_sent(user, catalogue):
    # given: a claimed reminder whose context is not in the chunk (as if queued meanwhile)
    from plans.reminders import _lock_queued

    plan = make_plan(user, path=None)
    services.milestone_create(user=plan.owner, plan_id=plan.pk, title="M", due_on=date(2027, 3, 1))
    reminder = Reminder.objects.get(milestone__plan=plan)
    claim = reminders_claim_due(now=reminder.scheduled_for + timedelta(minutes=1))
    # when
    locked = _lock_queued(claim.claimed[0], {})
    # then: its milestone and owner were read for it
    assert locked is not None
    assert locked.milestone.plan.owner == user


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing after it runs in the worker."""


def kill_after_write(monkeypatch, is_fatal_write) -> None:
    """The worker dies right after the SMTP write `is_fatal_write` picks: its socket is closed
    (as the kernel closes a dead process's sockets, sending what was written, then FIN) and
    WorkerKilled escapes, rolling back any open transaction as PostgreSQL would."""
    import smtplib
    import socket

    real_send = smtplib.SMTP.send

    def send(self, data):
        real_send(self, data)
        if is_fatal_write(data):
            self.sock.shutdown(socket.SHUT_RDWR)
            self.close()
            raise WorkerKilled

    monkeypatch.setattr(smtplib.SMTP, "send", send)


def claimed_check_in(user) -> tuple[Reminder, datetime, list[int]]:
    plan = make_plan(user, path=None)
    services.milestone_create(
        user=plan.owner, plan_id=plan.pk, title="Check-in", due_on=date(2027, 3, 1)
    )
    reminder = Reminder.objects.get(milestone__plan=plan)
    now = reminder.scheduled_for + timedelta(minutes=1)
    return reminder, now, reminders_claim_due(now=now).claimed


def test_a_worker_killed_before_the_commit_point_leaves_nothing_and_the_lease_sends_it_once(
    user, catalogue, smtp_server, monkeypatch
):
    # given: a claimed reminder
    reminder, now, claimed = claimed_check_in(user)
    # when: the worker dies once the server has the whole body, before the commit
    kill_after_write(monkeypatch, lambda data: isinstance(data, bytes) and b"Message-ID:" in data)
    with pytest.raises(WorkerKilled):
        reminders_send_batch(reminder_ids=claimed, now=now)
    monkeypatch.undo()
    # then: the row is rolled back to queued and the server dropped the unended message
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts, reminder.sent_at) == ("queued", 0, None)
    time.sleep(0.2)
    assert smtp_server.messages == []
    # when: scans run before and after the lease
    before_lease = reminders_send_due_now(now=now + timedelta(minutes=5))
    after_lease = reminders_send_due_now(now=now + timedelta(minutes=16))
    # then: it is sent, once
    assert (before_lease[1].sent, after_lease[0].recovered, after_lease[1].sent) == (0, 1, 1)
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == ("sent", 1)
    assert [m["Message-ID"] for m in smtp_server.messages] == [reminder.message_id]


def test_a_worker_killed_after_the_commit_point_has_sent_it_once_and_nothing_resends_it(
    user, catalogue, smtp_server, monkeypatch
):
    # given: a claimed reminder
    reminder, now, claimed = claimed_check_in(user)
    # when: the worker dies after writing the end of the message, before reading the reply
    kill_after_write(monkeypatch, lambda data: data == b".\r\n")
    with pytest.raises(WorkerKilled):
        reminders_send_batch(reminder_ids=claimed, now=now)
    monkeypatch.undo()
    # then: the row was committed sent, and the server has the message
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == ("sent", 1)
    assert wait_for(lambda: len(smtp_server.messages) == 1, timeout=5)
    # when: the task is redelivered and a scan runs after the lease
    redelivered = reminders_send_batch(reminder_ids=claimed, now=now)
    after_lease = reminders_send_due_now(now=now + timedelta(minutes=16))
    # then: nothing more is sent
    assert (redelivered.sent, after_lease[0].recovered, after_lease[1].sent) == (0, 0, 0)
    time.sleep(0.2)
    assert [m["Message-ID"] for m in smtp_server.messages] == [reminder.message_id]


def test_a_refused_end_of_message_undoes_the_sent_record_and_the_batch_goes_on(
    user, other_user, catalogue, smtp_server
):
    # given: three claimed reminders; the server refuses the end of the first one's message
    # for good and the second one's for now
    third_user = UserFactory()
    users = [user, other_user, third_user]
    for owner in users:
        plan = make_plan(owner, path=None)
        services.milestone_create(
            user=owner, plan_id=plan.pk, title="Check-in", due_on=date(2027, 2, 1)
        )
    smtp_server.handler.rejected_at_end = {
        user.email: "554 5.7.1 Message rejected as spam",
        other_user.email: "451 4.3.0 Try again later",
    }
    rows = [Reminder.objects.get(user=owner) for owner in users]
    now = max(row.scheduled_for for row in rows) + timedelta(minutes=1)
    reminders_claim_due(now=now)
    # when
    result = reminders_send_batch(reminder_ids=[row.pk for row in rows], now=now)
    # then: the first failed, the second waits its backoff, the third was sent
    assert (result.sent, result.failed, result.retrying) == (1, 1, 1)
    refused, deferred, sent = (Reminder.objects.get(pk=row.pk) for row in rows)
    assert (refused.status, refused.attempts, refused.sent_at) == ("failed", 1, None)
    assert "554" in refused.detail
    assert (deferred.status, deferred.attempts, deferred.sent_at) == ("pending", 1, None)
    assert deferred.next_attempt_at == now + timedelta(seconds=60)
    assert "451" in deferred.detail
    assert sent.status == "sent"
    assert [m["To"] for m in smtp_server.messages] == [third_user.email]
    # when: the server takes the second one after its backoff
    smtp_server.handler.rejected_at_end.clear()
    _claim, retried = reminders_send_due_now(now=now + timedelta(seconds=61))
    # then
    deferred.refresh_from_db()
    assert (retried.sent, deferred.status, deferred.attempts) == (1, "sent", 2)
    assert [m["To"] for m in smtp_server.messages] == [third_user.email, other_user.email]


def _two_due_reminders(user, other_user):
    for owner in (user, other_user):
        plan = make_plan(owner, path=None)
        services.milestone_create(
            user=plan.owner, plan_id=plan.pk, title="Check-in", due_on=date(2027, 2, 1)
        )
    return Reminder.objects.order_by("-scheduled_for").first().scheduled_for + timedelta(minutes=1)


def _emails_cannot_be_prepared_for(user, monkeypatch) -> None:
    """Make the reminder emails of `user` fail to render (a template error); others render."""
    from plans import emails

    render = emails.reminder_email

    def broken_for_user(reminder, **kwargs):
        if reminder.user_id == user.pk:
            raise ValueError("a template that cannot render")
        return render(reminder, **kwargs)

    monkeypatch.setattr(emails, "reminder_email", broken_for_user)


def test_a_reminder_that_cannot_be_prepared_is_retried_and_the_batch_goes_on(
    user, other_user, catalogue, smtp_server, monkeypatch
):
    due = _two_due_reminders(user, other_user)
    _emails_cannot_be_prepared_for(user, monkeypatch)
    # when
    _claim, result = reminders_send_due_now(now=due)
    # then: the other reminder went out; this one waits for a retry, with the reason
    assert (result.sent, result.retrying, result.failed) == (1, 1, 0)
    broken = Reminder.objects.get(user=user)
    assert (broken.status, broken.attempts) == ("pending", 1)
    assert "ValueError: a template that cannot render" in broken.detail
    assert [m["To"] for m in smtp_server.messages] == [other_user.email]


def test_a_batch_out_of_time_stops_and_leaves_its_reminders_queued(
    user, other_user, catalogue, smtp_server, monkeypatch
):
    from celery.exceptions import SoftTimeLimitExceeded

    from plans import emails

    # given: two due reminders, claimed by the scan; the task's soft time limit strikes while
    # the first is being prepared
    due = _two_due_reminders(user, other_user)
    claim = reminders_claim_due(now=due)

    def out_of_time(reminder, **kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(emails, "reminder_email", out_of_time)
    # when / then: the batch stops at once (not taken for a template error, sending on until
    # the hard limit kills it mid-send), nothing sent, every row still queued for the lease
    with pytest.raises(SoftTimeLimitExceeded):
        reminders_send_batch(reminder_ids=claim.claimed, now=due)
    assert smtp_server.messages == []
    rows = Reminder.objects.filter(pk__in=claim.claimed).values_list("status", "attempts")
    assert sorted(rows) == [("queued", 0), ("queued", 0)]


def test_a_reminder_that_keeps_failing_on_its_own_is_given_up_after_its_attempts(
    user, other_user, catalogue, smtp_server, settings, monkeypatch
):
    # given: one try allowed, and a reminder whose email cannot be prepared
    settings.REMINDER_MAX_ATTEMPTS = 1
    due = _two_due_reminders(user, other_user)
    _emails_cannot_be_prepared_for(user, monkeypatch)
    # when
    _claim, result = reminders_send_due_now(now=due)
    # then: that failure is its own, so it counts: the reminder is given up (and counted
    # failed), the other sent
    assert (result.sent, result.failed, result.retrying) == (1, 1, 0)
    given_up = Reminder.objects.get(user=user)
    assert given_up.status == "failed"
    assert given_up.detail.startswith("Gave up after 1 attempts: ValueError")


def test_a_mail_server_down_longer_than_the_attempts_fails_no_reminder(
    user, catalogue, smtp_server, settings
):
    # given: reminders may be tried twice, and the mail server is down for three tries
    settings.REMINDER_MAX_ATTEMPTS = 2
    plan = make_plan(user, path=None)
    add_exam(plan)
    reminder = exam_reminders(plan).get(offset_days=30)
    smtp_server.stop()
    now = reminder.scheduled_for + timedelta(minutes=1)
    for _try in range(3):
        _claim, result = reminders_send_due_now(now=now)
        assert (result.failed, result.retrying) == (0, 1)
        reminder.refresh_from_db()
        now = reminder.next_attempt_at + timedelta(seconds=1)
    # then: it still waits (an outage is no verdict on a reminder), and goes out once the
    # server is back, inside its catch-up window
    assert (reminder.status, reminder.attempts) == ("pending", 3)
    smtp_server.start()
    _claim, result = reminders_send_due_now(now=now)
    assert result.sent == 1
    assert len(smtp_server.messages) == 1


def test_a_refused_sign_in_to_the_mail_server_is_retried_never_a_failure(
    user, other_user, catalogue, smtp_server, monkeypatch
):
    import smtplib

    from django.core.mail.backends.smtp import EmailBackend

    due = _two_due_reminders(user, other_user)

    # given: the server refuses our sign-in (535: a configuration problem, not the recipient's)
    def refused(self):
        raise smtplib.SMTPAuthenticationError(535, b"5.7.8 Authentication credentials invalid")

    monkeypatch.setattr(EmailBackend, "open", refused)
    # when
    _claim, result = reminders_send_due_now(now=due)
    # then: no reminder is failed for it; both wait with backoff
    assert (result.sent, result.failed, result.retrying) == (0, 0, 2)
    assert set(Reminder.objects.values_list("status", "attempts")) == {("pending", 1)}
    # and once the configuration is fixed, both go out
    monkeypatch.undo()
    _claim, later = reminders_send_due_now(now=due + timedelta(minutes=5))
    assert later.sent == 2
    assert len(smtp_server.messages) == 2


def test_sending_refuses_to_run_inside_a_callers_transaction(user, other_user, catalogue):
    from django.db import transaction

    due = _two_due_reminders(user, other_user)
    claim = reminders_claim_due(now=due)
    # a savepoint is no point of no return: the end of the message must follow a real commit
    with transaction.atomic(), pytest.raises(RuntimeError, match="durable"):
        reminders_send_batch(reminder_ids=claim.batches(10)[0], now=due)
