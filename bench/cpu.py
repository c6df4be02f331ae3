"""Where a scenario's CPU goes under load, on the database the last `make bench` built: its
requests/s, and the CPU milliseconds per request of the gunicorn workers and of PostgreSQL's
processes (read from /proc before and after), for scenarios of that run (their wrk scripts in
var/bench/lua), served with gunicorn.conf.py's default configuration as `make bench` serves
it. bench/RESULTS.md's eighth round quotes it; run it at two commits by turns to compare them.

    python -m bench.cpu pk-query,milestone-complete,patch-then-read [rounds]

`patch-then-read` is each PATCH of the milestone-complete scenario followed by the read of its
plan on the same connection (wrk with one thread per connection, each at its own place in the
rotation), as a client that shows the plan it has just changed. Scenarios whose name ends in
`-render` have their plans' stored bodies deleted first, as in `make bench`. Prints figures;
the PATCHes change the benchmark database as the bench's own do.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

from bench import api
from bench.common import PG_URL_TEMPLATE, cpu_seconds

PAIR = "patch-then-read"
WARMUP, MEASURED = 1, 4  # seconds: one stretch each (make bench measures in 1-s rounds)
# One quoted Lua string as bench.api.lua_string writes it.
LUA_STRING = r'"((?:[^"\\]|\\.)*)"'
LUA_ROW = re.compile(r"\{" + r",\s*".join([LUA_STRING] * 4) + r"\}")
PAIR_TEMPLATE = """
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end
local requests = {
%(requests)s
}
local n = 0
init = function(args)
  -- each connection (thread) 1,000 pairs apart, on a PATCH: n + 1 is odd
  n = 2 * ((tonumber(args[1] or "0") or 0) + id * 1000) + 1
end
%(request)s"""


def _unquoted(value: str) -> str:
    return re.sub(r"\\(.)", r"\1", value)


def pair_script() -> Path:
    """The PATCHes of the milestone-complete scenario, each followed by a GET of its plan."""
    patches = (api.LUA / "milestone-complete.lua").read_text(encoding="utf-8")
    rows = []
    for match in LUA_ROW.finditer(patches):
        method, token, path, body = (_unquoted(value) for value in match.groups())
        plan = path.split("/milestones/")[0] + "/"
        rows += [(method, token, path, body), ("GET", token, plan, "")]
    if not rows:
        raise SystemExit("No milestone-complete scenario: run `make bench` first.")
    lines = ",\n".join("  {" + ", ".join(api.lua_string(v) for v in row) + "}" for row in rows)
    script = api.LUA / f"{PAIR}.lua"
    script.write_text(
        PAIR_TEMPLATE % {"requests": lines, "request": api.LUA_REQUEST}, encoding="utf-8"
    )
    return script


def postgres_pids() -> list[int]:
    pids = []
    for comm in Path("/proc").glob("[0-9]*/comm"):
        try:
            if comm.read_text().strip() == "postgres":
                pids.append(int(comm.parent.name))
        except OSError:
            continue  # gone meanwhile
    return pids


def load(port: int, script: Path, seconds: int, offset: int) -> dict:
    """wrk as `make bench` runs it; a pair script with one thread per connection."""
    threads = str(api.CONNECTIONS) if script.stem == PAIR else "1"
    result = subprocess.run(
        [
            *("wrk", "-t", threads, "-c", str(api.CONNECTIONS), "-d", f"{seconds}s"),
            *("--latency", "--timeout", "10s", "-s", str(script)),
            f"http://127.0.0.1:{port}",
            *("--", str(offset)),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 30,
    )
    return api.parse_wrk(result.stdout)


def main() -> int:
    names = sys.argv[1].split(",") if len(sys.argv) > 1 else ["pk-query", PAIR]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    env = api.server_env(PG_URL_TEMPLATE.format(name=api.DB_NAME))
    os.environ.update(env)
    import django

    django.setup()
    scripts = {name: pair_script() if name == PAIR else api.LUA / f"{name}.lua" for name in names}
    offset = 3  # where the scripts start in their rotation
    with api.Server(api.CONFIGS[0], env) as server:
        for _turn in range(rounds):
            for name, script in scripts.items():
                if name.endswith("-render"):
                    api.forget_plan_renderings()
                warm = load(server.port, script, WARMUP, offset)
                # on from where the warm-up stopped (a plan read anew is not read again)
                offset += warm["requests"] + api.CONNECTIONS
                processes = [server.proc.pid, *server.workers()]
                databases = postgres_pids()
                workers_before = sum(cpu_seconds(pid) for pid in processes)
                database_before = sum(cpu_seconds(pid) for pid in databases)
                started = time.monotonic()
                result = load(server.port, script, MEASURED, offset)
                offset += result["requests"] + api.CONNECTIONS
                requests = max(result["requests"], 1)
                workers = sum(cpu_seconds(pid) for pid in processes) - workers_before
                database = sum(cpu_seconds(pid) for pid in databases) - database_before
                print(
                    f"{name:24s} {result['rps']:7.0f} req/s   CPU per request: gunicorn "
                    f"{workers / requests * 1000:5.2f} ms, PostgreSQL "
                    f"{database / requests * 1000:5.2f} ms   errors {result['errors']}   "
                    f"({time.monotonic() - started:.1f} s)",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
