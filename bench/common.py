"""Helpers shared by the benchmarks: databases, child processes, RSS sampling, machine facts
and the sections of bench/RESULTS.md."""

from __future__ import annotations

import os
import platform
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
RESULTS = BENCH_DIR / "RESULTS.md"
VAR = ROOT / "var" / "bench"
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_URL_TEMPLATE = os.environ.get(
    "BENCH_PG_URL_TEMPLATE", "postgres://postgres@127.0.0.1:5432/{name}"
)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def recreate_database(name: str) -> str:
    """Drop and create a PostgreSQL database of the benchmark's own; returns its URL."""
    if not re.fullmatch(r"careerplan_bench[a-z0-9_]*", name):
        raise ValueError(f"refusing to drop {name!r}: benchmark databases are careerplan_bench*")
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return PG_URL_TEMPLATE.format(name=name)


def base_env(**overrides: str) -> dict[str, str]:
    """Production settings (DEBUG off, a secret from the environment) for every process."""
    VAR.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "careerplan.settings",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "CAREERPLAN_VAR_DIR": str(VAR),
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(overrides)
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def start(cmd: list[str], env: dict[str, str], logfile: Path) -> subprocess.Popen:
    """A child in its own process group, so that it and its children can be killed at once."""
    out = open(logfile, "ab")  # noqa: SIM115 - closed with the process in stop()
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
    )
    proc._bench_log = out  # type: ignore[attr-defined]
    return proc


def stop(proc: subprocess.Popen | None, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
    """Signal the child's process group (only the group this module started) and reap it."""
    if proc is None:
        return
    if proc.poll() is None:
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
    # Children that outlived their parent (a killed prefork master) are in the same group.
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    log_file = getattr(proc, "_bench_log", None)
    if log_file is not None:
        log_file.close()


def wait_until(predicate: Callable[[], bool], timeout: float, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def wait_for_port(port: int, timeout: float = 20) -> bool:
    def is_open() -> bool:
        with socket.socket() as sock:
            sock.settimeout(0.2)
            return sock.connect_ex(("127.0.0.1", port)) == 0

    return wait_until(is_open, timeout)


# --- memory --------------------------------------------------------------------------------


def rss_kib(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    return None


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_of(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.append(int(entry))
    return found


@dataclass
class RSSSampler:
    """Samples the RSS of a process and its direct children every `interval` seconds."""

    root_pid: int
    interval: float = 0.25
    samples: dict[int, list[tuple[float, int]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> RSSSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            now = time.monotonic()
            for pid in [self.root_pid, *children_of(self.root_pid)]:
                kib = rss_kib(pid)
                if kib is not None:
                    self.samples.setdefault(pid, []).append((now, kib))
            self._stop.wait(self.interval)


# --- machine facts and RESULTS.md -----------------------------------------------------------


def bulk_load(statements: dict[str, str], params: dict, *settings: str) -> dict[str, float]:
    """Run the named INSERT ... SELECT statements in one transaction, foreign-key triggers off
    (the rows hold by construction) and no commit flush, then ANALYZE; seconds per step."""
    from django.db import connection, transaction

    timings = {}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SET LOCAL synchronous_commit = off")
        for setting in settings:
            cursor.execute(f"SET LOCAL {setting}")
        for name, sql in statements.items():
            started = time.perf_counter()
            cursor.execute(sql, params)
            timings[name] = time.perf_counter() - started
            log(f"  {name}: {cursor.rowcount:,} rows in {timings[name]:.1f} s")
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('accounts_user', 'id'), %(users)s)", params
        )
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    timings["analyze"] = time.perf_counter() - started
    return timings


def machine_facts() -> str:
    cpu = "unknown CPU"
    with suppress(OSError), open("/proc/cpuinfo", encoding="ascii", errors="replace") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_gib = 0.0
    with suppress(OSError), open("/proc/meminfo", encoding="ascii") as info:
        mem_gib = int(info.readline().split()[1]) / 1024 / 1024
    with psycopg.connect(PG_ADMIN_URL) as conn:
        pg = conn.execute("SHOW server_version").fetchone()[0]
    redis = subprocess.run(
        ["redis-server", "--version"], capture_output=True, text=True, check=False
    ).stdout.split()
    redis_version = next((part[2:] for part in redis if part.startswith("v=")), "?")
    return (
        f"{os.cpu_count()} cores ({cpu}), {mem_gib:.0f} GiB RAM, {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}; PostgreSQL {pg}; "
        f"Redis {redis_version}; everything on 127.0.0.1"
    )


def write_section(title: str, body: str) -> None:
    """Replace (or append) the `## {title}` section of bench/RESULTS.md, keeping the others."""
    header = "# Benchmark results\n\nWritten by the scripts in `bench/`; see bench/README.md.\n"
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else header
    section = f"## {title}\n\n{body.strip()}\n"
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.DOTALL | re.MULTILINE)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    RESULTS.write_text(text.rstrip("\n") + "\n", encoding="utf-8")


def user_statements(timezone: str) -> dict[str, str]:
    """Set-based SQL for `%(users)s` users 1..N, each with a profile in `timezone` and a
    verified primary email address (what sign-up gives a real user)."""
    return {
        "users": """
            INSERT INTO accounts_user (id, password, is_superuser, is_staff, is_active,
                                       date_joined, email, display_name)
            SELECT g, '!', false, false, true, now(), 'bench-' || g || '@example.test',
                   'Bench user ' || g
            FROM generate_series(1, %(users)s) AS g""",
        "profiles": f"""
            INSERT INTO accounts_profile (timezone, reminders_enabled, exam_reminder_offsets,
                                          created_at, updated_at, user_id)
            SELECT '{timezone}', true, '[30, 7, 1]'::jsonb, now(), now(), g
            FROM generate_series(1, %(users)s) AS g""",
        "email addresses": """
            INSERT INTO account_emailaddress (email, verified, "primary", user_id)
            SELECT 'bench-' || g || '@example.test', true, true, g
            FROM generate_series(1, %(users)s) AS g""",
    }
