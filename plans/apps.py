from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = "Personal plans"

    def ready(self) -> None:
        from accounts import exports, services
        from plans.reminders import on_profile_change

        if on_profile_change not in services.PROFILE_CHANGE_HANDLERS:
            services.PROFILE_CHANGE_HANDLERS.append(on_profile_change)
        from plans.exports import (
            PlanExportSerializer,
            ReminderExportSerializer,
            export_plans,
            export_reminders,
        )

        exports.register(
            "plans",
            export_plans,
            models=["plans.Plan"],
            schema=PlanExportSerializer(many=True),
        )
        exports.register(
            "reminders",
            export_reminders,
            models=["plans.Reminder"],
            schema=ReminderExportSerializer(many=True),
        )
        exports.exclude(
            "plans.IdempotencyRecord",
            "copies of API responses kept for 24 hours so retried requests are not repeated",
        )
        exports.exclude("plans.CalendarFeed", "the secret of the calendar URL (rotate it instead)")
