"""Schedule the notices owed to workers confirmed in requests (idempotent), without
sending anything. send_notices runs the same scan first."""

from django.core.management.base import BaseCommand

from recordwarden.disclosure.notices import notices_schedule


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options):
        created = notices_schedule(actor="system:schedule_notices")
        self.stdout.write(f"{len(created)} notice(s) scheduled.")
