from datetime import date

import pytest
from icalendar import Calendar

from plans import services
from tests.plans.conftest import make_plan

pytestmark = pytest.mark.django_db


def feed_url(client) -> str:
    response = client.get("/api/v1/me/calendar-token/")
    assert response.status_code == 200
    return response.json()["url"].removeprefix("http://127.0.0.1:8000")


def events(client, url) -> dict:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar"
    calendar = Calendar.from_ical(response.content)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_the_feed_has_every_open_milestone_as_an_all_day_event(auth_client, api_client, coder_plan):
    url = feed_url(auth_client)
    found = events(api_client, url)  # no sign-in: the URL is the secret
    assert len(found) == 3
    first = coder_plan.milestones.order_by("due_on").first()
    event = found[f"milestone-{first.pk}@careerplan.calendar"]
    assert event.decoded("DTSTART") == date(2027, 10, 4)
    assert event.decoded("DTEND") == date(2027, 10, 5)
    assert str(event["SUMMARY"]) == first.title


def test_a_moved_milestone_keeps_its_uid_with_the_new_date(auth_client, api_client, coder_plan):
    url = feed_url(auth_client)
    before = events(api_client, url)
    services.plan_update(
        user=coder_plan.owner, plan_id=coder_plan.pk, data={"start_date": date(2027, 2, 4)}
    )
    after = events(api_client, url)
    assert set(after) == set(before)
    uid = next(iter(sorted(after)))
    assert after[uid].decoded("DTSTART") != before[uid].decoded("DTSTART")
    assert int(after[uid]["SEQUENCE"]) > int(before[uid]["SEQUENCE"])


def test_done_milestones_leave_the_feed(auth_client, api_client, coder_plan):
    url = feed_url(auth_client)
    milestone = coder_plan.milestones.first()
    services.milestone_update(
        user=milestone.plan.owner,
        plan_id=milestone.plan_id,
        milestone_id=milestone.pk,
        data={"done": True},
    )
    assert len(events(api_client, url)) == 2


def test_the_feed_holds_nothing_of_other_users(auth_client, api_client, coder_plan, others_plan):
    found = events(api_client, feed_url(auth_client))
    others = {f"milestone-{m.pk}@careerplan.calendar" for m in others_plan.milestones.all()}
    assert not others & set(found)


def test_rotating_the_token_retires_the_old_url(auth_client, api_client, coder_plan):
    old = feed_url(auth_client)
    rotated = auth_client.post("/api/v1/me/calendar-token/")
    assert rotated.status_code == 201
    new = rotated.json()["url"].removeprefix("http://127.0.0.1:8000")
    assert new != old
    assert api_client.get(old).status_code == 404
    assert api_client.get(new).status_code == 200


def test_an_unknown_token_is_404_and_the_token_endpoint_needs_sign_in(api_client, db):
    assert api_client.get("/api/v1/calendar/not-a-token.ics").status_code == 404
    assert api_client.get("/api/v1/me/calendar-token/").status_code == 401
    assert api_client.post("/api/v1/me/calendar-token/").status_code == 401


def test_another_users_feed_needs_their_token(auth_client, api_client, other_user, others_plan):
    make_plan(other_user, path=None)
    mine = feed_url(auth_client)
    assert len(events(api_client, mine)) == 0
