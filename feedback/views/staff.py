"""Facilitators: enter responses met on paper, by phone or at a meeting; import paper in bulk."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from consult.models import Consultation, State
from feedback import csv_import, queries, rules, services
from feedback.forms import AnswersForm, AssistedResponseForm, ImportForm
from feedback.models import Submission

GET_POST = ["GET", "POST"]


def _consultation(request: HttpRequest, pk: int, predicate=rules.can_assist) -> Consultation:
    """The consultation if the user may work on it; 404 for everyone else."""
    consultation = get_object_or_404(
        Consultation.objects.exclude(state=State.DRAFT).select_related("organisation"), pk=pk
    )
    if not predicate(request.user, consultation):
        raise Http404
    return consultation


@login_required
def overview(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _consultation(request, pk)
    return render(
        request,
        "feedback/staff/overview.html",
        {
            "consultation": consultation,
            "counts": queries.submission_counts(consultation),
            "takes_entries": rules.takes_assisted_entries(consultation),
            "recent": queries.recent_entries(consultation, request.user),
        },
    )


@login_required
@require_http_methods(GET_POST)
def assist(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole form on one page, with how, when and where the response was received."""
    consultation = _consultation(request, pk)
    if not rules.takes_assisted_entries(consultation):
        raise Http404
    questions = queries.consultation_questions(consultation)
    posted = request.method == "POST"
    form = AssistedResponseForm(
        request.POST if posted else None, request.FILES if posted else None, questions=questions
    )
    if posted and form.is_valid():
        try:
            received = services.submission_receive(
                consultation=consultation,
                channel=Submission.Channel.ASSISTED,
                answers=form.answers(),
                questions=questions,
                idempotency_key=form.cleaned_data["idempotency_key"],
                language=form.cleaned_data["language"],
                entered_by=request.user,
                entered_for=rules.acting_organisation(request.user, consultation),
                received_via=form.cleaned_data["received_via"],
                received_on=form.cleaned_data["received_on"],
                place=form.cleaned_data["place"],
            )
        except services.SubmissionClosed:
            form.add_error(
                "received_on",
                _(
                    "This consultation has closed: only paper responses received before "
                    "it closed can be entered."
                ),
            )
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            note = _("Response saved. Its reference number is %(reference)s.") % {
                "reference": received.submission.reference
            }
            if received.submission.late_paper:
                note += " " + _("It is marked as a late-entered paper response.")
            messages.success(request, note)
            return redirect("feedback_staff:assist", pk=consultation.pk)
    return render(
        request,
        "feedback/staff/assist.html",
        {
            "consultation": consultation,
            "form": form,
            "closed": consultation.state == State.CLOSED,
        },
    )


@login_required
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The citizen form as it will look, every section on one page, for staff to check."""
    consultation = _consultation(request, pk, rules.can_preview)
    sections = queries.form_sections(consultation)
    return render(
        request,
        "feedback/staff/preview.html",
        {
            "consultation": consultation,
            "pages": [
                (section, AnswersForm(questions=list(section.questions.all()), prefix=f"s{n}"))
                for n, section in enumerate(sections, start=1)
            ],
        },
    )


@login_required
def import_template(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _consultation(request, pk)
    questions = queries.consultation_questions(consultation)
    response = HttpResponse(
        "\ufeff" + csv_import.template_csv(questions), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{consultation.slug}-responses.csv"'
    return response


@login_required
@require_http_methods(GET_POST)
def import_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """Every row validated; if any fails, the report says why and nothing is imported."""
    consultation = _consultation(request, pk)
    if not rules.takes_assisted_entries(consultation):
        raise Http404
    posted = request.method == "POST"
    form = ImportForm(request.POST if posted else None, request.FILES if posted else None)
    report = None
    if posted and form.is_valid():
        questions = queries.consultation_questions(consultation)
        parsed = csv_import.parse(form.cleaned_data["file"].read(), consultation, questions)
        report = parsed.errors
        if not parsed.errors and not parsed.rows:
            form.add_error("file", _("The file has no responses in it."))
        elif not parsed.errors:
            try:
                received = services.submissions_import(
                    consultation=consultation,
                    actor=request.user,
                    rows=parsed.rows,
                    questions=questions,
                )
            except services.SubmissionClosed:
                form.add_error(
                    "file",
                    _(
                        "This consultation has closed: only paper responses received "
                        "before it closed can be imported."
                    ),
                )
            else:
                new = sum(r.created for r in received)
                messages.success(
                    request,
                    _("%(new)s responses imported (%(old)s were already there).")
                    % {"new": new, "old": len(received) - new},
                )
                return redirect("feedback_staff:overview", pk=consultation.pk)
    return render(
        request,
        "feedback/staff/import.html",
        {"consultation": consultation, "form": form, "report": report},
        status=400 if report else 200,
    )
