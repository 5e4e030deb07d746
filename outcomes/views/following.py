"""The page where a participant picks the commitments they want to hear about."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from outcomes import following
from outcomes.models import CommitmentFollower


class FollowForm(forms.Form):
    commitments = forms.MultipleChoiceField(
        label=gettext_lazy("Follow commitments"),
        help_text=gettext_lazy(
            "Choose the commitments you want to hear about. We will write to you when "
            "their status changes."
        ),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


@never_cache
def follow_commitments(request: HttpRequest, signature: str) -> HttpResponse:
    target = following.follow_target(signature)
    if target is None:
        return render(request, "outcomes/follow_up/unknown.html", status=404)
    participant, consultation_id = target
    commitments = list(following.commitments_to_follow(consultation_id))
    followed = set(
        CommitmentFollower.objects.filter(
            participant=participant, commitment__in=commitments
        ).values_list("commitment_id", flat=True)
    )
    form = FollowForm(request.POST or None, initial={"commitments": [str(pk) for pk in followed]})
    form.fields["commitments"].choices = [(str(c.pk), c.action) for c in commitments]
    if request.method == "POST" and form.is_valid():
        following.commitments_follow(
            participant=participant,
            consultation_id=consultation_id,
            commitment_ids={int(pk) for pk in form.cleaned_data["commitments"]},
        )
        messages.success(request, _("Saved. We will write to you when these commitments change."))
        return redirect(request.path)
    return render(
        request,
        "outcomes/follow_up/follow.html",
        {"form": form, "has_commitments": bool(commitments)},
    )
