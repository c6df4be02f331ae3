from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"


class Command(BaseCommand):
    help = "Load the catalogue fixtures from fixtures/ (idempotent: loading twice changes nothing)."

    def handle(self, *args, **options):
        fixtures = sorted(str(path) for path in FIXTURES_DIR.glob("*.json"))
        if not fixtures:
            self.stdout.write("No catalogue fixtures in fixtures/ yet.")
            return
        call_command("loaddata", *fixtures, verbosity=options["verbosity"])
