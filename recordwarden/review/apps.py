from django.apps import AppConfig


class ReviewConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "recordwarden.review"
    label = "review"

    def ready(self) -> None:
        from . import constants  # noqa: F401  (registers the audit actions)
