"""Forms for the analysis workspace and the outcome report (staff), and the public filters."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from consult.forms import TranslatedFieldsMixin
from feedback.models import Submission
from outcomes import queries
from outcomes.models import Baseline, Commitment, Theme

LANGUAGE_CHOICES = [(code, queries.language_label(code)) for code, _name in settings.LANGUAGES]


class ResultsFilterForm(forms.Form):
    """GET filters of the results pages; invalid values are ignored, not shown as errors."""

    channel = forms.ChoiceField(
        label=_("Channel"),
        required=False,
        choices=[("", _("All channels")), *Submission.Channel.choices],
    )
    language = forms.ChoiceField(
        label=_("Language of the answers"),
        required=False,
        choices=[("", _("All languages")), *LANGUAGE_CHOICES],
    )
    breakdown = forms.ChoiceField(
        label=_("Break down by"),
        required=False,
        choices=[("", _("No breakdown")), *queries.BREAKDOWN_LABELS.items()],
    )

    def filters(self) -> dict[str, str | None]:
        data = self.cleaned_data if self.is_valid() else {}
        return {name: data.get(name) or None for name in self.fields}


class BaselineForm(forms.ModelForm):
    class Meta:
        model = Baseline
        fields = ["dimension", "key", "expected_share", "source"]
        help_texts = {
            "key": _(
                "For a group or region, its short name (slug); for a language, its code "
                "(such as ms); for a channel: online, assisted, api or import."
            ),
            "source": _("Where the figure comes from, such as a census."),
        }

    def __init__(self, *args, consultation, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.consultation = consultation


class PlainFieldsMixin:
    """The inputs that are not translated, for templates that show them before the languages."""

    def plain_fields(self) -> list[forms.BoundField]:
        translated = tuple(f"{name}_" for name in getattr(self, "translated", {}))
        return [
            self[name]
            for name in self.fields
            if not name.startswith(translated) and not self[name].is_hidden
        ]


class ReportForm(PlainFieldsMixin, TranslatedFieldsMixin, forms.Form):
    translated = {
        "summary": (
            forms.CharField(
                label=_("Summary of the outcome"),
                help_text=_("What was asked, who took part, what we heard and what happens next."),
                widget=forms.Textarea(attrs={"rows": 8}),
            ),
            False,
        ),
    }

    def __init__(self, *args, instance=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_translated_fields(instance)


class ThemeResponseForm(PlainFieldsMixin, TranslatedFieldsMixin, forms.Form):
    translated = {
        "what_we_heard": (
            forms.CharField(label=_("What we heard"), widget=forms.Textarea(attrs={"rows": 4})),
            True,
        ),
        "response": (
            forms.CharField(label=_("Our response"), widget=forms.Textarea(attrs={"rows": 4})),
            True,
        ),
    }

    def __init__(self, *args, instance=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_translated_fields(instance)


class CommitmentForm(PlainFieldsMixin, TranslatedFieldsMixin, forms.Form):
    translated = {
        "action": (
            forms.CharField(label=_("Action"), widget=forms.Textarea(attrs={"rows": 3})),
            True,
        ),
        "reason": (
            forms.CharField(
                label=_("Reason it was not adopted"),
                help_text=_("Required when the status is “not adopted”."),
                widget=forms.Textarea(attrs={"rows": 3}),
            ),
            False,
        ),
    }

    responsible_body = forms.CharField(label=_("Responsible body"), max_length=200)
    due = forms.DateField(
        label=_("Due date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    status = forms.ChoiceField(label=_("Status"), choices=Commitment.Status.choices)
    theme = forms.ModelChoiceField(
        label=_("Theme"), queryset=Theme.objects.none(), required=False, empty_label=_("None")
    )

    def __init__(self, *args, consultation, instance=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = Theme.objects.filter(consultation=consultation)
        if instance is not None:
            # The status of an existing commitment changes on its own page (the timeline).
            del self.fields["status"]
            for name in ("responsible_body", "due", "theme"):
                self.fields[name].initial = getattr(instance, name)
        self.add_translated_fields(instance)

    def model_fields(self) -> dict:
        data = self.translated_values()
        for name in ("responsible_body", "due", "status", "theme"):
            if name in self.fields:
                data[name] = self.cleaned_data[name]
        return data


class CommitmentStatusForm(PlainFieldsMixin, TranslatedFieldsMixin, forms.Form):
    translated = {
        "note": (
            forms.CharField(
                label=_("What changed"),
                help_text=_("Shown on the public timeline and sent to people who follow it."),
                widget=forms.Textarea(attrs={"rows": 3}),
            ),
            False,
        ),
        "reason": (
            forms.CharField(
                label=_("Reason it was not adopted"),
                help_text=_("Required when the status is “not adopted”."),
                widget=forms.Textarea(attrs={"rows": 3}),
            ),
            False,
        ),
    }

    status = forms.ChoiceField(label=_("New status"), choices=Commitment.Status.choices)

    def __init__(self, *args, instance=None, **kwargs):
        super().__init__(*args, **kwargs)
        if instance is not None:
            self.fields["status"].initial = instance.status
        self.add_translated_fields(None)


class TrackerFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *Commitment.Status.choices],
    )
