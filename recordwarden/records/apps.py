from django.apps import AppConfig


class RecordsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "recordwarden.records"
    label = "records"

    def ready(self) -> None:
        from . import constants  # noqa: F401  (registers the audit actions)
