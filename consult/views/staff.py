"""The staff workspace for consultations: thin views over consult.services and consult.queries."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import permissions
from accounts.forms import apply_service_errors
from accounts.models import Organisation
from consult import queries_staff, rules, services
from consult.forms import (
    AttachmentForm,
    ConsultationForm,
    EventForm,
    NewClosingTimeForm,
    QuestionForm,
    ReasonForm,
    SectionForm,
)
from consult.models import Consultation, Question, Section
from notifications import queries as notification_queries


def _consultation(request: HttpRequest, pk: int, roles=permissions.ANY_ROLE) -> Consultation:
    """The consultation if the user's organisation owns it; 404 for everyone else."""
    return permissions.get_scoped_or_404(
        Consultation.objects.select_related("organisation", "topic", "region"),
        request.user,
        roles,
        pk=pk,
    )


@login_required
def consultation_list(request: HttpRequest) -> HttpResponse:
    consultations = queries_staff.consultations_for(request.user)
    can_create = bool(permissions.organisation_ids(request.user, permissions.EDIT))
    return render(
        request,
        "consult/staff/list.html",
        {"consultations": consultations, "can_create": can_create},
    )


@login_required
def consultation_create(request: HttpRequest) -> HttpResponse:
    organisations = permissions.organisations(request.user, permissions.EDIT)
    if not organisations.exists():
        raise PermissionDenied
    form = ConsultationForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            consultation = services.consultation_create(
                organisation=form.cleaned_data["organisation"],
                actor=request.user,
                fields=form.model_fields(),
                target_groups=form.cleaned_data["target_groups"],
                partners=form.cleaned_data["partners"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Consultation saved as a draft. Now add its questions."))
            return redirect("consult_staff:detail", pk=consultation.pk)
    return render(request, "consult/staff/form.html", {"form": form, "consultation": None})


@login_required
def consultation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _consultation(request, pk, permissions.EDIT)
    organisations = Organisation.objects.filter(pk=consultation.organisation_id)
    form = ConsultationForm(
        request.POST or None, organisations=organisations, instance=consultation
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.consultation_update(
                consultation=consultation,
                actor=request.user,
                fields=form.model_fields(),
                target_groups=form.cleaned_data["target_groups"],
                partners=form.cleaned_data["partners"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("consult_staff:detail", pk=consultation.pk)
    return render(request, "consult/staff/form.html", {"form": form, "consultation": consultation})


@login_required
def consultation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _consultation(request, pk)
    user = request.user
    context = {
        "consultation": consultation,
        "sections": queries_staff.sections_with_questions(consultation),
        "missing": queries_staff.missing_translations(consultation),
        "events": consultation.events.all(),
        "attachments": consultation.attachments.all(),
        "actions": rules.available_actions(user, consultation),
        "can_edit": rules.can_edit(user, consultation),
        "can_extend": rules.can_extend(user, consultation),
        "can_read_audit": rules.can_read_audit(user, consultation),
        "can_assist": permissions.has_role(user, consultation.organisation_id, permissions.ASSIST),
        "can_analyse": permissions.has_role(
            user, consultation.organisation_id, permissions.ANALYSE
        ),
        "progress": notification_queries.progress(f"consultation:{consultation.pk}"),
        "readiness": services.consultation_readiness(consultation)
        if consultation.is_editable
        else {},
        "reason_form": ReasonForm(auto_id="id_close_%s"),
        "closing_form": NewClosingTimeForm(consultation=consultation, auto_id="id_extend_%s"),
    }
    return render(request, "consult/staff/detail.html", context)


# Actions staff start from the workspace; publishing the outcome belongs to the outcomes app.
STAFF_ACTIONS = {"schedule", "unschedule", "open", "close", "reopen", "archive"}


@login_required
def consultation_transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Confirm and carry out one lifecycle action (schedule, open, close early, reopen, archive)."""
    if action not in STAFF_ACTIONS:
        raise PermissionDenied
    consultation = _consultation(request, pk)
    if not rules.can_transition(request.user, consultation, action):
        raise PermissionDenied
    needs_time = action == "reopen"
    needs_reason = action in ("close", "reopen")
    form_class = NewClosingTimeForm if needs_time else ReasonForm
    kwargs = {"consultation": consultation} if needs_time else {}
    form = form_class(request.POST or None, **kwargs) if needs_reason else None
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            if action == "schedule":
                services.consultation_schedule(consultation=consultation, actor=request.user)
            elif action == "close":
                services.consultation_close(
                    consultation=consultation,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                )
            elif action == "reopen":
                services.consultation_reopen(
                    consultation=consultation,
                    actor=request.user,
                    closes_at=form.cleaned_data["closes_at"],
                    reason=form.cleaned_data["reason"],
                )
            elif action == "open":
                services.consultation_open(
                    consultation=consultation, actor=request.user, reason=_("Opened by hand")
                )
            else:
                services.consultation_transition(
                    consultation=consultation, action=action, actor=request.user
                )
        except ValidationError as error:
            if form is None:
                for message in error.messages:
                    messages.error(request, message)
                return redirect("consult_staff:detail", pk=consultation.pk)
            apply_service_errors(form, error)
        except services.TransitionError as error:
            messages.error(request, str(error))
            return redirect("consult_staff:detail", pk=consultation.pk)
        else:
            consultation.refresh_from_db()
            messages.success(
                request,
                _("The consultation is now: %(state)s.")
                % {"state": consultation.get_state_display()},
            )
            return redirect("consult_staff:detail", pk=consultation.pk)
    return render(
        request,
        "consult/staff/transition.html",
        {"consultation": consultation, "action": action, "form": form},
    )


@login_required
def consultation_extend(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _consultation(request, pk)
    if not rules.can_extend(request.user, consultation):
        raise PermissionDenied
    form = NewClosingTimeForm(request.POST or None, consultation=consultation)
    if request.method == "POST" and form.is_valid():
        try:
            services.consultation_extend(
                consultation=consultation,
                actor=request.user,
                closes_at=form.cleaned_data["closes_at"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The closing time has been changed."))
            return redirect("consult_staff:detail", pk=consultation.pk)
    return render(
        request,
        "consult/staff/transition.html",
        {"consultation": consultation, "action": "extend", "form": form},
    )


@login_required
def consultation_audit(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _consultation(request, pk)
    if not rules.can_read_audit(request.user, consultation):
        raise PermissionDenied
    return render(
        request,
        "consult/staff/audit.html",
        {
            "consultation": consultation,
            "transitions": consultation.transitions.select_related("actor"),
            "entries": queries_staff.audit_entries(consultation),
        },
    )


# Sections and questions ------------------------------------------------------------------


@login_required
def section_edit(request: HttpRequest, pk: int, section_pk: int | None = None) -> HttpResponse:
    consultation = _consultation(request, pk, permissions.EDIT)
    section = get_object_or_404(consultation.sections, pk=section_pk) if section_pk else None
    form = SectionForm(request.POST or None, instance=section)
    if request.method == "POST" and form.is_valid():
        services.section_save(
            consultation=consultation,
            actor=request.user,
            fields=form.model_fields(),
            section=section,
        )
        messages.success(request, _("Section saved."))
        return redirect("consult_staff:detail", pk=consultation.pk)
    return render(
        request,
        "consult/staff/section_form.html",
        {
            "consultation": consultation,
            "form": form,
            "heading": _("Edit section") if section else _("Add a section"),
        },
    )


@login_required
def question_edit(
    request: HttpRequest, pk: int, section_pk: int, question_pk: int | None = None
) -> HttpResponse:
    consultation = _consultation(request, pk, permissions.EDIT)
    section = get_object_or_404(consultation.sections, pk=section_pk)
    question = get_object_or_404(section.questions, pk=question_pk) if question_pk else None
    kind_locked = question is not None and services._answers_exist(question)
    form = QuestionForm(request.POST or None, instance=question, kind_locked=kind_locked)
    if request.method == "POST" and form.is_valid():
        try:
            services.question_save(
                section=section,
                actor=request.user,
                fields=form.model_fields(),
                choices=form.cleaned_data["choice_rows"],
                question=question,
            )
        except ValidationError as error:
            apply_service_errors(form, error, aliases={"choices": "choices_en"})
        else:
            messages.success(request, _("Question saved."))
            return redirect("consult_staff:detail", pk=consultation.pk)
    return render(
        request,
        "consult/staff/question_form.html",
        {
            "consultation": consultation,
            "section": section,
            "form": form,
            "heading": _("Edit question") if question else _("Add a question"),
        },
    )


@login_required
@require_POST
def item_delete(request: HttpRequest, pk: int, kind: str, item_pk: int) -> HttpResponse:
    consultation = _consultation(request, pk, permissions.EDIT)
    try:
        if kind == "section":
            services.section_delete(
                section=get_object_or_404(consultation.sections, pk=item_pk), actor=request.user
            )
        elif kind == "question":
            question = get_object_or_404(Question, section__consultation=consultation, pk=item_pk)
            services.question_delete(question=question, actor=request.user)
        elif kind == "event":
            event = get_object_or_404(consultation.events, pk=item_pk)
            services.event_delete(event=event, actor=request.user)
        elif kind == "attachment":
            attachment = get_object_or_404(consultation.attachments, pk=item_pk)
            services.attachment_delete(attachment=attachment, actor=request.user)
        else:
            raise PermissionDenied
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Deleted."))
    return redirect("consult_staff:detail", pk=consultation.pk)


@login_required
@require_POST
def item_move(
    request: HttpRequest, pk: int, kind: str, item_pk: int, direction: str
) -> HttpResponse:
    consultation = _consultation(request, pk, permissions.EDIT)
    model = Section if kind == "section" else Question
    lookup = (
        {"consultation": consultation}
        if kind == "section"
        else {"section__consultation": consultation}
    )
    item = get_object_or_404(model, pk=item_pk, **lookup)
    services.item_move(item=item, actor=request.user, direction=-1 if direction == "up" else 1)
    return redirect(
        reverse("consult_staff:detail", kwargs={"pk": consultation.pk}) + f"#{kind}-{item.pk}"
    )


# Events and attachments ----------------------------------------------------------------


@login_required
def event_edit(request: HttpRequest, pk: int, event_pk: int | None = None) -> HttpResponse:
    consultation = _consultation(request, pk, permissions.EDIT)
    event = get_object_or_404(consultation.events, pk=event_pk) if event_pk else None
    form = EventForm(request.POST or None, consultation=consultation, instance=event)
    if request.method == "POST" and form.is_valid():
        services.event_save(
            consultation=consultation, actor=request.user, fields=form.model_fields(), event=event
        )
        messages.success(request, _("Event saved."))
        return redirect("consult_staff:detail", pk=consultation.pk)
    return render(
        request,
        "consult/staff/event_form.html",
        {
            "consultation": consultation,
            "form": form,
            "heading": _("Edit event") if event else _("Add an event"),
        },
    )


@login_required
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _consultation(request, pk, permissions.EDIT)
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        services.attachment_add(
            consultation=consultation,
            actor=request.user,
            fields=form.model_fields(),
            upload=form.cleaned_data["file"],
        )
        messages.success(request, _("Document added."))
        return redirect("consult_staff:detail", pk=consultation.pk)
    return render(
        request,
        "consult/staff/attachment_form.html",
        {
            "consultation": consultation,
            "form": form,
            "heading": _("Add a document"),
            "multipart": True,
        },
    )
