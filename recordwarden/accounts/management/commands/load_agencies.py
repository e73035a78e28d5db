from pathlib import Path

import yaml
from django.core.management.base import BaseCommand, CommandError

from recordwarden.accounts.services import RegistryError, agency_load_registry


class Command(BaseCommand):
    help = "Load or update the agency registry from a YAML file (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {file}: {exc}") from exc
        try:
            entries = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise CommandError(f"{file} is not valid YAML: {exc}") from exc
        try:
            result = agency_load_registry(actor="system:load_agencies", entries=entries)
        except RegistryError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"agencies: {len(result.created)} created, {len(result.updated)} updated, "
            f"{len(result.unchanged)} unchanged"
        )
