"""Drill: a sustained mixed load with zero errors and a bounded number of DB connections.

    .venv/bin/python bench/drills/sustained_load.py [--seconds 60] [--clients 8]

gunicorn (production settings, 2 sync workers, persistent connections) on a throwaway
database; CLIENTS keep-alive clients on threads, each signed in as its own user, loop over a
mix of catalogue reads, plan reads and milestone writes for --seconds. Every second the number
of server connections to the database (pg_stat_activity) is sampled. Reports requests,
throughput, p50/p99 latency, errors by kind, and the peak connection count (bounded by the
worker count, plus this script's own sampling connection).
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import threading
import time

import common

READS = ["/api/v1/roles/medical-coder/", "/api/v1/certifications/", "/api/v1/roles/"]


def client(index, token, plan_id, seconds, tally, latencies, lock):
    connection = http.client.HTTPConnection("127.0.0.1", common.PORT, timeout=15)
    stop_at = time.monotonic() + seconds
    n, mine = 0, []
    while time.monotonic() < stop_at:
        step = n % 5
        n += 1
        if step < 3:
            method, path, body = "GET", READS[(n + index) % len(READS)], None
        elif step == 3:
            method, path, body = "GET", f"/api/v1/plans/{plan_id}/", None
        else:
            method, path = "POST", f"/api/v1/plans/{plan_id}/milestones/"
            body = {"title": f"load-{index}-{n}", "due_on": "2027-06-01"}
        started = time.perf_counter()
        try:
            status, _, data = common.request(method, path, body, token, connection)
            tally.record(None, status, data)
        except (OSError, http.client.HTTPException) as exc:
            tally.record(None, None, b"", kind=type(exc).__name__)
            connection = http.client.HTTPConnection("127.0.0.1", common.PORT, timeout=15)
            continue
        mine.append(time.perf_counter() - started)
    with lock:
        latencies.extend(mine)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()

    with common.services_restored():
        common.prepare_database()
        emails = common.create_users(args.clients)
        env = common.environment()
        with common.gunicorn(env):
            common.wait_until_up()
            tokens = [common.login(email) for email in emails]
            plans = [common.create_plan(token) for token in tokens]
            tally, latencies, lock = common.Tally(), [], threading.Lock()
            connections: list[int] = []
            threads = [
                threading.Thread(
                    target=client,
                    args=(i, tokens[i], plans[i], args.seconds, tally, latencies, lock),
                )
                for i in range(args.clients)
            ]
            started = time.monotonic()
            for thread in threads:
                thread.start()
            while any(t.is_alive() for t in threads):
                connections.append(common.pg_connections() - 1)  # minus the sampler's own
                time.sleep(1)
            elapsed = time.monotonic() - started
            workers = int(env["WEB_CONCURRENCY"])

    latencies.sort()
    result = {
        "seconds": round(elapsed, 1),
        "clients": args.clients,
        "requests": tally.sent,
        "requests_per_second": round(tally.sent / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1),
        "errors_by_kind": dict(tally.errors),
        "db_connections_peak": max(connections),
        "db_connections_samples": len(connections),
        "gunicorn_workers": workers,
    }
    print(json.dumps(result, indent=2))
    common.append_results(
        f"Sustained load, {args.seconds:.0f} s",
        [
            f"- {args.clients} keep-alive clients, each its own user: 3 catalogue reads, 1 plan "
            "read, 1 milestone write per 5 requests; gunicorn 2 sync workers, production "
            "settings, persistent connections (CONN_MAX_AGE 60, health checks).",
            f"- Requests: **{tally.sent}** in {elapsed:.1f} s "
            f"(**{tally.sent / elapsed:.0f} req/s**), p50 {result['p50_ms']} ms, "
            f"p99 {result['p99_ms']} ms.",
            f"- Errors: **{sum(tally.errors.values())}** {dict(tally.errors) or ''}.",
            f"- Database connections held by the app, sampled each second: peak "
            f"**{max(connections)}** for {workers} workers ({len(connections)} samples).",
        ],
    )


if __name__ == "__main__":
    main()
