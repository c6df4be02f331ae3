"""Reminder emails before exams and milestones: arming, the periodic scan, batched sending,
and unsubscribing. Write use cases, like plans/services.py.

How a reminder is sent exactly once:
1. Arming (`reminders_for_new_plan` when a plan is created, `reminders_sync_for_plan`
   whenever its milestones change) keeps one `pending` Reminder row per (milestone, days
   before, date reminded of), with its send time computed in the owner's time zone. The
   unique constraint makes re-arming a no-op and keeps sent rows from ever being armed
   again; a milestone moved to a new date gets new rows.
2. The scan (`reminders_claim_due`, run by beat every few minutes) marks pending rows past the
   catch-up window `skipped`, then claims the due ones in one indexed, `FOR UPDATE SKIP
   LOCKED` query (so two scans or two beats never claim the same row) and enqueues them in
   batches after the claim commits. Due times live in the database: no ETA tasks.
3. A worker (`reminders_send_batch`) opens one SMTP connection per batch. For each row still
   `queued` it locks the row, re-checks that it is still wanted (the milestone, plan and
   profile are read once per chunk of 50 reminders, so the lock is one primary-key lookup)
   and, holding the lock, tells the mail server everything but the end of the message (MAIL
   FROM, RCPT TO, DATA and the body: `plans.smtp.MailSession.stage`); it records the row
   `sent` and commits; only then does it end the message (`.`) and read the reply. A
   redelivered task finds the rows no longer queued and sends nothing. A lost connection puts
   the rest of the batch back to `pending` with exponential backoff; an address refused for
   good (5xx) is `failed`, one refused for now (4xx) is retried with backoff, and the batch
   goes on. A refusal of the end of the message undoes the `sent` record the same way. A
   refused session (greeting, sign-in, our sender address) says nothing about a recipient:
   the batch waits with backoff, nothing is failed for it; nor for a server down or
   unreachable, however long (the catch-up window bounds the waiting). A reminder that
   cannot be prepared (a template error) is retried with backoff, then given up, without
   holding up the batch.
   The per-reminder transaction is durable: never a savepoint of a caller's transaction.
4. The commit is the point of no return. A mail server takes a message only once its DATA is
   ended by `<CRLF>.<CRLF>` and drops it if the connection closes before (RFC 5321). So a
   worker killed before the commit leaves nothing behind: PostgreSQL rolls the transaction
   back (the row is `queued` again, unlocked), the server drops the unfinished message, and
   after the lease the scan returns the row to `pending` and it is sent, once. Killed after
   the commit, the worker has written the terminator or is one socket write away from it;
   once written, the kernel still delivers it when the process dies: sent once, recorded
   `sent`. What is left, and never leads to a second email: a kill after the worker sent
   COMMIT and before it wrote the terminator leaves a row `sent` whose message the server
   dropped. PostgreSQL completes a COMMIT it has received even if the client is gone, so that
   window is the COMMIT's round trip (a WAL flush, about a millisecond) and one `send()`, not
   only the microseconds after COMMIT returns. Likewise a server refusing the end of data to
   a worker that died before reading the reply; a connection lost after the terminator but
   before the reply (the server usually has the message) keeps the row `sent`, with the error
   in its detail; and a COMMIT that fails with its outcome unknown aborts the message, which
   is lost if it did commit. The batch runs outside any transaction (a Celery task, the
   command), so the commit is real.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from allauth.account.models import EmailAddress
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core import signing
from django.db import DatabaseError, connections, router, transaction
from django.utils import timezone

from accounts.models import Profile, User
from accounts.selectors import profile_for_user, profile_for_user_id
from careerplan.db import CompiledRows, concrete_attnames
from plans.computations import reminder_send_at, retry_delay
from plans.models import Milestone, Plan, PlanItem, Reminder
from plans.smtp import EndOfDataUnanswered, MailSession

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "careerplan.reminders.unsubscribe"

SKIP_TOO_LATE = "Its send time passed more than the catch-up window ago."
SKIP_MILESTONE_DONE = "The milestone is done."
SKIP_MILESTONE_MOVED = "The milestone moved to another date."
SKIP_DATE_PASSED = "The milestone's date had passed in the owner's time zone when it was sent."
SKIP_PLAN_INACTIVE = "The plan is not active."
SKIP_ITEM_SKIPPED = "The item was skipped."
SKIP_OPTED_OUT = "The owner turned reminders off."
SKIP_OFFSET_DROPPED = "The owner no longer wants a reminder this many days before."
SKIP_UNVERIFIED = "The owner's email address is not verified."
FAIL_GAVE_UP = "Gave up after {attempts} attempts: {error}"
SENT_UNANSWERED = (
    "The mail server did not answer the end of the message ({error}): it has it, unless the "
    "connection broke before the end reached it. Not sent again, so it never arrives twice."
)


@dataclass(frozen=True)
class ReminderSettings:
    send_hour: int
    milestone_offsets: tuple[int, ...]
    catch_up: timedelta
    batch_size: int
    scan_limit: int
    lease: timedelta
    max_attempts: int
    retry_base_seconds: int
    retry_cap_seconds: int

    @classmethod
    def current(cls) -> ReminderSettings:
        return cls(
            send_hour=settings.REMINDER_SEND_HOUR,
            milestone_offsets=tuple(settings.REMINDER_MILESTONE_OFFSETS),
            catch_up=timedelta(hours=settings.REMINDER_CATCH_UP_HOURS),
            batch_size=settings.REMINDER_BATCH_SIZE,
            scan_limit=settings.REMINDER_SCAN_LIMIT,
            lease=timedelta(seconds=settings.REMINDER_LEASE_SECONDS),
            max_attempts=settings.REMINDER_MAX_ATTEMPTS,
            retry_base_seconds=settings.REMINDER_RETRY_BASE_SECONDS,
            retry_cap_seconds=settings.REMINDER_RETRY_CAP_SECONDS,
        )


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def owners_today(profile: Profile, now: datetime) -> date:
    """The day it is at `now` where the owner lives: what a reminder sent then counts its days
    from, and what it is skipped for having passed."""
    return now.astimezone(_zone(profile.timezone)).date()


def _offsets_for(milestone: Milestone, profile, config: ReminderSettings) -> Iterable[int]:
    if milestone.kind == Milestone.MilestoneKind.EXAM:
        return profile.exam_reminder_offsets or ()
    return config.milestone_offsets


# --- arming --------------------------------------------------------------------------------


def _wants_none(plan: Plan, profile: Profile | None) -> bool:
    """The plan (not active) or its owner (opted out, when the profile is known) wants no
    reminders at all."""
    return plan.status != Plan.Status.ACTIVE or (
        profile is not None and not profile.reminders_enabled
    )


def _wanted(
    *,
    plan: Plan,
    milestones: Iterable[Milestone],
    profile: Profile,
    config: ReminderSettings,
    now: datetime,
) -> Iterator[tuple[Milestone, int, datetime]]:
    """(milestone, days before, send time) for each reminder the open `milestones` of `plan`
    want, as the owner's `profile` asks; none if the plan or the owner wants none."""
    if _wants_none(plan, profile):
        return
    zone = _zone(profile.timezone)
    for milestone in milestones:
        if milestone.done_at is not None:
            continue
        # once per distinct offset (a setting listing one twice must not arm it twice)
        for offset in dict.fromkeys(_offsets_for(milestone, profile, config)):
            send_at = reminder_send_at(
                due_on=milestone.due_on, offset_days=offset, zone=zone, hour=config.send_hour
            )
            if send_at >= now - config.catch_up:
                yield milestone, offset, send_at


def _wanted_reminders(
    *,
    plan: Plan,
    milestones: Iterable[Milestone],
    config: ReminderSettings,
    now: datetime,
    profile: Profile | None = None,
) -> dict[tuple[int, int, object], datetime]:
    """(milestone id, days before, date reminded of) -> send time, for the open `milestones`
    of `plan`, as the owner's profile asks; empty if the plan or the owner wants none.

    The profile is read here, inside the caller's transaction, unless the caller read it
    itself (a profile cached on some user instance may predate a time zone change). Neither
    the milestones (a queryset) nor the profile is read when the answer is known without them:
    a plan that is not active, an owner who wants no reminders, no open milestone."""
    if _wants_none(plan, profile):
        return {}
    milestones = [milestone for milestone in milestones if milestone.done_at is None]
    if not milestones:
        return {}
    if profile is None:
        profile = profile_for_user_id(user_id=plan.owner_id)
    wanted = _wanted(plan=plan, milestones=milestones, profile=profile, config=config, now=now)
    return {
        (milestone.pk, offset, milestone.due_on): send_at for milestone, offset, send_at in wanted
    }


def _reminder(plan: Plan, offset: int, due_on: date, send_at: datetime, **milestone) -> Reminder:
    """An unsaved pending reminder; `milestone` is `milestone_id=` or `milestone=`."""
    return Reminder(
        **milestone,
        user_id=plan.owner_id,
        offset_days=offset,
        due_on=due_on,
        scheduled_for=send_at,
        next_attempt_at=send_at,
    )


# The pending reminders of the milestones a change touched (a milestone reopened, moved or
# renamed reads them on every change), compiled once per connection; read inside the change's
# transaction, so from the database it writes to.
_PENDING_OF_MILESTONES = CompiledRows(
    Reminder,
    lambda *milestone_ids: (
        Reminder.objects.filter(milestone_id__in=milestone_ids, status=Reminder.Status.PENDING)
        .order_by()
        .values_list(*concrete_attnames(Reminder))
    ),
    Reminder._meta.get_field("milestone"),
    variadic=True,
    for_write=True,
)


def _delete_pending_of(milestone_ids: list[int]) -> None:
    """Delete the pending reminders of these milestones: one DELETE written from the model's
    metadata, with the status in its own WHERE (rechecked under each row's lock, so a row the
    scan claims meanwhile stays). `QuerySet.delete()` sends the same statement after
    collecting what refers to the rows and compiling the query (`python -m bench.tried
    reminder-delete`); reminders can be deleted without collecting
    (tests/plans/test_reminders.py checks it)."""
    connection = connections[router.db_for_write(Reminder)]
    quote = connection.ops.quote_name
    table = quote(Reminder._meta.db_table)
    milestone = quote(Reminder._meta.get_field("milestone").column)
    status = quote(Reminder._meta.get_field("status").column)
    places = ", ".join(["%s"] * len(milestone_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE {milestone} IN ({places}) AND {status} = %s",  # noqa: S608
            [*milestone_ids, Reminder.Status.PENDING],
        )


# No savepoint: every caller is a service already inside its own transaction, and a failure
# here fails that whole write anyway.
@transaction.atomic(savepoint=False)
def reminders_sync_for_plan(
    *,
    plan: Plan,
    now: datetime | None = None,
    profile: Profile | None = None,
    milestones: Sequence[Milestone] | None = None,
    created: bool = False,
) -> None:
    """Make the plan's pending reminders match its open milestones and the owner's wishes.

    Creates the missing ones, re-times pending ones (time zone or date changes) and drops
    pending ones no longer wanted. Sent, skipped and failed rows are history and stay.
    Every change to a plan ends here (plans.services._bump); a new plan's reminders are
    written with it instead (`reminders_for_new_plan`).

    `milestones` (saved, as they now are) limits the work to their reminders, for a change
    that touched only them (a milestone completed, reopened, renamed, moved or added): the
    plan's other milestones and the owner's wishes are as the last sync left them. (A change
    of the reminder settings reaches the others through `manage.py arm_reminders`; pending
    rows whose time passed beyond the catch-up are left to the scan, which skips them.)
    `created` says those milestones were inserted by the caller's transaction, so none has a
    reminder yet. The pending rows are read only to compare them with what is wanted: when
    nothing is wanted (a milestone completed, a plan paused, an owner opted out) they are
    deleted without being read, by one DELETE that rechecks each row's status under its lock
    (a reminder the scan claims meanwhile stays, and its send skips it); when the milestones
    are new there are none to read. The deletes by id after a read recheck the status too;
    the re-timings do not (`bulk_update`), and the send skips what is no longer wanted.
    """
    if created and milestones is None:
        raise ValueError("created names the new milestones: pass them as `milestones`.")
    config = ReminderSettings.current()
    now = now or timezone.now()
    if milestones is None:
        milestone_ids = None
        milestones = plan.milestones.filter(done_at__isnull=True)  # read only when needed
        # by a subquery, not a join: the DELETE then has the status in its own WHERE
        of_plan = Milestone.objects.filter(plan=plan).values("pk")
        plans_pending = Reminder.objects.filter(
            milestone_id__in=of_plan, status=Reminder.Status.PENDING
        )
    else:
        milestone_ids = [milestone.pk for milestone in milestones]
        plans_pending = None
    wanted = _wanted_reminders(
        plan=plan, milestones=milestones, config=config, now=now, profile=profile
    )
    if created or milestone_ids == []:
        pending = []
    elif not wanted:
        if plans_pending is None:
            _delete_pending_of(milestone_ids)
        else:
            plans_pending.delete()
        return
    elif plans_pending is None:
        pending = _PENDING_OF_MILESTONES.instances(*milestone_ids)
    else:
        pending = list(plans_pending)
    unwanted, retimed = [], []
    for reminder in pending:
        key = (reminder.milestone_id, reminder.offset_days, reminder.due_on)
        send_at = wanted.pop(key, None)
        if send_at is None:
            unwanted.append(reminder.pk)
        elif send_at != reminder.scheduled_for and reminder.attempts == 0:
            reminder.scheduled_for = reminder.next_attempt_at = send_at
            retimed.append(reminder)
    if unwanted:  # still pending: one the scan claimed since the read is left to its send
        Reminder.objects.filter(pk__in=unwanted, status=Reminder.Status.PENDING).delete()
    if retimed:
        Reminder.objects.bulk_update(retimed, ["scheduled_for", "next_attempt_at"])
    if wanted:  # already sent/skipped for that date: never armed twice
        Reminder.objects.bulk_create(
            [
                _reminder(plan, offset, due_on, send_at, milestone_id=milestone_id)
                for (milestone_id, offset, due_on), send_at in wanted.items()
            ],
            ignore_conflicts=True,
        )


@transaction.atomic(savepoint=False)
def reminders_arm_for_plan(
    *, plan: Plan, now: datetime | None = None, profile: Profile | None = None
) -> int:
    """`reminders_sync_for_plan`, then how many pending reminders the plan has (one more
    query, which the writes of plans.services do without)."""
    reminders_sync_for_plan(plan=plan, now=now, profile=profile)
    return Reminder.objects.filter(milestone__plan=plan, status=Reminder.Status.PENDING).count()


def reminders_for_new_plan(
    *, plan: Plan, milestones: list[Milestone], profile: Profile, now: datetime | None = None
) -> list[Reminder]:
    """The reminders to arm for a plan being created with `milestones`, unsaved like them
    (plans.services.plan_create writes them together: plans.inserts, whose write checks that
    the profile still holds what they were made from), as the owner's `profile` asks. A new
    plan has no reminders yet: nothing to re-time, drop or count."""
    wanted = _wanted(
        plan=plan,
        milestones=milestones,
        profile=profile,
        config=ReminderSettings.current(),
        now=now or timezone.now(),
    )
    return [
        _reminder(plan, offset, milestone.due_on, send_at, milestone=milestone)
        for milestone, offset, send_at in wanted
    ]


@transaction.atomic(savepoint=False)
def reminders_arm_for_user(*, user: User) -> int:
    """Re-arm every plan of the user (after a time zone, offsets or opt-in change).

    Each plan is locked first, as every change of a plan locks it (in id order, so two
    re-arms of one owner cannot deadlock): a change that had read the profile before it
    changed finishes first and its milestones are re-armed here, and a change that comes after
    waits for this transaction and reads the new profile. Without the locks, a milestone added
    meanwhile could keep reminders armed by the old time zone or opt-in."""
    profile = profile_for_user_id(user_id=user.pk)  # read once (fresh), not once per plan
    total = 0
    plans = Plan.objects.filter(owner_id=user.pk).select_for_update(no_key=True).order_by("pk")
    for plan in plans:
        total += reminders_arm_for_plan(plan=plan, profile=profile)
    return total


REMINDER_PROFILE_FIELDS = frozenset({"timezone", "exam_reminder_offsets", "reminders_enabled"})


def on_profile_change(*, user: User, fields: frozenset[str]) -> None:
    """Re-time the user's reminders in the same transaction as a profile change that affects
    them (a few queries per plan; no broker needed, so it works while Redis is down)."""
    if fields & REMINDER_PROFILE_FIELDS:
        reminders_arm_for_user(user=user)


# --- the scan ------------------------------------------------------------------------------


@dataclass
class ClaimResult:
    claimed: list[int] = field(default_factory=list)
    too_late: int = 0
    recovered: int = 0

    def batches(self, size: int) -> list[list[int]]:
        return [self.claimed[i : i + size] for i in range(0, len(self.claimed), size)]


@transaction.atomic
def reminders_claim_due(*, now: datetime | None = None, limit: int | None = None) -> ClaimResult:
    """Claim the reminders whose time has come: one indexed query, rows locked and skipped
    by any concurrent scan, marked `queued` before the transaction commits."""
    config = ReminderSettings.current()
    now = now or timezone.now()
    result = ClaimResult()
    # Rows a dead worker left queued go back to pending (their lease ran out).
    result.recovered = Reminder.objects.filter(
        status=Reminder.Status.QUEUED, claimed_at__lt=now - config.lease
    ).update(status=Reminder.Status.PENDING, claimed_at=None)
    # Stale ones are recorded, not sent late.
    result.too_late = Reminder.objects.filter(
        status=Reminder.Status.PENDING,
        next_attempt_at__lte=now,
        scheduled_for__lt=now - config.catch_up,
    ).update(status=Reminder.Status.SKIPPED, detail=SKIP_TOO_LATE)
    result.claimed = list(
        Reminder.objects.select_for_update(skip_locked=True)
        .filter(status=Reminder.Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[: limit or config.scan_limit]
    )
    if result.claimed:
        Reminder.objects.filter(pk__in=result.claimed).update(
            status=Reminder.Status.QUEUED, claimed_at=now
        )
    return result


def reminders_dispatch_due(*, now: datetime | None = None) -> ClaimResult:
    """The beat job: claim what is due and enqueue it in batches once the claim committed."""
    from plans.tasks import send_reminder_batch

    config = ReminderSettings.current()
    with transaction.atomic():
        result = reminders_claim_due(now=now)
        batches = result.batches(config.batch_size)

        def enqueue() -> None:
            for batch in batches:
                send_reminder_batch.delay(batch)

        # robust: a broker outage must not undo the claim; the lease brings the rows back
        transaction.on_commit(enqueue, robust=True)
    return result


# --- sending -------------------------------------------------------------------------------


@dataclass
class BatchResult:
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    retrying: int = 0

    def __add__(self, other: BatchResult) -> BatchResult:
        return BatchResult(
            self.sent + other.sent,
            self.skipped + other.skipped,
            self.failed + other.failed,
            self.retrying + other.retrying,
        )


# Refusals of the session rather than of a recipient (connecting, greeting, signing in, our
# sender address): every message would fail alike, so none of them is a verdict on a reminder.
SESSION_REFUSALS = (
    smtplib.SMTPConnectError,
    smtplib.SMTPHeloError,
    smtplib.SMTPAuthenticationError,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPNotSupportedError,
)


def _connection_lost(exc: Exception) -> bool:
    """Whether the error leaves no usable connection (the server closing with 421 included),
    or none worth using (the session itself was refused)."""
    if isinstance(exc, SESSION_REFUSALS):
        return True
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return any(code == 421 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code == 421
    return True  # disconnected, a socket error or timeout, or an unanswered end of data


def _is_permanent(exc: Exception) -> bool:
    if isinstance(exc, SESSION_REFUSALS):
        return False  # retried with backoff while its catch-up lasts (`_retry_later`)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return False


def _skip_reason(reminder: Reminder, config: ReminderSettings, now: datetime) -> str | None:
    milestone = reminder.milestone
    plan = milestone.plan
    profile = profile_for_user(user=plan.owner)
    if reminder.scheduled_for < now - config.catch_up:
        return SKIP_TOO_LATE
    if milestone.done_at is not None:
        return SKIP_MILESTONE_DONE
    if milestone.due_on != reminder.due_on:
        return SKIP_MILESTONE_MOVED
    if milestone.due_on < owners_today(profile, now):
        return SKIP_DATE_PASSED  # sent late (the catch-up) past its day: nothing left to remind
    if milestone.item is not None and milestone.item.status == PlanItem.Status.SKIPPED:
        return SKIP_ITEM_SKIPPED
    if plan.status != Plan.Status.ACTIVE:
        return SKIP_PLAN_INACTIVE
    if not profile.reminders_enabled:
        return SKIP_OPTED_OUT
    if reminder.offset_days not in set(_offsets_for(milestone, profile, config)):
        return SKIP_OFFSET_DROPPED
    if (
        settings.ACCOUNT_EMAIL_VERIFICATION == "mandatory"
        and not EmailAddress.objects.filter(
            user=plan.owner, email__iexact=plan.owner.email, verified=True
        ).exists()
    ):
        return SKIP_UNVERIFIED
    return None


def _finish(reminder: Reminder, status: str, detail: str = "", **fields) -> None:
    reminder.status = status
    reminder.detail = detail[:300]
    for name, value in fields.items():
        setattr(reminder, name, value)
    # Only what a send changes: a full-row UPDATE per reminder costs a batch more than it needs.
    reminder.save(update_fields=["status", "detail", "attempts", *fields])


def _retry_later(
    reminder: Reminder,
    error: str,
    config: ReminderSettings,
    now: datetime,
    *,
    its_own: bool = True,
    **fields,
) -> bool:
    """Back to pending with backoff; False when it has had its attempts and is now failed.
    A failure that is not `its_own` (the mail server down, unreachable or refusing our
    session) never fails it: it waits, with the backoff capped, for as long as its catch-up
    lasts (then the scan skips it as too late). An outage is no verdict on a reminder."""
    reminder.attempts += 1
    if its_own and reminder.attempts >= config.max_attempts:
        _finish(
            reminder,
            Reminder.Status.FAILED,
            FAIL_GAVE_UP.format(attempts=reminder.attempts, error=error),
            **fields,
        )
        return False
    delay = retry_delay(
        attempts=reminder.attempts,
        base_seconds=config.retry_base_seconds,
        cap_seconds=config.retry_cap_seconds,
    )
    _finish(
        reminder,
        Reminder.Status.PENDING,
        error,
        next_attempt_at=now + delay,
        claimed_at=None,
        **fields,
    )
    return True


# Reminders whose milestone, plan, owner and profile are read in one query while sending.
SEND_CONTEXT_CHUNK = 50
_SEND_CONTEXT = ("milestone__plan__owner__profile", "milestone__item", "user")


def _send_context(reminder_ids: list[int]) -> dict[int, Reminder]:
    """The rows of up to SEND_CONTEXT_CHUNK reminders with everything `_skip_reason` and the
    email read, in one query (not locked: see `_lock_queued`)."""
    rows = Reminder.objects.select_related(*_SEND_CONTEXT).filter(pk__in=reminder_ids)
    return {reminder.pk: reminder for reminder in rows}


def _lock_queued(reminder_id: int, context: dict[int, Reminder]) -> Reminder | None:
    """Lock the reminder's row if no one else holds it; return it if it is still queued, with
    its milestone, plan, owner and profile taken from `context`.

    The lock is one primary-key lookup of the reminder alone. Joining the five related tables
    into it made each lock cost ~3 ms of worker CPU and ~1 ms of planning in PostgreSQL, per
    reminder; and with `status = 'queued'` in its WHERE clause PostgreSQL could answer from the
    partial index `reminder_inflight_claim_idx` and filter every queued row for the id (10,000
    queued: ~17 ms a lock). The related rows were never locked anyway: they are read for the
    whole chunk at most SEND_CONTEXT_CHUNK sends before, well under a second.
    """
    reminder = Reminder.objects.select_for_update(skip_locked=True).filter(pk=reminder_id).first()
    if reminder is None or reminder.status != Reminder.Status.QUEUED:
        return None
    known = context.get(reminder_id)
    if known is None:  # queued after the chunk was read: read its context now
        known = Reminder.objects.select_related(*_SEND_CONTEXT).get(pk=reminder_id)
    reminder.milestone = known.milestone
    reminder.user = known.user
    return reminder


def reminders_send_batch(*, reminder_ids: list[int], now: datetime | None = None) -> BatchResult:
    """Send the given queued reminders over one SMTP connection, each committed `sent` at the
    SMTP commit point (just before the end of its message); see the module docstring."""
    from plans.emails import reminder_email

    config = ReminderSettings.current()
    now = now or timezone.now()
    result = BatchResult()
    mail = MailSession()
    lost: str | None = None  # the connection is gone: the rest of the batch waits
    try:
        context: dict[int, Reminder] = {}
        for index, reminder_id in enumerate(reminder_ids):
            if index % SEND_CONTEXT_CHUNK == 0:
                context = _send_context(reminder_ids[index : index + SEND_CONTEXT_CHUNK])
            # durable: the commit below must be a real one, never a savepoint of a caller's
            # transaction (the end of the message follows it)
            with transaction.atomic(durable=True):
                reminder = _lock_queued(reminder_id, context)
                if reminder is None:
                    continue  # done by another delivery of this batch, or deleted
                if lost is not None:
                    result.retrying += _retry_later(reminder, lost, config, now, its_own=False)
                    continue
                try:
                    reason = _skip_reason(reminder, config, now)
                    if reason is None:
                        message = reminder_email(reminder, now=now)
                        mail.stage(message)
                except (smtplib.SMTPException, OSError) as exc:
                    # Nothing was written in this transaction yet: the refusal is recorded in
                    # it, under the same lock, and the server has dropped the message.
                    lost = _record_refusal(reminder, exc, config, now, result)
                    continue
                except DatabaseError:
                    raise  # the transaction is unusable; the lease brings the rows back
                except SoftTimeLimitExceeded:
                    # the task's time is up: stop before its hard limit kills it mid-send; this
                    # row (rolled back) and the rest stay queued, and the lease brings them back
                    raise
                except Exception as exc:
                    # A reminder that cannot be prepared (a template or an address that
                    # cannot be encoded) is retried with backoff, then given up; the batch
                    # goes on without it.
                    logger.exception("reminder %s could not be prepared", reminder.pk)
                    mail.abort()
                    error = f"{type(exc).__name__}: {exc}"
                    if _retry_later(reminder, error, config, now):
                        result.retrying += 1
                    else:
                        result.failed += 1  # given up
                    continue
                if reason is not None:
                    _finish(reminder, Reminder.Status.SKIPPED, reason)
                    result.skipped += 1
                    continue
                attempts_before = reminder.attempts
                _finish(
                    reminder,
                    Reminder.Status.SENT,
                    sent_at=timezone.now(),
                    attempts=attempts_before + 1,
                    recipient=message.to[0],
                    message_id=message.extra_headers["Message-ID"],
                )
            # Committed: the point of no return. Now the server may have the message.
            try:
                mail.release()
            except EndOfDataUnanswered as exc:
                logger.warning("reminder %s: no reply to the end of data: %s", reminder.pk, exc)
                lost = f"{type(exc).__name__}: {exc}"
                reminder.detail = SENT_UNANSWERED.format(error=exc)[:300]
                reminder.save(update_fields=["detail"])
                result.sent += 1
            except (smtplib.SMTPException, OSError) as exc:
                # a sent row is no one else's to change: no lock
                with transaction.atomic(durable=True):
                    reminder.attempts = attempts_before
                    lost = _record_refusal(reminder, exc, config, now, result, sent_at=None)
            else:
                result.sent += 1
    finally:
        mail.close()
    return result


def _record_refusal(
    reminder: Reminder,
    exc: Exception,
    config: ReminderSettings,
    now: datetime,
    result: BatchResult,
    **fields,
) -> str | None:
    """Record a message the mail server refused or never got: `failed` when refused for good,
    otherwise back to pending with backoff. Returns the error when the connection is gone
    (the rest of the batch then waits too), else None."""
    error = f"{type(exc).__name__}: {exc}"
    if _is_permanent(exc):
        attempts = reminder.attempts + 1
        _finish(reminder, Reminder.Status.FAILED, error, attempts=attempts, **fields)
        result.failed += 1
    else:
        logger.warning("reminder %s: transient SMTP failure: %s", reminder.pk, error)
        if _retry_later(reminder, error, config, now, its_own=not _connection_lost(exc), **fields):
            result.retrying += 1
        else:
            result.failed += 1  # given up
    return error if _connection_lost(exc) else None


def reminders_send_due_now(*, now: datetime | None = None) -> tuple[ClaimResult, BatchResult]:
    """Claim and send synchronously, batch by batch (the `send_due_reminders` command)."""
    config = ReminderSettings.current()
    claim = reminders_claim_due(now=now)
    total = BatchResult()
    for batch in claim.batches(config.batch_size):
        total = total + reminders_send_batch(reminder_ids=batch, now=now)
    return claim, total


# --- unsubscribe ---------------------------------------------------------------------------


def unsubscribe_token(*, user: User) -> str:
    """A signed, non-expiring token naming the user: it cannot be forged or re-pointed."""
    return signing.dumps({"u": user.pk}, salt=UNSUBSCRIBE_SALT, compress=True)


def user_for_unsubscribe_token(*, token: str) -> User | None:
    try:
        payload = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict):
        return None
    return User.objects.filter(pk=payload.get("u"), is_active=True).first()


@transaction.atomic
def reminders_unsubscribe(*, user: User) -> None:
    """Turn reminder emails off for the user and drop every pending one."""
    profile = profile_for_user(user=user)
    if profile.reminders_enabled:
        profile.reminders_enabled = False
        profile.save(update_fields=["reminders_enabled", "updated_at"])
    Reminder.objects.filter(user=user, status=Reminder.Status.PENDING).delete()
