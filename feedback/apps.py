from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = _("Feedback")

    def ready(self) -> None:
        # Connects the receivers of consult's lifecycle signal (messages to participants).
        from feedback import messaging  # noqa: F401
