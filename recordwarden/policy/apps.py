from django.apps import AppConfig


class PolicyConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "recordwarden.policy"
    label = "policy"

    def ready(self) -> None:
        from . import constants  # noqa: F401  (registers the audit actions)
