from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = "Personal plans"

    def ready(self) -> None:
        from accounts import exports
        from plans.exports import PlanExportSerializer, export_plans

        exports.register(
            "plans",
            export_plans,
            models=["plans.Plan"],
            schema=PlanExportSerializer(many=True),
        )
        exports.NOT_EXPORTED.setdefault(
            "plans.IdempotencyRecord",
            "copies of API responses kept for 24 hours so retried requests are not repeated",
        )
