"""gunicorn settings from the environment (shared by `make run`, the Dockerfile and compose)."""

import os


def _cores() -> int:
    """The cores this process may run on: its CPU set (a container's, when it has one). A CPU
    quota (`docker run --cpus`, Kubernetes limits) is not counted: set WEB_CONCURRENCY there
    (docker-compose.yml does)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


bind = f"{os.environ.get('BIND', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"


# Two sync workers per core: while one waits on PostgreSQL (a plan create's commit waits for
# the log to reach the disk) another uses the core. gunicorn's docs start from 2 x cores + 1;
# bench/RESULTS.md ("Worker count, the writes' store, and where the plan goals stand, seventh
# round") measured 2 against 4 on 2 cores.
def default_workers() -> int:
    """The worker count when WEB_CONCURRENCY names none (bench/api.py reads it here too)."""
    return 2 * _cores()


workers = int(os.environ.get("WEB_CONCURRENCY") or default_workers())
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = max_requests // 10
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
