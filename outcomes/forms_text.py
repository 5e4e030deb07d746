"""Forms of the coding pages, suggested themes, campaigns and the follow-up survey."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from consult.forms import LANGUAGE_CODES, TranslatedFieldsMixin, field_suffix
from consult.models import TargetGroup
from feedback.models import Submission
from outcomes.models import Theme


class ThemeForm(TranslatedFieldsMixin, forms.Form):
    translated = {
        "name": (
            forms.CharField(
                label=_("Name of the theme"),
                max_length=200,
                help_text=_(
                    "Say it in the words people used, e.g. “Buses do not reach our village”."
                ),
            ),
            True,
        ),
    }

    def __init__(self, *args, instance: Theme | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_translated_fields(instance)

    def names(self) -> dict[str, str]:
        """Names keyed by language code, as the services take them."""
        return {
            code: self.cleaned_data.get(f"name_{field_suffix(code)}") or ""
            for code in LANGUAGE_CODES
        }


class CodingFilterForm(forms.Form):
    """The filters of the coding page; every field is optional."""

    question = forms.ModelChoiceField(
        label=_("Question"), queryset=None, required=False, empty_label=_("All questions")
    )
    q = forms.CharField(label=_("Words in the answer"), max_length=200, required=False)
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    theme = forms.ModelChoiceField(
        label=_("Coded to theme"), queryset=None, required=False, empty_label=_("Any theme")
    )
    uncoded = forms.BooleanField(label=_("Only answers not yet coded"), required=False)
    group = forms.ModelChoiceField(
        label=_("Self-identified group (counts only)"),
        queryset=TargetGroup.objects.all(),
        required=False,
        empty_label=_("No group"),
        help_text=_(
            "Shows how many of the matching answers come from people in the group. "
            "Answers are never listed by group."
        ),
    )

    def __init__(self, *args, questions, themes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["question"].queryset = questions
        self.fields["theme"].queryset = themes
        self.fields["channel"].choices = [
            ("", pgettext_lazy("channel", "All channels")),
            *Submission.Channel.choices,
        ]


class TagForm(forms.Form):
    """Selected answers (and whole campaigns) and what to do with them."""

    ADD, REMOVE = "add", "remove"

    theme = forms.ModelChoiceField(label=_("Theme"), queryset=None)
    answer = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=())
    campaign = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=())
    action = forms.ChoiceField(choices=[(ADD, ADD), (REMOVE, REMOVE)], initial=ADD)
    next = forms.CharField(required=False)

    def __init__(self, *args, themes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = themes
        # Ids are checked against the consultation by the service, not listed here.
        for name in ("answer", "campaign"):
            self.fields[name].valid_value = lambda value: str(value).isdigit()

    def clean(self):
        data = super().clean()
        if not data.get("answer") and not data.get("campaign"):
            raise forms.ValidationError(_("Select at least one answer."), code="required")
        return data


class MergeForm(forms.Form):
    target = forms.ModelChoiceField(
        label=_("Merge into"),
        queryset=None,
        help_text=_("Every answer coded to this theme moves to the theme you choose."),
    )

    def __init__(self, *args, themes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = themes


class AnalyseTextForm(forms.Form):
    """Which answers a suggestion or campaign job reads."""

    question = forms.ModelChoiceField(
        label=_("Question"),
        queryset=None,
        required=False,
        empty_label=_("Every free-text question"),
    )

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["question"].queryset = questions


class SuggestionReviewForm(forms.Form):
    ACCEPT, MERGE, REJECT = "accept", "merge", "reject"

    action = forms.ChoiceField(
        choices=[(ACCEPT, ACCEPT), (MERGE, MERGE), (REJECT, REJECT)],
    )
    name = forms.CharField(
        label=_("Name of the new theme"),
        max_length=200,
        required=False,
        help_text=_("Leave as it is to use the suggested name."),
    )
    target = forms.ModelChoiceField(
        label=_("Existing theme"), queryset=None, required=False, empty_label=_("Choose a theme")
    )

    def __init__(self, *args, themes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = themes

    def clean(self):
        data = super().clean()
        if data.get("action") == self.MERGE and not data.get("target"):
            self.add_error("target", _("Choose the theme to merge this suggestion into."))
        return data


SCALE_CHOICES = [
    ("1", _("1 – Not at all")),
    ("2", _("2")),
    ("3", _("3")),
    ("4", _("4")),
    ("5", _("5 – Completely")),
]


def _scale(label):
    return forms.TypedChoiceField(
        label=label,
        choices=SCALE_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        help_text=_("From 1 (not at all) to 5 (completely)."),
    )


class FollowUpForm(forms.Form):
    felt_heard = _scale(_("Did you feel heard?"))
    fair = _scale(_("Was the process fair?"))
    clear = _scale(_("Was it clear what was being decided and how?"))
    reflects = _scale(_("Does the outcome reflect what people said?"))
    what_should_change = forms.CharField(
        label=_("What should change next time?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    SCALES = ("felt_heard", "fair", "clear", "reflects")

    def clean(self):
        data = super().clean()
        answered = [name for name in self.SCALES if data.get(name)]
        if not answered and not (data.get("what_should_change") or "").strip():
            raise forms.ValidationError(
                _("Answer at least one question, or write what should change."), code="empty"
            )
        return data
