from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutcomesConfig(AppConfig):
    name = "outcomes"
    verbose_name = _("Outcomes")

    def ready(self) -> None:
        # Connects the receivers of consult's lifecycle signal (messages to participants).
        from outcomes import messaging  # noqa: F401
