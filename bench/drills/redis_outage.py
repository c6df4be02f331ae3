"""Drill: Redis stopped while the API serves reads and writes; reminders due meanwhile are sent
once when it returns.

    .venv/bin/python bench/drills/redis_outage.py [--outage 60] [--users 4]

Runs gunicorn, a Celery worker and beat (production settings, Redis broker/results/cache on
their own Redis databases), with a real SMTP sink (aiosmtpd) in this process, and the reminder
scan every 5 s. Then:

1. before: each user has a plan with a milestone (its reminder not yet due), and a second
   plan that the load writes to;
2. `redis-cli shutdown nosave`; for --outage seconds clients keep reading (catalogue, plans)
   and writing (milestones), counted by outcome; the reminders of the milestones made before
   the outage are made due now (their send time moved into the window, in PostgreSQL), so they
   fall due while no task can be enqueued;
3. Redis is started again (`redis-server --daemonize yes ... --save "" --appendonly no`);
   the drill waits until every due reminder is `sent`, and checks the SMTP sink received each
   one exactly once (Message-ID) and nothing during the outage.
"""

from __future__ import annotations

import argparse
import http.client
import json
import threading
import time
from collections import Counter

import common

SCAN_EVERY_SECONDS = 5


class Sink:
    def __init__(self) -> None:
        self.messages: list[tuple[float, str]] = []

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((time.monotonic(), str(message["Message-ID"])))
        return "250 Message accepted for delivery"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def load(index, token, plan_id, tally, stop):
    connection = http.client.HTTPConnection("127.0.0.1", common.PORT, timeout=15)
    n = 0
    while not stop.is_set():
        n += 1
        if n % 3 == 0:
            method, path = "POST", f"/api/v1/plans/{plan_id}/milestones/"
            body = {"title": f"outage-{index}-{n}", "due_on": "2027-06-01"}
        else:
            method, path, body = "GET", ("/api/v1/roles/", f"/api/v1/plans/{plan_id}/")[n % 2], None
        try:
            status, _, data = common.request(method, path, body, token, connection)
            tally.record(None, status, data, kind=f"{method} HTTP {status}")
        except (OSError, http.client.HTTPException) as exc:
            tally.record(None, None, b"", kind=type(exc).__name__)
            connection = http.client.HTTPConnection("127.0.0.1", common.PORT, timeout=15)
        time.sleep(0.02)


def reminder_counts() -> Counter:
    rows = common.psql(
        "SELECT status, count(*) FROM plans_reminder GROUP BY status", database=common.DB_NAME
    )
    return Counter({line.split("|")[0]: int(line.split("|")[1]) for line in rows.splitlines()})


def main() -> None:
    from aiosmtpd.controller import Controller

    parser = argparse.ArgumentParser()
    parser.add_argument("--outage", type=float, default=60)
    parser.add_argument("--users", type=int, default=4)
    args = parser.parse_args()

    sink = Sink()
    smtp_port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        with common.services_restored():
            common.prepare_database()
            common.psql(
                f"UPDATE django_celery_beat_intervalschedule SET every = {SCAN_EVERY_SECONDS} "
                "WHERE id IN (SELECT interval_id FROM django_celery_beat_periodictask "
                "WHERE task = 'plans.scan_due_reminders')",
                database=common.DB_NAME,
            )
            emails = common.create_users(args.users)
            env = common.environment(EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}")
            celery = str(common.BIN / "celery")
            with (
                common.gunicorn(env),
                common.process(
                    [celery, "--app", "careerplan", "worker", "--concurrency", "2", "-l", "INFO"],
                    env,
                    "worker",
                ),
                common.process(
                    [
                        celery,
                        "--app",
                        "careerplan",
                        "beat",
                        "-l",
                        "INFO",
                        "--schedule",
                        str(common.VAR_DIR / "beat-schedule"),
                    ],
                    env,
                    "beat",
                ),
            ):
                common.wait_until_up()
                tokens = [common.login(email) for email in emails]
                # the load writes to its own plans: a write re-arms its plan's reminders
                # (re-timing pending ones to their milestone), which would undo "due now"
                reminder_plans = [common.create_plan(token) for token in tokens]
                plans = [common.create_plan(token) for token in tokens]
                for i, (token, plan_id) in enumerate(zip(tokens, reminder_plans, strict=True)):
                    status, _, _ = common.request(
                        "POST",
                        f"/api/v1/plans/{plan_id}/milestones/",
                        {"title": f"due-in-outage-{i}", "due_on": "2027-06-01"},
                        token,
                    )
                    assert status == 201, status
                time.sleep(SCAN_EVERY_SECONDS * 2)  # a scan or two with nothing due
                sent_before = len(sink.messages)

                tally, stop = common.Tally(), threading.Event()
                threads = [
                    threading.Thread(target=load, args=(i, tokens[i], plans[i], tally, stop))
                    for i in range(args.users)
                ]
                common.stop_redis()
                outage_started = time.monotonic()
                for thread in threads:
                    thread.start()
                # the reminders of the "due-in-outage" milestones fall due now, mid-outage
                due = int(
                    common.psql(
                        "WITH due AS (UPDATE plans_reminder r SET scheduled_for = now(), "
                        "next_attempt_at = now() FROM plans_milestone m "
                        "WHERE r.milestone_id = m.id AND m.title LIKE 'due-in-outage-%' "
                        "AND r.status = 'pending' RETURNING r.id) SELECT count(*) FROM due",
                        database=common.DB_NAME,
                    )
                )
                time.sleep(args.outage)
                stop.set()
                for thread in threads:
                    thread.join()
                sent_during = len(sink.messages) - sent_before
                common.ensure_redis()
                outage_seconds = time.monotonic() - outage_started
                restored = time.monotonic()
                deadline = restored + 120
                while time.monotonic() < deadline:
                    counts = reminder_counts()
                    if counts.get("sent", 0) >= due:
                        break
                    time.sleep(1)
                time.sleep(SCAN_EVERY_SECONDS * 2)  # later scans must not send them again
                counts = reminder_counts()
                seconds_to_send = (
                    round(max(t for t, _ in sink.messages) - restored, 1) if sink.messages else None
                )
                readyz = common.request("GET", "/readyz")[0]
    finally:
        controller.stop()

    ids = Counter(message_id for _, message_id in sink.messages)
    duplicates = sum(n - 1 for n in ids.values() if n > 1)
    result = {
        "outage_seconds": round(outage_seconds, 1),
        "requests_during_outage": tally.sent,
        "acknowledged_2xx": tally.acknowledged,
        "errors_by_kind": dict(tally.errors),
        "reminders_due_in_window": due,
        "emails_sent_during_outage": sent_during,
        "emails_after": len(sink.messages) - sent_before - sent_during,
        "duplicate_message_ids": duplicates,
        "reminder_status_after": dict(counts),
        "seconds_from_redis_back_to_last_email": seconds_to_send,
        "readyz_after": readyz,
    }
    print(json.dumps(result, indent=2))
    common.append_results(
        "Redis stopped while serving",
        [
            f"- Redis down for **{outage_seconds:.0f} s** (`redis-cli shutdown nosave`, then "
            "`redis-server --daemonize yes ...`); gunicorn 2 workers, Celery worker and beat "
            "(scan every 5 s), real SMTP sink; cache, broker and results all on that Redis.",
            f"- During the outage: **{tally.sent}** requests (2/3 reads of the catalogue and "
            f"plans, 1/3 milestone writes), **{tally.acknowledged}** answered 2xx; errors: "
            f"{dict(tally.errors) or 'none'}.",
            f"- Reminders made due inside the window: **{due}**; emails sent during the outage: "
            f"{sent_during}; sent after Redis returned: "
            f"**{len(sink.messages) - sent_before - sent_during}**, duplicate Message-IDs: "
            f"**{duplicates}**; last one {seconds_to_send} s after Redis was back.",
            f"- Reminder rows afterwards: {dict(counts)}; /readyz afterwards: {readyz}.",
        ],
    )


if __name__ == "__main__":
    main()
