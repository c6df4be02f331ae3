"""Persistent connections vs psycopg's pool, measured: which DATABASE_POOL default to ship.

    .venv/bin/python bench/connection_mode.py [--seconds 8] [--rounds 2]

Creates the database `careerplan_connmode` (migrated, catalogue loaded), then serves the API
with gunicorn (production settings, 2 sync workers) once per mode, alternating the modes
`--rounds` times so that drift on a shared machine hits both, and drives it from this process
with keep-alive HTTP clients on threads. Prints requests/s, p50 and p99 per mode, and the
number of server connections the app held (pg_stat_activity).
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DB_NAME = "careerplan_connmode"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
PORT = 8231
PATHS = ["/api/v1/roles/medical-coder/", "/api/v1/training-paths/coder-prep-path/"]


def psql(sql: str, database: str = "postgres") -> str:
    return subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-tAc", sql],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def environment(pool: bool) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DATABASE_URL=DATABASE_URL,
        DATABASE_POOL="true" if pool else "false",
        THROTTLE_RATE_ANON="100000000/minute",
        BIND="127.0.0.1",
        PORT=str(PORT),
        WEB_CONCURRENCY="2",
        CAREERPLAN_VAR_DIR=str(ROOT / "var" / "bench-connmode"),
    )
    return env


def prepare() -> None:
    psql(f"DROP DATABASE IF EXISTS {DB_NAME}")
    psql(f"CREATE DATABASE {DB_NAME}")
    env = environment(pool=False)
    for command in (["migrate", "--no-input", "-v0"], ["load_catalogue", "-v0"]):
        subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True)


def wait_until_up(timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=1)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not come up")


def drive(seconds: float, clients: int) -> tuple[list[float], int]:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(index: int) -> None:
        nonlocal errors
        connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
        mine: list[float] = []
        failed = 0
        n = index
        while time.monotonic() < stop_at:
            path = PATHS[n % len(PATHS)]
            n += 1
            started = time.perf_counter()
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    failed += 1
            except OSError:
                failed += 1
                connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
                continue
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)
            errors += failed

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors


def run_mode(pool: bool, seconds: float, clients: int) -> dict:
    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "careerplan.wsgi", "--config", "gunicorn.conf.py"],
        cwd=ROOT,
        env=environment(pool),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up()
        drive(2, clients)  # warm up: imports, connections, caches
        latencies, errors = drive(seconds, clients)
        connections = int(
            psql(f"SELECT count(*) FROM pg_stat_activity WHERE datname = '{DB_NAME}'")
        )
    finally:
        server.terminate()
        server.wait(timeout=20)
    latencies.sort()
    return {
        "mode": "pool" if pool else "persistent",
        "rps": len(latencies) / seconds,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "errors": errors,
        "connections": connections,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    prepare()
    results = []
    for _ in range(args.rounds):
        for pool in (False, True):
            results.append(run_mode(pool, args.seconds, args.clients))
            row = results[-1]
            print(
                f"{row['mode']:>10}: {row['rps']:7.1f} req/s  p50 {row['p50']:6.1f} ms  "
                f"p99 {row['p99']:6.1f} ms  errors {row['errors']}  "
                f"db connections {row['connections']}",
                flush=True,
            )
    for mode in ("persistent", "pool"):
        rows = [row for row in results if row["mode"] == mode]
        print(
            f"mean {mode:>10}: {statistics.mean(r['rps'] for r in rows):7.1f} req/s, "
            f"p50 {statistics.mean(r['p50'] for r in rows):.1f} ms, "
            f"p99 {statistics.mean(r['p99'] for r in rows):.1f} ms"
        )
    psql(f"DROP DATABASE IF EXISTS {DB_NAME}")


if __name__ == "__main__":
    main()
