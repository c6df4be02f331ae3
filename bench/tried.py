"""Changes tried for issue 7, kept or not, measured in-process against what they replace on
the database `make bench` built (bench/RESULTS.md quotes these figures in "Plan reads and
create, second round", "Plan reads, writes and authentication, third round", "Plan create
in one statement, fourth round" and the rounds after it):

    python -m bench.tried user-read        # the session's user read: ORM query against compiled
    python -m bench.tried select-related   # the session's user: stock, compiled, with profile
    python -m bench.tried values-insert    # Django's VALUES bulk insert instead of UNNEST
    python -m bench.tried cache-reads      # a cache get and get_many (with hiredis, then without)
    python -m bench.tried milestone-patch  # ms per milestone PATCH (run at two commits by turns)
    python -m bench.tried first-read       # plan list and detail: rendered anew against stored
    python -m bench.tried compress         # zlib on the plan-detail body (what is stored)
    python -m bench.tried explain-create   # PostgreSQL's own time for a plan create's INSERT(s)
    python -m bench.tried create-write     # plan_create: one statement against the ORM's inserts
    python -m bench.tried prepared-create  # the one statement client-bound against prepared
    python -m bench.tried prepared-create --generic  # the same, the prepared one planned once
    python -m bench.tried build-parts      # what building a plan's body costs, part by part
    python -m bench.tried create-parts     # what a plan create spends where, part by part
    python -m bench.tried patch-parts      # what a milestone PATCH spends where, part by part
    python -m bench.tried store-durability # storing a plan's bodies: durable against not
    python -m bench.tried plan-row-joins   # a plan's row: the profile salary joined or subqueried
    python -m bench.tried create-serializer # plan create's serializer: its fields, its validation
    python -m bench.tried reminder-delete  # a milestone's pending reminders: ORM delete or by hand
    python -m bench.tried milestone-body-and-clean  # a PATCH's body and validation, both ways

Server-side binding was first "measured" with
`BENCH_DATABASE_URL=...careerplan_bench_api?server_side_binding=true python -m bench.inprocess`,
which turned nothing on (django-environ passes the option as the string "true"; Django wants
True): the fourth round measured it for real with the option set in the settings (RESULTS).
Prints figures; writes nothing (create-write and create-parts delete the plans they made;
store-durability rewrites one plan's stored bodies with the same ones).
"""

from __future__ import annotations

import json
import os
import sys
import time
import zlib

from bench.common import VAR, cpu_seconds
from bench.profile import newest_plan, session_token, setup_django


def _ms(request, count: int) -> float:
    for _ in range(10):
        request()
    started = time.perf_counter()
    for _ in range(count):
        request()
    return (time.perf_counter() - started) / count * 1000


def select_related() -> None:
    """Alternating sittings of the session's user read three ways: as Django's ModelBackend
    reads it (`stock`), with the compiled query of accounts.backends (`compiled`, what is
    kept) and with the profile joined (`select_related`, tried and not kept)."""
    from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
    from django.test import Client

    from accounts.backends import ModelBackend
    from accounts.models import User
    from bench.inprocess import CREATE

    reader = Client(HTTP_HOST="127.0.0.1", HTTP_X_SESSION_TOKEN=session_token(1))
    writer = Client(HTTP_HOST="127.0.0.1", HTTP_X_SESSION_TOKEN=session_token(2))
    plan = newest_plan(1)
    body = json.dumps(CREATE)
    scenarios = {
        "list": (lambda: reader.get("/api/v1/plans/"), 300),
        "detail": (lambda: reader.get(f"/api/v1/plans/{plan}/"), 300),
        "create": (
            lambda: writer.post("/api/v1/plans/", body, content_type="application/json"),
            60,
        ),
    }
    compiled = ModelBackend.get_user

    def with_profile(self, user_id):
        try:
            user = User.objects.select_related("profile").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    ways = (
        ("stock", DjangoModelBackend.get_user),
        ("compiled", compiled),
        ("select_related", with_profile),
    )
    for sitting in (1, 2):
        for label, get_user in ways:
            ModelBackend.get_user = get_user
            figures = {name: _ms(request, n) for name, (request, n) in scenarios.items()}
            shown = " / ".join(f"{name} {ms:.2f}" for name, ms in figures.items())
            print(f"sitting {sitting}, {label:15s} ms: {shown}")
    ModelBackend.get_user = compiled


def user_read() -> None:
    """`User.objects.get(pk=1)`, as Django's ModelBackend.get_user reads it, against
    accounts.backends.user_by_id (the compiled query and `User.from_db`), by turns, fastest of
    three rounds of 1,000 each."""
    from accounts.backends import user_by_id
    from accounts.models import User

    ways = (
        ("User.objects.get", lambda: User.objects.get(pk=1)),
        ("compiled", lambda: user_by_id(1)),
    )
    for sitting in (1, 2):
        for label, read in ways:
            best = min(_ms(read, 1_000) for _ in range(3))
            print(f"sitting {sitting}, {label:16s} {best:.3f} ms")


def values_insert() -> None:
    """Four custom items inserted (and rolled back) 300 times, UNNEST then VALUES then UNNEST."""
    from django.db import transaction
    from django.db.backends.postgresql import compiler

    from plans.models import Plan, PlanItem

    plan = Plan.objects.filter(owner_id=5).first()

    def insert():
        with transaction.atomic():
            PlanItem.objects.bulk_create(
                PlanItem(plan=plan, position=100 + i, kind="custom", title="x", planned_cost=1)
                for i in range(4)
            )
            transaction.set_rollback(True)

    unnest = compiler.SQLInsertCompiler.assemble_as_sql
    for label, assemble in (
        ("UNNEST", unnest),
        ("VALUES", compiler.BaseSQLInsertCompiler.assemble_as_sql),
        ("UNNEST", unnest),
    ):
        compiler.SQLInsertCompiler.assemble_as_sql = assemble
        print(f"{label}: {_ms(insert, 300):.2f} ms per insert (in a rolled-back transaction)")
    compiler.SQLInsertCompiler.assemble_as_sql = unnest


def compress() -> None:
    body = (VAR / "payloads" / "plan-detail.json").read_bytes()
    kept = zlib.compress(body, 1)
    packing = _ms(lambda: zlib.compress(body, 1), 1000)
    unpacking = _ms(lambda: zlib.decompress(kept), 1000)
    print(
        f"plan detail body {len(body):,} bytes, kept {len(kept):,} bytes; "
        f"compress {packing:.3f} ms, decompress {unpacking:.3f} ms"
    )


def cache_reads() -> None:
    """A cache `get` and a `get_many` of 3 plan-sized bodies, fastest of 3 x 3,000. Run once
    as installed (hiredis) and once after `pip uninstall hiredis` to compare the parsers."""
    import redis.utils
    from django.core.cache import caches

    cache = caches["default"]
    cache.set("bench:tried:one", b"x" * 100)
    keys = [f"bench:tried:body:{index}" for index in range(3)]
    cache.set_many(dict.fromkeys(keys, b"y" * 2_000))
    get = min(_ms(lambda: cache.get("bench:tried:one"), 3_000) for _ in range(3))
    many = min(_ms(lambda: cache.get_many(keys), 3_000) for _ in range(3))
    parser = "hiredis" if redis.utils.HIREDIS_AVAILABLE else "redis-py's own parser"
    print(f"{parser}: get {get:.3f} ms, get_many of 3 {many:.3f} ms")


def milestone_patch() -> None:
    """ms per PATCH of user 1's first milestone, completing and reopening by turns (each turn
    drops or re-arms its pending reminder), fastest of 3 x 100."""
    from django.test import Client

    from bench.profile import first_milestone

    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_SESSION_TOKEN=session_token(1))
    plan = newest_plan(1)
    path = f"/api/v1/plans/{plan}/milestones/{first_milestone(plan)}/"
    turns = iter(range(10**9))

    def patch():
        done = json.dumps({"done": next(turns) % 2 == 0})
        return client.patch(path, done, content_type="application/json")

    print(f"milestone PATCH {min(_ms(patch, 100) for _ in range(3)):.2f} ms")


def first_read() -> None:
    """Plan list and plan detail for users 3,001-3,400 (never read by `make bench`'s
    scenarios): their plans' stored bodies deleted, each user's read once (rendered anew, and
    stored), then again (the stored body); two rounds."""
    from django.test import Client

    from plans.models import Plan, PlanRendering

    users = range(3_001, 3_401)
    plans = dict(
        Plan.objects.filter(owner_id__in=users, title="Scenario 1").values_list("owner_id", "id")
    )
    clients = {
        user: Client(HTTP_HOST="127.0.0.1", HTTP_X_SESSION_TOKEN=session_token(user))
        for user in users
    }

    def per_request(paths: dict) -> float:
        started = time.perf_counter()
        for user, path in paths.items():
            assert clients[user].get(path).status_code == 200
        return (time.perf_counter() - started) / len(paths) * 1000

    for kind in ("list", "detail"):
        paths = {
            user: "/api/v1/plans/" if kind == "list" else f"/api/v1/plans/{plans[user]}/"
            for user in users
        }
        for _ in range(2):
            PlanRendering.objects.filter(plan__owner_id__in=users).delete()
            first, again = per_request(paths), per_request(paths)
            print(f"plan {kind}: rendered anew {first:.2f} ms, stored {again:.2f} ms")


def explain_create() -> None:
    """One POST /plans/ (rolled back) with its INSERTs timed as the client sees them; they run
    again under EXPLAIN ANALYZE (rolled back too): what PostgreSQL itself spends on them. The
    foreign keys are DEFERRABLE INITIALLY DEFERRED, so their checks (at COMMIT) are in neither
    figure."""
    from django.db import connection, transaction
    from django.test import Client

    from bench.inprocess import CREATE

    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_SESSION_TOKEN=session_token(2))
    body = json.dumps(CREATE)
    for _ in range(5):  # warm: compiled queries, catalogue rows
        client.post("/api/v1/plans/", body, content_type="application/json")
    inserts: list[tuple[str, float]] = []

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            if sql.startswith(("INSERT", "WITH")):  # WITH: plans.inserts' one statement
                elapsed = (time.perf_counter() - started) * 1000
                inserts.append((sql % tuple(_literal(p) for p in params or ()), elapsed))

    with transaction.atomic(), connection.execute_wrapper(timed):
        started = time.perf_counter()
        response = client.post("/api/v1/plans/", body, content_type="application/json")
        request_ms = (time.perf_counter() - started) * 1000
        transaction.set_rollback(True)
    assert response.status_code == 201, response.content[:300]
    server_total = client_total = 0.0
    with transaction.atomic(), connection.cursor() as cursor:
        for sql, client_ms in inserts:
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
            (plan,) = cursor.fetchone()[0]
            planning = plan["Planning Time"]
            server = planning + plan["Execution Time"]
            server_total += server
            client_total += client_ms
            table = "one statement" if sql.startswith("WITH") else sql.split('"')[1]
            print(
                f"{table:18s} PostgreSQL {server:6.3f} ms (planning {planning:.3f}), "
                f"in the request {client_ms:6.3f} ms"
            )
        transaction.set_rollback(True)
    print(
        f"{len(inserts)} INSERTs: PostgreSQL {server_total:.3f} ms, in the request "
        f"{client_total:.3f} ms; the whole request {request_ms:.2f} ms"
    )


def create_write() -> None:
    """`plans.services.plan_create` for user 2 on the coder path (4 items, 3 milestones, 3
    reminders), ms per call: the one statement of plans.inserts against the ORM's four
    INSERTs in a transaction (`in_one_statement` turned off), three alternating sittings of
    300; the user's profile is kept on the user, as in a request after its first read."""
    from datetime import date

    from django.utils import timezone

    from accounts.models import User
    from accounts.selectors import profile_for_user
    from plans import inserts, services
    from plans.models import Plan
    from roles.selectors import training_path_of_role

    owner = User.objects.get(pk=2)
    profile_for_user(user=owner)
    path = training_path_of_role(role_slug="medical-coder", path_slug="coder-prep-path")
    started_at = timezone.now()
    one_statement = inserts.in_one_statement

    def create() -> None:
        services.plan_create(
            owner=owner, target_role=path.role, training_path=path, start_date=date(2027, 1, 4)
        )

    try:
        for sitting in range(3):
            for label, check in (("one statement", one_statement), ("ORM", lambda c: False)):
                inserts.in_one_statement = check
                print(f"sitting {sitting + 1}: {label:14s} {_ms(create, 300):6.3f} ms")
    finally:
        inserts.in_one_statement = one_statement
        Plan.objects.filter(owner=owner, created_at__gte=started_at).delete()


def prepared_create() -> None:
    """The one statement of plans.inserts for a new plan of user 2 (coder path), executed
    through Django's cursor (client-side binding, as kept) against a psycopg server-binding
    cursor with `prepare=True` (tried, not kept), in autocommit: three alternating sittings of
    500, ms per statement, the statement's parameters built each time, with the CPU each
    statement cost this process and its PostgreSQL backend (read from /proc). With `--generic`
    the connection plans prepared statements once (`plan_cache_mode = force_generic_plan`; by
    default PostgreSQL may plan a prepared statement anew on every execution)."""
    from datetime import date

    import psycopg
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from accounts.selectors import profile_for_user
    from plans import inserts, services
    from plans.models import Plan
    from plans.reminders import reminders_for_new_plan
    from roles.selectors import training_path_of_role

    owner = User.objects.get(pk=2)
    profile = profile_for_user(user=owner)
    path = training_path_of_role(role_slug="medical-coder", path_slug="coder-prep-path")
    started_at = timezone.now()
    connection.ensure_connection()
    if "--generic" in sys.argv:
        with connection.cursor() as cursor:
            cursor.execute("SET plan_cache_mode = force_generic_plan")

    def statement() -> tuple[str, list[str]]:
        plan = Plan(owner=owner, title="x", target_role=path.role, start_date=date(2027, 1, 4))
        plan.training_path = path
        items = [services._step_item(plan, s, n) for n, s in enumerate(path.ordered_steps)]
        milestones = services._new_milestones(plan, items)
        reminders = reminders_for_new_plan(plan=plan, milestones=milestones, profile=profile)
        return inserts._statement(connection, plan, items, milestones, reminders)

    def client_bound() -> None:
        sql, params = statement()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    def prepared() -> None:
        sql, params = statement()
        with psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(sql, params, prepare=True)
            cursor.fetchall()

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()
    try:
        for sitting in range(3):
            for label, run in (("client-bound", client_bound), ("prepared", prepared)):
                ours, theirs = time.process_time(), cpu_seconds(backend)
                wall = _ms(run, 500)
                ours = (time.process_time() - ours) / 510 * 1000  # _ms runs 10 more to warm
                theirs = (cpu_seconds(backend) - theirs) / 510 * 1000
                print(
                    f"sitting {sitting + 1}: {label:13s} {wall:6.3f} ms; CPU {ours:.3f} ms here, "
                    f"{theirs:.3f} ms in PostgreSQL"
                )
    finally:
        Plan.objects.filter(owner=owner, created_at__gte=started_at).delete()


def build_parts() -> None:
    """What rendering a plan's bodies costs, part by part, against reading them stored, for
    user 1's newest plan (50 items, 20 milestones) and its list: ms per call, 500 calls each,
    in process. The store rewrites that plan's stored bodies with the same ones."""
    import zlib

    from accounts.models import User
    from plans import read_models
    from roles.cache import catalogue_version

    user = User.objects.get(pk=1)
    row = read_models._plan_row(user=user, plan_id=newest_plan(1))
    listed = read_models.plan_rows_for_user(user=user, expected=(0, 20))[0:20]
    rows = [plan[: read_models.PLAN_WIDTH] for plan in listed]
    items = read_models._PLANS_ITEMS.rows(row[0])
    milestones = read_models._PLAN_MILESTONES.rows(row[0])
    data = read_models._detail_data(row, items, milestones)
    body = read_models._render(data)
    kept = zlib.compress(body, read_models.RENDERING_COMPRESSION)
    list_items = read_models._items_by_plan([plan[0] for plan in rows])
    key = read_models._rendering_key(row, catalogue_version())
    summary = read_models._render(read_models._plans_data([row], with_items=False)[0][0])
    rendering = [read_models._rendering_row(row, key, summary, body)]
    parts = {
        "detail: the row alone": lambda: read_models._PLAN_ROW.rows(row[0], user.pk),
        "detail: the row with its stored body": lambda: read_models._PLAN_SHOWN.rows(
            row[0], user.pk
        ),
        "detail: stored body decompressed": lambda: zlib.decompress(kept),
        "detail: its items (50)": lambda: read_models._PLANS_ITEMS.rows(row[0]),
        "detail: its milestones (20)": lambda: read_models._PLAN_MILESTONES.rows(row[0]),
        "detail: summary and items computed": lambda: read_models._plans_data(
            [row], with_items=True, items={row[0]: items}
        ),
        "detail: its milestones shaped": lambda: [
            read_models._milestone_data(one) for one in milestones
        ],
        "detail: rendered (orjson)": lambda: read_models._render(data),
        "detail: compressed": lambda: zlib.compress(body, read_models.RENDERING_COMPRESSION),
        "detail: both bodies compressed, stored": lambda: read_models._store(
            [read_models._rendering_row(row, key, summary, body)], read_models.RENDERING_FIELDS
        ),
        "detail: the store alone": lambda: read_models._store(
            rendering, read_models.RENDERING_FIELDS
        ),
        f"list: items of its {len(rows)} plans": lambda: read_models._items_by_plan(
            [plan[0] for plan in rows]
        ),
        f"list: {len(rows)} summaries computed": lambda: read_models._plans_data(
            rows, with_items=False, items=list_items
        ),
    }
    for label, part in parts.items():
        print(f"{label:40s} {_ms(part, 500):6.3f} ms")


def _clocked_parts(parts: list[tuple[str, str, str]], request, count: int) -> None:
    """Run `request` 30 times, then `count` times with each named part (module, attribute
    path, label) wrapped with a clock; print wall ms per request and ms in each part (the
    parts nest as their labels are indented)."""
    import functools
    import importlib

    spent: dict[str, float] = {}
    originals = []
    for module_name, path, label in parts:
        owner = importlib.import_module(module_name)
        *outer, name = path.split(".")
        for attribute in outer:
            owner = getattr(owner, attribute)
        original = getattr(owner, name)
        originals.append((owner, name, original))

        def clocked(*args, _original=original, _label=label, **kwargs):
            started = time.perf_counter()
            try:
                return _original(*args, **kwargs)
            finally:
                spent[_label] = spent.get(_label, 0.0) + time.perf_counter() - started

        setattr(owner, name, functools.wraps(original)(clocked))
    try:
        for _ in range(30):
            request()
        spent.clear()
        started = time.perf_counter()
        for _ in range(count):
            request()
        wall = (time.perf_counter() - started) / count * 1000
    finally:
        for owner, name, original in originals:
            setattr(owner, name, original)
    print(f"{'the whole request':28s} {wall:6.3f} ms")
    for _module, _path, label in parts:
        print(f"{label:28s} {spent.get(label, 0.0) / count * 1000:6.3f} ms")


def create_parts() -> None:
    """POST /plans/ (the coder path) 400 times for user 5 after 30 warm-up requests, in
    process: wall ms per request and, within it, ms in each named part. Deletes the plans it
    made."""
    from django.test import Client
    from django.utils import timezone

    from bench.inprocess import CREATE
    from plans.models import Plan

    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_SESSION_TOKEN=session_token(5))
    body = json.dumps(CREATE)
    started_at = timezone.now()
    try:
        _clocked_parts(
            [
                (
                    "accounts.authentication",
                    "SessionTokenAuthentication.authenticate",
                    "authentication",
                ),
                ("accounts.authentication", "SessionTokenStrategy.lookup_session", "  the session"),
                ("accounts.backends", "user_by_id", "  the user (and profile)"),
                ("rest_framework.views", "APIView.check_throttles", "throttles"),
                ("plans.serializers", "PlanCreateSerializer.is_valid", "the serializer"),
                ("plans.services", "plan_create", "plan_create"),
                ("plans.services", "profile_for_user", "  the profile"),
                ("plans.services", "_new_milestones", "  milestones made"),
                ("plans.services", "reminders_for_new_plan", "  reminders made"),
                ("plans.services", "insert_new_plan", "  the write"),
                ("plans.inserts", "_statement", "    its JSON rows"),
                ("plans.views", "new_plan_response", "the response"),
            ],
            lambda: client.post("/api/v1/plans/", body, content_type="application/json"),
            400,
        )
    finally:
        Plan.objects.filter(owner_id=5, created_at__gte=started_at).delete()


def patch_parts() -> None:
    """PATCH of user 1's first milestone 300 times after 30 warm-up requests, completing and
    reopening by turns, in process: wall ms per request and, within it, ms in each named part
    (bench/RESULTS.md's eighth round; until the ninth, the view also read the milestone, with
    its plan and owner, before milestone_update: "the milestone's read" there)."""
    from django.test import Client

    from bench.profile import first_milestone

    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_SESSION_TOKEN=session_token(1))
    plan = newest_plan(1)
    path = f"/api/v1/plans/{plan}/milestones/{first_milestone(plan)}/"
    turns = iter(range(10**9))
    _clocked_parts(
        [
            ("plans.serializers", "MilestoneUpdateSerializer.is_valid", "the input"),
            ("plans.services", "milestone_update", "milestone_update"),
            ("plans.services", "_lock", "  the plan's lock (with its owner)"),
            ("plans.services", "_current", "  the milestone's read"),
            ("plans.services", "_bump", "  the version and reminders"),
            ("plans.services", "reminders_sync_for_plan", "    the reminders"),
        ],
        lambda: client.patch(
            path, json.dumps({"done": next(turns) % 2 == 0}), content_type="application/json"
        ),
        300,
    )


def store_durability() -> None:
    """The store of user 1's newest plan's bodies (50 items, 20 milestones), in autocommit:
    durable (the commit waits for the log) against not (`upsert(durable=False)`, as kept),
    three alternating sittings of 500, ms per store. It rewrites that plan's stored bodies
    with the same ones."""
    from django.db import connection

    from accounts.models import User
    from careerplan.db import upsert
    from plans import read_models
    from roles.cache import catalogue_version

    user = User.objects.get(pk=1)
    row = read_models._plan_row(user=user, plan_id=newest_plan(1))
    key = read_models._rendering_key(row, catalogue_version())
    summary, detail = read_models._bodies(row)
    rendering = [read_models._rendering_row(row, key, summary, detail)]
    for sitting in range(3):
        for durable in (True, False):

            def store(durable=durable) -> None:
                upsert(
                    rendering,
                    update_fields=read_models.RENDERING_FIELDS,
                    connection=connection,
                    unless_newer="version",
                    durable=durable,
                )

            label = "durable" if durable else "not durable"
            print(f"sitting {sitting + 1}: {label:12s} {_ms(store, 500):6.3f} ms")


def plan_row_joins() -> None:
    """A plan's row as the plan reads run it (with its stored body: the detail's one-row read,
    and the list's page with its count), the owner's profile salary read as the ORM's
    `owner__profile__current_salary` makes it (joining the user table, then the profile; the
    row's model ordering kept) against read_models' subquery on the owner id (no order for the
    one row): ms per query for user 1's newest plan and list, fastest of three rounds of 2,000,
    two sittings alternating."""
    from django.db.models import Count, Window

    from careerplan.db import CompiledRows
    from plans import read_models
    from plans.models import Plan

    joined = tuple(
        "owner__profile__current_salary" if column == "profile_salary" else column
        for column in read_models.PLAN_COLUMNS
    )
    owner = Plan._meta.get_field("owner")
    detail_joined = CompiledRows(
        Plan,
        lambda plan_id, owner_id: Plan.objects.filter(pk=plan_id, owner_id=owner_id).values_list(
            *joined, "rendering__detail_key", "rendering__detail"
        ),
        Plan._meta.pk,
        owner,
    )
    list_joined = CompiledRows(
        Plan,
        lambda owner_id: (
            Plan.objects.filter(owner_id=owner_id)
            .order_by("-created_at", "id")
            .annotate(total=Window(Count("id")))
            .values_list(*joined, "rendering__summary_key", "rendering__summary", "total")
        ),
        owner,
    )
    plan_id = newest_plan(1)
    queries = {
        "detail, joined": lambda: detail_joined.rows(plan_id, 1),
        "detail, subquery": lambda: read_models._PLAN_SHOWN.rows(plan_id, 1),
        "list page, joined": lambda: list_joined.rows(1, low=0, high=20),
        "list page, subquery": lambda: read_models._USER_PLANS_COUNTED.rows(1, low=0, high=20),
    }
    assert queries["detail, joined"]() == queries["detail, subquery"]()
    assert queries["list page, joined"]() == queries["list page, subquery"]()
    for sitting in (1, 2):
        for label, query in queries.items():
            best = min(_ms(query, 2_000) for _ in range(3))
            print(f"sitting {sitting}: {label:22s} {best:6.3f} ms")


def create_serializer() -> None:
    """What plan create's input costs in process: a PlanCreateSerializer's `fields` (DRF deep-
    copies the declared fields, their querysets with them, for every instance) and all of its
    `is_valid()`, for the body `make bench` posts; ms per call, fastest of three rounds of
    2,000."""
    from bench.inprocess import CREATE
    from plans.serializers import PlanCreateSerializer

    def validated() -> None:
        serializer = PlanCreateSerializer(data=CREATE)
        assert serializer.is_valid(), serializer.errors

    parts = {
        "the fields": lambda: PlanCreateSerializer(data=CREATE).fields,
        "is_valid()": validated,
    }
    for label, part in parts.items():
        best = min(_ms(part, 2_000) for _ in range(3))
        print(f"{label:12s} {best:6.3f} ms")


def reminder_delete() -> None:
    """Deleting a completed milestone's pending reminders (of a milestone id that has none, so
    nothing changes): `QuerySet.delete()`, its `_raw_delete()` (no collecting, still compiled)
    and the one DELETE plans.reminders writes by hand, two alternating sittings of 1,000, ms
    per call, beside a `SELECT 1` for the round trip alone. Inside a transaction, as a
    change's sync runs them (in autocommit `QuerySet.delete()` would open and commit one of
    its own, two more round trips)."""
    from django.db import connection, transaction

    from plans.models import Reminder
    from plans.reminders import _delete_pending_of

    def pending(milestone_id: int):
        return Reminder.objects.filter(
            status=Reminder.Status.PENDING, milestone_id__in=[milestone_id]
        )

    def select_one() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")

    runs = {
        "QuerySet.delete()": lambda: pending(-5).delete(),
        "QuerySet._raw_delete()": lambda: pending(-5)._raw_delete(connection.alias),
        "by hand": lambda: _delete_pending_of([-5]),
        "SELECT 1": select_one,
    }
    for sitting in range(2):
        for label, run in runs.items():
            with transaction.atomic():
                print(f"sitting {sitting + 1}: {label:24s} {_ms(run, 1000):6.3f} ms")


def milestone_body_and_clean() -> None:
    """Two parts of a milestone PATCH, for user 1's first milestone, three alternating
    sittings of 2,000, ms per call: the response's body (MilestoneSerializer's `.data`
    against `read_models.milestone_data`) and the model's validation as milestone_update
    runs it (`full_clean` with `item` excluded, with and without the constraints, which then
    cannot be checked)."""
    from bench.profile import first_milestone
    from plans.models import Milestone
    from plans.read_models import milestone_data
    from plans.serializers import MilestoneSerializer

    milestone = Milestone.objects.get(pk=first_milestone(newest_plan(1)))
    assert milestone_data(milestone) == MilestoneSerializer(milestone).data
    excluded = ["plan", "item"]
    runs = {
        "body: MilestoneSerializer": lambda: MilestoneSerializer(milestone).data,
        "body: milestone_data": lambda: milestone_data(milestone),
        "full_clean": lambda: milestone.full_clean(exclude=excluded),
        "full_clean, no constraints": lambda: milestone.full_clean(
            exclude=excluded, validate_constraints=False
        ),
    }
    for sitting in range(3):
        for label, run in runs.items():
            print(f"sitting {sitting + 1}: {label:28s} {_ms(run, 2000):6.3f} ms")


def _literal(value) -> str:
    """A parameter as SQL text, for re-running a captured statement under EXPLAIN."""
    from django.db import connection

    with connection.cursor() as cursor:
        return cursor.mogrify("%s", [value])


def main() -> int:
    what = sys.argv[1] if len(sys.argv) > 1 else ""
    runs = {
        "user-read": user_read,
        "select-related": select_related,
        "values-insert": values_insert,
        "cache-reads": cache_reads,
        "milestone-patch": milestone_patch,
        "first-read": first_read,
        "compress": compress,
        "explain-create": explain_create,
        "create-write": create_write,
        "prepared-create": prepared_create,
        "build-parts": build_parts,
        "create-parts": create_parts,
        "patch-parts": patch_parts,
        "store-durability": store_durability,
        "plan-row-joins": plan_row_joins,
        "create-serializer": create_serializer,
        "reminder-delete": reminder_delete,
        "milestone-body-and-clean": milestone_body_and_clean,
    }
    if what not in runs:
        print(__doc__)
        return 2
    setup_django(
        CACHE_URL=f"redis://127.0.0.1:6379/{os.environ.get('BENCH_REDIS_DB', '13')}",
        BENCH_PAYLOAD_DIR=str(VAR / "payloads"),
    )
    runs[what]()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
