"""Shared by the fault drills: a throwaway database, a production-configured gunicorn (and
Celery worker + beat where a drill needs them), signed-in HTTP clients, and service control.

Every drill restores PostgreSQL and Redis in a `finally`, whatever happened.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
BIN = Path(PYTHON).parent
DB_NAME = "careerplan_drills"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
PORT = 8251
VAR_DIR = ROOT / "var" / "drills"
PG_VERSION = "15"
RESULTS = ROOT / "bench" / "RESULTS.md"
PASSWORD = "drill-Password-7-lantern"


def environment(**overrides: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="drill-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_SECURE_COOKIES="false",
        DATABASE_URL=DATABASE_URL,
        # Redis databases of their own (the tests of other worktrees use 0-2)
        CELERY_BROKER_URL="redis://127.0.0.1:6379/10",
        CELERY_RESULT_BACKEND="redis://127.0.0.1:6379/11",
        CACHE_URL="redis://127.0.0.1:6379/12",
        THROTTLE_RATE_ANON="100000000/minute",
        THROTTLE_RATE_USER="100000000/minute",
        RATE_LIMIT_LOGIN="1000/m/ip",
        BIND="127.0.0.1",
        PORT=str(PORT),
        WEB_CONCURRENCY="2",
        GUNICORN_TIMEOUT="30",
        CAREERPLAN_VAR_DIR=str(VAR_DIR),
        LOG_LEVEL="WARNING",
    )
    env.update(overrides)
    return env


def run(*args: str, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), check=check, capture_output=True, text=True, **kwargs)


def psql(sql: str, database: str = "postgres") -> str:
    return run(
        "psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-tAc", sql
    ).stdout.strip()


def manage(*args: str, env: dict[str, str] | None = None) -> str:
    return run(PYTHON, "manage.py", *args, cwd=ROOT, env=env or environment()).stdout


def prepare_database() -> None:
    psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    psql(f"CREATE DATABASE {DB_NAME}")
    manage("migrate", "--no-input", "-v0")
    manage("load_catalogue", "-v0")


def create_users(count: int) -> list[str]:
    emails = [f"drill{i}@example.com" for i in range(count)]
    code = (
        "from accounts.models import User\n"
        f"for email in {emails!r}:\n"
        f"    User.objects.create_user(email=email, password={PASSWORD!r})\n"
    )
    manage("shell", "--no-imports", "-c", code)
    return emails


# --- services -------------------------------------------------------------------------------


def postgres_ready() -> bool:
    return run("pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432", check=False).returncode == 0


def redis_ready() -> bool:
    result = run("redis-cli", "-h", "127.0.0.1", "-p", "6379", "ping", check=False)
    return result.stdout.strip() == "PONG"


def restart_postgres() -> float:
    started = time.monotonic()
    run("pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION, "main", "restart")
    return time.monotonic() - started


def ensure_postgres() -> None:
    if not postgres_ready():
        run("pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION, "main", "start", check=False)
    for _ in range(60):
        if postgres_ready():
            return
        time.sleep(0.5)
    raise RuntimeError("PostgreSQL did not come back")


def stop_redis() -> None:
    run("redis-cli", "-h", "127.0.0.1", "-p", "6379", "shutdown", "nosave", check=False)


def ensure_redis() -> None:
    if not redis_ready():
        run(
            "redis-server",
            "--daemonize",
            "yes",
            "--bind",
            "127.0.0.1",
            "--port",
            "6379",
            "--save",
            "",
            "--appendonly",
            "no",
            check=False,
        )
    for _ in range(60):
        if redis_ready():
            return
        time.sleep(0.25)
    raise RuntimeError("Redis did not come back")


@contextlib.contextmanager
def services_restored():
    """Whatever the drill does, PostgreSQL and Redis are up when it ends."""
    try:
        yield
    finally:
        ensure_postgres()
        ensure_redis()


@contextlib.contextmanager
def process(args: list[str], env: dict[str, str], log_name: str):
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    with open(VAR_DIR / f"{log_name}.log", "w") as log:
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def gunicorn(env: dict[str, str]):
    return process(
        [str(BIN / "gunicorn"), "careerplan.wsgi", "--config", "gunicorn.conf.py"], env, "gunicorn"
    )


def wait_until_up(timeout: float = 40) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if request("GET", "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not come up")


# --- HTTP -----------------------------------------------------------------------------------


def request(
    method: str,
    path: str,
    body: dict | None = None,
    token: str | None = None,
    connection: http.client.HTTPConnection | None = None,
    timeout: float = 15,
) -> tuple[int, dict[str, str], bytes]:
    conn = connection or http.client.HTTPConnection("127.0.0.1", PORT, timeout=timeout)
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["X-Session-Token"] = token
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = conn.getresponse()
    data = response.read()
    if connection is None:
        conn.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, data


def login(email: str) -> str:
    status, _, body = request(
        "POST", "/_allauth/app/v1/auth/login", {"email": email, "password": PASSWORD}
    )
    assert status == 200, (status, body[:300])
    return json.loads(body)["meta"]["session_token"]


def create_plan(token: str) -> str:
    status, _, body = request(
        "POST",
        "/api/v1/plans/",
        {"target_role": "medical-coder", "start_date": "2027-01-04", "training_path": None},
        token=token,
    )
    assert status == 201, (status, body[:300])
    return json.loads(body)["id"]


@dataclass
class Tally:
    """What a load produced: requests sent, acknowledged (2xx), and errors by kind."""

    sent: int = 0
    acknowledged: int = 0
    errors: Counter = field(default_factory=Counter)
    acknowledged_keys: set = field(default_factory=set)
    attempted_keys: set = field(default_factory=set)
    tracebacks: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, key: str | None, status: int | None, body: bytes, kind: str = "") -> None:
        with self.lock:
            self.sent += 1
            if key:
                self.attempted_keys.add(key)
            if status is not None and 200 <= status < 300:
                self.acknowledged += 1
                if key:
                    self.acknowledged_keys.add(key)
                return
            self.errors[kind or f"HTTP {status}"] += 1
            if b"Traceback" in body or b'File "/' in body:
                self.tracebacks += 1


@dataclass
class Timeline:
    """A probe's answers over time: [(seconds since start, status)]."""

    started: float = field(default_factory=time.monotonic)
    points: list = field(default_factory=list)

    def add(self, status) -> None:
        self.points.append((round(time.monotonic() - self.started, 2), status))

    def transitions(self) -> list:
        out, last = [], object()
        for t, status in self.points:
            if status != last:
                out.append((t, status))
                last = status
        return out


def probe(path: str, timeline: Timeline, stop: threading.Event, every: float = 0.25) -> None:
    while not stop.is_set():
        try:
            status = request("GET", path, timeout=5)[0]
        except OSError as exc:
            status = type(exc).__name__
        timeline.add(status)
        time.sleep(every)


def pg_connections() -> int:
    return int(
        psql(f"SELECT count(*) FROM pg_stat_activity WHERE datname = '{DB_NAME}'", database=DB_NAME)
    )


def append_results(title: str, lines: list[str]) -> None:
    """Append one drill's figures under `## Fault drills` in bench/RESULTS.md."""
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark and drill results\n"
    if "## Fault drills" not in text:
        text = (
            text.rstrip("\n")
            + "\n\n## Fault drills\n\nScripts and method: bench/drills/README.md.\n"
        )
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = text.rstrip("\n") + f"\n\n### {title} ({stamp})\n\n" + "\n".join(lines) + "\n"
    RESULTS.write_text(text)
