"""django-allauth hooks: a profile for every new account, emails that name the product and
survive a mail outage, and a 429 for too many failed sign-ins."""

import logging
import smtplib
from dataclasses import dataclass
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.ratelimit import respond_429
from django import forms
from django.conf import settings
from django.db import transaction

from accounts.selectors import profile_for_user

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class EmailSite:
    """What allauth's email templates call `current_site`: the product, not the API host."""

    name: str
    domain: str


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user.display_name = form.cleaned_data.get("display_name") or ""
        # The user and their profile are created together or not at all.
        with transaction.atomic():
            user = super().save_user(request, user, form, commit=commit)
            if commit:
                profile_for_user(user=user)
        return user

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Send an account email (verification, password reset, ...).

        An unreachable mail server must not turn a sign-up into a 500 after the account was
        created: the failure is logged (without the address) and the flow goes on; the user
        gets a new link by signing in again (verification) or asking again (reset).
        """
        site = EmailSite(name=settings.SITE_NAME, domain=urlsplit(settings.FRONTEND_URL).netloc)
        try:
            super().send_mail(template_prefix, email, {"current_site": site, **context})
        except (smtplib.SMTPException, OSError):
            logger.exception("account email %s could not be sent", template_prefix)

    def pre_authenticate(self, request, **credentials) -> None:
        """allauth answers a sign-in beyond the `login_failed` limit (per IP and per account)
        with a 400 form error; clients and proxies should see what it is: 429 Too Many
        Requests (with `Retry-After`, see `accounts.middleware`)."""
        try:
            super().pre_authenticate(request, **credentials)
        except forms.ValidationError as exc:
            if exc.code == "too_many_login_attempts":
                raise ImmediateHttpResponse(respond_429(request)) from exc
            raise
