"""A user's open milestones and exams as an iCalendar feed (RFC 5545), via `icalendar`."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from accounts.models import User
from plans.models import CalendarFeed, Milestone, Plan

UID_DOMAIN = "careerplan.calendar"


def calendar_feed_for_token(*, token: str) -> CalendarFeed | None:
    return CalendarFeed.objects.select_related("user").filter(token=token).first()


def calendar_feed_url(feed: CalendarFeed) -> str:
    path = reverse("plans:calendar", kwargs={"version": "v1", "token": feed.token})
    return settings.PUBLIC_BASE_URL + path


@transaction.atomic
def calendar_feed_rotate(*, user: User) -> CalendarFeed:
    """Issue a new secret URL; the previous one stops working at once."""
    token = secrets.token_urlsafe(32)
    feed, created = CalendarFeed.objects.get_or_create(user=user, defaults={"token": token})
    if not created:
        feed.token = token
        feed.created_at = timezone.now()
        feed.save(update_fields=["token", "created_at"])
    return feed


def calendar_feed_get_or_create(*, user: User) -> CalendarFeed:
    feed = CalendarFeed.objects.filter(user=user).first()
    return feed or calendar_feed_rotate(user=user)


def open_milestones_for_user(*, user: User):
    return (
        Milestone.objects.filter(plan__owner=user, done_at__isnull=True)
        .exclude(plan__status=Plan.Status.ARCHIVED)
        .select_related("plan")
        .order_by("due_on", "id")
    )


def calendar_for_user(*, user: User) -> bytes:
    """All-day events with stable UIDs, so calendar apps update events instead of adding."""
    calendar = Calendar()
    calendar.add("prodid", "-//careerplan//plans//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "careerplan")
    stamp = timezone.now()
    for milestone in open_milestones_for_user(user=user):
        event = Event()
        event.add("uid", f"milestone-{milestone.pk}@{UID_DOMAIN}")
        event.add("summary", milestone.title)
        event.add(
            "description", f"{milestone.get_kind_display()} in your plan “{milestone.plan.title}”."
        )
        event.add("dtstart", milestone.due_on)
        event.add("dtend", milestone.due_on + timedelta(days=1))
        event.add("dtstamp", stamp)
        # Bumped by every change to the plan, so a moved milestone replaces the old event.
        event.add("sequence", milestone.plan.version)
        event.add("url", f"{settings.FRONTEND_URL}/plans/{milestone.plan_id}")
        event.add("categories", [milestone.kind])
        calendar.add_component(event)
    return calendar.to_ical()
