"""Import a quarterly wage report: CSV (ssn, first_name, last_name, employer_fein,
year, quarter, wages in dollars) or ICESA fixed width (275-character A/B/E/S/T/F
records; see docs/icesa.md). All or nothing: every bad line is reported and nothing
is written. A worker not yet on file is created from the report (a new hire)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from recordwarden.records.services import ImportRejected, RecordsError, wages_import

from ._import_common import report_rejection, report_success


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--format",
            choices=["csv", "icesa"],
            default=None,
            help="default: detected from the first record",
        )
        parser.add_argument("--encoding", default="utf-8")

    def handle(self, *args, file: Path, format, encoding: str, **options):
        if not file.is_file():
            raise CommandError(f"{file} is not a file")
        try:
            result = wages_import(
                actor="system:import_wages", path=file, encoding=encoding, fmt=format
            )
        except ImportRejected as exc:
            raise report_rejection(self, exc) from exc
        except RecordsError as exc:
            raise CommandError(str(exc)) from exc
        report_success(self, result)
