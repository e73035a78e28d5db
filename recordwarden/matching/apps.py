from django.apps import AppConfig


class MatchingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "recordwarden.matching"
    label = "matching"

    def ready(self) -> None:
        from . import constants  # noqa: F401  (registers the audit actions)
