from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class SignInForm(AuthenticationForm):
    """Email and password, with the browser's autofill hints."""

    username = forms.EmailField(
        label=_("Email address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class TokenForm(forms.Form):
    """The six-digit code from an authenticator app."""

    token = forms.CharField(
        label=_("Code from your authenticator app"),
        help_text=_("6 digits, for example 123456."),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args, device, **kwargs):
        self.device = device
        super().__init__(*args, **kwargs)

    def clean_token(self):
        token = self.cleaned_data["token"].replace(" ", "")
        if not token.isdigit() or not self.device.verify_token(token):
            raise forms.ValidationError(_("The code is not right. Check your app and try again."))
        return token


def apply_service_errors(form: forms.Form, error: ValidationError, aliases=None) -> None:
    """Show a service's validation errors beside the fields they are about.

    Every app's staff views use this. Errors about a name the form has no field for go to
    the top of the form; `aliases` maps a service's name to the form's (e.g. "choices" to
    the English choices box).
    """
    aliases = aliases or {}
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            name = aliases.get(name, name)
            target = name if name in form.fields else None
            for item in errors:
                form.add_error(target, item)
    else:
        for item in error.messages:
            form.add_error(None, item)
