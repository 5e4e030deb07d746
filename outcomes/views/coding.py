"""Staff pages for coding free text: themes, bulk tagging, quotes, suggestions, campaigns.

Thin views over outcomes.coding, outcomes.suggest and outcomes.campaigns. Everyone with an
analysis role (permissions.ANALYSE) of the consultation's organisation may code; everyone
else gets a 404.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from accounts import permissions
from accounts.forms import apply_service_errors
from consult.models import Consultation
from outcomes import campaigns, coding, suggest
from outcomes.forms_text import (
    AnalyseTextForm,
    CodingFilterForm,
    MergeForm,
    SuggestionReviewForm,
    TagForm,
    ThemeForm,
)
from outcomes.models import Campaign, Coding, Job, SuggestedTheme, Theme

PAGE_SIZE = 50


def _consultation(request: HttpRequest, pk: int) -> Consultation:
    """The consultation if the user may analyse its organisation's data; 404 otherwise."""
    return permissions.get_scoped_or_404(
        Consultation.objects.select_related("organisation"),
        request.user,
        permissions.ANALYSE,
        pk=pk,
    )


def _theme(consultation: Consultation, theme_pk: int) -> Theme:
    return get_object_or_404(
        Theme.objects.select_related("consultation__organisation"),
        consultation=consultation,
        pk=theme_pk,
    )


def _back(request: HttpRequest, consultation: Consultation, value: str | None) -> HttpResponse:
    """Back to the coding page with the filters the analyst had, if the address is ours."""
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(value)
    return redirect("outcomes_staff:coding", pk=consultation.pk)


@login_required
@require_safe
def coding_page(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _consultation(request, pk)
    questions = coding.text_questions(consultation)
    themes = Theme.objects.filter(consultation=consultation)
    filters_form = CodingFilterForm(request.GET or None, questions=questions, themes=themes)
    filters = coding.CodingFilters()
    group = None
    if filters_form.is_bound and filters_form.is_valid():
        data = filters_form.cleaned_data
        filters = coding.CodingFilters(
            question=data["question"],
            text=data["q"].strip(),
            channel=data["channel"],
            theme=data["theme"],
            uncoded=data["uncoded"],
        )
        group = data["group"]
    page = Paginator(coding.coding_answers(consultation, filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    group_count = None
    if group is not None:
        group_count = coding.coding_group_count(consultation, filters, group.pk)
    return render(
        request,
        "outcomes/coding/page.html",
        {
            "consultation": consultation,
            "filters_form": filters_form,
            "tag_form": TagForm(themes=themes, auto_id="tag_%s"),
            "themes": coding.themes_with_counts(consultation),
            "page_obj": page,
            "page_range": page.paginator.get_elided_page_range(page.number),
            "group": group,
            "group_count": group_count,
            "threshold": settings.SUPPRESSION_THRESHOLD,
        },
    )


@login_required
@require_POST
def coding_tag(request: HttpRequest, pk: int) -> HttpResponse:
    """Code the selected answers (and whole campaigns) to a theme, or take them off it."""
    consultation = _consultation(request, pk)
    form = TagForm(request.POST, themes=Theme.objects.filter(consultation=consultation))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _back(request, consultation, request.POST.get("next"))
    data = form.cleaned_data
    theme = data["theme"]
    if data["action"] == TagForm.REMOVE:
        count = coding.answer_uncode(
            theme=theme,
            actor=request.user,
            answer_ids=data["answer"],
            campaign_ids=data["campaign"],
        )
        text = ngettext(
            "%(count)d answer taken off “%(theme)s”.",
            "%(count)d answers taken off “%(theme)s”.",
            count,
        )
    else:
        count = coding.answers_code(
            theme=theme,
            actor=request.user,
            answer_ids=data["answer"],
            campaign_ids=data["campaign"],
        )
        text = ngettext(
            "%(count)d answer coded to “%(theme)s”.",
            "%(count)d answers coded to “%(theme)s”.",
            count,
        )
    messages.success(request, text % {"count": count, "theme": theme.name})
    return _back(request, consultation, data["next"])


@login_required
@require_POST
def coding_change(request: HttpRequest, pk: int) -> HttpResponse:
    """One coding: choose it as a quote (or stop), or take the answer off the theme."""
    consultation = _consultation(request, pk)
    coding_pk = request.POST.get("quote") or request.POST.get("remove") or ""
    item = get_object_or_404(
        Coding.objects.select_related("theme__consultation__organisation"),
        theme__consultation=consultation,
        pk=int(coding_pk) if coding_pk.isdigit() else 0,
    )
    if "quote" in request.POST:
        chosen = coding.quote_toggle(coding=item, actor=request.user)
        messages.success(request, _("Chosen as a quote.") if chosen else _("No longer a quote."))
    else:
        campaign_ids = Campaign.objects.filter(representative_id=item.answer_id).values_list(
            "pk", flat=True
        )
        coding.answer_uncode(
            theme=item.theme,
            actor=request.user,
            answer_ids=[item.answer_id],
            campaign_ids=list(campaign_ids),
        )
        messages.success(request, _("Taken off “%(theme)s”.") % {"theme": item.theme.name})
    return _back(request, consultation, request.POST.get("next"))


@login_required
@require_safe
def campaign_page(request: HttpRequest, pk: int, campaign_pk: int) -> HttpResponse:
    """Every answer of one campaign, expanded."""
    consultation = _consultation(request, pk)
    campaign = get_object_or_404(
        Campaign.objects.select_related("question", "representative"),
        consultation=consultation,
        pk=campaign_pk,
    )
    page = Paginator(coding.campaign_members(campaign), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "outcomes/coding/campaign.html",
        {
            "consultation": consultation,
            "campaign": campaign,
            "page_obj": page,
            "page_range": page.paginator.get_elided_page_range(page.number),
        },
    )


@login_required
def theme_create(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _consultation(request, pk)
    form = ThemeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            theme = coding.theme_create(
                consultation=consultation, actor=request.user, names=form.names()
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Theme “%(theme)s” added.") % {"theme": theme.name})
            return redirect("outcomes_staff:coding", pk=consultation.pk)
    return render(
        request,
        "outcomes/coding/theme_form.html",
        {"consultation": consultation, "form": form, "heading": _("New theme")},
    )


@login_required
def theme_edit(request: HttpRequest, pk: int, theme_pk: int) -> HttpResponse:
    consultation = _consultation(request, pk)
    theme = _theme(consultation, theme_pk)
    form = ThemeForm(request.POST if request.method == "POST" else None, instance=theme)
    if request.method == "POST" and form.is_valid():
        try:
            coding.theme_rename(theme=theme, actor=request.user, names=form.names())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Theme renamed."))
            return redirect("outcomes_staff:coding", pk=consultation.pk)
    return render(
        request,
        "outcomes/coding/theme_form.html",
        {"consultation": consultation, "form": form, "heading": _("Rename the theme")},
    )


@login_required
def theme_merge(request: HttpRequest, pk: int, theme_pk: int) -> HttpResponse:
    consultation = _consultation(request, pk)
    theme = _theme(consultation, theme_pk)
    others = Theme.objects.filter(consultation=consultation).exclude(pk=theme.pk)
    form = MergeForm(request.POST if request.method == "POST" else None, themes=others)
    if request.method == "POST" and form.is_valid():
        target = coding.theme_merge(
            source=theme, target=form.cleaned_data["target"], actor=request.user
        )
        messages.success(request, _("Merged into “%(theme)s”.") % {"theme": target.name})
        return redirect("outcomes_staff:coding", pk=consultation.pk)
    return render(
        request,
        "outcomes/coding/theme_merge.html",
        {"consultation": consultation, "form": form, "theme": theme},
    )


@login_required
def theme_delete(request: HttpRequest, pk: int, theme_pk: int) -> HttpResponse:
    consultation = _consultation(request, pk)
    theme = _theme(consultation, theme_pk)
    if request.method == "POST":
        coding.theme_delete(theme=theme, actor=request.user)
        messages.success(request, _("Theme deleted. The answers are kept."))
        return redirect("outcomes_staff:coding", pk=consultation.pk)
    return render(
        request,
        "outcomes/coding/theme_delete.html",
        {"consultation": consultation, "theme": theme, "coded": theme.codings.count()},
    )


# Suggested themes and campaigns: jobs run by a Celery worker.


@login_required
def suggestions_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Start a suggestion job, watch it, and review what the latest finished one found."""
    consultation = _consultation(request, pk)
    questions = coding.text_questions(consultation)
    form = AnalyseTextForm(request.POST if request.method == "POST" else None, questions=questions)
    if request.method == "POST" and form.is_valid():
        suggest.suggest_themes_start(
            consultation=consultation, question=form.cleaned_data["question"], actor=request.user
        )
        messages.success(request, _("Looking for themes. This may take a minute."))
        return redirect("outcomes_staff:suggestions", pk=consultation.pk)
    jobs = Job.objects.filter(consultation=consultation, kind=Job.Kind.SUGGEST_THEMES)
    themes = Theme.objects.filter(consultation=consultation)
    return render(
        request,
        "outcomes/coding/suggestions.html",
        {
            "consultation": consultation,
            "form": form,
            "jobs": jobs.select_related("question")[:5],
            "running": jobs.filter(state__in=[Job.State.QUEUED, Job.State.RUNNING]).exists(),
            "suggestions": suggest.suggestions_to_review(consultation),
            "review_form": SuggestionReviewForm(themes=themes),
        },
    )


@login_required
@require_POST
def suggestion_review(request: HttpRequest, pk: int, suggestion_pk: int) -> HttpResponse:
    """Accept (as a new theme), merge into a theme, or reject one suggestion."""
    consultation = _consultation(request, pk)
    suggestion = get_object_or_404(
        SuggestedTheme.objects.select_related("job__consultation__organisation"),
        job__consultation=consultation,
        pk=suggestion_pk,
    )
    form = SuggestionReviewForm(
        request.POST, themes=Theme.objects.filter(consultation=consultation)
    )
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("outcomes_staff:suggestions", pk=consultation.pk)
    data = form.cleaned_data
    try:
        if data["action"] == SuggestionReviewForm.ACCEPT:
            theme = suggest.suggestion_accept(
                suggestion=suggestion, actor=request.user, name=data["name"]
            )
            messages.success(request, _("Theme “%(theme)s” added.") % {"theme": theme.name})
        elif data["action"] == SuggestionReviewForm.MERGE:
            theme = suggest.suggestion_merge(
                suggestion=suggestion, target=data["target"], actor=request.user
            )
            messages.success(request, _("Merged into “%(theme)s”.") % {"theme": theme.name})
        else:
            suggest.suggestion_reject(suggestion=suggestion, actor=request.user)
            messages.success(request, _("Suggestion rejected."))
    except ValidationError as error:
        for item in error.messages:
            messages.error(request, item)
    return redirect("outcomes_staff:suggestions", pk=consultation.pk)


@login_required
def campaigns_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Start grouping identical and near-identical answers; list the campaigns found."""
    consultation = _consultation(request, pk)
    form = AnalyseTextForm(
        request.POST if request.method == "POST" else None,
        questions=coding.text_questions(consultation),
    )
    if request.method == "POST" and form.is_valid():
        campaigns.campaigns_group_start(
            consultation=consultation, question=form.cleaned_data["question"], actor=request.user
        )
        messages.success(request, _("Looking for campaigns and duplicates."))
        return redirect("outcomes_staff:campaigns", pk=consultation.pk)
    jobs = Job.objects.filter(consultation=consultation, kind=Job.Kind.GROUP_CAMPAIGNS)
    page = Paginator(campaigns.campaigns_of(consultation), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "outcomes/coding/campaigns.html",
        {
            "consultation": consultation,
            "form": form,
            "jobs": jobs.select_related("question")[:5],
            "running": jobs.filter(state__in=[Job.State.QUEUED, Job.State.RUNNING]).exists(),
            "page_obj": page,
            "page_range": page.paginator.get_elided_page_range(page.number),
        },
    )


@login_required
@require_safe
def job_progress(request: HttpRequest, pk: int, job_pk: int) -> JsonResponse:
    """A job's state and progress, for the progress script (the pages work without it)."""
    consultation = _consultation(request, pk)
    job = get_object_or_404(
        Job.objects.filter(kind__in=[Job.Kind.SUGGEST_THEMES, Job.Kind.GROUP_CAMPAIGNS]),
        consultation=consultation,
        pk=job_pk,
    )
    return JsonResponse(
        {
            "state": job.state,
            "state_label": job.get_state_display(),
            "progress": job.progress,
            "finished": job.state in (Job.State.DONE, Job.State.FAILED),
            "url": reverse(
                "outcomes_staff:suggestions"
                if job.kind == Job.Kind.SUGGEST_THEMES
                else "outcomes_staff:campaigns",
                kwargs={"pk": consultation.pk},
            ),
        }
    )
