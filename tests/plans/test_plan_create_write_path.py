"""Creating a plan: a fixed number of queries whatever the path's length (on PostgreSQL one
INSERT for all its rows: plans.inserts), the same rows written either way, and the same
milestones and reminders as the general re-derivation (`_sync_milestones`, re-arming) gives."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from allauth.account.models import EmailAddress
from django.db import IntegrityError, connection
from rest_framework.test import APIClient

from accounts.models import User
from accounts.selectors import profile_for_user
from accounts.services import profile_update
from plans import inserts, services
from plans.models import Milestone, Plan, PlanItem, Reminder
from plans.reminders import (
    reminders_arm_for_plan,
    reminders_arm_for_user,
    reminders_for_new_plan,
)
from plans.serializers import PlanCreateSerializer
from roles.models import Certification, Role, Tool, TrainingPath, TrainingStep
from tests.accounts.allauth_helpers import app_login, session_token
from tests.factories import DEFAULT_PASSWORD, ProfileFactory
from tests.plans.conftest import PLAN_START

pytestmark = pytest.mark.django_db

ONE_STATEMENT = inserts.in_one_statement(connection)
# steps SELECT, profile SELECT, and the writes: on PostgreSQL one INSERT for the plan, items,
# milestones and reminders (checking the profile's arming fields and holding its row), elsewhere
# that check (a SELECT ... FOR NO KEY UPDATE) and one INSERT each (no savepoint inside a
# caller's transaction)
CREATE_QUERIES = 2 + (1 if ONE_STATEMENT else 1 + 4)
# Through the API the role, the path and its steps come from roles.selectors
# .training_path_of_role, kept per catalogue version: no query once warm, and the steps
# SELECT of CREATE_QUERIES is saved too
STEPS_QUERY = 1


@pytest.fixture(params=["one statement", "orm"])
def way(request, monkeypatch) -> str:
    """Each way plans.inserts writes a new plan: its one statement (PostgreSQL) and the ORM's
    four inserts (SQLite, and anywhere the statement is turned off)."""
    if request.param == "one statement" and not ONE_STATEMENT:
        pytest.skip("the one statement is PostgreSQL's")
    if request.param == "orm":
        monkeypatch.setattr(inserts, "in_one_statement", lambda connection: False)
    return request.param


@pytest.fixture
def profile(user):
    return ProfileFactory(user=user, timezone="America/Chicago", exam_reminder_offsets=[30, 7])


def lengthen(path: TrainingPath, steps: int) -> None:
    """Add catalogue steps to `path` up to `steps` (one without a duration, like "Practice")."""
    last = path.steps.count()
    for position in range(last + 1, steps + 1):
        months = None if position % 5 == 0 else 1 + position % 3
        TrainingStep.objects.create(
            path=path,
            position=position,
            name=f"Extra step {position}",
            months_min=months,
            months_max=months + 1 if months else None,
            cost_min=Decimal("100"),
            cost_max=Decimal("250"),
        )


def fresh(user: User) -> User:
    """The user as a request sees it: nothing related cached."""
    return User.objects.get(pk=user.pk)


def snapshot(plan: Plan) -> tuple[list, list]:
    milestones = list(
        Milestone.objects.filter(plan=plan)
        .order_by("item__position", "id")
        .values_list("item_id", "kind", "title", "due_on", "done_at")
    )
    reminders = list(
        Reminder.objects.filter(milestone__plan=plan)
        .order_by("milestone_id", "offset_days")
        .values_list("pk", "milestone_id", "offset_days", "due_on", "scheduled_for", "status")
    )
    return milestones, reminders


@pytest.mark.parametrize("steps", [4, 12])
def test_plan_create_costs_the_same_queries_for_any_number_of_steps(
    user, profile, catalogue, django_assert_num_queries, steps
):
    # given: the coder path with `steps` steps
    path = TrainingPath.objects.select_related("role").get(slug="coder-prep-path")
    lengthen(path, steps)
    owner = fresh(user)
    # when
    with django_assert_num_queries(CREATE_QUERIES):
        plan = services.plan_create(
            owner=owner, target_role=path.role, training_path=path, start_date=PLAN_START
        )
    # then: one item per step, a milestone per step with a duration, reminders for them
    assert plan.items.count() == steps
    with_duration = path.steps.exclude(months_min=None, months_max=None).count()
    assert plan.milestones.count() == with_duration
    assert Reminder.objects.filter(milestone__plan=plan, status="pending").count() == with_duration


@pytest.mark.parametrize("steps", [4, 12])
@pytest.mark.parametrize("reminders_enabled", [True, False])
def test_a_new_plan_has_exactly_what_re_deriving_its_milestones_and_reminders_gives(
    user, catalogue, steps, reminders_enabled, way
):
    # given: a user far from UTC, a long path
    ProfileFactory(user=user, timezone="Asia/Kolkata", reminders_enabled=reminders_enabled)
    path = TrainingPath.objects.select_related("role").get(slug="coder-prep-path")
    lengthen(path, steps)
    plan = services.plan_create(
        owner=fresh(user), target_role=path.role, training_path=path, start_date=PLAN_START
    )
    created = snapshot(plan)
    # when: the general path re-derives milestones and re-arms reminders
    moved = services._sync_milestones(plan)
    pending = reminders_arm_for_plan(plan=plan)
    # then: it finds nothing to add, move, drop or re-time
    assert moved == 0
    assert snapshot(plan) == created
    assert pending == (len(created[0]) if reminders_enabled else 0)
    assert bool(created[1]) is reminders_enabled
    for _pk, _milestone, _offset, due_on, scheduled_for, _status in created[1]:
        local = scheduled_for.astimezone(ZoneInfo("Asia/Kolkata"))
        assert (local.date(), local.hour) == (due_on, 9)


def written_rows(plan: Plan) -> dict[str, list[dict]]:
    """Every column of the plan's rows but ids (the plan's too) and timestamps; items by
    position, milestones and reminders by their item's position."""

    def columns(model, *skipped: str) -> list[str]:
        skip = {"id", "created_at", "updated_at", *skipped}
        return [field.attname for field in model._meta.concrete_fields if field.attname not in skip]

    return {
        "plan": list(Plan.objects.filter(pk=plan.pk).values(*columns(Plan))),
        "items": list(
            PlanItem.objects.filter(plan=plan)
            .order_by("position")
            .values(*columns(PlanItem, "plan_id"))
        ),
        "milestones": list(
            Milestone.objects.filter(plan=plan)
            .order_by("item__position")
            .values("item__position", *columns(Milestone, "plan_id", "item_id"))
        ),
        "reminders": list(
            Reminder.objects.filter(milestone__plan=plan)
            .order_by("milestone__item__position", "offset_days")
            .values("milestone__item__position", *columns(Reminder, "milestone_id"))
        ),
    }


def ids_follow_the_plan_order(plan: Plan) -> bool:
    """Items, milestones and reminders numbered in plan order, as `bulk_create` numbers a list."""
    items = list(PlanItem.objects.filter(plan=plan).order_by("id").values_list("position"))
    milestones = list(
        Milestone.objects.filter(plan=plan).order_by("id").values_list("item__position")
    )
    reminders = list(
        Reminder.objects.filter(milestone__plan=plan)
        .order_by("id")
        .values_list("milestone__item__position")
    )
    return all(rows == sorted(rows) for rows in (items, milestones, reminders))


@pytest.mark.skipif(not ONE_STATEMENT, reason="the one statement is PostgreSQL's")
@pytest.mark.parametrize("steps", [1, 12])
@pytest.mark.parametrize("reminders_enabled", [True, False])
def test_the_one_statement_writes_what_the_orm_writes(
    user, catalogue, monkeypatch, steps, reminders_enabled
):
    # given: a long path whose step names need quoting, a profile far from UTC, a salary
    ProfileFactory(
        user=user,
        timezone="Asia/Kolkata",
        reminders_enabled=reminders_enabled,
        exam_reminder_offsets=[30, 7],
    )
    path = TrainingPath.objects.select_related("role").get(slug="coder-prep-path")
    path.steps.filter(position__gt=steps).delete()
    lengthen(path, steps)
    first = path.steps.order_by("position").first()
    path.steps.filter(pk=first.pk).update(name='Coding "basics" \\ 100% \u2013 naïve 🚀 \'; DROP')
    title = 'My "plan" \\ \u2013 ünïcode'
    written = {}
    for way in ("one statement", "orm"):
        if way == "orm":
            monkeypatch.setattr(inserts, "in_one_statement", lambda connection: False)
        # when
        plan = services.plan_create(
            owner=fresh(user),
            target_role=path.role,
            training_path=path,
            start_date=PLAN_START,
            title=title,
            current_salary=Decimal("36000.50"),
        )
        written[way] = written_rows(plan)
        assert ids_follow_the_plan_order(plan)
        # then: the objects returned are the rows written, as saved objects
        items = {item.pk: item for item in plan.written_items}
        assert set(items) == set(plan.items.values_list("pk", flat=True))
        assert {m.pk: m.item_id for m in plan.written_milestones} == dict(
            plan.milestones.values_list("pk", "item_id")
        )
        for obj in (plan, *plan.written_items, *plan.written_milestones):
            assert (obj._state.adding, obj._state.db) == (False, "default")
        stored = Plan.objects.get(pk=plan.pk)
        assert (stored.created_at, stored.updated_at) == (plan.created_at, plan.updated_at)
    # then: the same rows either way (none of them empty but the reminders when turned off)
    assert written["one statement"] == written["orm"]
    assert written["orm"]["plan"][0]["title"] == title
    assert written["orm"]["items"][0]["training_step_id"] == first.pk
    assert len(written["orm"]["items"]) == steps
    assert bool(written["orm"]["reminders"]) is reminders_enabled


@pytest.mark.skipif(not ONE_STATEMENT, reason="the one statement is PostgreSQL's")
def test_every_kind_of_item_is_written_alike_either_way(user, profile, catalogue, monkeypatch):
    # given: a done step finished in Chicago, a custom course in weeks, an exam, a tool
    path = TrainingPath.objects.select_related("role").get(slug="coder-prep-path")
    certification = Certification.objects.filter(fees__is_current=True).distinct().first()
    tool = Tool.objects.first()
    finished = datetime(2026, 3, 1, 18, 30, tzinfo=ZoneInfo("America/Chicago"))

    def new_plan() -> tuple[Plan, list, list, list]:
        plan = Plan(owner=user, title="Every kind", target_role=path.role, start_date=PLAN_START)
        step = PlanItem(
            plan=plan,
            position=0,
            kind="step",
            training_step=path.steps.order_by("position").first(),
            planned_cost=Decimal("1234.56"),
            duration_value=2,
            status=PlanItem.Status.DONE,
            done_at=finished,
        )
        course = PlanItem(
            plan=plan,
            position=1,
            kind="custom",
            title='Course "A" \\ b',
            provider="AHIMA",
            url="https://example.org/x?a=1&b=2",
            planned_cost=Decimal("0"),
            duration_value=6,
            duration_unit=PlanItem.DurationUnit.WEEKS,
        )
        exam = PlanItem(
            plan=plan,
            position=2,
            kind="exam",
            certification=certification,
            exam_date=PLAN_START + timedelta(days=200),
            planned_cost=Decimal("399.00"),
        )
        kit = PlanItem(
            plan=plan, position=3, kind="tool", tool=tool, quantity=2, planned_cost=Decimal("50")
        )
        items = [step, course, exam, kit]
        milestones = services._new_milestones(plan, items)
        reminders = reminders_for_new_plan(plan=plan, milestones=milestones, profile=profile)
        return plan, items, milestones, reminders

    written = {}
    for way in ("one statement", "orm"):
        if way == "orm":
            monkeypatch.setattr(inserts, "in_one_statement", lambda connection: False)
        plan, items, milestones, reminders = new_plan()
        # when
        inserts.insert_new_plan(plan=plan, items=items, milestones=milestones, reminders=reminders)
        # then: each object returned is its row
        written[way] = written_rows(plan)
        for model, objects in ((PlanItem, items), (Milestone, milestones)):
            for obj in objects:
                stored = model.objects.get(pk=obj.pk)
                assert [getattr(stored, f.attname) for f in model._meta.concrete_fields] == [
                    getattr(obj, f.attname) for f in model._meta.concrete_fields
                ]
        assert ids_follow_the_plan_order(plan)
    # then: the same rows either way, the done step's instant kept
    assert written["one statement"] == written["orm"]
    assert written["orm"]["items"][0]["done_at"] == finished
    assert [m["kind"] for m in written["orm"]["milestones"]] == ["step_end", "step_end", "exam"]
    assert written["orm"]["milestones"][0]["done_at"] == finished
    # the open course and exam are reminded of, the done step is not
    assert {r["milestone__item__position"] for r in written["orm"]["reminders"]} == {1, 2}


def test_an_offset_listed_twice_arms_one_reminder(user, profile, catalogue, settings, way):
    # given: the steps' offsets configured with a repeat
    settings.REMINDER_MILESTONE_OFFSETS = [7, 7]
    path = TrainingPath.objects.select_related("role").get(slug="coder-prep-path")
    # when
    plan = services.plan_create(
        owner=fresh(user), target_role=path.role, training_path=path, start_date=PLAN_START
    )
    # then: one reminder per milestone, and re-arming finds nothing to add
    pending = Reminder.objects.filter(milestone__plan=plan, status="pending")
    assert pending.count() == plan.milestones.count() > 0
    assert reminders_arm_for_plan(plan=plan) == pending.count()


@pytest.mark.django_db(transaction=True)  # no test transaction around the write
def test_a_new_plan_is_written_whole_or_not_at_all(user, profile, catalogue, way):
    # given: a new plan whose last row breaks a constraint (a reminder days *after*)
    path = TrainingPath.objects.select_related("role").get(slug="coder-prep-path")
    plan = Plan(owner=user, title="Broken", target_role=path.role, start_date=PLAN_START)
    items = [services._step_item(plan, step, n) for n, step in enumerate(path.steps.all())]
    milestones = services._new_milestones(plan, items)
    reminders = reminders_for_new_plan(plan=plan, milestones=milestones, profile=profile)
    reminders[-1].offset_days = -1
    # when: outside any transaction, as POST /plans/ without an Idempotency-Key writes it
    assert connection.get_autocommit()
    with pytest.raises(IntegrityError):
        inserts.insert_new_plan(plan=plan, items=items, milestones=milestones, reminders=reminders)
    # then: no plan, item, milestone or reminder was left
    assert not Plan.objects.filter(pk=plan.pk).exists()
    assert not PlanItem.objects.filter(plan_id=plan.pk).exists()
    assert not Milestone.objects.filter(plan_id=plan.pk).exists()
    assert not Reminder.objects.filter(user=user).exists()


def test_a_new_plan_is_saved_as_the_orm_saves_it(user, profile, catalogue, way):
    # given: a new plan
    path = TrainingPath.objects.select_related("role").get(slug="coder-prep-path")
    plan = services.plan_create(
        owner=fresh(user), target_role=path.role, training_path=path, start_date=PLAN_START
    )
    # when: its objects are saved again
    plan.title = "Renamed"
    plan.save()
    item = plan.written_items[0]
    item.provider = "AAPC"
    item.save()
    # then: updates, not second inserts
    assert Plan.objects.filter(owner=user).count() == 1
    assert Plan.objects.get(pk=plan.pk).title == "Renamed"
    assert PlanItem.objects.get(pk=item.pk).provider == "AAPC"
    assert plan.items.count() == len(plan.written_items)


def test_a_plan_without_a_path_creates_no_items_milestones_or_reminders(
    user, profile, catalogue, django_assert_num_queries
):
    role, owner = Role.objects.get(slug="medical-coder"), fresh(user)
    # the plan's INSERT: no milestones, so no profile or reminders either
    with django_assert_num_queries(1):
        plan = services.plan_create(owner=owner, target_role=role, start_date=PLAN_START)
    assert (plan.items.count(), plan.milestones.count()) == (0, 0)


def test_editing_a_new_plan_re_arms_its_reminders_through_the_general_path(
    user, profile, catalogue
):
    # given: a new plan with its step reminders
    path = TrainingPath.objects.select_related("role").get(slug="coder-prep-path")
    plan = services.plan_create(
        owner=fresh(user), target_role=path.role, training_path=path, start_date=PLAN_START
    )
    before = {r.milestone_id: r.due_on for r in Reminder.objects.filter(milestone__plan=plan)}
    # when: the plan starts a month later
    services.plan_update(user=plan.owner, plan_id=plan.pk, data={"start_date": date(2027, 2, 4)})
    # then: each milestone has one pending reminder, for its new date
    pending = Reminder.objects.filter(milestone__plan=plan, status="pending")
    assert sorted(pending.values_list("milestone_id", flat=True)) == sorted(before)
    for reminder in pending.select_related("milestone"):
        assert reminder.due_on == reminder.milestone.due_on
        assert reminder.due_on > before[reminder.milestone_id]


def test_a_time_zone_change_re_times_the_reminders_of_every_plan(user, profile, catalogue):
    # given: two new plans
    path = TrainingPath.objects.select_related("role").get(slug="coder-prep-path")
    for start in (PLAN_START, PLAN_START + timedelta(days=7)):
        services.plan_create(
            owner=fresh(user), target_role=path.role, training_path=path, start_date=start
        )
    count = Reminder.objects.filter(user=user).count()
    # when: the owner moves to Tokyo
    profile_update(user=fresh(user), data={"timezone": "Asia/Tokyo"})
    # then: the same reminders, at 09:00 Tokyo time
    reminders = Reminder.objects.filter(user=user, status="pending")
    assert reminders.count() == count == 6
    for reminder in reminders:
        local = reminder.scheduled_for.astimezone(ZoneInfo("Asia/Tokyo"))
        assert (local.date(), local.hour) == (reminder.due_on, 9)
    # and re-arming again changes nothing
    assert reminders_arm_for_user(user=user) == count


@pytest.mark.parametrize("steps", [4, 12])
@pytest.mark.parametrize("idempotency_key", [None, "create-1"])
def test_post_plan_costs_its_writes_and_reads_nothing_back(
    user, profile, catalogue, django_assert_num_queries, steps, idempotency_key
):
    # given: the coder path with `steps` steps, its catalogue rows kept by a first POST
    lengthen(TrainingPath.objects.get(slug="coder-prep-path"), steps)
    client = APIClient()
    body = {
        "target_role": "medical-coder",
        "training_path": "coder-prep-path",
        "start_date": str(PLAN_START),
    }
    client.force_authenticate(fresh(user))
    client.post("/api/v1/plans/", body, format="json")
    # the key's look-up and stored response, and the SAVEPOINT / RELEASE of the transaction
    # around the view (nested in the test's; plan_create adds none inside it)
    keyed = 0 if idempotency_key is None else 1 + 1 + 2
    headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
    client.force_authenticate(fresh(user))
    # when / then: the writes only; the response is built from the rows written
    with django_assert_num_queries(CREATE_QUERIES - STEPS_QUERY + keyed):
        response = client.post("/api/v1/plans/", body, format="json", headers=headers)
    assert response.status_code == 201
    assert len(response.json()["items"]) == steps


def assert_armed_at_nine(plan: Plan, zone: str) -> None:
    """The plan has reminders, each at 09:00 in `zone` on its day, and re-arming the plan
    finds them as they are."""
    created = snapshot(plan)
    assert created[1]
    for _pk, _milestone, _offset, due_on, scheduled_for, _status in created[1]:
        local = scheduled_for.astimezone(ZoneInfo(zone))
        assert (local.date(), local.hour) == (due_on, 9)
    assert reminders_arm_for_plan(plan=plan) == len(created[1])
    assert snapshot(plan) == created


def test_a_profile_change_since_it_was_read_makes_the_reminders_again(
    user, profile, catalogue, way
):
    # given: the owner as a request read them, their profile (America/Chicago) kept on them
    owner = fresh(user)
    assert profile_for_user(user=owner).timezone == "America/Chicago"
    # and the time zone changed since, committed (re-arming the plans there were: none)
    profile_update(user=fresh(user), data={"timezone": "Asia/Kolkata"})
    path = TrainingPath.objects.select_related("role").get(slug="coder-prep-path")
    # when
    plan = services.plan_create(
        owner=owner, target_role=path.role, training_path=path, start_date=PLAN_START
    )
    # then: one plan, whose reminders are at 09:00 in the new zone, as re-arming finds them
    assert Plan.objects.filter(owner=user).count() == 1
    assert_armed_at_nine(plan, "Asia/Kolkata")
    # and the owner now carries the profile as it is
    assert owner.profile.timezone == "Asia/Kolkata"


def test_the_write_refuses_reminders_made_from_a_changed_profile_and_writes_nothing(
    user, profile, catalogue, way
):
    # given: reminders made from the profile as read, then a change of its reminder wishes
    owner = fresh(user)
    stale = profile_for_user(user=owner)
    path = TrainingPath.objects.select_related("role").get(slug="coder-prep-path")
    plan = Plan(owner=owner, title="Mine", target_role=path.role, start_date=PLAN_START)
    plan.training_path = path
    steps = path.steps.order_by("position")
    items = [services._step_item(plan, step, n) for n, step in enumerate(steps)]
    milestones = services._new_milestones(plan, items)
    reminders = reminders_for_new_plan(plan=plan, milestones=milestones, profile=stale)
    profile_update(user=fresh(user), data={"exam_reminder_offsets": [14]})
    # when
    written = inserts.insert_new_plan(
        plan=plan, items=items, milestones=milestones, reminders=reminders, armed_by=stale
    )
    # then: refused, nothing written
    assert written is False
    assert not Plan.objects.filter(owner=user).exists()
    assert not PlanItem.objects.filter(plan_id=plan.pk).exists()
    # while a change of what arming does not read (the salary) lets it through
    profile_update(user=fresh(user), data={"current_salary": "41000"})
    fresh_profile = profile_for_user(user=fresh(user))
    reminders = reminders_for_new_plan(plan=plan, milestones=milestones, profile=fresh_profile)
    fresh_profile.current_salary = None  # as read before the salary change
    assert inserts.insert_new_plan(
        plan=plan, items=items, milestones=milestones, reminders=reminders, armed_by=fresh_profile
    )
    assert Reminder.objects.filter(milestone__plan=plan).count() == len(reminders) > 0


def test_post_plan_with_a_session_token_reads_the_user_and_the_profile_in_one_query(
    user, profile, catalogue, django_assert_num_queries
):
    # given: the app client signed in (a session token), the catalogue rows kept by a first POST
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client = APIClient()
    token = session_token(app_login(client, user.email, DEFAULT_PASSWORD))
    headers = {"X-Session-Token": token}
    body = {"target_role": "medical-coder", "training_path": "coder-prep-path"}
    body["start_date"] = str(PLAN_START)
    assert client.post("/api/v1/plans/", body, format="json", headers=headers).status_code == 201
    # when / then: the session from the cache, the user with their profile in one query (the
    # view reads the profile: accounts.authentication.reads_profile), then the writes
    with django_assert_num_queries(1 + CREATE_QUERIES - STEPS_QUERY - 1) as captured:
        response = client.post("/api/v1/plans/", body, format="json", headers=headers)
    assert response.status_code == 201
    assert "accounts_profile" in captured.captured_queries[0]["sql"]
    # and its reminders are armed by that profile: 09:00 in its time zone, as re-arming finds
    assert_armed_at_nine(Plan.objects.get(pk=response.json()["id"]), "America/Chicago")
    # while a read of the same client reads the user alone (the list's bodies stored by a
    # first read)
    client.get("/api/v1/plans/", headers=headers)
    with django_assert_num_queries(1 + 1) as captured:
        assert client.get("/api/v1/plans/", headers=headers).status_code == 200
    assert "accounts_profile" not in captured.captured_queries[0]["sql"]


def test_a_path_of_another_role_and_unknown_slugs_are_validated_as_before(
    user, profile, catalogue, django_assert_num_queries
):
    # a path of another role: allowed, each slug then looked up on its own (after the
    # catalogue version and the role's paths, both kept once read)
    body = {"target_role": "medical-coder", "training_path": "biller-bootcamp"}
    serializer = PlanCreateSerializer(data={**body, "start_date": str(PLAN_START)})
    with django_assert_num_queries(1 + 1 + 2):
        assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data["target_role"].slug == "medical-coder"
    assert serializer.validated_data["training_path"].slug == "biller-bootcamp"
    # unknown slugs: the usual per-field errors
    serializer = PlanCreateSerializer(
        data={"target_role": "astronaut", "training_path": "moon", "start_date": str(PLAN_START)}
    )
    assert not serializer.is_valid()
    assert serializer.errors == {
        "target_role": ["Object with slug=astronaut does not exist."],
        "training_path": ["Object with slug=moon does not exist."],
    }


@pytest.mark.parametrize("salary", [None, "36000"])
@pytest.mark.parametrize("profile_salary", [None, Decimal("41000.50")])
@pytest.mark.parametrize("path", ["coder-prep-path", None])
def test_the_created_plan_is_shown_as_reading_it_back_shows_it(
    user, profile, catalogue, salary, profile_salary, path
):
    # given: a profile salary or none, a plan salary or none, a path or none
    profile_update(user=user, data={"current_salary": profile_salary})
    body = {"target_role": "medical-coder", "start_date": str(PLAN_START)}
    if path:
        body["training_path"] = path
    if salary:
        body["current_salary"] = salary
    client = APIClient()
    client.force_authenticate(fresh(user))
    # when: the response built from the rows written, and the plan read back
    created = client.post("/api/v1/plans/", body, format="json")
    read = client.get(created["Location"])
    # then: the same bytes and the same version token (the read's ETag adds a digest of what
    # else it shows)
    assert created.status_code == 201
    assert created.content == read.content
    assert read["ETag"].startswith(created["ETag"][:-1] + ".")
    if path:
        assert created.json()["items"]
        assert created.json()["milestones"]
