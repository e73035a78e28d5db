"""Print the transparency report, from the kept counters or recomputed from the log."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from recordwarden.audit import note


class Command(BaseCommand):
    help = (
        "Print the transparency report as CSV (the same bytes as the page's download). "
        "By default the kept counters are brought up to the latest signed checkpoint "
        "first. With --from-audit, the report is recomputed from the audit log's "
        "entries alone: from this database, or from FILE (entries downloaded from "
        "/api/v1/audit/entries, one JSON page or entry per line). The public report "
        "reads public entries only; --full gives the staff report, which needs every "
        "entry (from /api/v1/audit/entries/full, for auditors). Exit status 0: done; "
        "1: the entries do not make the checkpoint's root; 2: unreadable input."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--from-audit",
            nargs="?",
            const="",
            default=None,
            metavar="FILE",
            help="recompute from the log's entries (this database, or FILE)",
        )
        parser.add_argument(
            "--size",
            type=int,
            help="use the first SIZE entries (default: the latest checkpoint's size, "
            "or every entry in FILE)",
        )
        parser.add_argument(
            "--checkpoint",
            metavar="CHECKPOINT_FILE",
            help="a signed checkpoint: the entries must make its root",
        )
        parser.add_argument(
            "--key",
            action="append",
            metavar="VERIFIER_KEY",
            help="verifier key for --checkpoint (default: this installation's key)",
        )
        parser.add_argument(
            "--format",
            choices=["csv", "counts"],
            default="csv",
            help="csv: the published report; counts: the counters per quarter, "
            "before suppression (JSON)",
        )
        parser.add_argument(
            "--full",
            action="store_true",
            help="the full (staff) report, with the counts that need restricted "
            "entries; from a file, it needs every entry's text",
        )
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="throw the kept counters away and fold the log again",
        )
        parser.add_argument("--output", metavar="FILE", help="write here, not stdout")

    def handle(self, *args, **options):
        from recordwarden.transparency.constants import FULL, PUBLIC

        options["scope"] = FULL if options["full"] else PUBLIC
        if options["from_audit"] is not None:
            text = self._from_audit(options)
        else:
            text = self._kept(options)
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")

    def _kept(self, options) -> str:
        from recordwarden.transparency.selectors import report_counts, report_published
        from recordwarden.transparency.services import report_rebuild, report_refresh

        folded = report_rebuild() if options["rebuild"] else report_refresh()
        self.stderr.write(f"folded {folded} new audit entries into the report")
        scope = options["scope"]
        if options["format"] == "counts":
            return json.dumps(report_counts(scope), sort_keys=True, indent=1) + "\n"
        return report_published(scope).to_csv()

    def _checkpoint(self, options):
        from recordwarden.audit import keys

        if not options["checkpoint"]:
            return None
        try:
            text = Path(options["checkpoint"]).read_text(encoding="utf-8")
            verifiers = (
                [note.parse_verifier_key(k) for k in options["key"]]
                if options["key"]
                else [keys.verifier()]
            )
            return note.open_checkpoint(text, verifiers)
        except (OSError, UnicodeDecodeError, note.NoteError) as exc:
            raise CommandError(
                f"cannot use the checkpoint: {exc}", returncode=2
            ) from exc

    def _from_audit(self, options) -> str:
        from recordwarden.transparency import replay
        from recordwarden.transparency.services import report_target_size

        checkpoint = self._checkpoint(options)
        size = options["size"]
        if size is None and checkpoint is not None:
            size = checkpoint.size
        source = options["from_audit"]
        if source:
            path = Path(source)
            if not path.exists():
                raise CommandError(f"no such file: {source}", returncode=2)
            items = replay.entries_from_file(path)
        else:
            size = report_target_size() if size is None else size
            items = replay.entries_from_database(size, scope=options["scope"])
        try:
            report, read, counts = replay.report_from_entries(
                items, size=size, scope=options["scope"]
            )
        except (replay.ReplayError, KeyError, TypeError) as exc:
            raise CommandError(
                f"the entries cannot be read: {exc}", returncode=2
            ) from exc
        if checkpoint is not None and (
            read.size != checkpoint.size or read.root != checkpoint.root
        ):
            raise CommandError(
                f"the {read.size} entries make root {read.root_b64}, not the signed "
                f"checkpoint's root for {checkpoint.size} entries",
                returncode=1,
            )
        self.stderr.write(
            f"recomputed the {options['scope']} report from {read.size} audit entries "
            f"({read.restricted} restricted, counted by their hash), root "
            f"{read.root_b64}"
            + (" (matches the signed checkpoint)" if checkpoint is not None else "")
        )
        if options["format"] == "counts":
            return json.dumps(counts, sort_keys=True, indent=1) + "\n"
        return report.to_csv()
