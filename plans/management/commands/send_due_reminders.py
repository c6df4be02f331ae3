from django.core.management.base import BaseCommand

from plans.reminders import reminders_send_due_now


class Command(BaseCommand):
    help = "Claim the reminders that are due and send them now, in this process."

    def handle(self, *args, **options):
        claim, sent = reminders_send_due_now()
        self.stdout.write(
            f"claimed {len(claim.claimed)}, sent {sent.sent}, "
            f"skipped {sent.skipped + claim.too_late}, failed {sent.failed}, "
            f"retrying later {sent.retrying}"
        )
