"""Celery tasks: thin, ids in, the work is in plans.reminders / plans.services."""

from celery import shared_task


@shared_task(name="plans.scan_due_reminders")
def scan_due_reminders() -> dict:
    """Beat, every few minutes: claim the due reminders and enqueue them in batches."""
    from plans.reminders import reminders_dispatch_due

    result = reminders_dispatch_due()
    return {
        "claimed": len(result.claimed),
        "too_late": result.too_late,
        "recovered": result.recovered,
    }


@shared_task(name="plans.send_reminder_batch", acks_late=True)
def send_reminder_batch(reminder_ids: list[int]) -> dict:
    """Send one batch. Redelivery is harmless: rows already sent are no longer `queued`.
    Failed sends are rescheduled in the database with backoff, not retried with an ETA."""
    from plans.reminders import reminders_send_batch

    result = reminders_send_batch(reminder_ids=reminder_ids)
    return vars(result)


@shared_task(name="plans.purge_idempotency_records")
def purge_idempotency_records() -> int:
    """Forget stored responses older than the replay window (beat runs this hourly)."""
    from plans.services import idempotency_records_purge

    return idempotency_records_purge()
