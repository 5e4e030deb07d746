"""Consultations: content, questions, events and the lifecycle's audit trail."""

import uuid
import zoneinfo
from pathlib import Path

from django.conf import settings
from django.core.validators import FileExtensionValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Organisation

ATTACHMENT_EXTENSIONS = [
    "pdf",
    "odt",
    "docx",
    "txt",
    "rtf",
    "png",
    "jpg",
    "jpeg",
    "mp3",
    "m4a",
    "csv",
]
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024


class TargetGroup(models.Model):
    """A group a consultation wants to hear from (a managed list)."""

    slug = models.SlugField(unique=True)
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "slug"]
        verbose_name = _("target group")
        verbose_name_plural = _("target groups")

    def __str__(self) -> str:
        return self.name


class Topic(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.name


class Region(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name


class State(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("consultation state", "Draft")
    SCHEDULED = "scheduled", pgettext_lazy("consultation state", "Scheduled")
    OPEN = "open", pgettext_lazy("consultation state", "Open")
    CLOSED = "closed", pgettext_lazy("consultation state", "Closed")
    OUTCOME_PUBLISHED = (
        "outcome_published",
        pgettext_lazy("consultation state", "Outcome published"),
    )
    ARCHIVED = "archived", pgettext_lazy("consultation state", "Archived")


PUBLIC_STATES = [State.SCHEDULED, State.OPEN, State.CLOSED, State.OUTCOME_PUBLISHED, State.ARCHIVED]


class ConsultationQuerySet(models.QuerySet["Consultation"]):
    def public(self) -> "ConsultationQuerySet":
        """Visible to everyone: anything past draft."""
        return self.filter(state__in=PUBLIC_STATES)

    def open(self) -> "ConsultationQuerySet":
        """Accepting submissions now."""
        return self.filter(state=State.OPEN)

    def due_to_open(self, now=None) -> "ConsultationQuerySet":
        """Scheduled and past their opening time."""
        return self.filter(state=State.SCHEDULED, opens_at__lte=now or timezone.now())

    def due_to_close(self, now=None) -> "ConsultationQuerySet":
        """Open and past their closing time."""
        return self.filter(state=State.OPEN, closes_at__lte=now or timezone.now())


class Consultation(models.Model):
    """A question a public institution puts to the public, for a set time."""

    class Mode(models.TextChoices):
        ANONYMOUS = "anonymous", _("Anyone, anonymously")
        EMAIL_CONFIRMED = "email_confirmed", _("Anyone, with a confirmed email address")
        ASSISTED_ONLY = "assisted_only", _("Only through a facilitator or at an event")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="consultations"
    )
    slug = models.SlugField(_("web address"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), max_length=600)
    body = models.TextField(_("full text"), blank=True)
    easy_read = models.TextField(
        _("easy-read summary"),
        blank=True,
        help_text=_("Short sentences and everyday words, for people with low literacy."),
    )
    topic = models.ForeignKey(
        Topic, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("topic")
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("region")
    )
    target_groups = models.ManyToManyField(
        TargetGroup, blank=True, related_name="consultations", verbose_name=_("target groups")
    )
    partners = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="partner_consultations",
        verbose_name=_("partner organisations"),
        help_text=_("Civil society organisations whose facilitators may enter responses."),
    )
    mode = models.CharField(
        _("who can take part"), max_length=20, choices=Mode.choices, default=Mode.ANONYMOUS
    )
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    outcome_due = models.DateField(_("outcome to be published by"))
    contact_name = models.CharField(_("contact name"), max_length=120, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    follow_up_days = models.PositiveSmallIntegerField(
        _("days after the outcome to send the follow-up survey"), default=14
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,  # the author's account may be gone; the consultation stays editable
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    first_published_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at"]
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="closes_after_opening"
            )
        ]
        indexes = [
            models.Index(fields=["state", "closes_at"]),
            models.Index(fields=["state", "opens_at"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("consult:detail", kwargs={"slug": self.slug})

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def is_open(self) -> bool:
        return self.state == State.OPEN

    @property
    def is_editable(self) -> bool:
        return self.state in (State.DRAFT, State.SCHEDULED)

    @property
    def accepts_online(self) -> bool:
        return self.is_open and self.mode != self.Mode.ASSISTED_ONLY


def attachment_path(instance: "Attachment", filename: str) -> str:
    return f"consultations/{instance.consultation_id}/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


class Attachment(models.Model):
    """A document published with a consultation."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="attachments"
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(
        _("file"),
        upload_to=attachment_path,
        validators=[FileExtensionValidator(ATTACHMENT_EXTENSIONS)],
    )
    text_alternative = models.TextField(
        _("text alternative"),
        help_text=_("What the document says or shows, for people who cannot open it."),
    )
    size = models.PositiveIntegerField(default=0, editable=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.title

    @property
    def extension(self) -> str:
        return Path(self.file.name).suffix.lstrip(".").upper()


class Section(models.Model):
    """One page of the citizen form."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="sections"
    )
    title = models.CharField(_("title"), max_length=200)
    intro = models.TextField(_("introduction"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    class Kind(models.TextChoices):
        TEXT = "text", _("Free text")
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        SCALE = "scale", _("Rating scale")
        RANKING = "ranking", _("Ranking")
        YES_NO = "yes_no", _("Yes or no")
        NUMBER = "number", _("Number")
        FILE = "file", _("File or voice recording")

    CHOICE_KINDS = (Kind.SINGLE, Kind.MULTIPLE, Kind.SCALE, Kind.RANKING)

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(_("kind of question"), max_length=20, choices=Kind.choices)
    text = models.CharField(_("question"), max_length=500)
    help_text = models.TextField(_("help text"), blank=True)
    required = models.BooleanField(_("an answer is required"), default=False)
    position = models.PositiveSmallIntegerField(default=0)
    max_length = models.PositiveIntegerField(
        _("longest answer (characters)"), default=2000, validators=[MinValueValidator(1)]
    )
    allow_other = models.BooleanField(_('offer "Other" with a text box'), default=False)
    ask_reason = models.BooleanField(_("ask for a reason"), default=False)
    min_value = models.DecimalField(
        _("smallest number"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("largest number"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    file_types = models.CharField(
        _("allowed file types"),
        max_length=200,
        default="pdf,jpg,jpeg,png,mp3,m4a,ogg,wav,webm",
        help_text=_("File extensions, separated by commas."),
    )
    max_file_mb = models.PositiveSmallIntegerField(_("largest file (MB)"), default=10)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.text

    @property
    def has_choices(self) -> bool:
        return self.kind in self.CHOICE_KINDS

    @property
    def allowed_extensions(self) -> list[str]:
        return [
            ext.strip().lower().lstrip(".") for ext in self.file_types.split(",") if ext.strip()
        ]


class Choice(models.Model):
    """An option of a choice question, a point of a scale, or an item to rank."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    label = models.CharField(_("label"), max_length=300)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("choice")
        verbose_name_plural = _("choices")

    def __str__(self) -> str:
        return self.label


class Event(models.Model):
    """An in-person session: community meeting or drop-in."""

    class Kind(models.TextChoices):
        MEETING = "meeting", _("Community meeting")
        DROP_IN = "drop_in", _("Drop-in session")

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.MEETING)
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200)
    address = models.TextField(_("address"), blank=True)
    accessibility = models.TextField(
        _("accessibility of the venue"),
        blank=True,
        help_text=_("Step-free access, hearing loop, sign language, toilets, transport."),
    )
    languages = models.CharField(_("languages spoken"), max_length=200, blank=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Transition(models.Model):
    """Audit of a consultation's state changes: who, when, from, to, why."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="transitions"
    )
    from_state = models.CharField(max_length=20, choices=State.choices)
    to_state = models.CharField(max_length=20, choices=State.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("state change")
        verbose_name_plural = _("state changes")

    def __str__(self) -> str:
        return f"{self.consultation_id}: {self.from_state} → {self.to_state}"
