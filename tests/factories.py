"""Factories shared by every app's tests (app-specific ones live in tests/<app>/factories.py)."""

import factory

from accounts.models import User

DEFAULT_PASSWORD = "correct horse battery staple 42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ProfileFactory(factory.django.DjangoModelFactory):
    """A user's profile with explicit preferences (users get a default one on first use)."""

    class Meta:
        model = "accounts.Profile"

    user = factory.SubFactory(UserFactory)
    timezone = "America/Chicago"
    reminders_enabled = True
    exam_reminder_offsets = factory.LazyFunction(lambda: [30, 7, 1])
    current_salary = None

    @classmethod
    def _create(cls, model_class, user, **kwargs):
        # The user may already have its default profile: set these values on it.
        profile, _ = model_class.objects.update_or_create(user=user, defaults=kwargs)
        return profile
