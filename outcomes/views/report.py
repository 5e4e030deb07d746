"""Writing and publishing the outcome report (staff): summary, responses, commitments."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import permissions
from accounts.forms import apply_service_errors
from outcomes import queries, services
from outcomes.forms import CommitmentForm, CommitmentStatusForm, ReportForm, ThemeResponseForm
from outcomes.models import Commitment, Theme
from outcomes.views.analysis import consultation_for


@login_required
def overview(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = consultation_for(request, pk)
    report = getattr(consultation, "report", None)
    themes = queries.theme_counts(consultation)
    responses = queries.theme_responses(report) if report else {}
    return render(
        request,
        "outcomes/report/overview.html",
        {
            "consultation": consultation,
            "report": report,
            "themes": [(theme, responses.get(theme.pk)) for theme in themes],
            "commitments": queries.commitments_with_updates(consultation),
            "can_edit": permissions.has_role(
                request.user, consultation.organisation_id, permissions.EDIT
            ),
            "can_publish": permissions.has_role(
                request.user, consultation.organisation_id, permissions.MANAGE
            )
            and consultation.state == "closed",
        },
    )


@login_required
def summary_edit(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = consultation_for(request, pk, permissions.EDIT)
    report = getattr(consultation, "report", None)
    form = ReportForm(request.POST or None, instance=report)
    if request.method == "POST" and form.is_valid():
        services.report_save(
            consultation=consultation, actor=request.user, fields=form.translated_values()
        )
        messages.success(request, _("Summary saved."))
        return redirect("outcomes_staff:report", pk=consultation.pk)
    return render(
        request,
        "outcomes/report/form.html",
        {"consultation": consultation, "form": form, "heading": _("Summary of the outcome")},
    )


@login_required
def theme_response_edit(request: HttpRequest, pk: int, theme_pk: int) -> HttpResponse:
    consultation = consultation_for(request, pk, permissions.EDIT)
    theme = get_object_or_404(Theme, pk=theme_pk, consultation=consultation)
    report = getattr(consultation, "report", None)
    existing = report.theme_responses.filter(theme=theme).first() if report else None
    form = ThemeResponseForm(request.POST or None, instance=existing)
    if request.method == "POST" and form.is_valid():
        services.theme_response_save(
            theme=theme, actor=request.user, fields=form.translated_values()
        )
        messages.success(request, _("Response saved."))
        return redirect("outcomes_staff:report", pk=consultation.pk)
    return render(
        request,
        "outcomes/report/form.html",
        {
            "consultation": consultation,
            "form": form,
            "heading": _("What we heard and our response: %(theme)s") % {"theme": theme.name},
        },
    )


@login_required
def commitment_edit(
    request: HttpRequest, pk: int, commitment_pk: int | None = None
) -> HttpResponse:
    consultation = consultation_for(request, pk, permissions.EDIT)
    commitment = (
        get_object_or_404(Commitment, pk=commitment_pk, consultation=consultation)
        if commitment_pk
        else None
    )
    form = CommitmentForm(request.POST or None, consultation=consultation, instance=commitment)
    if request.method == "POST" and form.is_valid():
        try:
            services.commitment_save(
                consultation=consultation,
                actor=request.user,
                fields=form.model_fields(),
                commitment=commitment,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Commitment saved."))
            return redirect("outcomes_staff:report", pk=consultation.pk)
    heading = _("Change a commitment") if commitment else _("Add a commitment")
    return render(
        request,
        "outcomes/report/form.html",
        {"consultation": consultation, "form": form, "heading": heading},
    )


@login_required
def commitment_status(request: HttpRequest, pk: int, commitment_pk: int) -> HttpResponse:
    consultation = consultation_for(request, pk, permissions.EDIT)
    commitment = get_object_or_404(Commitment, pk=commitment_pk, consultation=consultation)
    form = CommitmentStatusForm(request.POST or None, instance=commitment)
    if request.method == "POST" and form.is_valid():
        try:
            services.commitment_update_status(
                commitment=commitment,
                actor=request.user,
                status=form.cleaned_data["status"],
                fields=form.translated_values(),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Status changed."))
            return redirect("outcomes_staff:report", pk=consultation.pk)
    return render(
        request,
        "outcomes/report/form.html",
        {
            "consultation": consultation,
            "form": form,
            "heading": _("Change the status of a commitment"),
            "commitment": commitment,
        },
    )


@login_required
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = consultation_for(request, pk, permissions.MANAGE)
    try:
        services.report_publish(consultation=consultation, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The outcome report is published."))
    return redirect("outcomes_staff:report", pk=consultation.pk)
