"""Re-decide stored requests' findings under a proposed policy and print what changes."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from recordwarden.policy import engine
from recordwarden.policy.whatif import whatif


class Command(BaseCommand):
    help = "Show which past decisions a proposed policy would change, with citations."

    def add_arguments(self, parser):
        parser.add_argument(
            "--policy",
            "--policies",
            dest="policy",
            required=True,
            help="The proposed policy: a directory of .cedar files with its "
            "schema.cedarschema, or one .cedar file with the schema beside it.",
        )

    def handle(self, *args, **options):
        try:
            candidate = engine.load_policy(options["policy"])
        except (engine.PolicyError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        for line in whatif(candidate).lines():
            self.stdout.write(line)
