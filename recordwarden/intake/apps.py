from django.apps import AppConfig


class IntakeConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "recordwarden.intake"
    label = "intake"

    def ready(self) -> None:
        from . import constants  # noqa: F401  (registers the audit actions)
