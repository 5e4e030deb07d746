"""Two-factor sign-in: owners must use it; anyone who has set it up must use it."""

from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import permissions

# Staff pages that must stay reachable before the second factor is given.
OPEN_STAFF_PAGES = ("sign-in", "sign-out", "password-reset", "two-factor")


def requires_two_factor(user) -> bool:
    """Owners manage their organisation's staff and publish outcomes: a second factor is required."""
    return bool(permissions.organisation_ids(user, permissions.MANAGE))


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        parts = request.path_info.split("/")
        is_staff_page = len(parts) > 2 and parts[2] == "staff"
        if (
            is_staff_page
            and user.is_authenticated
            and not user.is_verified()
            and not (len(parts) > 3 and parts[3] in OPEN_STAFF_PAGES)
        ):
            query = urlencode({"next": request.get_full_path()})
            # The app is the second factor; recovery codes only stand in for it.
            if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
                return redirect(f"{reverse('accounts:two_factor_verify')}?{query}")
            if requires_two_factor(user):
                return redirect(f"{reverse('accounts:two_factor_setup')}?{query}")
        return self.get_response(request)
