"""The project-wide authorization matrix, generated from the URL configuration.

Every URL pattern the resolver knows is either under an EXCLUDED prefix (with the reason) or
under /api/v1/, where every (route name, method) it answers must have an entry in MATRIX:

- PUBLIC: anyone may call it (the catalogue and the API docs); its unlisted write methods are
  405 for an anonymous caller and for a signed-in non-staff user alike (editors write in admin);
- OWNER: a private object: anonymous 401, another user's object 404, the owner allowed (2xx);
- SELF: the signed-in user's own resource (/me...): anonymous 401, signed in allowed;
- TOKEN: a capability URL (the calendar feed): the secret in the path is the credential, an
  unknown token is 404.

A route or method without an entry fails `test_every_api_route_and_method_has_an_entry` with
the line to add. Adding an endpoint is one line here, e.g.
    ("pathfinder:questions", "GET"): Public(),
HEAD and OPTIONS follow GET and DRF's metadata and are not listed.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from plans import services
from plans.calendar_feed import calendar_feed_get_or_create
from roles.models import Role
from tests.factories import DEFAULT_PASSWORD
from tests.plans.conftest import make_plan

pytestmark = pytest.mark.django_db

API_PREFIX = "api/v1/"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

# Everything the resolver serves outside /api/v1/, and why this matrix leaves it out.
EXCLUDED = {
    "_allauth/": "django-allauth's headless auth flows (sign-in, sign-up, reset): they are the "
    "authentication itself, tested in tests/accounts/",
    "admin/": "Django admin: staff sign-in and model permissions are Django's (tests/*/test_admin)",
    "healthz": "liveness probe, public by design, no data (tests/careerplan/test_health.py)",
    "readyz": "readiness probe, public by design, no data (tests/careerplan/test_health.py)",
    "unsubscribe/": "signed-token link from reminder emails, outside the API "
    "(tests/plans/test_reminders.py)",
}


@dataclass(frozen=True)
class Access:
    """How one (route, method) is authorised, and how to call it for the test."""

    kind: str = ""
    kwargs: dict[str, Any] = field(default_factory=dict)  # URL kwargs beyond the world's
    query: str = ""  # formatted with the caller's world, e.g. "plans={plan_id},{plan2_id}"
    body: Callable[[World], dict] | dict | None = None
    foreign_status: int = 404  # what another user's ids get (compare answers 400 by name)


def Public(**kw) -> Access:
    return Access(kind="public", **kw)


def Owner(**kw) -> Access:
    return Access(kind="owner", **kw)


def Self(**kw) -> Access:
    return Access(kind="self", **kw)


def Token(**kw) -> Access:
    return Access(kind="token", **kw)


PATHFINDER_ANSWERS = {
    "work_style": "records_alone",
    "problems": "clinical_puzzles",
    "interests": ["code_books"],
    "workplace": "no_preference",
    "goal": "specialized_pay",
}
PATHFINDER_PLAN = {
    "role": "medical-coder",
    "training_path": "coder-prep-path",
    "start_date": "2027-01-04",
}

MATRIX: dict[tuple[str, str], Access] = {
    # docs
    ("schema", "GET"): Public(),
    ("docs", "GET"): Public(),
    ("redoc", "GET"): Public(),
    # catalogue (read-only; editors use the admin)
    ("roles:role-list", "GET"): Public(),
    ("roles:role-compare", "GET"): Public(query="roles=medical-coder,medical-biller"),
    ("roles:role-detail", "GET"): Public(kwargs={"slug": "medical-coder"}),
    ("roles:role-paths", "GET"): Public(kwargs={"slug": "medical-coder"}),
    ("roles:certification-list", "GET"): Public(),
    ("roles:certification-detail", "GET"): Public(kwargs={"code": "CPC"}),
    ("roles:training-path-list", "GET"): Public(),
    ("roles:training-path-detail", "GET"): Public(kwargs={"slug": "coder-prep-path"}),
    ("roles:salary-band-list", "GET"): Public(),
    ("roles:tool-list", "GET"): Public(),
    ("roles:source-list", "GET"): Public(),
    # path finder (anonymous questionnaire; starting a plan from a result needs an account)
    ("pathfinder:questions", "GET"): Public(),
    ("pathfinder:find", "POST"): Public(body={"answers": PATHFINDER_ANSWERS}),
    ("pathfinder:plan", "POST"): Self(body=PATHFINDER_PLAN),
    # the signed-in user
    ("accounts:me", "GET"): Self(),
    ("accounts:me", "PATCH"): Self(body={"display_name": "Renamed"}),
    ("accounts:me", "DELETE"): Self(body={"password": DEFAULT_PASSWORD}),
    ("accounts:me-export", "GET"): Self(),
    ("plans:calendar-token", "GET"): Self(),
    ("plans:calendar-token", "POST"): Self(),
    ("plans:calendar", "GET"): Token(),
    # plans (owner-scoped)
    ("plans:list", "GET"): Self(),
    ("plans:list", "POST"): Self(body={"target_role": "medical-coder", "start_date": "2027-01-04"}),
    ("plans:compare", "GET"): Owner(query="plans={plan_id},{plan2_id}", foreign_status=400),
    ("plans:detail", "GET"): Owner(),
    ("plans:detail", "PATCH"): Owner(body={"title": "renamed"}),
    ("plans:detail", "DELETE"): Owner(),
    ("plans:items", "GET"): Owner(),
    ("plans:items", "POST"): Owner(body={"kind": "tool", "tool": "dual-monitors"}),
    ("plans:items-reorder", "POST"): Owner(body=lambda w: {"items": w.item_ids[::-1]}),
    ("plans:item-detail", "PATCH"): Owner(body={"planned_cost": "1.00"}),
    ("plans:item-detail", "DELETE"): Owner(),
    ("plans:shift", "POST"): Owner(body={"days": 7}),
    ("plans:milestones", "GET"): Owner(),
    ("plans:milestones", "POST"): Owner(body={"title": "study group", "due_on": "2027-05-01"}),
    ("plans:milestone-detail", "PATCH"): Owner(body={"title": "renamed"}),
    ("plans:milestone-detail", "DELETE"): Owner(),
}


# --- the URL configuration ----------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str
    route: str  # the pattern as written, prefixes joined
    callback: Callable

    @property
    def view_class(self) -> type | None:
        return getattr(self.callback, "cls", None) or getattr(self.callback, "view_class", None)

    def declared_methods(self) -> set[str] | None:
        """The methods a class-based view implements; None for a function view."""
        cls = self.view_class
        if cls is None:
            return None
        return {
            m.upper()
            for m in getattr(cls, "http_method_names", [])
            if m.upper() in METHODS and hasattr(cls, m)
        }


def _pattern_text(pattern) -> str:
    text = str(pattern.pattern)
    # the version prefix is a regex: show it as the URL clients use
    return text.replace("^api/(?P<version>v1)/", API_PREFIX).lstrip("^")


def iter_routes(patterns=None, prefix: str = "", namespace: str = ""):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            ns = ":".join(filter(None, [namespace, entry.namespace or ""]))
            text = _pattern_text(entry)
            if any((prefix + text).startswith(p) for p in EXCLUDED):
                continue
            yield from iter_routes(entry.url_patterns, prefix + text, ns)
        elif isinstance(entry, URLPattern):
            route = prefix + _pattern_text(entry)
            if any(route.startswith(p) for p in EXCLUDED):
                continue
            name = ":".join(filter(None, [namespace, entry.name or ""])) or route
            yield Route(name=name, route=route, callback=entry.callback)


ALL_ROUTES = list(iter_routes())
API_ROUTES = [r for r in ALL_ROUTES if r.route.startswith(API_PREFIX)]
ROUTES_BY_NAME = {r.name: r for r in API_ROUTES}


# --- the data each caller owns ------------------------------------------------------------


@dataclass
class World:
    """One user's objects: two plans (with items and a custom milestone) and a calendar."""

    user: Any
    plan_id: uuid.UUID
    plan2_id: uuid.UUID
    item_id: int
    item_ids: list[int]
    milestone_id: int
    token: str

    @classmethod
    def build(cls, user) -> World:
        plan = make_plan(user)
        plan2 = make_plan(user, role="medical-biller", path="biller-bootcamp")
        milestone = services.milestone_create(
            user=plan.owner, plan_id=plan.pk, title="mock exam", due_on=date(2027, 3, 1)
        )
        item_ids = list(plan.items.order_by("position").values_list("id", flat=True))
        return cls(
            user=user,
            plan_id=plan.id,
            plan2_id=plan2.id,
            item_id=item_ids[0],
            item_ids=item_ids,
            milestone_id=milestone.id,
            token=calendar_feed_get_or_create(user=user).token,
        )


def url_for(name: str, access: Access, world: World | None) -> str:
    route = ROUTES_BY_NAME[name]
    kwargs: dict[str, Any] = {"version": "v1"}
    for key in ("plan_id", "item_id", "milestone_id", "token"):
        if f"<{key}>" in route.route or f":{key}>" in route.route:
            kwargs[key] = getattr(world, key) if world else "no-world"
    kwargs.update(access.kwargs)
    url = reverse(name, kwargs=kwargs)
    if access.query:
        url += "?" + access.query.format(**(vars(world) if world else {}))
    return url


def call(client: APIClient, method: str, url: str, access: Access, world: World | None):
    body = access.body(world) if callable(access.body) else access.body
    return client.generic(
        method,
        url,
        data=None if body is None else json.dumps(body),
        content_type="application/json",
    )


def signed_in(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture(scope="module")
def _catalogue_for_module(django_db_setup, django_db_blocker):
    """The committed catalogue for this module's tests, taken away afterwards (other modules
    start from an empty database)."""
    with django_db_blocker.unblock():
        call_command("load_catalogue", verbosity=0)
        yield
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def catalogue(_catalogue_for_module, db):
    if not Role.objects.filter(slug="medical-coder").exists():  # a transactional test flushed it
        call_command("load_catalogue", verbosity=0)


@pytest.fixture
def worlds(catalogue, user, other_user) -> tuple[World, World]:
    return World.build(user), World.build(other_user)


# --- completeness -------------------------------------------------------------------------


def test_every_route_is_under_the_api_or_excluded_with_a_reason():
    outside = [r.route for r in ALL_ROUTES if not r.route.startswith(API_PREFIX)]
    assert not outside, (
        f"Routes outside {API_PREFIX} that the authorization matrix does not cover: {outside}. "
        "Add them to EXCLUDED in tests/test_authorization_matrix.py with the reason."
    )


SAMPLE_PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?\w+>")


def _sample_value(match: re.Match) -> str:
    return {"int": "1", "uuid": str(uuid.uuid4())}.get(match["converter"] or "str", "x")


def test_every_api_route_and_method_has_an_entry(api_client):
    missing = []
    for route in API_ROUTES:
        methods = route.declared_methods()
        if methods is None:  # a function view: whatever does not answer 405 is served
            url = "/" + SAMPLE_PARAMETER.sub(_sample_value, route.route)
            methods = {
                m
                for m in METHODS
                if (route.name, m) in MATRIX or api_client.generic(m, url).status_code != 405
            }
        missing += [
            f'    ("{route.name}", "{m}"): Public()/Owner()/Self()/Token(),  # /{route.route}'
            for m in sorted(methods)
            if (route.name, m) not in MATRIX
        ]
    assert not missing, (
        "API endpoints without an entry in the authorization matrix "
        "(tests/test_authorization_matrix.py, MATRIX): decide who may call each, e.g.\n"
        + "\n".join(missing)
    )


def test_every_matrix_entry_names_a_served_route_and_method():
    stale = []
    for name, method in MATRIX:
        route = ROUTES_BY_NAME.get(name)
        declared = route.declared_methods() if route else set()
        if route is None or (declared is not None and method not in declared):
            stale.append((name, method))
    assert not stale, f"MATRIX entries for routes or methods no longer served: {stale}"


# --- the checks, one test per entry -------------------------------------------------------

ENTRIES = sorted(MATRIX.items())
IDS = [f"{method} {name}" for (name, method), _ in ENTRIES]
ALLOWED = {200, 201, 204}


@pytest.mark.parametrize(("key", "access"), ENTRIES, ids=IDS)
def test_anonymous(api_client, worlds, key, access):
    name, method = key
    mine, _ = worlds
    response = call(api_client, method, url_for(name, access, mine), access, mine)
    if access.kind in ("public", "token"):
        assert response.status_code == 200, (key, response.status_code)
    else:
        assert response.status_code == 401, (key, response.status_code)
        assert "WWW-Authenticate" in response


@pytest.mark.parametrize(("key", "access"), ENTRIES, ids=IDS)
def test_the_owner_or_any_signed_in_user_is_allowed(worlds, key, access):
    name, method = key
    mine, _ = worlds
    response = call(signed_in(mine.user), method, url_for(name, access, mine), access, mine)
    assert response.status_code in ALLOWED, (key, response.status_code, response.content[:300])


OWNER_ENTRIES = [(k, a) for k, a in ENTRIES if a.kind == "owner"]


@pytest.mark.parametrize(
    ("key", "access"), OWNER_ENTRIES, ids=[f"{m} {n}" for (n, m), _ in OWNER_ENTRIES]
)
def test_another_users_object_is_not_found_and_unchanged(worlds, key, access):
    # given: I am signed in, and call with the ids of the other user's objects
    name, method = key
    mine, theirs = worlds
    before = signed_in(theirs.user).get(f"/api/v1/plans/{theirs.plan_id}/").json()
    # when
    response = call(signed_in(mine.user), method, url_for(name, access, theirs), access, theirs)
    # then
    assert response.status_code == access.foreign_status, (key, response.status_code)
    assert response["Content-Type"] == "application/problem+json"
    after = signed_in(theirs.user).get(f"/api/v1/plans/{theirs.plan_id}/").json()
    assert after == before


def test_an_unknown_calendar_token_is_not_found(api_client, worlds):
    response = api_client.get(reverse("plans:calendar", kwargs={"version": "v1", "token": "x"}))
    assert response.status_code == 404


PUBLIC_ROUTES = sorted({name for (name, _), a in MATRIX.items() if a.kind == "public"})


@pytest.mark.parametrize("name", PUBLIC_ROUTES)
@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_catalogue_and_docs_writes_are_refused_to_non_staff(api_client, worlds, name, method):
    if (name, method) in MATRIX:
        pytest.skip("this method is served")
    mine, _ = worlds
    served = next(access for (n, _), access in MATRIX.items() if n == name)
    url = url_for(name, served, mine)
    for client in (api_client, signed_in(mine.user)):
        response = client.generic(method, url, data="{}", content_type="application/json")
        assert response.status_code in (403, 405), (name, method, response.status_code)


# --- write serializers: server-owned fields are refused, never applied --------------------

SERVER_OWNED = {
    "id": str(uuid.uuid4()),
    "owner": 999_999,
    "version": 99,
    "created_at": "2001-01-01T00:00:00Z",
    "updated_at": "2001-01-01T00:00:00Z",
    "cost": {"planned": "0.00"},
    "schedule": {"finish_date": "2001-01-01"},
    "progress": {"done": 99},
    "is_generated": True,
    "position": 99,
    "done": True,
    "email": "someone-else@example.com",
}


def _write_targets(world: World) -> list[tuple[str, str, dict]]:
    plan = f"/api/v1/plans/{world.plan_id}/"
    return [
        ("POST", "/api/v1/plans/", {"target_role": "medical-coder", "start_date": "2027-01-04"}),
        ("PATCH", plan, {"title": "t"}),
        ("POST", f"{plan}items/", {"kind": "tool", "tool": "dual-monitors"}),
        ("PATCH", f"{plan}items/{world.item_id}/", {"planned_cost": "1.00"}),
        ("POST", f"{plan}milestones/", {"title": "m", "due_on": "2027-05-01"}),
        ("PATCH", f"{plan}milestones/{world.milestone_id}/", {"title": "m"}),
        ("PATCH", "/api/v1/me/", {"display_name": "d"}),
    ]


# Inputs these endpoints document, although the same name is also a read-only output field.
DOCUMENTED_INPUTS = {
    (2, "position"): "POST items/ takes the position to insert at (the rest move down)",
    (5, "done"): "PATCH milestones/<id>/ takes done=true|false to mark it (done_at is set)",
}


@pytest.mark.parametrize("target", range(7))
def test_write_serializers_refuse_server_owned_fields(worlds, user, target):
    # given
    mine, theirs = worlds
    client = signed_in(mine.user)
    method, url, body = _write_targets(mine)[target]
    export_before = client.get("/api/v1/me/export/").json()
    export_before.pop("exported_at", None)
    for field_name, value in SERVER_OWNED.items():
        if (target, field_name) in DOCUMENTED_INPUTS:
            continue
        # when
        response = client.generic(
            method,
            url,
            data=json.dumps({**body, field_name: value}),
            content_type="application/json",
        )
        # then: refused with the field named
        assert response.status_code == 400, (method, url, field_name, response.status_code)
        assert field_name in {e["attr"] for e in response.json()["errors"]}
    # and nothing either user owns changed
    export_after = client.get("/api/v1/me/export/").json()
    export_after.pop("exported_at", None)
    assert export_after == export_before
    assert signed_in(theirs.user).get("/api/v1/plans/").json()["count"] == 2
