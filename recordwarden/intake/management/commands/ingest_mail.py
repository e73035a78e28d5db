"""Read inbound email into intake: .eml files, folders, mbox, Maildir, or --imap.

    manage.py ingest_mail examples/requests/ [--inbox records@dws.example.gov] [--json]
    manage.py ingest_mail --imap mail.example.gov --user records \\
        [--password-env IMAP_PASSWORD] [--mailbox INBOX] [--inbox records@...]

Every message is stored with its SHA-256, whatever its state; the output says, per
message, the request it created or joined, or that it went to the clerks' triage list.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Max

from recordwarden.intake.mailsources import ImapSource, from_path
from recordwarden.intake.models import Submission
from recordwarden.intake.services import submission_ingest_email

ACTOR = "system:ingest_mail"


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", type=Path)
        parser.add_argument(
            "--inbox",
            default="",
            help="The staff address these messages reached (default: Delivered-To, "
            "X-Original-To or the first recipient of each message).",
        )
        parser.add_argument("--json", action="store_true", help="One JSON line each.")
        parser.add_argument("--imap", metavar="HOST", help="Read from an IMAP server.")
        parser.add_argument("--port", type=int, default=993)
        parser.add_argument(
            "--starttls", action="store_true", help="Port 143 + STARTTLS."
        )
        parser.add_argument("--user", default="")
        parser.add_argument(
            "--password-env",
            default="IMAP_PASSWORD",
            help="Environment variable holding the IMAP password (never an argument).",
        )
        parser.add_argument("--mailbox", default="INBOX")
        parser.add_argument("--search", default="UNSEEN", help="IMAP search criteria.")
        parser.add_argument("--limit", type=int, default=500)

    def handle(self, *args, paths, **options):
        if bool(paths) == bool(options["imap"]):
            raise CommandError("give message paths, or --imap HOST, not both")
        sources = self._imap(options) if options["imap"] else self._files(paths)
        counts: dict[str, int] = {}
        for label, raw, acknowledge in sources:
            outcome = self._one(label, raw, options)
            acknowledge()
            counts[outcome] = counts.get(outcome, 0) + 1
        if not options["json"]:
            summary = ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "none"
            self.stdout.write(f"messages: {summary}")

    def _files(self, paths):
        for path in paths:
            if not path.exists():
                raise CommandError(f"{path} does not exist")
            try:
                yield from from_path(path)
            except OSError as exc:
                raise CommandError(f"cannot read {path}: {exc}") from exc

    def _imap(self, options):
        password = os.environ.get(options["password_env"], "")
        if not options["user"] or not password:
            raise CommandError(
                f"--imap needs --user and the password in ${options['password_env']}"
            )
        source = ImapSource(
            host=options["imap"],
            user=options["user"],
            password=password,
            mailbox=options["mailbox"],
            port=143
            if options["starttls"] and options["port"] == 993
            else options["port"],
            use_ssl=not options["starttls"],
            search=options["search"],
            limit=options["limit"],
        )
        try:
            yield from source.messages()
        except OSError as exc:
            raise CommandError(f"IMAP: {exc}") from exc

    def _one(self, label: str, raw: bytes, options) -> str:
        newest = Submission.objects.aggregate(m=Max("pk"))["m"] or 0
        submission = submission_ingest_email(
            actor=ACTOR, raw=raw, inbox=options["inbox"]
        )
        request = submission.request
        if submission.pk <= newest:
            outcome = "duplicate"
        elif request is None:
            outcome = "triage"
        elif request.submissions.exclude(pk=submission.pk).exists():
            outcome = "joined"
        else:
            outcome = "created"
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "source": label,
                        "outcome": outcome,
                        "reference": request.reference if request else None,
                        "submission": submission.pk,
                        "sha256": submission.sha256,
                        "needs_triage": submission.needs_triage,
                        "problems": submission.problems,
                        "extracted": submission.extracted,
                    },
                    sort_keys=True,
                )
            )
        else:
            ref = request.reference if request else "no request"
            flag = " (needs a clerk)" if submission.needs_triage else ""
            self.stdout.write(f"{label}: {outcome} {ref}{flag}")
        return outcome
