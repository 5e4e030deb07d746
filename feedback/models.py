"""Participants, their submissions and answers; contact details, consent and monitoring apart.

Opinions (Submission, Answer) and personal data (ContactDetails, Consent, Monitoring) live
in separate tables so that personal data can be purged on schedule and never joins a public
listing or an export by accident.
"""

import hashlib
import secrets
import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Organisation
from consult.models import Choice, Consultation, Question, Region, TargetGroup

# Letters and digits nobody confuses when reading a reference aloud or copying it by hand.
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_token() -> str:
    """A private, unguessable token for a participant's link (192 bits)."""
    return secrets.token_urlsafe(24)


def new_reference() -> str:
    """A short reference such as 'K7QM-2XHP' (31^8 ≈ 8.5e11 possibilities)."""
    code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{code[:4]}-{code[4:]}"


class Participant(models.Model):
    """A person who answered: pseudonymous, known only by a private token."""

    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    language = models.CharField(_("language for messages"), max_length=15, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self) -> str:
        return f"participant {self.pk}"


class ContactDetails(models.Model):
    """How to reach a participant; optional, kept apart, purged on the retention schedule."""

    participant = models.OneToOneField(
        Participant, on_delete=models.CASCADE, related_name="contact_details"
    )
    email = models.EmailField(_("email address"), blank=True)
    phone = models.CharField(_("phone number"), max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("contact details")
        verbose_name_plural = _("contact details")

    def __str__(self) -> str:
        return f"contact details of participant {self.participant_id}"


class Consent(models.Model):
    """One permission a participant gave, with the exact wording they saw and when."""

    class Purpose(models.TextChoices):
        OUTCOME_NEWS = "outcome_news", _("Tell me the outcome")
        FOLLOW_UP = "follow_up", _("Send me a short follow-up survey")
        PUBLICATION = "publication", _("Publish my answers without my name")
        MONITORING = "monitoring", _("Use my answers about me for equality monitoring")

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    wording = models.TextField(help_text=_("The text shown, as displayed."))
    language = models.CharField(
        max_length=15, help_text=_("The language the wording was shown in.")
    )
    given_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "purpose"],
                condition=Q(withdrawn_at__isnull=True),
                name="one_active_consent_per_purpose",
            )
        ]

    def __str__(self) -> str:
        return f"{self.purpose} by participant {self.participant_id}"


class SubmissionQuerySet(models.QuerySet["Submission"]):
    def submitted(self) -> "SubmissionQuerySet":
        """Sent in and not withdrawn (confirmed or not)."""
        return self.filter(state=Submission.State.SUBMITTED)

    def confirmed(self) -> "SubmissionQuerySet":
        """Submitted and counted: email-confirmed where the consultation asks for it."""
        return self.submitted().filter(
            Q(email_confirmed_at__isnull=False)
            | ~Q(consultation__mode=Consultation.Mode.EMAIL_CONFIRMED)
            | ~Q(channel=Submission.Channel.ONLINE)
        )

    def unconfirmed(self) -> "SubmissionQuerySet":
        """Submitted online to an email-confirmed consultation but not confirmed yet."""
        return self.submitted().filter(
            email_confirmed_at__isnull=True,
            consultation__mode=Consultation.Mode.EMAIL_CONFIRMED,
            channel=Submission.Channel.ONLINE,
        )


class Submission(models.Model):
    """One participant's response to one consultation."""

    class Channel(models.TextChoices):
        ONLINE = "online", pgettext_lazy("channel", "Online")
        ASSISTED = "assisted", pgettext_lazy("channel", "Through a facilitator")
        API = "api", pgettext_lazy("channel", "Partner app")
        IMPORT = "import", pgettext_lazy("channel", "Imported paper response")

    class State(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("submission state", "Draft")
        SUBMITTED = "submitted", pgettext_lazy("submission state", "Submitted")
        WITHDRAWN = "withdrawn", pgettext_lazy("submission state", "Withdrawn")

    class ReceivedVia(models.TextChoices):
        PAPER = "paper", _("On paper")
        PHONE = "phone", _("By phone")
        MEETING = "meeting", _("At a meeting or event")

    # Foreign keys found through a composite index that starts with them have no index of
    # their own here: one index fewer to write for every row the API stores.
    consultation = models.ForeignKey(
        Consultation, on_delete=models.PROTECT, related_name="submissions", db_index=False
    )
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="submissions"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    reference = models.CharField(max_length=9, unique=True, default=new_reference, editable=False)
    idempotency_key = models.UUIDField(null=True, blank=True, editable=False)
    language = models.CharField(_("language of the answers"), max_length=15, blank=True)
    # Assisted entry: who typed it in, and how, when and where the person gave their views.
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    entered_for = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The organisation of the facilitator or partner app that sent it."),
    )
    received_via = models.CharField(
        _("received"), max_length=10, choices=ReceivedVia.choices, blank=True
    )
    received_on = models.DateField(_("date received"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    late_paper = models.BooleanField(
        default=False,
        help_text=_("A paper response received before the deadline, entered after closing."),
    )
    email_confirmed_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            # A retried request or a double click never makes a second submission.
            models.UniqueConstraint(
                fields=["consultation", "idempotency_key"], name="submission_idempotency_key"
            ),
            models.CheckConstraint(
                condition=Q(state="draft") | Q(submitted_at__isnull=False),
                name="submission_sent_has_time",
            ),
        ]
        indexes = [
            # Counted submissions of a consultation, of one channel and language, read from
            # the index alone (the id is in it) when results are filtered.
            models.Index(
                fields=["consultation", "state", "channel", "language", "id"],
                name="submission_counted_filter",
            )
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_draft(self) -> bool:
        return self.state == self.State.DRAFT

    @property
    def is_submitted(self) -> bool:
        return self.state == self.State.SUBMITTED

    @property
    def is_withdrawn(self) -> bool:
        return self.state == self.State.WITHDRAWN

    @property
    def awaits_confirmation(self) -> bool:
        return (
            self.is_submitted
            and self.channel == self.Channel.ONLINE
            and self.consultation.mode == Consultation.Mode.EMAIL_CONFIRMED
            and self.email_confirmed_at is None
        )


def answer_file_path(instance: "Answer", filename: str) -> str:
    # A random name: the person's own file name may say who they are.
    return f"answers/{instance.question_id}/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


class Answer(models.Model):
    """A submission's answer to one question; chosen options are AnswerChoice rows."""

    # Indexed by `one_answer_per_question` and `answer_question_yes_no`.
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="answers", db_index=False
    )
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="answers", db_index=False
    )
    text = models.TextField(blank=True, help_text=_("Free text, or the reason for a yes or no."))
    other_text = models.TextField(blank=True, help_text=_('What the person wrote for "Other".'))
    yes_no = models.BooleanField(null=True, blank=True)
    number = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    file = models.FileField(upload_to=answer_file_path, blank=True, max_length=200)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "question"], name="one_answer_per_question"
            )
        ]
        indexes = [
            # Results (outcomes.queries) count answers and yeses per question from this
            # small, deduplicated index, and read numbers from the partial one.
            models.Index(fields=["question", "yes_no"], name="answer_question_yes_no"),
            models.Index(
                fields=["question", "number", "submission"],
                condition=Q(number__isnull=False),
                name="answer_question_number",
            ),
        ]

    def __str__(self) -> str:
        return f"answer to question {self.question_id}"


class AnswerChoice(models.Model):
    """An option picked in an answer; `rank` orders the items of a ranking (1 = first).

    `submission`, `channel` and `language` are copies of the answer's submission and of its
    channel and language, which never change once it is made (`feedback.services` writes
    them with the row). With them, results filtered or broken down by channel, language or
    group read the options of the matching submissions straight from one index, instead of
    joining every answer of the question to its submission (`outcomes.queries`).
    """

    # Indexed by `choice_once_per_answer`, and the choice by the (choice, rank) index.
    answer = models.ForeignKey(
        Answer, on_delete=models.CASCADE, related_name="selections", db_index=False
    )
    choice = models.ForeignKey(
        Choice, on_delete=models.PROTECT, related_name="selections", db_index=False
    )
    rank = models.PositiveSmallIntegerField(null=True, blank=True)
    # No constraint or index of its own: the row goes with its answer, and the results
    # index below covers every read.
    submission = models.ForeignKey(
        Submission,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    channel = models.CharField(max_length=10, choices=Submission.Channel.choices)
    language = models.CharField(max_length=15, blank=True)
    # The submission's monitoring, joined on the copied submission id (no column of its own):
    # results by group go straight from an option to the groups.
    monitoring = models.ForeignObject(
        "Monitoring",
        on_delete=models.DO_NOTHING,
        from_fields=["submission"],
        to_fields=["submission"],
        null=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("chosen option")
        verbose_name_plural = _("chosen options")
        constraints = [
            models.UniqueConstraint(fields=["answer", "choice"], name="choice_once_per_answer")
        ]
        indexes = [
            # Results count the options chosen, and sum the ranks, choice by choice from
            # this small index (deduplicated: few distinct keys) ...
            models.Index(fields=["choice", "rank"], name="answerchoice_choice_rank"),
            # ... and, filtered or broken down by channel, language or group, from this one
            # alone (its INCLUDE is PostgreSQL's; SQLite keeps the key columns only).
            models.Index(
                fields=["choice", "channel", "language"],
                include=["submission", "rank"],
                name="answerchoice_results",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"choice {self.choice_id} (rank {self.rank})"
            if self.rank
            else f"choice {self.choice_id}"
        )


PREFER_NOT = "prefer_not"
PREFER_NOT_LABEL = _("Prefer not to say")


class Monitoring(models.Model):
    """Equality monitoring: who the person is, self-identified, read only in aggregate."""

    class AgeBand(models.TextChoices):
        UNDER_18 = "under_18", _("Under 18")
        FROM_18 = "18_24", _("18 to 24")
        FROM_25 = "25_34", _("25 to 34")
        FROM_35 = "35_49", _("35 to 49")
        FROM_50 = "50_64", _("50 to 64")
        FROM_65 = "65_plus", _("65 or over")
        WITHHELD = PREFER_NOT, PREFER_NOT_LABEL

    class Disability(models.TextChoices):
        YES = "yes", _("Yes")
        NO = "no", _("No")
        WITHHELD = PREFER_NOT, PREFER_NOT_LABEL

    class AnsweringFor(models.TextChoices):
        SELF = "self", _("Myself")
        ORGANISATION = "organisation", _("An organisation")
        WITHHELD = PREFER_NOT, PREFER_NOT_LABEL

    submission = models.OneToOneField(
        Submission, on_delete=models.CASCADE, related_name="monitoring"
    )
    age_band = models.CharField(max_length=10, choices=AgeBand.choices, blank=True)
    groups = models.ManyToManyField(TargetGroup, blank=True, related_name="+")
    groups_withheld = models.BooleanField(default=False)
    disability = models.CharField(max_length=10, choices=Disability.choices, blank=True)
    region = models.ForeignKey(
        Region, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    region_withheld = models.BooleanField(default=False)
    main_language = models.CharField(max_length=100, blank=True)
    answering_for = models.CharField(max_length=12, choices=AnsweringFor.choices, blank=True)
    organisation_name = models.CharField(max_length=200, blank=True)
    civil_society = models.BooleanField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("equality monitoring")
        verbose_name_plural = _("equality monitoring")
        # Results by group go from a submission to its groups without reading this table.
        indexes = [models.Index(fields=["submission"], include=["id"], name="monitoring_results")]

    def __str__(self) -> str:
        return f"monitoring for submission {self.submission_id}"


class PartnerToken(models.Model):
    """An API key for a partner app or SMS gateway, acting for one organisation.

    Only a hash of the key is stored; the key is shown once, when it is made.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="partner_tokens"
    )
    name = models.CharField(_("name"), max_length=120)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("partner API token")
        verbose_name_plural = _("partner API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()
