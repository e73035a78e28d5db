"""Print an inclusion or consistency proof of the audit log as JSON."""

import json

from django.core.management.base import BaseCommand, CommandError

from recordwarden.audit import selectors


class Command(BaseCommand):
    help = (
        "Print a proof as JSON (hashes in base64): "
        "'inclusion INDEX [--size N]' or 'consistency FIRST [SECOND]'."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="kind", required=True)
        inclusion = sub.add_parser(
            "inclusion", help="proof that an entry is in the log"
        )
        inclusion.add_argument("index", type=int)
        inclusion.add_argument(
            "--size",
            type=int,
            default=None,
            help="tree size (default: latest checkpoint)",
        )
        consistency = sub.add_parser(
            "consistency", help="proof that an earlier tree is a prefix of a later one"
        )
        consistency.add_argument("first", type=int)
        consistency.add_argument("second", type=int, nargs="?", default=None)

    def handle(self, *args, kind, **options):
        try:
            if kind == "inclusion":
                proof = selectors.inclusion_proof(options["index"], options["size"])
            else:
                proof = selectors.consistency_proof(options["first"], options["second"])
        except selectors.BadRange as exc:
            raise CommandError(str(exc), returncode=2) from exc
        self.stdout.write(json.dumps(proof.as_dict(), indent=2))
