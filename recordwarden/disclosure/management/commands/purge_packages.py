"""Remove the content of disclosure packages built more than PACKAGE_RETENTION_DAYS
ago. Their hashes, element lists and the accounting of disclosures stay."""

from django.conf import settings
from django.core.management.base import BaseCommand

from recordwarden.disclosure.services import packages_purge_expired

ACTOR = "system:purge_packages"


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
            from recordwarden.disclosure.tasks import purge_packages_task

            result = purge_packages_task.enqueue()
            self.stdout.write(f"Queued task {result.id}.")
            return
        count = packages_purge_expired(actor=ACTOR)
        self.stdout.write(
            f"{count} package(s) older than {settings.PACKAGE_RETENTION_DAYS} days purged."
        )
