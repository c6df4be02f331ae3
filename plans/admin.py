from django.contrib import admin
from django.utils import timezone

from plans.models import CalendarFeed, IdempotencyRecord, Milestone, Plan, PlanItem, Reminder


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class PlanItemInline(ReadOnlyInline):
    model = PlanItem
    fields = [
        "position",
        "kind",
        "display_title",
        "status",
        "planned_cost",
        "duration_value",
        "duration_unit",
        "exam_date",
    ]
    readonly_fields = fields
    ordering = ["position", "id"]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).select_related("training_step", "certification", "tool")
        )


class MilestoneInline(ReadOnlyInline):
    model = Milestone
    fields = ["due_on", "kind", "title", "done_at", "item"]
    readonly_fields = fields


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    """Plans are the owners' own data: staff can look (support), not edit."""

    list_display = ["title", "owner", "target_role", "training_path", "start_date", "status"]
    list_filter = ["status", "target_role", "training_path"]
    search_fields = ["owner__email", "title"]
    list_select_related = ["owner", "target_role", "training_path"]
    date_hierarchy = "start_date"
    inlines = [PlanItemInline, MilestoneInline]
    readonly_fields = [
        "id",
        "owner",
        "title",
        "target_role",
        "training_path",
        "start_date",
        "status",
        "current_salary",
        "version",
        "created_at",
        "updated_at",
    ]
    fields = readonly_fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin):
    list_display = ["key", "owner", "status_code", "created_at"]
    search_fields = ["owner__email", "key"]
    list_select_related = ["owner"]
    readonly_fields = [
        "owner",
        "key",
        "fingerprint",
        "status_code",
        "response_body",
        "location",
        "created_at",
    ]
    fields = readonly_fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    """The send log. Sent rows are final: there is no resend (a reminder goes out once)."""

    list_display = [
        "milestone",
        "recipient_or_user",
        "offset_days",
        "due_on",
        "scheduled_for",
        "status",
        "attempts",
        "sent_at",
        "detail",
    ]
    list_filter = ["status", "offset_days", "scheduled_for", "sent_at"]
    search_fields = ["user__email", "recipient", "milestone__title", "message_id"]
    list_select_related = ["milestone", "user"]
    date_hierarchy = "scheduled_for"
    actions = ["retry_failed"]
    readonly_fields = [
        "milestone",
        "user",
        "offset_days",
        "due_on",
        "scheduled_for",
        "next_attempt_at",
        "status",
        "attempts",
        "claimed_at",
        "sent_at",
        "recipient",
        "message_id",
        "detail",
        "created_at",
    ]
    fields = readonly_fields

    @admin.display(description="To")
    def recipient_or_user(self, reminder: Reminder) -> str:
        return reminder.recipient or reminder.user.email

    @admin.action(description="Try the selected failed reminders again")
    def retry_failed(self, request, queryset):
        count = queryset.filter(status=Reminder.Status.FAILED).update(
            status=Reminder.Status.PENDING, next_attempt_at=timezone.now(), attempts=0, detail=""
        )
        self.message_user(
            request, f"{count} failed reminder(s) will be tried again; sent ones are never resent."
        )

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    search_fields = ["user__email"]
    fields = ["user", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
