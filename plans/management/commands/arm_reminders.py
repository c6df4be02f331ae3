from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User
from careerplan.db import keyset_batches
from plans.models import Plan
from plans.reminders import reminders_arm_for_user


class Command(BaseCommand):
    help = (
        "Re-arm the pending reminders of every plan from its milestones and its owner's "
        "profile: after a change of REMINDER_SEND_HOUR, REMINDER_MILESTONE_OFFSETS or "
        "REMINDER_CATCH_UP_HOURS, or of the time zone database. A change of a plan re-arms "
        "its own; a milestone's change only that milestone's."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch", type=int, default=500, help="Owners re-armed per round (default 500)."
        )

    def handle(self, *args, batch: int, **options):
        if batch < 1:
            raise CommandError("--batch takes a number of owners of at least 1.")
        owners = Plan.objects.order_by("owner_id").values_list("owner_id", flat=True).distinct()
        seen = pending = 0
        for ids in keyset_batches(owners, "owner_id", batch):
            for user in User.objects.filter(pk__in=ids).order_by("pk"):
                with transaction.atomic():  # each owner on their own
                    pending += reminders_arm_for_user(user=user)
            seen += len(ids)
        self.stdout.write(f"{pending} pending reminders for the plans of {seen} owners.")
