"""Endpoints reached without signing in, authorised by a secret in the URL: the calendar feed
and the unsubscribe link of reminder emails."""

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from careerplan.api.views import page_not_found
from plans.calendar_feed import calendar_feed_for_token, calendar_for_user
from plans.reminders import reminders_unsubscribe, user_for_unsubscribe_token


@never_cache
@require_GET
def calendar_feed(request, version, token):
    """`text/calendar` for calendar apps; an unknown or rotated-away token is a 404."""
    feed = calendar_feed_for_token(token=token)
    if feed is None:
        return page_not_found(request)
    response = HttpResponse(calendar_for_user(user=feed.user), content_type="text/calendar")
    response["Content-Disposition"] = 'inline; filename="careerplan.ics"'
    return response


@csrf_exempt  # the signed token is the credential; mail providers post without a CSRF token
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET shows a one-button confirmation (link scanners that follow GETs change nothing);
    POST unsubscribes: the button, and RFC 8058 one-click (`List-Unsubscribe=One-Click`)."""
    user = user_for_unsubscribe_token(token=token)
    if user is None:
        return render(request, "plans/unsubscribe.html", {"invalid": True}, status=404)
    if request.method == "POST":
        reminders_unsubscribe(user=user)
        return render(request, "plans/unsubscribe.html", {"done": True, "email": user.email})
    return render(request, "plans/unsubscribe.html", {"email": user.email})
