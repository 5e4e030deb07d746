"""The public follow-up survey: a one-time link, no sign-in, stored without the person."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache

from outcomes import follow_up
from outcomes.forms_text import FollowUpForm


@never_cache
def survey(request: HttpRequest, token: str) -> HttpResponse:
    invitation = follow_up.invitation_for(token)
    if invitation is None:
        return render(request, "outcomes/follow_up/unknown.html", status=404)
    context = {"consultation": invitation.consultation}
    if invitation.used_at is not None:
        return render(request, "outcomes/follow_up/used.html", context)
    form = FollowUpForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        response = follow_up.follow_up_respond(
            token=token, answers=form.cleaned_data, language=get_language() or ""
        )
        if response is None:  # the other of two simultaneous submits
            return render(request, "outcomes/follow_up/used.html", context)
        return render(request, "outcomes/follow_up/thanks.html", context)
    return render(request, "outcomes/follow_up/survey.html", {**context, "form": form})
