from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice


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


RECOVERY_CODE_LENGTH = 8  # django-otp's StaticToken.random_token()


class TokenForm(forms.Form):
    """The six-digit code from an authenticator app, or (when `devices` holds the user's
    recovery codes) one of those; `device` is then the one the code was right for."""

    token = forms.CharField(
        label=_("Code from your authenticator app"),
        help_text=_("6 digits, for example 123456."),
        min_length=6,
        max_length=9,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args, devices, **kwargs):
        self.devices = list(devices)
        self.device = None
        super().__init__(*args, **kwargs)
        self.recovery = any(isinstance(d, StaticDevice) for d in self.devices)
        if self.recovery:
            self.fields["token"].help_text = _(
                "6 digits, for example 123456; or one of your recovery codes."
            )
            self.fields["token"].widget.attrs.pop("inputmode")

    def clean_token(self):
        token = self.cleaned_data["token"].replace(" ", "").replace("-", "").lower()
        for device in self.devices:
            # App codes are 6 digits; recovery codes 8 letters and digits (each works once).
            recovery = len(token) == RECOVERY_CODE_LENGTH
            if recovery == isinstance(device, StaticDevice) and device.verify_token(token):
                self.device = device
                return token
        raise forms.ValidationError(_("The code is not right. Check your app and try again."))


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
