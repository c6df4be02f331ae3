"""django-allauth hooks: a profile for every new account, and a 429 for too many failed
sign-ins."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.ratelimit import respond_429
from django import forms
from django.db import transaction

from accounts.selectors import profile_for_user


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        # The user and their profile are created together or not at all.
        with transaction.atomic():
            user = super().save_user(request, user, form, commit=commit)
            if commit:
                profile_for_user(user=user)
        return user

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
