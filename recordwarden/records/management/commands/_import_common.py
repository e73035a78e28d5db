"""Shared output for the import commands: every rejected line, then a non-zero exit."""

from django.core.management.base import CommandError

from recordwarden.records.services import ImportRejected


def report_rejection(command, exc: ImportRejected) -> CommandError:
    for error in exc.errors:
        if error.line:
            command.stderr.write(f"{exc.filename}: {error}")
        else:
            command.stderr.write(f"{exc.filename}: {error.reason}")
    shown = len(exc.errors)
    if exc.error_count > shown:
        command.stderr.write(f"... and {exc.error_count - shown} more bad lines")
    return CommandError(str(exc))


def report_success(command, result) -> None:
    extra = ""
    if result.workers_created or result.employers_created:
        extra = (
            f"; {result.workers_created} new workers, "
            f"{result.employers_created} new employers"
        )
    command.stdout.write(
        command.style.SUCCESS(
            f"{result.filename} ({result.format}): {result.rows} rows, "
            f"{result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged{extra}."
        )
    )
