"""Rendered plan bodies stored with the plans (PlanRendering, plans/read_models.py): a read
uses a stored body only under its own key, and otherwise renders the body and stores it; after
any change of the plan the next read shows the change."""

import threading
import time
import uuid
import zlib
from datetime import timedelta
from decimal import Decimal

import orjson
import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from accounts.services import profile_update
from plans import read_models, services
from plans.models import Plan, PlanRendering
from roles.cache import catalogue_version
from roles.models import Certification
from tests.plans.conftest import PLAN_START, make_plan

pytestmark = pytest.mark.django_db


def detail_url(plan) -> str:
    return f"/api/v1/plans/{plan.id}/"


def rendered_now(plan) -> tuple[bytes, bytes]:
    """The summary and detail bodies a read would render for the plan now."""
    return read_models._bodies(read_models._plan_row(user=plan.owner, plan_id=plan.id))


def current_key(plan) -> str:
    row = read_models._plan_row(user=plan.owner, plan_id=plan.id)
    return read_models._rendering_key(row, catalogue_version())


def assert_stored_as_rendered_now(plan) -> None:
    stored = PlanRendering.objects.get(plan=plan)
    key = current_key(plan)
    summary, detail = rendered_now(plan)
    assert stored.detail_key == stored.summary_key == key
    assert zlib.decompress(stored.detail) == detail
    assert zlib.decompress(stored.summary) == summary


def read(plan) -> None:
    """A read of the plan's detail, which stores its bodies when none are stored for its key."""
    read_models.plan_shown(user=plan.owner, plan_id=plan.id).body()


def first_item(plan):
    return plan.items.order_by("position").first()


def first_custom_milestone(plan):
    return services.milestone_create(
        user=plan.owner, plan_id=plan.pk, title="Check-in", due_on=PLAN_START
    )


CHANGES = {
    "plan updated": lambda plan: services.plan_update(
        user=plan.owner, plan_id=plan.pk, data={"title": "Renamed"}
    ),
    "plan shifted": lambda plan: services.plan_shift(user=plan.owner, plan_id=plan.pk, days=7),
    "item added": lambda plan: services.plan_item_add(
        user=plan.owner,
        plan_id=plan.pk,
        kind="exam",
        certification=Certification.objects.get(code="CPC"),
        exam_date=PLAN_START + timedelta(days=400),
    ),
    "item updated": lambda plan: services.plan_item_update(
        user=plan.owner, plan_id=plan.pk, item_id=first_item(plan).pk, data={"status": "done"}
    ),
    "item deleted": lambda plan: services.plan_item_delete(
        user=plan.owner, plan_id=plan.pk, item_id=first_item(plan).pk
    ),
    "items reordered": lambda plan: services.plan_items_reorder(
        user=plan.owner,
        plan_id=plan.pk,
        item_ids=list(plan.items.order_by("-position").values_list("pk", flat=True)),
    ),
    "milestone added": first_custom_milestone,
    "milestone completed": lambda plan: services.milestone_update(
        user=plan.owner,
        plan_id=plan.pk,
        milestone_id=plan.milestones.order_by("pk").first().pk,
        data={"done": True},
    ),
    "milestone deleted": lambda plan: services.milestone_delete(
        user=plan.owner, plan_id=plan.pk, milestone_id=first_custom_milestone(plan).pk
    ),
}


@pytest.mark.parametrize("change", list(CHANGES), ids=list(CHANGES))
def test_the_read_after_any_change_shows_it_and_stores_it(auth_client, coder_plan, change):
    # given: a plan whose bodies are stored for its current version
    before = auth_client.get(detail_url(coder_plan))
    before_key = PlanRendering.objects.get(plan=coder_plan).detail_key
    # when
    CHANGES[change](Plan.objects.get(pk=coder_plan.pk))
    after = auth_client.get(detail_url(coder_plan))
    # then: rendered anew (what a read renders now, not the stored bytes), stored under the
    # new version's key
    assert after.content != before.content
    assert after.content == rendered_now(coder_plan)[1]
    assert PlanRendering.objects.get(plan=coder_plan).detail_key != before_key
    assert_stored_as_rendered_now(coder_plan)


def test_a_change_renders_nothing(coder_plan, monkeypatch):
    # given: bodies stored for the plan's current version, and rendering made to fail
    read(coder_plan)
    stored = PlanRendering.objects.get(plan=coder_plan)

    def no_rendering(data):
        raise AssertionError("a change rendered its plan")

    monkeypatch.setattr(read_models, "_render", no_rendering)
    # when: two changes in a row
    services.plan_update(user=coder_plan.owner, plan_id=coder_plan.pk, data={"title": "One"})
    services.plan_update(user=coder_plan.owner, plan_id=coder_plan.pk, data={"title": "Two"})
    # then: the stored row is as it was; the next read renders once, for the last version
    assert PlanRendering.objects.get(plan=coder_plan).detail_key == stored.detail_key
    assert current_key(coder_plan) != stored.detail_key


def test_a_read_serves_the_stored_body(auth_client, coder_plan):
    # given: stored bodies replaced by other valid bodies under the same keys, so that what a
    # read serves tells where it came from
    auth_client.get(detail_url(coder_plan))
    marker = {"marker": "from the store"}
    PlanRendering.objects.filter(plan=coder_plan).update(
        detail=zlib.compress(orjson.dumps(marker)),
        summary=zlib.compress(orjson.dumps(marker)),
    )
    # when / then
    assert auth_client.get(detail_url(coder_plan)).json() == marker
    assert auth_client.get("/api/v1/plans/").json()["results"] == [marker]


def test_a_new_plan_is_stored_by_its_first_read(auth_client, coder_plan):
    # given: plan_create's one INSERT stores no bodies (they show the ids it makes)
    assert not PlanRendering.objects.filter(plan=coder_plan).exists()
    # when
    response = auth_client.get(detail_url(coder_plan))
    # then: both bodies stored, the detail the one served
    assert response.status_code == 200
    assert_stored_as_rendered_now(coder_plan)
    assert zlib.decompress(PlanRendering.objects.get(plan=coder_plan).detail) == response.content


def test_a_list_read_stores_the_summaries_it_rendered(auth_client, user, catalogue):
    # given: two new plans, nothing stored
    plans = [make_plan(user), make_plan(user, role="medical-biller", path="biller-bootcamp")]
    # when
    listed = auth_client.get("/api/v1/plans/").json()["results"]
    # then: each summary stored under its key, as listed; no detail stored by a list
    for plan in plans:
        stored = PlanRendering.objects.get(plan=plan)
        assert stored.summary_key == current_key(plan)
        (shown,) = [one for one in listed if one["id"] == str(plan.id)]
        assert orjson.loads(zlib.decompress(stored.summary)) == shown
        assert (stored.detail_key, stored.detail) == ("", None)
    # and a detail read after it stores its detail beside the summary
    auth_client.get(detail_url(plans[0]))
    assert_stored_as_rendered_now(plans[0])


@pytest.mark.parametrize(
    "change",
    [
        lambda plan: profile_update(user=plan.owner, data={"current_salary": Decimal("41000")}),
        lambda plan: setattr(read_models, "_SHAPING_CODE", "another-code"),
        lambda plan: Certification.objects.get(code="CPC").save(),  # the catalogue version
    ],
    ids=["profile salary", "code", "catalogue"],
)
def test_a_body_stored_under_another_key_is_rendered_again(
    auth_client, coder_plan, monkeypatch, change
):
    # given: stored bodies (a marker, so that serving them would show) that a change of what
    # they show leaves under an old key
    monkeypatch.setattr(read_models, "_SHAPING_CODE", read_models._SHAPING_CODE)
    auth_client.get(detail_url(coder_plan))
    old_key = PlanRendering.objects.get(plan=coder_plan).detail_key
    PlanRendering.objects.filter(plan=coder_plan).update(detail=zlib.compress(b'{"old": 1}'))
    # when
    change(coder_plan)
    response = auth_client.get(detail_url(coder_plan))
    # then: rendered for the new key, served and stored
    assert current_key(coder_plan) != old_key
    assert response.content == rendered_now(coder_plan)[1]
    assert_stored_as_rendered_now(coder_plan)


def test_a_deleted_plan_takes_its_bodies_with_it(auth_client, coder_plan):
    auth_client.get(detail_url(coder_plan))
    services.plan_delete(user=coder_plan.owner, plan_id=coder_plan.pk)
    assert not PlanRendering.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's ON DELETE CASCADE")
def test_the_database_deletes_a_plans_bodies_with_it(auth_client, coder_plan):
    # plans/migrations/0008: a rendering stored after Django deleted the plan's renderings
    # and before it deletes the plan (an account deletion racing a read) goes with the plan
    auth_client.get(detail_url(coder_plan))
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM plans_reminder WHERE user_id = %s", [coder_plan.owner_id])
        cursor.execute("DELETE FROM plans_milestone WHERE plan_id = %s", [coder_plan.pk])
        cursor.execute("DELETE FROM plans_planitem WHERE plan_id = %s", [coder_plan.pk])
        cursor.execute("DELETE FROM plans_plan WHERE id = %s", [coder_plan.pk])
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # what COMMIT would check
    assert not PlanRendering.objects.exists()


def test_a_store_the_database_refuses_leaves_the_callers_transaction_usable(coder_plan):
    # given: a rendering the database refuses (a negative version breaks its CHECK)
    bad = read_models._rendering_row(
        read_models._plan_row(user=coder_plan.owner, plan_id=coder_plan.id), "k", b"{}", b"{}"
    )
    bad.version = -1
    # when / then: nothing stored, no error, and the caller's transaction carries on
    assert read_models._store([bad], read_models.RENDERING_FIELDS) is False
    services.plan_update(
        user=coder_plan.owner, plan_id=coder_plan.pk, data={"title": "Still writable"}
    )
    assert Plan.objects.get(pk=coder_plan.pk).title == "Still writable"
    assert not PlanRendering.objects.exists()


def gone_plans_rendering() -> PlanRendering:
    """A rendering of a plan that is not there (deleted after a read took its row)."""
    return PlanRendering(
        plan_id=uuid.uuid4(), version=1, detail_key="k", detail=b"", summary_key="k", summary=b""
    )


@pytest.mark.django_db(transaction=True)
def test_bodies_of_a_plan_deleted_meanwhile_are_dropped_quietly(catalogue, user):
    # given: a read rendered a plan that another request deleted before the read stored it,
    # beside one still there (the foreign key is checked at COMMIT: the store's own
    # transaction, in autocommit, fails whole)
    plan = make_plan(user)
    there = read_models._rendering_row(
        read_models._plan_row(user=user, plan_id=plan.id), "k", b"{}", b"{}"
    )
    # when / then: no error, nothing stored, and the connection still answers
    assert read_models._store([there, gone_plans_rendering()], ["summary"]) is False
    assert not PlanRendering.objects.exists()
    assert connection.is_usable()
    assert read_models._store([there], ["summary"]) is True


@pytest.mark.django_db(transaction=True)
def test_inside_a_callers_transaction_only_plans_still_there_are_stored(catalogue, user):
    # given: a caller's transaction in which a read stores what it rendered, one of the plans
    # gone (deferred, its foreign-key check would fail the caller's COMMIT)
    plan = make_plan(user)
    there = read_models._rendering_row(
        read_models._plan_row(user=user, plan_id=plan.id), "k", b"{}", b"{}"
    )
    with transaction.atomic():
        stored = read_models._store([gone_plans_rendering(), there], ["summary"])
        services.plan_update(
            user=plan.owner, plan_id=plan.pk, data={"title": "The caller's own work"}
        )
    # then: the caller's transaction committed, with the rendering of the plan still there
    assert stored is True
    assert Plan.objects.get(pk=plan.pk).title == "The caller's own work"
    assert list(PlanRendering.objects.values_list("plan_id", flat=True)) == [plan.pk]


def test_a_store_for_an_older_version_leaves_a_newer_one_alone(coder_plan):
    # given: a read took version 1's row; then a change, and another read stored version 2's
    old_row = read_models._plan_row(user=coder_plan.owner, plan_id=coder_plan.id)
    old_key = read_models._rendering_key(old_row, catalogue_version())
    stale = read_models._rendering_row(old_row, old_key, *read_models._bodies(old_row))
    services.plan_update(user=coder_plan.owner, plan_id=coder_plan.pk, data={"title": "Version 2"})
    read(coder_plan)
    # when: the first read stores what it rendered
    read_models._store([stale], read_models.RENDERING_FIELDS)
    # then: version 2's bodies stay
    assert PlanRendering.objects.get(plan=coder_plan).version == 2
    assert_stored_as_rendered_now(coder_plan)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_read_stores_a_plans_bodies_without_waiting_for_a_change_of_it(
    catalogue, user, auth_client
):
    # given: a change of a new plan (no bodies stored) holding the plan's lock
    plan = make_plan(user)
    locked, release = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def change() -> None:
        try:
            with transaction.atomic():
                current = services._lock(user, plan.pk, None)
                locked.set()
                release.wait(timeout=10)
                current.title = "Changed after the read"
                current.save()
                services._bump(current)
        except BaseException as exc:
            failures.append(exc)
        finally:
            connection.close()

    writer = threading.Thread(target=change)
    writer.start()
    assert locked.wait(timeout=10)
    timer = threading.Timer(5, release.set)  # the change ends on its own after 5 s
    timer.start()
    # when: the read renders and stores (its foreign-key check takes FOR KEY SHARE, which a
    # change's FOR NO KEY UPDATE lets through; under FOR UPDATE it waits for the change)
    started = time.monotonic()
    response = auth_client.get(detail_url(plan))
    waited = time.monotonic() - started
    release.set()
    writer.join(timeout=20)
    timer.cancel()
    # then: the read did not wait for the change, and both went through
    assert response.status_code == 200
    assert waited < 4
    assert failures == []
    assert PlanRendering.objects.get(plan=plan).version == 1
    assert auth_client.get(detail_url(plan)).json()["title"] == "Changed after the read"
    assert_stored_as_rendered_now(plan)


def test_render_plans_stores_the_missing_and_the_stale_only(catalogue, user):
    # given: one plan stored and current, one never read, one stored under an old key
    current, never_read, stale = (make_plan(user) for _ in range(3))
    read(current)
    read(stale)
    PlanRendering.objects.filter(plan=stale).update(detail_key="old", summary_key="old")
    marker = zlib.compress(b'{"marker": "left alone"}')
    PlanRendering.objects.filter(plan=current).update(detail=marker)
    # when
    call_command("render_plans", "--batch", "2")
    # then: the other two as a read would render them now; the current one not rewritten
    for plan in (never_read, stale):
        assert_stored_as_rendered_now(plan)
    assert PlanRendering.objects.get(plan=current).detail == marker
    assert read_models.plan_renderings_refresh([current.id, never_read.id, stale.id]) == 0


def test_render_plans_all_renders_the_current_ones_too(catalogue, user):
    # given: bodies stored under the right key but not what the plan shows (a change the
    # keys do not name, such as a catalogue edit by QuerySet.update())
    plan = make_plan(user)
    read(plan)
    PlanRendering.objects.filter(plan=plan).update(detail=zlib.compress(b'{"out": "of date"}'))
    # when
    call_command("render_plans", "--all")
    # then
    assert_stored_as_rendered_now(plan)


def test_render_plans_fails_loudly_when_the_store_fails_twice(catalogue, user, monkeypatch):
    make_plan(user)
    monkeypatch.setattr(read_models, "_store", lambda renderings, fields: False)
    with pytest.raises(CommandError, match="Renderings not stored"):
        call_command("render_plans")


def test_render_plans_refuses_a_batch_below_one(catalogue):
    with pytest.raises(CommandError, match="at least 1"):
        call_command("render_plans", "--batch", "0")
