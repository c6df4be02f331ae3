"""Drill: PostgreSQL restarted during a write load.

    .venv/bin/python bench/drills/pg_restart.py [--before 5] [--after 15] [--writers 4]

Serves the API with gunicorn (production settings, persistent connections with health checks)
on a throwaway database; WRITERS threads each create milestones on their own plan, each with a
unique title, as fast as answers come; a probe polls /readyz. After --before seconds the
cluster is restarted (`pg_ctlcluster --skip-systemctl-redirect 15 main restart`); the load
runs --after seconds more, without touching gunicorn. Then it counts: requests sent,
acknowledged (201), rows present afterwards, acknowledged-but-missing (must be 0), errors by
kind, 5xx bodies carrying a stack trace (must be 0), the /readyz transitions, and whether
writes succeeded again after the restart (recovery without a restart of the app).
"""

from __future__ import annotations

import argparse
import http.client
import json
import threading
import time

import common


def writer(index: int, token: str, plan_id: str, tally: common.Tally, stop: threading.Event):
    connection = http.client.HTTPConnection("127.0.0.1", common.PORT, timeout=15)
    n = 0
    while not stop.is_set():
        key = f"drill-{index}-{n}"
        n += 1
        body = {"title": key, "due_on": "2027-06-01"}
        try:
            status, _, data = common.request(
                "POST", f"/api/v1/plans/{plan_id}/milestones/", body, token, connection
            )
            tally.record(key, status, data)
            if status >= 500:
                tally.last_5xx = data[:300]
        except (OSError, http.client.HTTPException) as exc:
            tally.record(key, None, b"", kind=type(exc).__name__)
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", common.PORT, timeout=15)
            time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", type=float, default=5)
    parser.add_argument("--after", type=float, default=15)
    parser.add_argument("--writers", type=int, default=4)
    args = parser.parse_args()

    with common.services_restored():
        common.prepare_database()
        emails = common.create_users(args.writers)
        env = common.environment()
        with common.gunicorn(env):
            common.wait_until_up()
            tokens = [common.login(email) for email in emails]
            plans = [common.create_plan(token) for token in tokens]
            tally, stop, probe_stop = common.Tally(), threading.Event(), threading.Event()
            tally.last_5xx = b""
            ready = common.Timeline()
            threads = [
                threading.Thread(target=writer, args=(i, tokens[i], plans[i], tally, stop))
                for i in range(args.writers)
            ]
            prober = threading.Thread(target=common.probe, args=("/readyz", ready, probe_stop))
            prober.start()
            for thread in threads:
                thread.start()
            time.sleep(args.before)
            restart_at = time.monotonic() - ready.started
            restart_seconds = common.restart_postgres()
            sent_at_restart_end = tally.sent
            acked_at_restart_end = tally.acknowledged
            time.sleep(args.after)
            stop.set()
            for thread in threads:
                thread.join()
            probe_stop.set()
            prober.join()
            acked_after_restart = tally.acknowledged - acked_at_restart_end
            # recovery: the app answers 201 again, still the same gunicorn processes
            status, _, _ = common.request(
                "POST",
                f"/api/v1/plans/{plans[0]}/milestones/",
                {"title": "after-drill", "due_on": "2027-06-01"},
                tokens[0],
            )

        titles = set(
            common.psql(
                "SELECT title FROM plans_milestone WHERE title LIKE 'drill-%'",
                database=common.DB_NAME,
            ).split()
        )
    missing = tally.acknowledged_keys - titles
    unacknowledged_present = (titles - tally.acknowledged_keys) & tally.attempted_keys
    result = {
        "requests_sent": tally.sent,
        "acknowledged_201": tally.acknowledged,
        "present_afterwards": len(titles),
        "acknowledged_but_missing": len(missing),
        "failed_but_present": len(unacknowledged_present),
        "errors_by_kind": dict(tally.errors),
        "error_bodies_with_stack_trace": tally.tracebacks,
        "restart_began_at_s": round(restart_at, 2),
        "restart_took_s": round(restart_seconds, 2),
        "sent_until_restart_returned": sent_at_restart_end,
        "acknowledged_after_restart": acked_after_restart,
        "readyz_transitions": ready.transitions(),
        "write_after_drill": status,
        "example_error_body": tally.last_5xx.decode(errors="replace"),
    }
    print(json.dumps(result, indent=2))
    common.append_results(
        "PostgreSQL restarted during a write load",
        [
            f"- Load: {args.writers} writer threads (POST milestones, one plan each) against "
            f"gunicorn (2 sync workers, production settings); restart after {args.before} s, "
            f"load {args.after} s more.",
            f"- Requests sent: **{tally.sent}**; acknowledged (201): **{tally.acknowledged}**; "
            f"rows present afterwards: **{len(titles)}**; acknowledged but missing: "
            f"**{len(missing)}**; failed but present (committed, answer lost): "
            f"{len(unacknowledged_present)}.",
            f"- Errors by kind: {dict(tally.errors) or 'none'}; error bodies with a stack "
            f"trace: {tally.tracebacks}.",
            f"- Restart took {restart_seconds:.1f} s; acknowledged writes after it: "
            f"{acked_after_restart}; a write after the drill, same gunicorn: {status}.",
            f"- /readyz (seconds since start, status): {ready.transitions()}.",
        ],
    )


if __name__ == "__main__":
    main()
