from django import forms
from django.utils.translation import gettext_lazy as _

from notifications.models import SCOPE_ALL


class UnsubscribeForm(forms.Form):
    """Which messages to stop: those about one subject, or all of them."""

    scope = forms.ChoiceField(
        label=_("Which messages do you want to stop?"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose which messages you want to stop.")},
    )

    def __init__(self, *args, subject_key: str, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(SCOPE_ALL, _("All messages from Suara"))]
        if subject_key != SCOPE_ALL:
            choices.insert(0, (subject_key, _("Only messages about this consultation or topic")))
        self.fields["scope"].choices = choices
        self.fields["scope"].initial = choices[0][0]
