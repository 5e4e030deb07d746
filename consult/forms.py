"""Staff forms for consultations, sections, questions, events and attachments.

Translated content gets one input per language, each marked with its `lang` and `dir`, so
screen readers read what is typed in the right voice.
"""

import datetime as dt
import zoneinfo

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from consult.models import (
    ATTACHMENT_EXTENSIONS,
    ATTACHMENT_MAX_BYTES,
    Consultation,
    Event,
    Question,
    Region,
    Section,
    TargetGroup,
    Topic,
)
from consult.uploads import content_matches

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]
DEFAULT_LANGUAGE = settings.LANGUAGE_CODE
TIME_ZONES = sorted(zoneinfo.available_timezones() - {"localtime", "Factory"})


def field_suffix(code: str) -> str:
    return code.replace("-", "_")


def language_name(code: str) -> str:
    return get_language_info(code)["name_local"]


class TranslatedFieldsMixin:
    """Adds `<name>_<lang>` inputs for each translated field, in every platform language."""

    translated: dict[str, tuple[forms.Field, bool]] = {}  # name -> (prototype, required in default)

    def add_translated_fields(self, instance=None) -> None:
        for name, (prototype, required) in self.translated.items():
            for code in LANGUAGE_CODES:
                field = prototype.__class__(
                    label=prototype.label,
                    required=required and code == DEFAULT_LANGUAGE,
                    max_length=getattr(prototype, "max_length", None),
                    help_text=prototype.help_text if code == DEFAULT_LANGUAGE else "",
                    widget=prototype.widget.__class__(attrs=dict(prototype.widget.attrs)),
                )
                info = get_language_info(code)
                field.widget.attrs.update({"lang": code, "dir": "rtl" if info["bidi"] else "ltr"})
                key = f"{name}_{field_suffix(code)}"
                if instance is not None and instance.pk and hasattr(instance, key):
                    field.initial = getattr(instance, key)
                self.fields[key] = field

    def language_groups(self) -> list[dict[str, object]]:
        """The translated inputs grouped by language, for the template."""
        groups = []
        for code in LANGUAGE_CODES:
            bound = [self[f"{name}_{field_suffix(code)}"] for name in self.translated]
            groups.append(
                {
                    "code": code,
                    "name": language_name(code),
                    "fields": bound,
                    "default": code == DEFAULT_LANGUAGE,
                    "has_errors": any(field.errors for field in bound),
                    "filled": sum(1 for field in bound if field.value()),
                }
            )
        return groups

    def translated_values(self) -> dict[str, str]:
        """Every `<name>_<lang>` value. Never the bare `<name>`: modeltranslation writes that
        to the active language's column, which would overwrite its translation."""
        return {
            f"{name}_{field_suffix(code)}": self.cleaned_data.get(f"{name}_{field_suffix(code)}")
            or ""
            for name in self.translated
            for code in LANGUAGE_CODES
        }


class ConsultationForm(TranslatedFieldsMixin, forms.Form):
    translated = {
        "title": (forms.CharField(label=_("Title"), max_length=200), True),
        "summary": (
            forms.CharField(
                label=_("Summary"),
                max_length=600,
                help_text=_("Two or three sentences: what is being decided and why it matters."),
                widget=forms.Textarea(attrs={"rows": 3}),
            ),
            True,
        ),
        "body": (
            forms.CharField(label=_("Full text"), widget=forms.Textarea(attrs={"rows": 10})),
            False,
        ),
        "easy_read": (
            forms.CharField(
                label=_("Easy-read summary"),
                help_text=_("Short sentences and everyday words, for people with low literacy."),
                widget=forms.Textarea(attrs={"rows": 5}),
            ),
            False,
        ),
    }

    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none(), empty_label=None
    )
    topic = forms.ModelChoiceField(label=_("Topic"), queryset=Topic.objects.all(), required=False)
    region = forms.ModelChoiceField(
        label=_("Region"), queryset=Region.objects.all(), required=False
    )
    target_groups = forms.ModelMultipleChoiceField(
        label=_("Who do you most need to hear from?"),
        queryset=TargetGroup.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    mode = forms.ChoiceField(
        label=_("Who can take part"), choices=Consultation.Mode.choices, widget=forms.RadioSelect
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"), choices=[(tz, tz) for tz in TIME_ZONES], initial=settings.TIME_ZONE
    )
    opens_at = forms.DateTimeField(
        label=_("Opens at"),
        help_text=_("Date and time in the time zone above."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    closes_at = forms.DateTimeField(
        label=_("Closes at"),
        help_text=_("Date and time in the time zone above."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    outcome_due = forms.DateField(
        label=_("Outcome to be published by"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    contact_name = forms.CharField(label=_("Contact name"), max_length=120, required=False)
    contact_email = forms.EmailField(
        label=_("Contact email"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    contact_phone = forms.CharField(
        label=_("Contact phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel"}),
    )
    partners = forms.ModelMultipleChoiceField(
        label=_("Partner organisations"),
        help_text=_("Civil society organisations whose facilitators may enter responses."),
        queryset=Organisation.objects.filter(kind=Organisation.Kind.CIVIL_SOCIETY),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    SETTINGS = [
        "topic",
        "region",
        "target_groups",
        "mode",
        "time_zone",
        "opens_at",
        "closes_at",
        "outcome_due",
        "contact_name",
        "contact_email",
        "contact_phone",
        "partners",
    ]

    def __init__(self, *args, organisations, instance: Consultation | None = None, **kwargs):
        self.instance = instance
        initial = kwargs.pop("initial", {}) or {}
        if instance is not None:
            tz = instance.tz
            initial.update(
                {
                    "organisation": instance.organisation_id,
                    "topic": instance.topic_id,
                    "region": instance.region_id,
                    "target_groups": list(instance.target_groups.all()),
                    "partners": list(instance.partners.all()),
                    "mode": instance.mode,
                    "time_zone": instance.time_zone,
                    "opens_at": timezone.localtime(instance.opens_at, tz).replace(tzinfo=None),
                    "closes_at": timezone.localtime(instance.closes_at, tz).replace(tzinfo=None),
                    "outcome_due": instance.outcome_due,
                    "contact_name": instance.contact_name,
                    "contact_email": instance.contact_email,
                    "contact_phone": instance.contact_phone,
                }
            )
        else:
            initial.setdefault("mode", Consultation.Mode.ANONYMOUS)
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["organisation"].queryset = organisations
        choices = list(organisations)
        if instance is not None or len(choices) == 1:
            # Nothing to choose: the value comes from the server, never from the request.
            self.fields["organisation"].widget = forms.HiddenInput()
            self.fields["organisation"].disabled = True
            self.fields["organisation"].initial = (
                instance.organisation_id if instance else choices[0].pk
            )
        self.add_translated_fields(instance)
        if instance is not None and not instance.is_editable:
            # Once open, the timetable changes only through "extend" or "close early".
            for name in ("opens_at", "closes_at", "time_zone", "mode"):
                self.fields[name].disabled = True

    def _aware(self, value: dt.datetime | None) -> dt.datetime | None:
        if value is None:
            return None
        tz = zoneinfo.ZoneInfo(self.cleaned_data.get("time_zone") or settings.TIME_ZONE)
        return value.replace(tzinfo=tz)

    def clean(self):
        cleaned = super().clean()
        if self.fields["opens_at"].disabled:
            cleaned["opens_at"] = self.instance.opens_at
            cleaned["closes_at"] = self.instance.closes_at
            return cleaned
        opens_at = self._aware(cleaned.get("opens_at"))
        closes_at = self._aware(cleaned.get("closes_at"))
        cleaned["opens_at"], cleaned["closes_at"] = opens_at, closes_at
        if opens_at and closes_at and closes_at <= opens_at:
            self.add_error("closes_at", _("The closing time must be after the opening time."))
        is_new = self.instance is None
        if is_new and opens_at and opens_at < timezone.now() - dt.timedelta(minutes=5):
            self.add_error("opens_at", _("The opening time must not be in the past."))
        outcome_due = cleaned.get("outcome_due")
        if closes_at and outcome_due and outcome_due < closes_at.date():
            self.add_error("outcome_due", _("The outcome date must be after the closing date."))
        return cleaned

    def model_fields(self) -> dict[str, object]:
        data = self.translated_values()
        for name in self.SETTINGS:
            if name not in ("target_groups", "partners"):
                data[name] = self.cleaned_data[name]
        return data


class SectionForm(TranslatedFieldsMixin, forms.Form):
    translated = {
        "title": (forms.CharField(label=_("Section title"), max_length=200), True),
        "intro": (
            forms.CharField(label=_("Introduction"), widget=forms.Textarea(attrs={"rows": 3})),
            False,
        ),
    }

    def __init__(self, *args, instance: Section | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_translated_fields(instance)

    def model_fields(self) -> dict[str, object]:
        return self.translated_values()


class QuestionForm(TranslatedFieldsMixin, forms.Form):
    """A question; choices are typed one per line, line N being the same choice in every language."""

    translated = {
        "text": (forms.CharField(label=_("Question"), max_length=500), True),
        "help_text": (
            forms.CharField(label=_("Help text"), widget=forms.Textarea(attrs={"rows": 2})),
            False,
        ),
        "choices": (
            forms.CharField(
                label=_("Choices, one per line"),
                help_text=_(
                    "For choice, rating-scale and ranking questions. For a rating scale, "
                    "each line labels one point, from lowest to highest."
                ),
                widget=forms.Textarea(attrs={"rows": 5}),
            ),
            False,
        ),
    }

    kind = forms.ChoiceField(
        label=_("Kind of question"), choices=Question.Kind.choices, widget=forms.RadioSelect
    )
    required = forms.BooleanField(label=_("An answer is required"), required=False)
    max_length = forms.IntegerField(
        label=_("Longest answer (characters)"), min_value=1, max_value=20000, initial=2000
    )
    allow_other = forms.BooleanField(label=_('Offer "Other" with a text box'), required=False)
    ask_reason = forms.BooleanField(
        label=_("Ask for a reason (yes or no questions)"), required=False
    )
    min_value = forms.DecimalField(
        label=_("Smallest number"), required=False, max_digits=12, decimal_places=2
    )
    max_value = forms.DecimalField(
        label=_("Largest number"), required=False, max_digits=12, decimal_places=2
    )
    file_types = forms.CharField(
        label=_("Allowed file types"),
        max_length=200,
        initial="pdf,jpg,jpeg,png,mp3,m4a,ogg,wav,webm",
        help_text=_("File extensions, separated by commas."),
    )
    max_file_mb = forms.IntegerField(
        label=_("Largest file (MB)"), min_value=1, max_value=50, initial=10
    )

    SETTINGS = [
        "kind",
        "required",
        "max_length",
        "allow_other",
        "ask_reason",
        "min_value",
        "max_value",
        "file_types",
        "max_file_mb",
    ]

    def __init__(
        self, *args, instance: Question | None = None, kind_locked: bool = False, **kwargs
    ):
        initial = kwargs.pop("initial", {}) or {}
        if instance is not None:
            initial.update({name: getattr(instance, name) for name in self.SETTINGS})
        super().__init__(*args, initial=initial, **kwargs)
        self.add_translated_fields(instance)
        if instance is not None:
            choices = list(instance.choices.all())
            for code in LANGUAGE_CODES:
                suffix = field_suffix(code)
                self.fields[f"choices_{suffix}"].initial = "\n".join(
                    getattr(choice, f"label_{suffix}") or "" for choice in choices
                )
        if kind_locked:
            self.fields["kind"].disabled = True
            self.fields["kind"].help_text = _(
                "People have already answered, so the kind cannot change."
            )

    def clean(self):
        cleaned = super().clean()
        lines = {
            code: [
                line.strip()
                for line in (cleaned.get(f"choices_{field_suffix(code)}") or "").splitlines()
                if line.strip()
            ]
            for code in LANGUAGE_CODES
        }
        english = lines[DEFAULT_LANGUAGE]
        if cleaned.get("kind") in Question.CHOICE_KINDS and len(english) < 2:
            self.add_error(
                f"choices_{field_suffix(DEFAULT_LANGUAGE)}",
                _("Give at least two choices, one per line."),
            )
        for code, translated in lines.items():
            if code != DEFAULT_LANGUAGE and translated and len(translated) != len(english):
                self.add_error(
                    f"choices_{field_suffix(code)}",
                    _("Give exactly one line for each English choice (%(count)s lines).")
                    % {"count": len(english)},
                )
        low, high = cleaned.get("min_value"), cleaned.get("max_value")
        if low is not None and high is not None and low > high:
            self.add_error(
                "max_value", _("The largest number must not be smaller than the smallest.")
            )
        cleaned["choice_rows"] = [
            {
                f"label_{field_suffix(code)}": (lines[code][i] if i < len(lines[code]) else "")
                for code in LANGUAGE_CODES
            }
            for i in range(len(english))
        ]
        return cleaned

    def model_fields(self) -> dict[str, object]:
        data = {k: v for k, v in self.translated_values().items() if not k.startswith("choices_")}
        for name in self.SETTINGS:
            data[name] = self.cleaned_data[name]
        return data


class EventForm(TranslatedFieldsMixin, forms.Form):
    translated = {
        "title": (forms.CharField(label=_("Title"), max_length=200), True),
        "accessibility": (
            forms.CharField(
                label=_("Accessibility of the venue"),
                help_text=_("Step-free access, hearing loop, sign language, toilets, transport."),
                widget=forms.Textarea(attrs={"rows": 3}),
            ),
            False,
        ),
    }
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=Event.Kind.choices,
        widget=forms.RadioSelect,
        initial=Event.Kind.MEETING,
    )
    starts_at = forms.DateTimeField(
        label=_("Starts at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    ends_at = forms.DateTimeField(
        label=_("Ends at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    place = forms.CharField(label=_("Place"), max_length=200)
    address = forms.CharField(
        label=_("Address"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    languages = forms.CharField(label=_("Languages spoken"), max_length=200, required=False)

    def __init__(self, *args, consultation: Consultation, instance: Event | None = None, **kwargs):
        self.consultation = consultation
        initial = kwargs.pop("initial", {}) or {}
        if instance is not None:
            tz = consultation.tz
            initial.update(
                {
                    "kind": instance.kind,
                    "starts_at": timezone.localtime(instance.starts_at, tz).replace(tzinfo=None),
                    "ends_at": timezone.localtime(instance.ends_at, tz).replace(tzinfo=None),
                    "place": instance.place,
                    "address": instance.address,
                    "languages": instance.languages,
                }
            )
        super().__init__(*args, initial=initial, **kwargs)
        self.add_translated_fields(instance)

    def clean(self):
        cleaned = super().clean()
        for name in ("starts_at", "ends_at"):
            if cleaned.get(name):
                cleaned[name] = cleaned[name].replace(tzinfo=self.consultation.tz)
        if (
            cleaned.get("starts_at")
            and cleaned.get("ends_at")
            and cleaned["ends_at"] <= cleaned["starts_at"]
        ):
            self.add_error("ends_at", _("The end must be after the start."))
        return cleaned

    def model_fields(self) -> dict[str, object]:
        data = self.translated_values()
        for name in ("kind", "starts_at", "ends_at", "place", "address", "languages"):
            data[name] = self.cleaned_data[name]
        return data


class AttachmentForm(TranslatedFieldsMixin, forms.Form):
    translated = {
        "title": (forms.CharField(label=_("Document title"), max_length=200), True),
        "text_alternative": (
            forms.CharField(
                label=_("Text alternative"),
                help_text=_("What the document says or shows, for people who cannot open it."),
                widget=forms.Textarea(attrs={"rows": 3}),
            ),
            True,
        ),
    }
    file = forms.FileField(
        label=_("File"),
        help_text=_("%(types)s; at most %(size)s MB.")
        % {
            "types": ", ".join(ext.upper() for ext in ATTACHMENT_EXTENSIONS),
            "size": ATTACHMENT_MAX_BYTES // 1024 // 1024,
        },
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        if extension not in ATTACHMENT_EXTENSIONS:
            raise forms.ValidationError(
                _("The file must be one of: %(types)s.")
                % {"types": ", ".join(ext.upper() for ext in ATTACHMENT_EXTENSIONS)}
            )
        if upload.size > ATTACHMENT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file must be smaller than %(size)s MB.")
                % {"size": ATTACHMENT_MAX_BYTES // 1024 // 1024}
            )
        if not content_matches(upload, extension):
            raise forms.ValidationError(
                _("The file is not a real %(type)s file. Choose another file.")
                % {"type": extension.upper()}
            )
        return upload

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_translated_fields()

    def model_fields(self) -> dict[str, object]:
        return self.translated_values()


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class NewClosingTimeForm(ReasonForm):
    closes_at = forms.DateTimeField(
        label=_("New closing time"),
        help_text=_("Date and time in the consultation's time zone."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, consultation: Consultation, **kwargs):
        self.consultation = consultation
        super().__init__(*args, **kwargs)
        self.order_fields(["closes_at", "reason"])

    def clean_closes_at(self):
        return self.cleaned_data["closes_at"].replace(tzinfo=self.consultation.tz)
