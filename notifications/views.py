"""Unsubscribe pages: a confirm page for people, and RFC 8058 one-click for mail clients."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from notifications import services
from notifications.forms import UnsubscribeForm
from notifications.models import SCOPE_ALL
from notifications.unsubscribe import token_read


@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    found = token_read(token)
    if found is None:
        return render(request, "notifications/unsubscribe_invalid.html", status=404)
    data = request.POST if request.method == "POST" else None
    form = UnsubscribeForm(data, subject_key=found.scope)
    if request.method == "POST" and form.is_valid():
        scope = form.cleaned_data["scope"]
        services.suppression_create(recipient=found.recipient, scope=scope)
        return render(
            request, "notifications/unsubscribe_done.html", {"everything": scope == SCOPE_ALL}
        )
    return render(request, "notifications/unsubscribe.html", {"form": form})


# Mail clients post here without a CSRF token (RFC 8058); the signed token authorises it.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe_one_click(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "GET":  # someone opened the link in a browser: let them choose
        return redirect("notifications:unsubscribe", token=token)
    found = token_read(token)
    if found is None:
        return HttpResponse(_("This unsubscribe link is not valid."), status=404)
    services.suppression_create(recipient=found.recipient, scope=found.scope)
    return HttpResponse(
        _("You are unsubscribed from these messages."), content_type="text/plain; charset=utf-8"
    )
