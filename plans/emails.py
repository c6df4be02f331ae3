"""The reminder email: subject, plain-text and HTML bodies, and the headers that matter."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from plans.models import Milestone, Reminder
from plans.reminders import _zone, owners_today, unsubscribe_token

MESSAGE_ID_DOMAIN = "careerplan.reminders"


def message_id(reminder: Reminder) -> str:
    """Stable per reminder: a re-send after a crash carries the same id, so it is deduplicated."""
    return f"<reminder-{reminder.pk}-{reminder.due_on:%Y%m%d}@{MESSAGE_ID_DOMAIN}>"


def unsubscribe_url(reminder: Reminder) -> str:
    token = unsubscribe_token(user=reminder.user)
    return settings.PUBLIC_BASE_URL + reverse("unsubscribe", kwargs={"token": token})


def reminder_email(reminder: Reminder, *, now: datetime | None = None) -> EmailMultiAlternatives:
    """The email of `reminder`, sent at `now`: its days left are counted from that day in the
    owner's time zone, so a reminder sent late (the catch-up, the next day) says 6 days, not
    the 7 it was armed for."""
    milestone = reminder.milestone
    plan = milestone.plan
    profile = plan.owner.profile
    zone = _zone(profile.timezone)
    today = owners_today(profile, now or timezone.now())
    is_exam = milestone.kind == Milestone.MilestoneKind.EXAM
    context = {
        "name": plan.owner.get_short_name(),
        "plan_title": plan.title,
        "milestone_title": milestone.title,
        "is_exam": is_exam,
        "due_on": milestone.due_on,
        "days_left": (milestone.due_on - today).days,
        "timezone": zone.key,
        "plan_url": f"{settings.FRONTEND_URL}/plans/{plan.pk}",
        "unsubscribe_url": unsubscribe_url(reminder),
    }
    subject = render_to_string("plans/emails/reminder_subject.txt", context).strip()
    text = render_to_string("plans/emails/reminder.txt", context)
    html = render_to_string("plans/emails/reminder.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[plan.owner.email],
        headers={
            "Message-ID": message_id(reminder),
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html, "text/html")
    return message
