"""The reminder email: subject, plain-text and HTML bodies, and the headers that matter."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from plans.models import Milestone, Reminder
from plans.reminders import _zone, unsubscribe_token

MESSAGE_ID_DOMAIN = "careerplan.reminders"


def message_id(reminder: Reminder) -> str:
    """Stable per reminder: a re-send after a crash carries the same id, so it is deduplicated."""
    return f"<reminder-{reminder.pk}-{reminder.due_on:%Y%m%d}@{MESSAGE_ID_DOMAIN}>"


def unsubscribe_url(reminder: Reminder) -> str:
    token = unsubscribe_token(user=reminder.user)
    return settings.PUBLIC_BASE_URL + reverse("unsubscribe", kwargs={"token": token})


def reminder_email(reminder: Reminder) -> EmailMultiAlternatives:
    milestone = reminder.milestone
    plan = milestone.plan
    profile = plan.owner.profile
    zone = _zone(profile.timezone)
    is_exam = milestone.kind == Milestone.MilestoneKind.EXAM
    context = {
        "name": plan.owner.get_short_name(),
        "plan_title": plan.title,
        "milestone_title": milestone.title,
        "is_exam": is_exam,
        "due_on": milestone.due_on,
        "days_left": reminder.offset_days,
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
