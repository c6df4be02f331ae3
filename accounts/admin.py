from functools import wraps

from allauth.core import ratelimit
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpResponse

from accounts.middleware import retry_after_seconds
from accounts.models import Profile, User
from accounts.selectors import profile_for_user
from accounts.services import profile_changed, user_setup

ADMIN_LOGIN_THROTTLED = "Too many failed sign-ins. Try again later."


def rate_limited_admin_login(login_view):
    """The admin's sign-in form under the same failed-sign-in limits as the API
    (`ACCOUNT_RATE_LIMITS["login_failed"]`: per IP, and per account): Django's admin login does
    not go through allauth, so without this it could be used to guess passwords freely."""

    @wraps(login_view)
    def view(request, extra_context=None):
        if request.method != "POST":
            return login_view(request, extra_context)
        key = "admin:" + request.POST.get("username", "").strip().lower()
        if not ratelimit.consume(request, action="login_failed", key=key, dry_run=True):
            response = HttpResponse(ADMIN_LOGIN_THROTTLED, status=429, content_type="text/plain")
            response["Retry-After"] = str(retry_after_seconds("login"))
            return response
        response = login_view(request, extra_context)
        if not request.user.is_authenticated:  # the form came back with an error
            ratelimit.consume(request, action="login_failed", key=key)
        return response

    return view


admin.site.login = rate_limited_admin_login(admin.site.login)


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False  # deleted with the user, never on its own
    min_num = 1
    max_num = 1
    fields = [
        "timezone",
        "reminders_enabled",
        "exam_reminder_offsets",
        "current_salary",
        "created_at",
        "updated_at",
    ]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "display_name", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active"]
    search_fields = ["email", "display_name"]
    inlines = [ProfileInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("display_name",)}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    def get_inlines(self, request, obj):
        # The add form has only email and password; the profile starts with its defaults.
        return self.inlines if obj is not None else []

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Users created outside the sign-up path (imports, shell) may lack a profile: give
        # them one so the inline edits it instead of offering to create a second.
        user = self.get_object(request, object_id)
        if user is not None:
            profile_for_user(user=user)
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            user_setup(user=obj)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is Profile:
            # as the API's profile change does: other apps follow (plans re-time reminders)
            for profile_form in formset.forms:
                if profile_form.has_changed():
                    profile_changed(user=form.instance, fields=profile_form.changed_data)
