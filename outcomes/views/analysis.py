"""The analysis workspace: results per question, who has been heard, baselines, exports."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import permissions
from accounts.forms import apply_service_errors
from consult.models import Consultation
from outcomes import queries, services
from outcomes.forms import BaselineForm, ResultsFilterForm
from outcomes.models import Baseline, Job


def consultation_for(request: HttpRequest, pk: int, roles=permissions.ANALYSE) -> Consultation:
    """The consultation if the user holds one of the roles in its organisation; else 404."""
    return permissions.get_scoped_or_404(
        Consultation.objects.select_related("organisation"), request.user, roles, pk=pk
    )


@login_required
def results(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = consultation_for(request, pk)
    filters = ResultsFilterForm(request.GET or None)
    figures = queries.report_figures(consultation, **filters.filters())
    return render(
        request,
        "outcomes/analysis/results.html",
        {
            "consultation": consultation,
            "filters": filters,
            "figures": figures,
            "threshold": queries.threshold(),
            "jobs": Job.objects.filter(consultation=consultation, kind=Job.Kind.EXPORT)[:5],
        },
    )


@login_required
def heard(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = consultation_for(request, pk)
    return render(
        request,
        "outcomes/analysis/heard.html",
        {
            "consultation": consultation,
            "heard": queries.who_has_been_heard(consultation),
            "threshold": queries.threshold(),
            "form": BaselineForm(consultation=consultation),
        },
    )


@login_required
def baseline_edit(request: HttpRequest, pk: int, baseline_pk: int | None = None) -> HttpResponse:
    consultation = consultation_for(request, pk)
    baseline = (
        get_object_or_404(Baseline, pk=baseline_pk, consultation=consultation)
        if baseline_pk
        else None
    )
    form = BaselineForm(request.POST or None, instance=baseline, consultation=consultation)
    if request.method == "POST" and form.is_valid():
        try:
            services.baseline_save(
                consultation=consultation, actor=request.user, baseline=form.instance
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Baseline saved."))
            return redirect("outcomes_staff:heard", pk=consultation.pk)
    return render(
        request,
        "outcomes/analysis/baseline_form.html",
        {"consultation": consultation, "form": form, "baseline": baseline},
    )


@login_required
@require_POST
def baseline_delete(request: HttpRequest, pk: int, baseline_pk: int) -> HttpResponse:
    consultation = consultation_for(request, pk)
    baseline = get_object_or_404(Baseline, pk=baseline_pk, consultation=consultation)
    services.baseline_delete(baseline=baseline, actor=request.user)
    messages.success(request, _("Baseline removed."))
    return redirect("outcomes_staff:heard", pk=consultation.pk)


@login_required
@require_POST
def export_start(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = consultation_for(request, pk)
    try:
        services.export_start(
            consultation=consultation,
            actor=request.user,
            file_format=request.POST.get("format", "csv"),
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Export started. Its link appears here when it is ready."))
    return redirect("outcomes_staff:results", pk=consultation.pk)


@login_required
def export_download(request: HttpRequest, pk: int, job_pk: int) -> FileResponse:
    consultation = consultation_for(request, pk)
    job = get_object_or_404(
        Job, pk=job_pk, consultation=consultation, kind=Job.Kind.EXPORT, state=Job.State.DONE
    )
    if not job.file:
        raise Http404
    return FileResponse(
        job.file.open("rb"), as_attachment=True, filename=job.file.name.rsplit("/", 1)[-1]
    )
