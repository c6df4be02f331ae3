"""Liveness and readiness probes for load balancers and orchestrators (outside the API)."""

import logging

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection

logger = logging.getLogger(__name__)

BROKER_CONNECT_TIMEOUT_SECONDS = 2


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_broker() -> None:
    broker = Connection(
        settings.CELERY_BROKER_URL,
        transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        connect_timeout=BROKER_CONNECT_TIMEOUT_SECONDS,
    )
    try:
        broker.ensure_connection(max_retries=1, interval_start=0, interval_step=0)
    finally:
        broker.release()


READINESS_CHECKS = {"database": check_database, "broker": check_broker}


@never_cache
@require_GET
def healthz(request):
    """Liveness: the process answers. No I/O, so a slow database never restarts the web."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    """Readiness: 200 when the database and the broker answer, else 503 naming what is down."""
    checks: dict[str, str] = {}
    for name, check in READINESS_CHECKS.items():
        try:
            check()
        except Exception as exc:  # any failure means "not ready"; the kind is reported
            logger.warning("readiness check %s failed: %r", name, exc)
            checks[name] = f"down: {type(exc).__name__}"
        else:
            checks[name] = "ok"
    down = [name for name, state in checks.items() if state != "ok"]
    body = {"status": "unavailable" if down else "ok", "down": down, "checks": checks}
    return JsonResponse(body, status=503 if down else 200)
