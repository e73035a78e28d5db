"""Import workers from a CSV file with exactly these columns: worker_id, ssn,
first_name, middle_name, last_name, suffix, dob (YYYY-MM-DD), street, city, state, zip,
county. All or nothing: every bad line is reported and nothing is written."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from recordwarden.records.services import ImportRejected, workers_import

from ._import_common import report_rejection, report_success


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--encoding", default="utf-8")

    def handle(self, *args, file: Path, encoding: str, **options):
        if not file.is_file():
            raise CommandError(f"{file} is not a file")
        try:
            result = workers_import(
                actor="system:import_workers", path=file, encoding=encoding
            )
        except ImportRejected as exc:
            raise report_rejection(self, exc) from exc
        report_success(self, result)
