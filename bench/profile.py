"""Profile one API scenario in-process with pyinstrument, on the database `make bench` built.

    python -m bench.profile role-detail [requests] [--results]

Runs the request through Django's full stack (middleware, DRF, serializers, queries) with
production settings, `requests` times after a warm-up, and writes the profile as text to
var/bench/profile-<scenario>.txt (and prints it); with --results, its first lines also to the
"Profile: <scenario>" section of bench/RESULTS.md.
"""

from __future__ import annotations

import json
import os
import sys

from bench.common import VAR, base_env, write_section

PATHS = {
    "role-list": "/api/v1/roles/",
    "role-detail": "/api/v1/roles/medical-coder/",
    "role-compare": "/api/v1/roles/compare/?roles=medical-coder,medical-biller",
    "path-detail": "/api/v1/training-paths/coder-prep-path/",
    "plan-list": "/api/v1/plans/",
    "plan-detail": "/api/v1/plans/{plan}/",
    "plan-create": "/api/v1/plans/",  # POSTed (bench.inprocess.CREATE), by user 2
    # PATCHed by user 1, completing and reopening by turns (each turn drops or re-arms its
    # pending reminder, as completing one in `make bench` does)
    "milestone-complete": "/api/v1/plans/{plan}/milestones/{milestone}/",
}


def setup_django(**overrides: str) -> None:
    """Production settings on the database `make bench` built, throttles out of reach."""
    env = base_env(
        DATABASE_URL=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/careerplan_bench_api"
        ),
        DJANGO_SETTINGS_MODULE="bench.settings",
        THROTTLE_RATE_USER="100000000/minute",
        THROTTLE_RATE_ANON="100000000/minute",
        **overrides,
    )
    os.environ.update(env)
    import django

    django.setup()


def session_token(user_id: int) -> str:
    """A session for the user, as allauth's app login makes it (the key is the token)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils.module_loading import import_module

    from accounts.models import User

    user = User.objects.get(pk=user_id)
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def newest_plan(user_id: int) -> str:
    from plans.models import Plan

    plan = Plan.objects.filter(owner_id=user_id, title="Scenario 1").first()
    return str(plan.pk) if plan else ""


def first_milestone(plan_id: str) -> int:
    from plans.models import Milestone

    return Milestone.objects.filter(plan_id=plan_id).order_by("due_on", "id").first().pk


def main() -> int:
    args = [arg for arg in sys.argv[1:] if not arg.startswith("--")]
    scenario = args[0] if args else "role-detail"
    count = int(args[1]) if len(args) > 1 else 200
    setup_django(
        CACHE_URL=f"redis://127.0.0.1:6379/{os.environ.get('BENCH_REDIS_DB', '13')}",
        BENCH_PAYLOAD_DIR=str(VAR / "payloads"),
    )
    from django.test import Client
    from pyinstrument import Profiler

    from bench.inprocess import CREATE

    creating = scenario == "plan-create"
    patching = scenario == "milestone-complete"
    token = session_token(2 if creating else 1)  # plans are created by user 2 only
    plan = newest_plan(1)
    path = PATHS[scenario].format(plan=plan, milestone=first_milestone(plan) if patching else "")
    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_SESSION_TOKEN=token)
    turns = iter(range(10**9))

    def request():
        if creating:
            return client.post(path, json.dumps(CREATE), content_type="application/json")
        if patching:
            done = json.dumps({"done": next(turns) % 2 == 0})
            return client.patch(path, done, content_type="application/json")
        return client.get(path)

    for _ in range(10):
        assert request().status_code == (201 if creating else 200)
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(count):
        request()
    profiler.stop()
    text = profiler.output_text(unicode=False, color=False, show_all=False)
    out = VAR / f"profile-{scenario}.txt"
    out.write_text(text, encoding="utf-8")
    print(text)
    print(f"written to {out}")
    if "--results" in sys.argv:
        lines = [line for line in text.splitlines() if line.strip()]
        body = "\n".join(
            [
                f"`python -m bench.profile {scenario} {count} --results` (pyinstrument, "
                f"in-process through the whole Django stack, {count} requests of "
                f"`{'POST' if creating else 'PATCH' if patching else 'GET'} {path}` for user "
                f"{2 if creating else 1} "
                "after 10 warm-up requests, production settings, on the "
                "database `make bench` built). The first 60 lines:",
                "",
                "```",
                *lines[:60],
                "```",
            ]
        )
        write_section(f"Profile: {scenario}", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
