"""Re-compute the audit log from its entries and check it; exit 1 if anything fails."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from recordwarden.audit import note
from recordwarden.audit.verify import verify_log


class Command(BaseCommand):
    help = (
        "Recompute the audit log's Merkle tree from its entries and check the leaf "
        "hashes, index order, stored checkpoints and their signatures. With --against "
        "FILE, also check that the log is an append-only extension of a checkpoint "
        "kept elsewhere. Exit status 0: verified; 1: tampering or damage found; "
        "2: the inputs could not be read."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--against",
            metavar="CHECKPOINT_FILE",
            help="a signed checkpoint saved earlier (e.g. from /audit/checkpoint.txt)",
        )
        parser.add_argument(
            "--key",
            metavar="VERIFIER_KEY",
            action="append",
            help=(
                "verifier key (name+id+key) trusted for --against; default: this "
                "installation's own key. Pass the key you kept, not one read from the "
                "server you are checking."
            ),
        )

    def handle(self, *args, against=None, key=None, **options):
        kept = None
        if against:
            try:
                kept = Path(against).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise CommandError(
                    f"cannot read {against}: {exc}", returncode=2
                ) from exc
        try:
            result = verify_log(against=kept, verifier_keys=key)
        except note.NoteError as exc:
            raise CommandError(f"bad verifier key: {exc}", returncode=2) from exc
        for line in result.notes:
            self.stdout.write(f"note: {line}")
        summary = (
            f"{result.size} entries, root {result.root.hex()}, "
            f"{result.checkpoints_checked} checkpoint(s) checked"
        )
        if result.against_size is not None:
            summary += f", kept checkpoint of size {result.against_size} checked"
        summary += f" in {result.seconds:.2f} s"
        if result.ok:
            self.stdout.write(self.style.SUCCESS(f"VERIFIED: {summary}"))
            return
        for problem in result.problems:
            self.stderr.write(f"FAILED: {problem}")
        raise CommandError(
            f"the audit log did NOT verify ({len(result.problems)} problem(s)); {summary}",
            returncode=1,
        )
