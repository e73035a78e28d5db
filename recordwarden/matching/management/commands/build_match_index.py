"""Build the blocking-key index for subject matching: every worker (--rebuild) or only
workers that are not indexed yet (the default; run it after loading new workers)."""

from django.core.management.base import BaseCommand

from recordwarden.matching.services import match_index_build


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument(
            "--rebuild", action="store_true", help="drop the index and index everyone"
        )

    def handle(self, *args, rebuild, **options):
        verbosity = options["verbosity"]

        def progress(workers, keys):
            if verbosity > 1:
                self.stdout.write(f"  {workers:,} workers, {keys:,} keys")

        result = match_index_build(
            actor="system:build_match_index", rebuild=rebuild, progress=progress
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Indexed {result['workers']:,} workers under {result['keys']:,} keys "
                f"in {result['seconds']} s."
            )
        )
