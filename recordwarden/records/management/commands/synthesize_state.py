"""Generate and load the synthetic New Mexico: workers, employers, eight quarters of
wages and UI claims, deterministic for a seed."""

import time

from django.core.management.base import BaseCommand, CommandError

from recordwarden.records.models import Worker
from recordwarden.records.services import RecordsError, state_synthesize
from recordwarden.records.synthetic import FULL_STATE_WORKERS


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--workers", type=int, default=FULL_STATE_WORKERS)
        parser.add_argument("--seed", type=int, default=505)
        parser.add_argument(
            "--replace",
            action="store_true",
            help="delete the records first (refused while other apps refer to them)",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing, successfully, when workers already exist",
        )

    def handle(self, *args, workers, seed, replace, if_empty, **options):
        if if_empty and Worker.objects.exists():
            self.stdout.write("Records already hold workers; nothing synthesized.")
            return
        started = time.perf_counter()
        try:
            result = state_synthesize(
                actor="system:synthesize_state",
                workers=workers,
                seed=seed,
                replace=replace,
            )
        except RecordsError as exc:
            raise CommandError(str(exc)) from exc
        seconds = time.perf_counter() - started
        counts = ", ".join(
            f"{v:,} {k.replace('_', ' ')}" for k, v in result.counts.items()
        )
        self.stdout.write(
            self.style.SUCCESS(f"Synthesized seed {seed} in {seconds:.1f} s: {counts}.")
        )
