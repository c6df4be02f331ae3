from django.core.management.base import BaseCommand, CommandError

from careerplan.db import keyset_batches
from plans.models import Plan
from plans.read_models import RenderingsNotStored, plan_renderings_refresh


class Command(BaseCommand):
    help = (
        "Render and store the bodies of every plan whose stored ones are missing or were "
        "rendered for another key (after a catalogue edit, a deploy, or for plans written in "
        "bulk), instead of leaving each to the plan's next read."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch", type=int, default=500, help="Plans rendered per round (default 500)."
        )
        parser.add_argument(
            "--all",
            action="store_true",
            dest="every",
            help=(
                "Render every plan, whatever its stored key says: after a change of plan rows "
                "that bypassed plans.services (a data migration, raw SQL). A catalogue edit "
                "made without Django's signals calls roles.cache.catalogue_changed() instead, "
                "which gives every plan a new key."
            ),
        )

    def handle(self, *args, batch: int, every: bool, **options):
        if batch < 1:
            raise CommandError("--batch takes a number of plans of at least 1.")
        plans = Plan.objects.order_by("pk").values_list("pk", flat=True)
        seen = rendered = 0
        for ids in keyset_batches(plans, "pk", batch):
            try:
                rendered += plan_renderings_refresh(ids, every=every)
            except RenderingsNotStored as exc:
                raise CommandError(f"Renderings not stored: {exc}") from exc
            seen += len(ids)
        self.stdout.write(f"{rendered} of {seen} plans rendered and stored.")
