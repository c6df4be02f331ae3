"""Extra sign-up fields, merged by django-allauth into its sign-up input
(`ACCOUNT_SIGNUP_FORM_CLASS`); `AccountAdapter.save_user` stores them."""

from django import forms


class SignupForm(forms.Form):
    display_name = forms.CharField(
        required=False, max_length=150, help_text="How the app addresses the user (optional)."
    )

    def signup(self, request, user) -> None:
        """allauth's hook after the user is saved; nothing left to do (see save_user)."""
