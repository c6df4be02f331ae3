"""Milliseconds per request in-process, on the database `make bench` built:

    python -m bench.inprocess [requests]

Each scenario goes through Django's whole stack (middleware, DRF, queries) with Django's test
client, production settings and the Redis cache of `make bench`, with a session token; the
baselines of bench/views.py in the same sitting. No server, no load generator: these figures
isolate the application's own cost (what bench/RESULTS.md "API: what was changed" quotes),
where `make bench` measures throughput. Prints a table; writes nothing.
"""

from __future__ import annotations

import json
import os
import sys
import time

from bench.common import VAR
from bench.profile import newest_plan, session_token, setup_django

CREATE = {
    "target_role": "medical-coder",
    "training_path": "coder-prep-path",
    "start_date": "2027-01-04",
}


def main() -> int:
    args = [arg for arg in sys.argv[1:] if not arg.startswith("--")]
    count = int(args[0]) if args else 200
    setup_django(
        CACHE_URL=f"redis://127.0.0.1:6379/{os.environ.get('BENCH_REDIS_DB', '13')}",
        BENCH_PAYLOAD_DIR=str(VAR / "payloads"),
    )
    from django.test import Client

    reader, writer = session_token(1), session_token(2)  # plans created by user 2 only
    plan = newest_plan(1)
    get = {
        "bare JsonResponse (as role list)": ("/bench/bare/role-list/", ""),
        "one primary-key query": ("/bench/pk/?id=3", ""),
        "role list": ("/api/v1/roles/", reader),
        "role detail": ("/api/v1/roles/medical-coder/", reader),
        "training path detail": ("/api/v1/training-paths/coder-prep-path/", reader),
        "plan list": ("/api/v1/plans/", reader),
        "plan detail (50 items, 20 milestones)": (f"/api/v1/plans/{plan}/", reader),
    }
    client = Client(HTTP_HOST="127.0.0.1")
    rows = []
    for label, (path, token) in get.items():
        headers = {"HTTP_X_SESSION_TOKEN": token} if token else {}

        def request(path=path, headers=headers):
            return client.get(path, HTTP_ACCEPT="application/json", **headers)

        rows.append((label, _time(request, count, 200)))

    def create():
        body = json.dumps(CREATE)
        return client.post(
            "/api/v1/plans/", body, content_type="application/json", HTTP_X_SESSION_TOKEN=writer
        )

    rows.append(("plan create", _time(create, max(count // 5, 10), 201)))
    print(f"{'scenario':40s} ms per request ({count} requests each, plan create {count // 5})")
    for label, ms in rows:
        print(f"{label:40s} {ms:6.2f}")
    return 0


def _time(request, count: int, expected: int) -> float:
    for _ in range(5):  # warm-up: connections, caches, compiled queries
        response = request()
        assert response.status_code == expected, (response.status_code, response.content[:300])
    started = time.perf_counter()
    for _ in range(count):
        request()
    return (time.perf_counter() - started) / count * 1000


if __name__ == "__main__":
    raise SystemExit(main())
