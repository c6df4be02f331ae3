from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User
from accounts.selectors import profile_for_user

DEMO_ACCOUNTS = (
    # email, password, is_staff
    ("admin@careerplan.local", "admin-demo-password", True),
    ("demo@careerplan.local", "demo-user-password", False),
)


class Command(BaseCommand):
    help = "Create a demo admin and a demo user (development only; refused when DEBUG is off)."

    @transaction.atomic
    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo accounts are never created when DJANGO_DEBUG is false.")
        for email, password, is_staff in DEMO_ACCOUNTS:
            user, created = User.objects.get_or_create(
                email=email, defaults={"is_staff": is_staff, "is_superuser": is_staff}
            )
            if created:
                user.set_password(password)
                user.save(update_fields=["password"])
            profile_for_user(user=user)
            EmailAddress.objects.update_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
            role = "admin" if is_staff else "user "
            state = "created" if created else "exists "
            self.stdout.write(f"demo {role} {state}: {email} / {password}")
