from django.apps import AppConfig


class TransparencyConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "recordwarden.transparency"
    label = "transparency"
    verbose_name = "Transparency report"

    def ready(self) -> None:
        from . import constants  # noqa: F401 - registers the audit actions
