"""Reminder dispatch benchmark (issue 6): `make bench-reminders`, or `python -m bench.reminders`.

On a PostgreSQL database of its own (careerplan_bench_reminders, dropped and recreated):
1. builds 100,000 users, each with one plan of 10 milestones (1,000,000 milestones) and one
   armed, pending reminder per milestone; exactly 10,000 of them due now, the rest in the
   coming year. Set-based SQL (INSERT ... SELECT generate_series), then ANALYZE.
2. times the real `reminders_claim_due` claiming the 10,000 (each run rolled back), and runs
   EXPLAIN (ANALYZE, BUFFERS) on the exact SQL it sent: an index scan, no Seq Scan on
   plans_reminder or plans_milestone (asserted).
3. delivers the 10,000 through `reminders_dispatch_due()` -> Redis -> a real
   `celery -A careerplan worker` process (prefork, BENCH_WORKER_CONCURRENCY processes) -> an
   SMTP sink in its own process (bench/smtp_sink.py), counting the task messages published,
   sampling the worker's RSS, and checking every reminder is `sent` once and the sink got
   10,000 distinct Message-IDs.
4. crash drill: the same 10,000 due again; the worker is killed with SIGKILL mid-batch twice
   (when the sink has 2,500 and then 6,000 messages), restarted each time, and after the lease
   (REMINDER_LEASE_SECONDS, small here) the scan runs again. Every reminder must end `sent`,
   and the sink must hold exactly 10,000 messages with 10,000 distinct Message-IDs, those the
   database recorded: duplicates and missing ones are counted and reported.
Writes the "Reminder dispatch" section of bench/RESULTS.md and prints it.

Environment: BENCH_REDIS_DB (default 13; this Redis database is flushed), BENCH_PG_ADMIN_URL,
BENCH_PG_URL_TEMPLATE (see bench/common.py).
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections import Counter
from contextlib import nullcontext
from datetime import UTC, datetime, timedelta

from bench.common import (
    PG_URL_TEMPLATE,
    VAR,
    RSSSampler,
    base_env,
    bulk_load,
    children_of,
    cpu_seconds,
    free_port,
    log,
    machine_facts,
    manage,
    recreate_database,
    start,
    stop,
    user_statements,
    wait_for_port,
    wait_until,
    write_section,
)

DB_NAME = "careerplan_bench_reminders"
USERS = 100_000
MILESTONES_PER_USER = 10
DUE = 10_000
CLAIM_RUNS = 3
WORKER_CONCURRENCY = int(os.environ.get("BENCH_WORKER_CONCURRENCY", "4"))
DRILL_LEASE_SECONDS = 10
# Sink counts at which the worker is killed (then restarted): about a quarter and 60 % in,
# each mid-way through batches.
DRILL_KILLS_AT = (2_500, 6_000)
DELIVERY_TIMEOUT = 180

TARGET_CLAIM_S = 2.0
TARGET_DELIVERY_S = 60.0
TARGET_MESSAGES = 25
TARGET_RSS_GROWTH_MIB = 10.0


# --- setup ---------------------------------------------------------------------------------


def configure(*, recreate: bool = True) -> tuple[dict[str, str], int]:
    redis_db = int(os.environ.get("BENCH_REDIS_DB", "13"))
    broker = f"redis://127.0.0.1:6379/{redis_db}"
    smtp_port = free_port()
    db_url = recreate_database(DB_NAME) if recreate else PG_URL_TEMPLATE.format(name=DB_NAME)
    env = base_env(
        DATABASE_URL=db_url,
        CELERY_BROKER_URL=broker,
        CELERY_RESULT_BACKEND=broker,
        EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
        EMAIL_TIMEOUT="10",
        ACCOUNT_EMAIL_VERIFICATION="optional",
    )
    import redis

    redis.Redis.from_url(broker).flushdb()
    os.environ.update(env)
    return env, smtp_port


def build_data(now: datetime) -> dict[str, float]:
    """Users, profiles, addresses, plans, milestones and pending reminders, set-based."""
    today = now.date()
    due_at = now - timedelta(minutes=1)
    statements = {
        **user_statements("UTC"),
        "plans": """
            INSERT INTO plans_plan (id, title, start_date, status, version, created_at,
                                    updated_at, owner_id, target_role_id)
            SELECT gen_random_uuid(), 'Coder plan ' || g, %(today)s, 'active', 1, now(), now(),
                   g, (SELECT id FROM roles_role WHERE slug = 'medical-coder')
            FROM generate_series(1, %(users)s) AS g""",
        "milestones": """
            INSERT INTO plans_milestone (kind, title, due_on, created_at, plan_id)
            SELECT 'custom', 'Milestone ' || (m + 1),
                   CASE WHEN m = 0 AND p.owner_id <= %(due)s THEN %(today)s
                        ELSE %(today)s + 1 + ((p.owner_id * 7 + m * 37) %% 365)::int END,
                   now(), p.id
            FROM plans_plan p CROSS JOIN generate_series(0, %(last_m)s) AS m
            ORDER BY p.owner_id, m""",
        "reminders": """
            INSERT INTO plans_reminder (offset_days, due_on, scheduled_for, next_attempt_at,
                                        status, attempts, recipient, message_id, detail,
                                        created_at, milestone_id, user_id)
            SELECT 0, s.due_on, s.send_at, s.send_at, 'pending', 0, '', '', '', now(),
                   s.id, s.owner_id
            FROM (
                SELECT ms.id, ms.due_on, p.owner_id,
                       CASE WHEN ms.due_on = %(today)s THEN %(due_at)s
                            ELSE (ms.due_on + time '09:00') AT TIME ZONE 'UTC' END AS send_at
                FROM plans_milestone ms JOIN plans_plan p ON p.id = ms.plan_id
                ORDER BY ms.id
            ) AS s""",
    }
    params = {
        "users": USERS,
        "due": DUE,
        "today": today,
        "due_at": due_at,
        "last_m": MILESTONES_PER_USER - 1,
    }
    return bulk_load(statements, params, "maintenance_work_mem = '256MB'")


def check_data(now: datetime) -> None:
    """The bulk rows are what the product's arming would have made, and exactly DUE are due."""
    from django.db import transaction

    from plans.models import Milestone, Plan, Reminder
    from plans.reminders import reminders_arm_for_plan

    assert Milestone.objects.count() == USERS * MILESTONES_PER_USER
    assert Reminder.objects.filter(status="pending").count() == USERS * MILESTONES_PER_USER
    assert Reminder.objects.filter(status="pending", next_attempt_at__lte=now).count() == DUE
    plan = Plan.objects.select_related("owner").get(owner_id=USERS)  # all in the future
    before = list(Reminder.objects.filter(milestone__plan=plan).values_list("pk", "scheduled_for"))
    with transaction.atomic():
        assert reminders_arm_for_plan(plan=plan, now=now) == MILESTONES_PER_USER
        after = list(
            Reminder.objects.filter(milestone__plan=plan).values_list("pk", "scheduled_for")
        )
        transaction.set_rollback(True)
    assert sorted(before) == sorted(after), "arming would change the bulk-built reminders"


# --- 1. the claim --------------------------------------------------------------------------


def measure_claim() -> dict:
    """Time the real claim (rolled back each time) and EXPLAIN the SQL it sent."""
    from django.db import connection, transaction

    from plans.reminders import reminders_claim_due

    captured: list[tuple[str, object]] = []

    def capture(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(("SELECT", "UPDATE")):
            captured.append((sql, params))
        return execute(sql, params, many, context)

    timings = []
    for run in range(CLAIM_RUNS):
        with transaction.atomic():
            wrapper = connection.execute_wrapper(capture) if run == 0 else nullcontext()
            with wrapper:
                started = time.perf_counter()
                result = reminders_claim_due()
                timings.append(time.perf_counter() - started)
            assert len(result.claimed) == DUE, f"claimed {len(result.claimed)}, not {DUE}"
            transaction.set_rollback(True)
    plans = []
    with transaction.atomic(), connection.cursor() as cursor:
        for sql, params in captured:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            plans.append((sql, "\n".join(row[0] for row in cursor.fetchall())))
        transaction.set_rollback(True)
    claim_sql, claim_plan = next((s, p) for s, p in plans if "SKIP LOCKED" in s)
    for _sql, plan in plans:
        for table in ("plans_reminder", "plans_milestone"):
            assert f"Seq Scan on {table}" not in plan, f"sequential scan of {table}:\n{plan}"
    assert "reminder_pending_due_idx" in claim_plan, claim_plan
    scan_nodes = [
        line.strip().removeprefix("->").strip().split("  (")[0]
        for line in claim_plan.splitlines()
        if "Scan" in line and "(cost=" in line
    ]
    return {
        "timings": timings,
        "scan_nodes": scan_nodes,
        "claim_sql": claim_sql,
        "claim_plan": claim_plan,
        "statements": len(plans),
    }


# --- 2. delivery ---------------------------------------------------------------------------


class Sink:
    """The SMTP sink process and the Message-IDs it has accepted."""

    def __init__(self, port: int, name: str) -> None:
        self.port = port
        self.path = VAR / f"{name}.msgids"
        self.path.unlink(missing_ok=True)
        self.path.touch()
        self.proc = start(
            [sys.executable, "-m", "bench.smtp_sink", "--port", str(port), "--out", str(self.path)],
            os.environ.copy(),
            VAR / f"{name}.log",
        )
        assert wait_for_port(port), "the SMTP sink did not start"

    def ids(self) -> list[str]:
        return self.path.read_text(encoding="ascii").splitlines()

    def count(self) -> int:
        with open(self.path, "rb") as handle:
            return handle.read().count(b"\n")

    def close(self) -> None:
        stop(self.proc)


def start_worker(env: dict[str, str], name: str) -> object:
    logfile = VAR / f"{name}.log"
    logfile.unlink(missing_ok=True)
    proc = start(
        [
            sys.executable,
            *("-m", "celery", "-A", "careerplan", "worker"),
            *("--pool", "prefork", "--concurrency", str(WORKER_CONCURRENCY)),
            *("--loglevel", "INFO", "-n", f"{name}@%h"),
            *("--without-gossip", "--without-mingle", "--without-heartbeat"),
        ],
        {**env, "LOG_LEVEL": "INFO"},
        logfile,
    )
    ready = wait_until(lambda: b" ready." in logfile.read_bytes(), timeout=60, interval=0.2)
    assert ready, f"the worker did not start: see {logfile}"
    return proc


class PublishCounter:
    """Counts `send_reminder_batch` messages this process publishes (Celery's signal)."""

    def __init__(self) -> None:
        from celery.signals import after_task_publish

        self.messages = 0
        self.ids = 0
        after_task_publish.connect(self.on_publish, weak=False)

    def on_publish(self, sender=None, body=None, **_kwargs) -> None:
        if sender == "plans.send_reminder_batch":
            self.messages += 1
            args = body[0] if isinstance(body, list | tuple) else body.get("args", [])
            self.ids += len(args[0])

    def reset(self) -> None:
        self.messages = self.ids = 0


def settled(ids: list[int]) -> bool:
    """Every row has reached a final state (sent, skipped or failed)."""
    from plans.models import Reminder

    open_states = ("pending", "queued")
    return not Reminder.objects.filter(pk__in=ids, status__in=open_states).exists()


def sent_count(ids: list[int]) -> int:
    from plans.models import Reminder

    return Reminder.objects.filter(pk__in=ids, status="sent").count()


def rss_summary(sampler: RSSSampler, root_pid: int, started: float, ended: float) -> list[dict]:
    """Per process: RSS once a fifth of the run had passed (after the first batches warmed
    it up), the peak, and at the end."""
    warm = started + (ended - started) / 5
    rows = []
    for pid, samples in sorted(sampler.samples.items()):
        during = [kib for at, kib in samples if started <= at <= ended]
        after_warm = [kib for at, kib in samples if at >= warm and at <= ended]
        if not during or not after_warm:
            continue
        rows.append(
            {
                "pid": pid,
                "role": "master" if pid == root_pid else "pool process",
                "start": during[0] / 1024,
                "warm": after_warm[0] / 1024,
                "peak": max(during) / 1024,
                "end": during[-1] / 1024,
                "samples": len(during),
            }
        )
    return rows


def deliver(env: dict[str, str], smtp_port: int, publishes: PublishCounter) -> dict:
    from plans.reminders import reminders_dispatch_due

    sink = Sink(smtp_port, "reminders-sink")
    worker = start_worker(env, "bench-reminders")
    try:
        publishes.reset()
        with RSSSampler(worker.pid) as sampler:
            time.sleep(1)  # an idle sample first
            cpu_before = {
                "worker": sum(cpu_seconds(pid) for pid in [worker.pid, *children_of(worker.pid)]),
                "sink": cpu_seconds(sink.proc.pid),
            }
            started = time.perf_counter()
            started_mono = time.monotonic()
            result = reminders_dispatch_due()
            dispatch_s = time.perf_counter() - started
            claimed = list(result.claimed)
            assert len(claimed) == DUE, f"claimed {len(claimed)}"
            delivered = wait_until(
                lambda: sink.count() >= DUE and sent_count(claimed) == DUE,
                timeout=DELIVERY_TIMEOUT,
                interval=0.05,
            )
            elapsed = time.perf_counter() - started
            ended_mono = time.monotonic()
            time.sleep(2)  # anything sent twice would arrive now
        worker_pids = [worker.pid, *children_of(worker.pid)]
        cpu = {
            "worker": sum(cpu_seconds(pid) for pid in worker_pids) - cpu_before["worker"],
            "sink": cpu_seconds(sink.proc.pid) - cpu_before["sink"],
        }
        assert delivered, f"only {sink.count()} delivered in {DELIVERY_TIMEOUT} s"
        ids = sink.ids()
        from plans.models import Reminder

        statuses = Counter(Reminder.objects.filter(pk__in=claimed).values_list("status", flat=True))
        message_ids = set(
            Reminder.objects.filter(pk__in=claimed).values_list("message_id", flat=True)
        )
        return {
            "claimed": claimed,
            "dispatch_s": dispatch_s,
            "elapsed_s": elapsed,
            "messages": publishes.messages,
            "published_ids": publishes.ids,
            "sink_total": len(ids),
            "sink_distinct": len(set(ids)),
            "sink_matches_db": set(ids) == message_ids,
            "statuses": dict(statuses),
            "rss": rss_summary(sampler, worker.pid, started_mono, ended_mono),
            "cpu": cpu,
        }
    finally:
        stop(worker)
        sink.close()


# --- 3. crash drill ------------------------------------------------------------------------


def crash_drill(env: dict[str, str], smtp_port: int, claimed: list[int], publishes) -> dict:
    import redis
    from django.test import override_settings
    from django.utils import timezone

    from plans.emails import message_id
    from plans.models import Reminder
    from plans.reminders import reminders_dispatch_due

    broker = redis.Redis.from_url(env["CELERY_BROKER_URL"])
    # The same 10,000 reminders due again (a fresh sink file counts this run alone).
    Reminder.objects.filter(pk__in=claimed).update(
        status="pending",
        attempts=0,
        sent_at=None,
        claimed_at=None,
        recipient="",
        message_id="",
        detail="",
        next_attempt_at=timezone.now() - timedelta(minutes=1),
    )
    drill_env = {**env, "REMINDER_LEASE_SECONDS": str(DRILL_LEASE_SECONDS)}
    sink = Sink(smtp_port, "reminders-drill-sink")
    worker = None
    kills = []
    try:
        publishes.reset()
        worker = start_worker(drill_env, "bench-drill-1")
        started = time.perf_counter()
        with override_settings(REMINDER_LEASE_SECONDS=DRILL_LEASE_SECONDS):
            scan1 = reminders_dispatch_due()
        assert len(scan1.claimed) == DUE
        for number, kill_at in enumerate(DRILL_KILLS_AT, start=1):
            assert wait_until(
                lambda kill_at=kill_at: sink.count() >= kill_at,
                timeout=DELIVERY_TIMEOUT,
                interval=0.01,
            ), f"the sink never reached {kill_at:,} before kill {number}"
            os.killpg(worker.pid, signal.SIGKILL)  # the master and its pool processes, at once
            killed_at = time.perf_counter()
            worker.wait(timeout=10)
            stop(worker)
            time.sleep(0.5)
            kills.append(
                {
                    "after_s": killed_at - started,
                    "sink": sink.count(),
                    "sent": sent_count(claimed),
                    "queued": Reminder.objects.filter(pk__in=claimed, status="queued").count(),
                    "unacked": broker.hlen("unacked"),
                }
            )
            log(f"kill {number}: {kills[-1]}")
            worker = start_worker(drill_env, f"bench-drill-{number + 1}")

        # The batches still waiting in Redis are delivered by the restarted worker...
        def drained() -> bool:
            if broker.llen("celery"):
                return False
            before = sink.count()
            time.sleep(1.5)
            return sink.count() == before

        assert wait_until(drained, timeout=DELIVERY_TIMEOUT, interval=0.2)
        queued_after_restart = Reminder.objects.filter(pk__in=claimed, status="queued").count()
        sent_after_restart = sent_count(claimed)
        # ...and the rows of the killed batches come back once their lease has run out.
        lease_end = started + DRILL_LEASE_SECONDS + 1
        time.sleep(max(0.0, lease_end - time.perf_counter()))
        with override_settings(REMINDER_LEASE_SECONDS=DRILL_LEASE_SECONDS):
            scan2 = reminders_dispatch_due()
        assert wait_until(lambda: settled(claimed), timeout=DELIVERY_TIMEOUT)
        elapsed = time.perf_counter() - started
        time.sleep(2)  # anything sent twice would arrive now
        ids = sink.ids()
        counts = Counter(ids)
        rows = list(Reminder.objects.filter(pk__in=claimed))
        statuses = Counter(row.status for row in rows)
        expected = {message_id(row) for row in rows}  # whatever their status
        recorded = {row.message_id for row in rows if row.status == "sent"}
        return {
            "kills": kills,
            "queued_after_restart": queued_after_restart,
            "sent_after_restart": sent_after_restart,
            "recovered": scan2.recovered,
            "reclaimed": len(scan2.claimed),
            "messages": publishes.messages,
            "elapsed_s": elapsed,
            "sink_total": len(ids),
            "sink_distinct": len(counts),
            "sink_matches_db": set(counts) == recorded == expected,
            "duplicates": sum(n - 1 for n in counts.values() if n > 1),
            "duplicate_ids": sorted(i for i, n in counts.items() if n > 1),
            "missing": len(expected - set(counts)),
            "missing_ids": sorted(expected - set(counts)),
            "unexpected": len(set(counts) - expected),
            "statuses": dict(statuses),
        }
    finally:
        if worker is not None:
            stop(worker)
        sink.close()
        broker.flushdb()  # no unacked message of the killed workers is left to reappear


# --- report --------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def report(facts: str, build: dict, build_s: float, claim: dict, run: dict, drill: dict) -> str:
    worst_claim = max(claim["timings"])
    pool_rss = [row for row in run["rss"] if row["role"] == "pool process"]
    growth = max((row["end"] - row["warm"] for row in run["rss"]), default=0.0)
    rss_ok = growth <= TARGET_RSS_GROWTH_MIB
    exactly_once = (
        run["statuses"] == {"sent": DUE}
        and run["sink_total"] == DUE
        and run["sink_distinct"] == DUE
        and run["sink_matches_db"]
    )
    drill_exactly_once = (
        drill["statuses"] == {"sent": DUE}
        and drill["sink_total"] == DUE
        and drill["sink_distinct"] == DUE
        and drill["sink_matches_db"]
        and drill["duplicates"] == drill["missing"] == drill["unexpected"] == 0
    )
    lines = [
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `make bench-reminders` "
        "(bench/reminders.py).",
        "",
        f"Machine: {facts}.",
        "",
        f"Data: {USERS:,} users, {USERS:,} plans, {USERS * MILESTONES_PER_USER:,} milestones, "
        f"{USERS * MILESTONES_PER_USER:,} pending reminders of which {DUE:,} due now; built "
        f"set-based in {build_s:.1f} s ("
        + ", ".join(f"{name} {secs:.1f} s" for name, secs in build.items())
        + ").",
        "",
        "| Target | Goal | Measured | |",
        "|---|---|---|---|",
        f"| Find and claim the {DUE:,} due (`reminders_claim_due`, {CLAIM_RUNS} runs, "
        f"rolled back) | < {TARGET_CLAIM_S:.0f} s | "
        + " / ".join(f"{t:.3f} s" for t in claim["timings"])
        + f" | {verdict(worst_claim < TARGET_CLAIM_S)} |",
        "| Claim query plan | index scan, no Seq Scan on plans_reminder / plans_milestone | "
        + "; ".join(f"`{node}`" for node in claim["scan_nodes"])
        + f" (no Seq Scan in any of the {claim['statements']} statements of the claim) | met |",
        f"| Deliver {DUE:,} end to end (`reminders_dispatch_due` -> Redis -> worker, prefork "
        f"x{WORKER_CONCURRENCY} -> SMTP sink), until all recorded `sent` | < "
        f"{TARGET_DELIVERY_S:.0f} s | {run['elapsed_s']:.1f} s "
        f"({DUE / run['elapsed_s']:.0f} reminders/s; the scan itself {run['dispatch_s']:.2f} s)"
        f" | {verdict(run['elapsed_s'] < TARGET_DELIVERY_S)} |",
        f"| Task messages published per {DUE:,} | <= {TARGET_MESSAGES} | {run['messages']} "
        f"(`send_reminder_batch`, {run['published_ids']:,} ids) | "
        f"{verdict(run['messages'] <= TARGET_MESSAGES)} |",
        f"| Worker RSS flat | growth after warm-up <= {TARGET_RSS_GROWTH_MIB:.0f} MiB | "
        f"max growth {growth:+.1f} MiB (table below) | {verdict(rss_ok)} |",
        f"| Each sent exactly once | sink {DUE:,} messages, {DUE:,} distinct Message-IDs | "
        f"sink {run['sink_total']:,} messages, {run['sink_distinct']:,} distinct, matching the "
        f"DB: {run['sink_matches_db']}; statuses {run['statuses']} | {verdict(exactly_once)} |",
        f"| Crash drill: each sent exactly once through {len(drill['kills'])} SIGKILLs of the "
        f"worker mid-batch | all {DUE:,} `sent`; sink {DUE:,} messages, {DUE:,} distinct "
        "Message-IDs matching the DB; 0 duplicates, 0 missing | "
        f"statuses {drill['statuses']}; sink {drill['sink_total']:,} messages, "
        f"{drill['sink_distinct']:,} distinct, matching the DB: {drill['sink_matches_db']}; "
        f"{drill['duplicates']} duplicates, {drill['missing']} missing (paragraph below) | "
        f"{verdict(drill_exactly_once)} |",
        "",
        "Worker RSS (MiB), sampled every 0.25 s over the delivery:",
        "",
        "| Process | Start | After the first fifth | Peak | End |",
        "|---|---|---|---|---|",
        *(
            f"| {row['role']} {row['pid']} | {row['start']:.1f} | {row['warm']:.1f} | "
            f"{row['peak']:.1f} | {row['end']:.1f} |"
            for row in run["rss"]
        ),
        "",
        f"Crash drill (lease {DRILL_LEASE_SECONDS} s): the same {DUE:,} due again; the worker "
        f"(master and pool) killed with SIGKILL {len(drill['kills'])} times and restarted each "
        "time: "
        + "; ".join(
            f"kill {number} {kill['after_s']:.1f} s in, when the sink had {kill['sink']:,} "
            f"messages and the database {kill['sent']:,} `sent` ({kill['queued']:,} `queued`, "
            f"{kill['unacked']} task messages unacknowledged in Redis)"
            for number, kill in enumerate(drill["kills"], start=1)
        )
        + f". The last worker delivered the batches still in Redis (then "
        f"{drill['sent_after_restart']:,} sent, {drill['queued_after_restart']:,} left `queued` "
        f"by the killed batches); the scan after the lease recovered {drill['recovered']:,} and "
        f"re-claimed {drill['reclaimed']:,}. End: statuses {drill['statuses']}; the sink "
        f"received {drill['sink_total']:,} messages, {drill['sink_distinct']:,} distinct "
        f"Message-IDs, matching the DB: {drill['sink_matches_db']}; "
        f"**{drill['duplicates']} duplicate(s), {drill['missing']} missing**"
        + (f" (duplicates {', '.join(drill['duplicate_ids'])})" if drill["duplicate_ids"] else "")
        + (f" (missing {', '.join(drill['missing_ids'])})" if drill["missing_ids"] else "")
        + (f"; {drill['unexpected']} unexpected Message-IDs" if drill["unexpected"] else "")
        + f"; {drill['messages']} task messages; {drill['elapsed_s']:.1f} s in all.",
        "",
        f"Pool processes sampled: {len(pool_rss)}. CPU used during the delivery: worker "
        f"(master and pool) {run['cpu']['worker']:.1f} s = "
        f"{run['cpu']['worker'] / DUE * 1000:.2f} ms per reminder; SMTP sink "
        f"{run['cpu']['sink']:.1f} s = {run['cpu']['sink'] / DUE * 1000:.2f} ms per message "
        "(PostgreSQL and Redis not counted).",
        "",
        "EXPLAIN (ANALYZE, BUFFERS) of the claim query, as `reminders_claim_due` sent it:",
        "",
        "```",
        claim["claim_sql"].strip(),
        "",
        claim["claim_plan"],
        "```",
    ]
    return "\n".join(lines)


def reset_due(now: datetime) -> None:
    """--reuse-db (for working on the benchmark, not for results): the due set due again."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """UPDATE plans_reminder SET status = 'pending', attempts = 0, claimed_at = NULL,
                      sent_at = NULL, recipient = '', message_id = '', detail = '',
                      scheduled_for = %(due_at)s, next_attempt_at = %(due_at)s
               WHERE milestone_id IN (SELECT ms.id FROM plans_milestone ms
                                      JOIN plans_plan p ON p.id = ms.plan_id
                                      WHERE p.owner_id <= %(due)s AND ms.title = 'Milestone 1')""",
            {"due_at": now - timedelta(minutes=1), "due": DUE},
        )
        cursor.execute("ANALYZE plans_reminder")


def main() -> int:
    wall = time.perf_counter()
    reuse = "--reuse-db" in sys.argv
    load_before = os.getloadavg()
    log("creating the database (careerplan_bench_reminders) and loading the catalogue")
    env, smtp_port = configure(recreate=not reuse)
    if not reuse:
        manage(env, "migrate", "--no-input", "-v", "0")
        manage(env, "load_catalogue", "-v", "0")
    import django

    django.setup()
    from django.utils import timezone

    now = timezone.now()
    log(f"building {USERS:,} users / {USERS * MILESTONES_PER_USER:,} milestones, set-based")
    started = time.perf_counter()
    if reuse:
        build = {}
        reset_due(now)
    else:
        build = build_data(now)
    build_s = time.perf_counter() - started
    check_data(timezone.now())
    log(f"built in {build_s:.1f} s; measuring the claim")
    claim = measure_claim()
    log("claim: " + ", ".join(f"{t:.3f} s" for t in claim["timings"]))
    print(claim["claim_plan"])
    publishes = PublishCounter()
    log("delivering through a Celery worker to the SMTP sink")
    run = deliver(env, smtp_port, publishes)
    log(f"delivered {run['sink_total']:,} in {run['elapsed_s']:.1f} s, {run['messages']} messages")
    log("crash drill")
    drill = crash_drill(env, smtp_port, run["claimed"], publishes)
    log(
        f"drill: {drill['duplicates']} duplicate(s), {drill['missing']} missing, "
        f"statuses {drill['statuses']}, sink {drill['sink_total']:,}"
    )
    facts = machine_facts() + (
        f"; load average {load_before[0]:.1f} at the start and {os.getloadavg()[0]:.1f} at the "
        "end (other jobs share these 2 cores)"
    )
    body = report(facts, build, build_s, claim, run, drill)
    body += f"\n\nWhole benchmark: {time.perf_counter() - wall:.0f} s wall clock.\n"
    write_section("Reminder dispatch", body)
    print(body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
