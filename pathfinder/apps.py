from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class PathfinderConfig(AppConfig):
    name = "pathfinder"
    verbose_name = "Path finder"

    def ready(self) -> None:
        from pathfinder.cache import questionnaire_changed

        for model in self.get_models():
            post_save.connect(
                questionnaire_changed, sender=model, dispatch_uid=f"path-finder-save-{model}"
            )
            post_delete.connect(
                questionnaire_changed, sender=model, dispatch_uid=f"path-finder-delete-{model}"
            )
