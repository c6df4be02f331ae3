from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save


class RolesConfig(AppConfig):
    name = "roles"
    verbose_name = "Career catalogue"

    def ready(self) -> None:
        from roles.cache import catalogue_changed
        from roles.models import CatalogueRevision

        for model in self.get_models():
            if model is CatalogueRevision:
                continue
            post_save.connect(
                catalogue_changed, sender=model, dispatch_uid=f"catalogue-save-{model}"
            )
            post_delete.connect(
                catalogue_changed, sender=model, dispatch_uid=f"catalogue-delete-{model}"
            )
            for field in model._meta.local_many_to_many:
                m2m_changed.connect(
                    catalogue_changed,
                    sender=field.remote_field.through,
                    dispatch_uid=f"catalogue-m2m-{model}-{field.name}",
                )
