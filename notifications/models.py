"""The outbox: one row per message to send, and the unsubscribe list.

Notifications depends on no other app. A recipient is the feedback app's participant token
(a string), never a foreign key, so the outbox can be written from any app's transaction.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# Suppression.scope for "every message", as opposed to one subject key.
SCOPE_ALL = "all"


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message (SMS)")


class State(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("message state", "Queued")
    SENDING = "sending", pgettext_lazy("message state", "Sending")
    SENT = "sent", pgettext_lazy("message state", "Sent")
    FAILED = "failed", pgettext_lazy("message state", "Failed")
    # The recipient unsubscribed after the message was queued; it is never sent.
    CANCELLED = "cancelled", pgettext_lazy("message state", "Cancelled")


class Purpose(models.TextChoices):
    """Why a message is sent. The field is a plain CharField: higher apps may add purposes."""

    CLOSING = "closing", _("Consultation closed")
    OUTCOME = "outcome", _("Outcome published")
    COMMITMENT = "commitment", _("Commitment update")
    CONFIRMATION = "confirmation", _("Email confirmation")
    DRAFT_REMINDER = "draft_reminder", _("Reminder to finish a draft")
    FOLLOW_UP_SURVEY = "follow_up_survey", _("Follow-up survey")


class MessageQuerySet(models.QuerySet):
    def pending(self):
        """Messages not yet sent, failed or cancelled."""
        return self.filter(state__in=[State.QUEUED, State.SENDING])

    def claimable(self, *, now, stale_before):
        """Queued messages that are due, and sends whose worker stopped answering."""
        return self.filter(
            Q(state=State.QUEUED, due_at__lte=now)
            | Q(state=State.SENDING, claimed_at__lt=stale_before)
        )

    def for_subject(self, subject_key: str):
        """Messages about one subject, e.g. "consultation:42"."""
        return self.filter(subject_key=subject_key)


class Message(models.Model):
    """One message to one recipient on one channel, rendered when it was queued.

    `address` is a copy of the email address or phone number taken when the message was
    queued, so purging a participant's contact details later does not break sends that are
    still pending; `messages_redact` blanks the copies once the messages are finished.
    """

    recipient = models.CharField(_("recipient"), max_length=64)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    address = models.CharField(_("address"), max_length=254, blank=True)
    purpose = models.CharField(_("purpose"), max_length=40)
    subject_key = models.CharField(_("subject"), max_length=80)
    language = models.CharField(_("language"), max_length=16)
    subject = models.CharField(_("subject line"), max_length=255, blank=True)
    text = models.TextField(_("text"), blank=True)
    html = models.TextField(_("HTML"), blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    provider_id = models.CharField(_("provider id"), max_length=255, blank=True)
    queued_at = models.DateTimeField(_("queued at"), default=timezone.now)
    # Not before this time: the next try after a transient error waits 2**attempts seconds.
    due_at = models.DateTimeField(_("due at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "purpose", "subject_key", "channel"],
                name="notifications_message_once",
            )
        ]
        indexes = [
            models.Index(fields=["subject_key", "state"], name="notif_msg_subject_state"),
            # The sweep looks only at unfinished rows; a partial index keeps it small.
            models.Index(
                fields=["state", "due_at"],
                name="notif_msg_pending",
                condition=Q(state__in=["queued", "sending"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.subject_key} → {self.recipient} ({self.channel})"


class Suppression(models.Model):
    """A recipient who unsubscribed, from one subject (e.g. "consultation:42") or from all."""

    recipient = models.CharField(_("recipient"), max_length=64)
    scope = models.CharField(_("scope"), max_length=80)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("unsubscribe")
        verbose_name_plural = _("unsubscribes")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "scope"], name="notifications_suppr_once")
        ]

    def __str__(self) -> str:
        return f"{self.recipient} ({self.scope})"


class FanOut(models.Model):
    """A large send processed in steps; the cursor survives a dead worker or lost task."""

    class Status(models.TextChoices):
        RUNNING = "running", pgettext_lazy("fan-out state", "Running")
        DONE = "done", pgettext_lazy("fan-out state", "Done")

    key = models.CharField(_("key"), max_length=120, unique=True)
    source = models.CharField(_("source"), max_length=200)
    kwargs = models.JSONField(_("arguments"), default=dict, blank=True)
    cursor = models.BigIntegerField(_("cursor"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RUNNING
    )
    steps = models.PositiveIntegerField(_("steps"), default=0)
    enqueued = models.PositiveIntegerField(_("messages queued"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("fan-out")
        verbose_name_plural = _("fan-outs")

    def __str__(self) -> str:
        return self.key
