from celery import shared_task


@shared_task(name="plans.purge_idempotency_records")
def purge_idempotency_records() -> int:
    """Forget stored responses older than the replay window (beat runs this hourly)."""
    from plans.services import idempotency_records_purge

    return idempotency_records_purge()
