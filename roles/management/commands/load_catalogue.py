"""Load the catalogue fixtures (fixtures/*.json), keeping what editors changed in the admin.

`make run` and the deploy's migrate job run this every time. By default it only adds the
fixture rows that are missing (found by natural key: slugs, codes, parent + discriminator), so
a figure an editor corrected in the admin survives the next deploy. `--overwrite` resets every
fixture row to the fixture's values (plain `loaddata`), e.g. after a fixture correction.
Either way, loading twice changes nothing.
"""

from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, transaction

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"


class Command(BaseCommand):
    help = (
        "Load the catalogue fixtures from fixtures/: add missing rows and keep existing ones "
        "(editors' changes), or reset them with --overwrite. Idempotent either way."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="Reset existing catalogue rows to the fixtures' values (loaddata).",
        )

    def handle(self, *args, overwrite: bool = False, **options):
        fixtures = sorted(FIXTURES_DIR.glob("*.json"))
        if not fixtures:
            self.stdout.write("No catalogue fixtures in fixtures/ yet.")
            return
        if overwrite:
            call_command("loaddata", *map(str, fixtures), verbosity=options["verbosity"])
            return
        added, kept = self.add_missing(fixtures)
        if options["verbosity"]:
            self.stdout.write(
                f"Catalogue: added {added} row(s), kept {kept} existing row(s) "
                "(run with --overwrite to reset them to the fixtures)."
            )

    @transaction.atomic
    def add_missing(self, fixtures: list[Path]) -> tuple[int, int]:
        added = kept = 0
        for fixture in fixtures:
            with fixture.open(encoding="utf-8") as stream:
                # Rows come parents first, so each natural foreign key resolves on the spot.
                for row in serializers.deserialize("json", stream):
                    if row.object.pk is not None:  # already in the database
                        kept += 1
                        continue
                    try:
                        row.save()
                    except DatabaseError as error:
                        raise CommandError(f"{fixture.name}: {row.object!r}: {error}") from error
                    added += 1
        return added, kept
