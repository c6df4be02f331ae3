from django.contrib import admin

from plans.models import IdempotencyRecord, Milestone, Plan, PlanItem


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
