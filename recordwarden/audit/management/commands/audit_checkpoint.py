"""Sign a checkpoint of the audit log now; or start the periodic checkpoint task."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from recordwarden.audit.checkpoints import CheckpointRefused, checkpoint_sign
from recordwarden.audit.tasks import schedule_next


class Command(BaseCommand):
    help = (
        "Sign the audit log's current tree head (C2SP checkpoint) and print it. "
        "With --schedule, queue the periodic checkpoint task instead."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="sign even if the log has not grown"
        )
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="queue the periodic task (run by manage.py db_worker)",
        )

    def handle(self, *args, force=False, schedule=False, **options):
        if schedule:
            queued = schedule_next(delay=dt.timedelta(0))
            self.stderr.write(
                "Periodic checkpoint task queued."
                if queued
                else "The periodic checkpoint task is already queued."
            )
            return
        try:
            checkpoint = checkpoint_sign(actor="system:audit_checkpoint", force=force)
        except CheckpointRefused as exc:
            raise CommandError(str(exc), returncode=1) from exc
        self.stdout.write(checkpoint.note, ending="")
