from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "recordwarden.disclosure"
    label = "disclosure"

    def ready(self) -> None:
        from . import (
            constants,  # noqa: F401  (registers the audit actions)
            tasks,  # noqa: F401  (registers the background tasks)
        )
