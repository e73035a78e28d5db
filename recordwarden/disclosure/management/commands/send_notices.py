"""Schedule the notices owed to workers, then render and send those that may go out
today (each exactly once). Run daily from cron, or queue the task with --queue."""

from django.core.management.base import BaseCommand

from recordwarden.disclosure.notices import notices_send_due

ACTOR = "system:send_notices"


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument(
            "--queue",
            action="store_true",
            help="Queue the background task instead of running now.",
        )

    def handle(self, *args, queue: bool, **options):
        if queue:
            from recordwarden.disclosure.tasks import send_notices_task

            result = send_notices_task.enqueue()
            self.stdout.write(f"Queued task {result.id}.")
            return
        result = notices_send_due(actor=ACTOR)
        self.stdout.write(
            f"{result['scheduled']} notice(s) scheduled, {result['sent']} sent, "
            f"{result['overdue']} overdue."
        )
