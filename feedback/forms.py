"""The citizen form, built from a consultation's questions, and its companion forms.

`AnswersForm` is the single place where answers are validated: the question pages, the
facilitator's form, the CSV import and the API all feed it their data, so a person meets
the same rules and the same (translated) messages whichever way they answer.
"""

import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy, pgettext_lazy

from consult.models import Question, Region, TargetGroup
from consult.uploads import content_matches
from feedback.models import PREFER_NOT, PREFER_NOT_LABEL, Answer, Monitoring, Submission

OTHER = "other"
YES, NO = "yes", "no"
YES_NO_CHOICES = [(YES, pgettext_lazy("answer", "Yes")), (NO, pgettext_lazy("answer", "No"))]

ORDINALS = [
    _("1st"),
    _("2nd"),
    _("3rd"),
    _("4th"),
    _("5th"),
    _("6th"),
    _("7th"),
    _("8th"),
    _("9th"),
    _("10th"),
]


def ordinal(rank: int) -> str:
    return str(ORDINALS[rank - 1]) if rank <= len(ORDINALS) else str(rank)


def field_name(question: Question) -> str:
    return f"q{question.pk}"


# Messages a person sees; each defined once.
MESSAGES = {
    "enter": _("Enter your answer"),
    "select": _("Select an answer"),
    "select_some": _("Select at least one answer"),
    "other": _('Say what your "Other" answer is'),
    "rank_all": _("Give every item a rank"),
    "rank_unique": _("Give each item a different rank"),
    "number": _("Enter a number, like 12 or 3.5"),
    "file": _("Choose a file to upload"),
    "max_length": ngettext_lazy(
        "Your answer must be %(limit_value)d character or fewer",
        "Your answer must be %(limit_value)d characters or fewer",
        "limit_value",
    ),
}


@dataclass
class AnswerData:
    """One validated answer, ready for a service to store."""

    question: Question
    text: str = ""
    other_text: str = ""
    yes_no: bool | None = None
    number: Decimal | None = None
    file: UploadedFile | None = None
    choices: list[tuple[int, int | None]] = field(default_factory=list)  # (choice id, rank)

    @property
    def is_empty(self) -> bool:
        return not (
            self.text
            or self.other_text
            or self.yes_no is not None
            or self.number is not None
            or self.file
            or self.choices
        )


class RankingWidget(forms.MultiWidget):
    """One select per item to rank; rendered by templates/feedback/_ranking.html."""

    def __init__(self, count: int):
        super().__init__([forms.Select() for _i in range(count)])

    def decompress(self, value):
        return value or [None] * len(self.widgets)

    def id_for_label(self, id_):
        # The error summary links to the first item's select.
        return f"{id_}_0" if id_ else id_


class RankingField(forms.MultiValueField):
    """Ranks for the items of a ranking question: {choice id: rank}; works without JavaScript."""

    widget: RankingWidget

    def __init__(self, question: Question, choices: list, **kwargs):
        self.items = choices
        rank_choices = [("", _("Not ranked"))] + [
            (str(n), ordinal(n)) for n in range(1, len(choices) + 1)
        ]
        self.rank_choices = rank_choices
        fields = [forms.ChoiceField(choices=rank_choices, required=False) for _c in choices]
        super().__init__(
            fields=fields,
            require_all_fields=False,
            widget=RankingWidget(len(choices)),
            **kwargs,
        )
        for sub in self.widget.widgets:
            sub.choices = rank_choices

    def compress(self, data_list):
        if not data_list:
            return {}
        ranks = {
            item.pk: int(rank) for item, rank in zip(self.items, data_list, strict=False) if rank
        }
        if len(set(ranks.values())) != len(ranks):
            raise forms.ValidationError(MESSAGES["rank_unique"], code="rank_unique")
        if self.required and len(ranks) != len(self.items):
            raise forms.ValidationError(MESSAGES["rank_all"], code="rank_all")
        return ranks

    def clean(self, value):
        if self.required and not any(value or []):
            raise forms.ValidationError(MESSAGES["rank_all"], code="required")
        return super().clean(value)


def _file_validator(question: Question):
    allowed = question.allowed_extensions
    limit = question.max_file_mb * 1024 * 1024

    def validate(upload: UploadedFile) -> None:
        extension = Path(upload.name or "").suffix.lower().lstrip(".")
        if extension not in allowed:
            raise forms.ValidationError(
                _("The file must be one of these types: %(types)s"),
                code="file_type",
                params={"types": ", ".join(ext.upper() for ext in allowed)},
            )
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file must be smaller than %(size)s MB"),
                code="file_size",
                params={"size": question.max_file_mb},
            )
        if not content_matches(upload, extension):
            raise forms.ValidationError(
                _("The file is not a real %(type)s file. Choose another file."),
                code="file_content",
                params={"type": extension.upper()},
            )

    return validate


def build_field(question: Question, *, has_file: bool = False) -> forms.Field:
    """The form field for a question, from its kind and limits."""
    kind = question.kind
    common = {
        "label": question.text,
        "help_text": question.help_text,
        "required": question.required,
    }
    choices = [(str(c.pk), c.label) for c in question.choices.all()]
    if kind == Question.Kind.TEXT:
        return forms.CharField(
            max_length=question.max_length,
            widget=forms.Textarea(attrs={"rows": 5}),
            error_messages={
                "required": MESSAGES["enter"],
                "max_length": MESSAGES["max_length"],
            },
            **common,
        )
    if kind in (Question.Kind.SINGLE, Question.Kind.SCALE):
        if question.allow_other and kind == Question.Kind.SINGLE:
            choices.append((OTHER, _("Other")))
        return forms.ChoiceField(
            choices=choices,
            widget=forms.RadioSelect,
            error_messages={"required": MESSAGES["select"], "invalid_choice": MESSAGES["select"]},
            **common,
        )
    if kind == Question.Kind.MULTIPLE:
        if question.allow_other:
            choices.append((OTHER, _("Other")))
        return forms.MultipleChoiceField(
            choices=choices,
            widget=forms.CheckboxSelectMultiple,
            error_messages={
                "required": MESSAGES["select_some"],
                "invalid_choice": MESSAGES["select_some"],
            },
            **common,
        )
    if kind == Question.Kind.RANKING:
        how = _("Give each item a different rank: 1st for the one that matters most.")
        common["help_text"] = f"{question.help_text} {how}".strip()
        return RankingField(question, list(question.choices.all()), **common)
    if kind == Question.Kind.YES_NO:
        return forms.ChoiceField(
            choices=YES_NO_CHOICES,
            widget=forms.RadioSelect,
            error_messages={"required": MESSAGES["select"], "invalid_choice": MESSAGES["select"]},
            **common,
        )
    if kind == Question.Kind.NUMBER:
        hint = question.help_text
        if question.min_value is not None and question.max_value is not None:
            limits = _("Between %(low)s and %(high)s.") % {
                "low": _plain(question.min_value),
                "high": _plain(question.max_value),
            }
            hint = f"{hint} {limits}".strip()
        return forms.DecimalField(
            label=question.text,
            help_text=hint,
            required=question.required,
            min_value=question.min_value,
            max_value=question.max_value,
            max_digits=14,
            decimal_places=2,
            widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
            error_messages={
                "required": MESSAGES["enter"],
                "invalid": MESSAGES["number"],
                "min_value": _("Enter a number of %(limit)s or more")
                % {"limit": _plain(question.min_value or 0)},
                "max_value": _("Enter a number of %(limit)s or less")
                % {"limit": _plain(question.max_value or 0)},
                "max_digits": MESSAGES["number"],
                "max_decimal_places": _("Enter a number with at most 2 decimal places"),
                "max_whole_digits": MESSAGES["number"],
            },
        )
    if kind == Question.Kind.FILE:
        accept = ",".join(f".{ext}" for ext in question.allowed_extensions)
        hint = _("%(types)s, up to %(size)s MB.") % {
            "types": ", ".join(ext.upper() for ext in question.allowed_extensions),
            "size": question.max_file_mb,
        }
        return forms.FileField(
            label=question.text,
            help_text=f"{question.help_text} {hint}".strip(),
            required=question.required and not has_file,
            widget=forms.FileInput(attrs={"accept": accept}),
            validators=[_file_validator(question)],
            error_messages={"required": MESSAGES["file"], "empty": MESSAGES["file"]},
        )
    raise ValueError(f"unknown kind of question: {kind}")


def _plain(number: Decimal) -> str:
    """12.00 → '12', 3.50 → '3.5'."""
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass
class QuestionRow:
    """What the template needs to draw one question."""

    question: Question
    field: forms.BoundField
    extra: forms.BoundField | None = None  # "Other" text or the reason for yes/no
    ranking: list[dict] | None = None


class AnswersForm(forms.Form):
    """Answers to some questions of a consultation: one section, or all of them."""

    def __init__(
        self,
        *args,
        questions: list[Question],
        files_kept: set[int] = frozenset(),
        fields_of: "AnswersForm | None" = None,
        **kwargs,
    ):
        """`fields_of`: a form for the same questions whose field objects this one uses
        instead of building its own, for a form that is only validated, never rendered
        (validating changes no field); the API takes many responses a second."""
        super().__init__(*args, **kwargs)
        self.questions = questions
        if fields_of is not None:
            self.fields = dict(fields_of.fields)
            return
        for question in questions:
            name = field_name(question)
            self.fields[name] = build_field(question, has_file=question.pk in files_kept)
            if question.allow_other and question.kind in (
                Question.Kind.SINGLE,
                Question.Kind.MULTIPLE,
            ):
                self.fields[f"{name}_other"] = forms.CharField(
                    label=_('If you chose "Other", say what'),
                    required=False,
                    max_length=500,
                )
            if question.ask_reason and question.kind == Question.Kind.YES_NO:
                self.fields[f"{name}_reason"] = forms.CharField(
                    label=_("Tell us why"),
                    required=False,
                    max_length=question.max_length,
                    widget=forms.Textarea(attrs={"rows": 4}),
                )

    def clean(self):
        cleaned = super().clean()
        for question in self.questions:
            name = field_name(question)
            value = cleaned.get(name)
            chose_other = value == OTHER or (isinstance(value, list) and OTHER in value)
            if chose_other and not cleaned.get(f"{name}_other", "").strip():
                self.add_error(f"{name}_other", forms.ValidationError(MESSAGES["other"]))
        return cleaned

    @property
    def rows(self) -> list[QuestionRow]:
        rows = []
        for question in self.questions:
            name = field_name(question)
            bound = self[name]
            extra_name = next(
                (n for n in (f"{name}_other", f"{name}_reason") if n in self.fields), None
            )
            row = QuestionRow(question, bound, self[extra_name] if extra_name else None)
            if question.kind == Question.Kind.RANKING:
                values = bound.value() or []
                if not isinstance(values, list):
                    values = bound.field.widget.decompress(values)
                row.ranking = [
                    {
                        "label": item.label,
                        "name": f"{bound.html_name}_{index}",
                        "id": f"{bound.auto_id}_{index}",
                        "value": str(values[index] or "") if index < len(values) else "",
                    }
                    for index, item in enumerate(bound.field.items)
                ]
                row.rank_choices = bound.field.rank_choices
            rows.append(row)
        return rows

    def answers(self) -> list[AnswerData]:
        """The validated answers, one per question of the form (possibly empty)."""
        result = []
        for question in self.questions:
            name = field_name(question)
            value = self.cleaned_data.get(name)
            data = AnswerData(question=question)
            kind = question.kind
            if kind == Question.Kind.TEXT:
                data.text = (value or "").strip()
            elif kind in (Question.Kind.SINGLE, Question.Kind.SCALE, Question.Kind.MULTIPLE):
                picked = value if isinstance(value, list) else [value] if value else []
                data.choices = [(int(v), None) for v in picked if v != OTHER]
                if OTHER in picked:
                    data.other_text = self.cleaned_data.get(f"{name}_other", "").strip()
            elif kind == Question.Kind.RANKING:
                data.choices = sorted((value or {}).items(), key=lambda pair: pair[1])
            elif kind == Question.Kind.YES_NO:
                data.yes_no = {YES: True, NO: False}.get(value)
                data.text = self.cleaned_data.get(f"{name}_reason", "").strip()
            elif kind == Question.Kind.NUMBER:
                data.number = value
            elif kind == Question.Kind.FILE:
                data.file = value or None
            result.append(data)
        return result


def initial_from_answers(answers: list[Answer]) -> dict[str, object]:
    """Form initial values from stored answers (selections prefetched)."""
    initial: dict[str, object] = {}
    for answer in answers:
        question = answer.question
        name = field_name(question)
        picked = [str(s.choice_id) for s in answer.selections.all()]
        kind = question.kind
        if kind == Question.Kind.TEXT:
            initial[name] = answer.text
        elif kind in (Question.Kind.SINGLE, Question.Kind.SCALE):
            initial[name] = OTHER if answer.other_text else (picked[0] if picked else "")
            initial[f"{name}_other"] = answer.other_text
        elif kind == Question.Kind.MULTIPLE:
            initial[name] = picked + ([OTHER] if answer.other_text else [])
            initial[f"{name}_other"] = answer.other_text
        elif kind == Question.Kind.RANKING:
            ranks = {s.choice_id: s.rank for s in answer.selections.all()}
            initial[name] = [ranks.get(c.pk) for c in question.choices.all()]
        elif kind == Question.Kind.YES_NO:
            initial[name] = {True: YES, False: NO}.get(answer.yes_no, "")
            initial[f"{name}_reason"] = answer.text
        elif kind == Question.Kind.NUMBER:
            initial[name] = _plain(answer.number) if answer.number is not None else ""
    return initial


# The steps around the questions ------------------------------------------------------


class GuardedForm(forms.Form):
    """A form with an idempotency key and a honeypot that people never see."""

    idempotency_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)
    # Bots fill in every field; people never see this one (hidden by the stylesheet).
    website = forms.CharField(required=False, label=_("Leave this empty"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["idempotency_key"] = uuid.uuid4()
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))

    def visible_fields(self):
        return [f for f in super().visible_fields() if f.name != "website"]


class StartForm(GuardedForm):
    """The "Start now" button: makes the draft that the private link points at."""


class SubmitForm(GuardedForm):
    """The final "Send my response" button on the check-your-answers page."""


def _with_prefer_not(choices) -> list[tuple[str, str]]:
    return [*choices, (PREFER_NOT, PREFER_NOT_LABEL)]


class AboutYouForm(forms.Form):
    """Equality monitoring: optional, with its own consent, "prefer not to say" everywhere."""

    consent = forms.BooleanField(
        required=False,
        label=_(
            "I agree that Suara may use my answers on this page, without my name, to check "
            "which groups of people have been heard."
        ),
    )
    age_band = forms.ChoiceField(
        label=_("Your age"),
        required=False,
        choices=Monitoring.AgeBand.choices,
        widget=forms.RadioSelect,
    )
    groups = forms.MultipleChoiceField(
        label=_("Do you belong to any of these groups?"),
        help_text=_("Select all that apply."),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    disability = forms.ChoiceField(
        label=_("Do you have a disability or a long-term health condition?"),
        required=False,
        choices=Monitoring.Disability.choices,
        widget=forms.RadioSelect,
    )
    region = forms.ChoiceField(label=_("Where do you live?"), required=False)
    main_language = forms.CharField(
        label=_("Your main language"),
        help_text=_('Write it in your own words, or "prefer not to say".'),
        required=False,
        max_length=100,
    )
    answering_for = forms.ChoiceField(
        label=_("Are you answering for yourself or for an organisation?"),
        required=False,
        choices=Monitoring.AnsweringFor.choices,
        widget=forms.RadioSelect,
    )
    organisation_name = forms.CharField(
        label=_("Name of the organisation"), required=False, max_length=200
    )
    civil_society = forms.ChoiceField(
        label=_("Is it a civil society or community organisation?"),
        required=False,
        choices=_with_prefer_not(YES_NO_CHOICES),
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, groups: list[TargetGroup], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["groups"].choices = _with_prefer_not((str(g.pk), g.name) for g in groups)
        if not groups:
            del self.fields["groups"]
        regions = [(str(r.pk), r.name) for r in Region.objects.all()]
        self.fields["region"].choices = [("", _("Choose a region")), *_with_prefer_not(regions)]
        if not regions:
            del self.fields["region"]

    def clean(self):
        cleaned = super().clean()
        answered = any(
            value for name, value in cleaned.items() if name != "consent" and value not in ("", [])
        )
        if answered and not cleaned.get("consent"):
            self.add_error(
                "consent",
                _("Tick the box to agree, or leave the questions on this page blank"),
            )
        if cleaned.get("answering_for") == Monitoring.AnsweringFor.ORGANISATION and not (
            cleaned.get("organisation_name", "").strip()
        ):
            self.add_error("organisation_name", _("Enter the name of the organisation"))
        return cleaned

    def monitoring_fields(self) -> dict[str, object]:
        """The cleaned answers as Monitoring fields (groups apart)."""
        data = self.cleaned_data
        groups = data.get("groups", [])
        region = data.get("region", "")
        civil = data.get("civil_society", "")
        return {
            "age_band": data.get("age_band", ""),
            "groups_withheld": PREFER_NOT in groups,
            "group_ids": [int(g) for g in groups if g != PREFER_NOT],
            "disability": data.get("disability", ""),
            "region_id": int(region) if region and region != PREFER_NOT else None,
            "region_withheld": region == PREFER_NOT,
            "main_language": data.get("main_language", "").strip(),
            "answering_for": data.get("answering_for", ""),
            "organisation_name": data.get("organisation_name", "").strip(),
            "civil_society": {YES: True, NO: False}.get(civil),
        }


# Consent wording, shown beside each box and stored as shown.
CONSENT_LABELS = {
    "outcome_news": _("Tell me the outcome of this consultation"),
    "follow_up": _("Send me a short follow-up survey about how this consultation went"),
    "publication": _("You may publish my answers, without my name"),
}


class ContactForm(forms.Form):
    """Optional contact details, separate unticked consents, the language for messages."""

    email = forms.EmailField(
        label=_("Email address"),
        required=False,
        help_text=_("We will send you a link to come back to your answers."),
        error_messages={"invalid": _("Enter an email address like name@example.com")},
    )
    phone = forms.CharField(
        label=_("Phone number"),
        required=False,
        max_length=40,
        help_text=_("For text messages. Include the country code if you are abroad."),
    )
    outcome_news = forms.BooleanField(required=False, label=CONSENT_LABELS["outcome_news"])
    follow_up = forms.BooleanField(required=False, label=CONSENT_LABELS["follow_up"])
    publication = forms.BooleanField(required=False, label=CONSENT_LABELS["publication"])
    language = forms.ChoiceField(
        label=_("Language for our messages"),
        choices=settings.LANGUAGES,
        required=False,
    )

    def __init__(self, *args, email_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["phone"].widget = forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"})
        if email_required:
            self.fields["email"].required = True
            self.fields["email"].help_text = _(
                "This consultation asks you to confirm your answers: we will email you a link."
            )
            self.fields["email"].error_messages["required"] = _("Enter your email address")

    def clean(self):
        cleaned = super().clean()
        wants_messages = cleaned.get("outcome_news") or cleaned.get("follow_up")
        if wants_messages and not (cleaned.get("email") or cleaned.get("phone", "").strip()):
            self.add_error(
                "email", _("Enter an email address or a phone number so we can reach you")
            )
        return cleaned

    def consents(self) -> dict[str, str]:
        """Ticked purposes with the wording shown, in the page's language."""
        return {
            purpose: str(CONSENT_LABELS[purpose])
            for purpose in CONSENT_LABELS
            if self.cleaned_data.get(purpose)
        }


class WithdrawForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, withdraw my response"),
        error_messages={"required": _("Tick the box to confirm that you want to withdraw")},
    )


# Facilitators ------------------------------------------------------------------------


class AssistedForm(forms.Form):
    """How, when, where and in which language a facilitator received a response."""

    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)
    received_via = forms.ChoiceField(
        label=_("How did you receive this response?"),
        choices=Submission.ReceivedVia.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select how you received the response")},
    )
    received_on = forms.DateField(
        label=_("Date received"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": _("Enter the date you received the response"),
            "invalid": _("Enter a real date"),
        },
    )
    place = forms.CharField(label=_("Place"), required=False, max_length=200)
    language = forms.ChoiceField(
        label=_("Language of the answers"),
        choices=[("", _("Choose a language")), *settings.LANGUAGES],
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4())


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Use the template for this consultation. Save it as CSV (UTF-8)."),
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
        error_messages={"required": _("Choose a CSV file to upload")},
    )

    MAX_MB = 10

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_MB * 1024 * 1024:
            raise forms.ValidationError(
                _("The file must be smaller than %(size)s MB"), params={"size": self.MAX_MB}
            )
        return upload


class AssistedResponseForm(AssistedForm, AnswersForm):
    """A facilitator's page: how the response was received, then every answer."""

    META_FIELDS = ("received_via", "received_on", "place", "language")

    def meta_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.META_FIELDS]
