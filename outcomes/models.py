"""Outcomes: themes and coding, analysis jobs, reports, commitments, follow-up surveys."""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from consult.models import Consultation, Question
from feedback.models import Answer, Participant


class Theme(models.Model):
    """Something people said, named by an analyst; answers are coded to it."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="themes")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self) -> str:
        return self.name


class Coding(models.Model):
    """An answer assigned to a theme, by whom, and whether the analyst chose it as a quote."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="codings")
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="codings")
    coded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    from_suggestion = models.BooleanField(default=False)
    is_quote = models.BooleanField(_("use as a quote"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("coding")
        verbose_name_plural = _("codings")
        constraints = [
            models.UniqueConstraint(fields=["answer", "theme"], name="code_answer_once_per_theme")
        ]
        indexes = [models.Index(fields=["theme", "is_quote"])]

    def __str__(self) -> str:
        return f"answer {self.answer_id} → theme {self.theme_id}"


class Job(models.Model):
    """A long task run by a Celery worker, with progress staff can watch."""

    class Kind(models.TextChoices):
        SUGGEST_THEMES = "suggest_themes", _("Suggest themes")
        GROUP_CAMPAIGNS = "group_campaigns", _("Find campaigns and duplicates")
        EXPORT = "export", _("Open data export")

    class State(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("job state", "Waiting")
        RUNNING = "running", pgettext_lazy("job state", "Running")
        DONE = "done", pgettext_lazy("job state", "Done")
        FAILED = "failed", pgettext_lazy("job state", "Failed")

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="jobs")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, null=True, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    parameters = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    file = models.FileField(upload_to="exports/", blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # When its task was last handed to the broker; None while the broker could not be reached.
    enqueued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Claims by a worker: more than one means a worker died while running it.
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.state})"


class SuggestedTheme(models.Model):
    """A cluster of similar free-text answers; nothing is published until an analyst acts."""

    class State(models.TextChoices):
        PENDING = "pending", pgettext_lazy("suggestion state", "To review")
        ACCEPTED = "accepted", pgettext_lazy("suggestion state", "Accepted")
        MERGED = "merged", pgettext_lazy("suggestion state", "Merged")
        REJECTED = "rejected", pgettext_lazy("suggestion state", "Rejected")

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="suggestions")
    label = models.CharField(max_length=200)
    terms = models.JSONField(default=list)
    size = models.PositiveIntegerField(default=0)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    theme = models.ForeignKey(Theme, on_delete=models.SET_NULL, null=True, blank=True)
    answers = models.ManyToManyField(Answer, related_name="+", blank=True)

    class Meta:
        ordering = ["-size", "pk"]
        verbose_name = _("suggested theme")
        verbose_name_plural = _("suggested themes")

    def __str__(self) -> str:
        return self.label


class Campaign(models.Model):
    """Identical or near-identical answers grouped so each distinct voice is read once."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="campaigns"
    )
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    job = models.ForeignKey(Job, on_delete=models.SET_NULL, null=True, blank=True)
    representative = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="+")
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-size", "pk"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return f"campaign of {self.size} answers"


class CampaignMember(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="members")
    answer = models.OneToOneField(Answer, on_delete=models.CASCADE, related_name="campaign_member")
    similarity = models.FloatField(default=1.0)

    def __str__(self) -> str:
        return f"answer {self.answer_id} in campaign {self.campaign_id}"


class Baseline(models.Model):
    """The share of a group expected among participants (e.g. older persons in the region)."""

    class Dimension(models.TextChoices):
        GROUP = "group", _("Self-identified group")
        REGION = "region", _("Region")
        LANGUAGE = "language", _("Language")
        AGE_BAND = "age_band", _("Age band")
        CHANNEL = "channel", _("Channel")

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="baselines"
    )
    dimension = models.CharField(_("dimension"), max_length=10, choices=Dimension.choices)
    key = models.CharField(_("value"), max_length=100)
    expected_share = models.DecimalField(
        _("expected share (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("baseline")
        verbose_name_plural = _("baselines")
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "dimension", "key"], name="one_baseline_per_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dimension}={self.key}: {self.expected_share}%"


class Report(models.Model):
    """The public outcome report: what we heard and what we will do."""

    consultation = models.OneToOneField(
        Consultation, on_delete=models.CASCADE, related_name="report"
    )
    summary = models.TextField(_("summary"), blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("outcome report")
        verbose_name_plural = _("outcome reports")

    def __str__(self) -> str:
        return f"outcome report of consultation {self.consultation_id}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class ThemeResponse(models.Model):
    """For one theme: what we heard and our response."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="theme_responses")
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="responses")
    what_we_heard = models.TextField(_("what we heard"), blank=True)
    response = models.TextField(_("our response"), blank=True)

    class Meta:
        verbose_name = _("response to a theme")
        verbose_name_plural = _("responses to themes")
        constraints = [
            models.UniqueConstraint(fields=["report", "theme"], name="one_response_per_theme")
        ]

    def __str__(self) -> str:
        return f"response to theme {self.theme_id}"


class Commitment(models.Model):
    """An action the institution commits to, tracked publicly until done or not adopted."""

    class Status(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("commitment status", "Planned")
        IN_PROGRESS = "in_progress", pgettext_lazy("commitment status", "In progress")
        DONE = "done", pgettext_lazy("commitment status", "Done")
        NOT_ADOPTED = "not_adopted", pgettext_lazy("commitment status", "Not adopted")

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="commitments"
    )
    theme = models.ForeignKey(
        Theme, on_delete=models.SET_NULL, null=True, blank=True, related_name="commitments"
    )
    action = models.TextField(_("action"))
    responsible_body = models.CharField(_("responsible body"), max_length=200)
    due = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    reason = models.TextField(_("reason"), blank=True, help_text=_("Required when not adopted."))
    position = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")

    def __str__(self) -> str:
        return self.action[:80]


class CommitmentUpdate(models.Model):
    """One status change of a commitment: the public timeline."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="updates")
    status = models.CharField(max_length=12, choices=Commitment.Status.choices)
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("commitment update")
        verbose_name_plural = _("commitment updates")

    def __str__(self) -> str:
        return f"{self.commitment_id}: {self.status}"


class CommitmentFollower(models.Model):
    """A participant who asked to hear when a commitment's status changes."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="followers")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "participant"], name="follow_commitment_once"
            )
        ]

    def __str__(self) -> str:
        return f"participant {self.participant_id} follows {self.commitment_id}"


def new_survey_token() -> str:
    return secrets.token_urlsafe(24)


class FollowUpInvitation(models.Model):
    """A participant's one-time link to the follow-up survey of a consultation."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="follow_up_invitations"
    )
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64, unique=True, default=new_survey_token)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "participant"], name="one_follow_up_per_participant"
            )
        ]

    def __str__(self) -> str:
        return f"follow-up invitation {self.pk}"


class FollowUpResponse(models.Model):
    """Answers to the follow-up survey; not linked to the person, only to the consultation."""

    SCALE = [MinValueValidator(1), MaxValueValidator(5)]

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="follow_up_responses"
    )
    felt_heard = models.PositiveSmallIntegerField(null=True, blank=True, validators=SCALE)
    fair = models.PositiveSmallIntegerField(null=True, blank=True, validators=SCALE)
    clear = models.PositiveSmallIntegerField(null=True, blank=True, validators=SCALE)
    reflects = models.PositiveSmallIntegerField(null=True, blank=True, validators=SCALE)
    what_should_change = models.TextField(blank=True)
    language = models.CharField(max_length=15, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("follow-up survey response")
        verbose_name_plural = _("follow-up survey responses")

    def __str__(self) -> str:
        return f"follow-up response {self.pk}"
