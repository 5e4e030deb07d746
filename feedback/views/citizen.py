"""The citizen form: one section a page, about you, contact and consent, check, receipt.

Every page after the start lives under the participant's private token, so answers are
saved in the database as the person goes and no session timeout loses them.
"""

from functools import wraps

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from consult.models import Consultation
from feedback import abuse, queries, services
from feedback.forms import (
    AboutYouForm,
    AnswersForm,
    ContactForm,
    StartForm,
    SubmitForm,
    WithdrawForm,
    initial_from_answers,
)
from feedback.models import Consent, ContactDetails, Monitoring, Submission

GET_POST = ["GET", "POST"]


def _private(view):
    """Load the submission from the private link; never cache or index these pages."""

    @wraps(view)
    @never_cache
    @require_http_methods(GET_POST)
    def wrapper(request: HttpRequest, slug: str, token: str, **kwargs) -> HttpResponse:
        if request.method == "POST" and abuse.too_large(request):
            return render(request, "feedback/rejected.html", status=413)
        submission = queries.private_submission(slug, token)
        response = view(request, submission, **kwargs)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapper


def _data(request: HttpRequest):
    """The posted data, even when empty (an empty form must still show its errors)."""
    return request.POST if request.method == "POST" else None


def _changeable(submission: Submission) -> bool:
    return not submission.is_withdrawn and submission.consultation.is_open


def _url(name: str, submission: Submission, **kwargs) -> str:
    return reverse(
        f"feedback:{name}",
        kwargs={
            "slug": submission.consultation.slug,
            "token": submission.participant.token,
            **kwargs,
        },
    )


def _steps(sections: list) -> int:
    """Pages a person goes through: one per section, about you, contact and consent."""
    return len(sections) + 2


def _after(request: HttpRequest, submission: Submission, next_url: str) -> HttpResponse:
    """Back to the check page when the person came from a change link, else onwards."""
    if request.GET.get("change") or submission.is_submitted:
        return redirect(_url("check", submission))
    return redirect(next_url)


def _page(request, template: str, submission: Submission, context: dict, status: int = 200):
    return render(
        request,
        template,
        {"submission": submission, "consultation": submission.consultation, **context},
        status=status,
    )


# Entry ---------------------------------------------------------------------------------


@never_cache
@require_http_methods(GET_POST)
def start(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = get_object_or_404(
        Consultation.objects.public().select_related("organisation"), slug=slug
    )
    context = {"consultation": consultation}
    if consultation.mode == Consultation.Mode.ASSISTED_ONLY:
        return render(request, "feedback/assisted_only.html", context)
    if not consultation.is_open:
        return render(request, "feedback/closed.html", context)
    sections = queries.form_sections(consultation)
    form = StartForm(_data(request))
    if request.method == "POST":
        if form.is_bot:
            return render(request, "feedback/rejected.html", status=400)
        if abuse.rate_limited(request, consultation):
            return abuse.too_many_requests(request)
        if form.is_valid():
            received = services.submission_start(
                consultation=consultation,
                language=get_language(),
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
            first = "section" if sections else "about_you"
            kwargs = {"number": 1} if sections else {}
            return redirect(_url(first, received.submission, **kwargs))
    context.update(form=form, steps=_steps(sections))
    return render(request, "feedback/start.html", context)


@_private
def resume(request: HttpRequest, submission: Submission) -> HttpResponse:
    """The private link: where the person stands, and what they may still do."""
    sections = queries.form_sections(submission.consultation)
    answers = queries.answers_of(submission)
    answered = {a.question_id for a in answers}
    next_number = next(
        (
            number
            for number, section in enumerate(sections, start=1)
            if not any(q.pk in answered for q in section.questions.all())
        ),
        None,
    )
    return _page(
        request,
        "feedback/resume.html",
        submission,
        {
            "summary": queries.answers_summary(sections, answers),
            "changeable": _changeable(submission),
            "next_number": next_number,
            "private_link": request.build_absolute_uri(),
        },
    )


# Question pages ------------------------------------------------------------------------


@_private
def section(request: HttpRequest, submission: Submission, number: int) -> HttpResponse:
    if not _changeable(submission):
        return redirect(_url("resume", submission))
    sections = queries.form_sections(submission.consultation)
    if not 1 <= number <= len(sections):
        return redirect(_url("check", submission))
    current = sections[number - 1]
    questions = list(current.questions.all())
    if request.method == "POST":
        # Only which files were uploaded before matters: the form shows what was posted.
        answers, initial = [], {}
        files_kept = queries.uploaded_files(submission, questions)
    else:
        by_pk = {q.pk: q for q in questions}
        answers = [a for a in queries.answers_of(submission) if a.question_id in by_pk]
        for answer in answers:
            answer.question = by_pk[answer.question_id]
        initial = initial_from_answers(answers)
        files_kept = {a.question_id: a.file.name for a in answers if a.file}
    form = AnswersForm(
        _data(request),
        request.FILES or None,
        questions=questions,
        files_kept=set(files_kept),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        services.answers_save(submission=submission, answers=form.answers(), files_kept=files_kept)
        if number < len(sections):
            next_url = _url("section", submission, number=number + 1)
        else:
            next_url = _url("about_you", submission)
        return _after(request, submission, next_url)
    back = _url("section", submission, number=number - 1) if number > 1 else None
    return _page(
        request,
        "feedback/section.html",
        submission,
        {
            "form": form,
            "section": current,
            "number": number,
            "steps": _steps(sections),
            "back_url": back
            or reverse("feedback:start", kwargs={"slug": submission.consultation.slug}),
            "files_kept": set(files_kept),
        },
    )


@_private
def about_you(request: HttpRequest, submission: Submission) -> HttpResponse:
    if not _changeable(submission):
        return redirect(_url("resume", submission))
    consultation = submission.consultation
    sections = queries.form_sections(consultation)
    monitoring = Monitoring.objects.filter(submission=submission).first()
    initial = {}
    if monitoring is not None:
        initial = {
            "consent": True,
            "age_band": monitoring.age_band,
            "groups": [str(pk) for pk in monitoring.groups.values_list("pk", flat=True)]
            + (["prefer_not"] if monitoring.groups_withheld else []),
            "disability": monitoring.disability,
            "region": "prefer_not" if monitoring.region_withheld else monitoring.region_id or "",
            "main_language": monitoring.main_language,
            "answering_for": monitoring.answering_for,
            "organisation_name": monitoring.organisation_name,
            "civil_society": {True: "yes", False: "no"}.get(monitoring.civil_society, ""),
        }
    form = AboutYouForm(
        _data(request), groups=list(consultation.target_groups.all()), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        fields = form.monitoring_fields()
        answered = form.cleaned_data.get("consent") and any(
            value for key, value in fields.items() if key not in ("civil_society",)
        )
        services.monitoring_save(
            submission=submission,
            fields=fields if answered else None,
            consent_wording=str(form.fields["consent"].label),
            language=get_language(),
        )
        return _after(request, submission, _url("contact", submission))
    back = (
        _url("section", submission, number=len(sections))
        if sections
        else reverse("feedback:start", kwargs={"slug": consultation.slug})
    )
    return _page(
        request,
        "feedback/about_you.html",
        submission,
        {"form": form, "number": len(sections) + 1, "steps": _steps(sections), "back_url": back},
    )


@_private
def contact(request: HttpRequest, submission: Submission) -> HttpResponse:
    if not _changeable(submission):
        return redirect(_url("resume", submission))
    consultation = submission.consultation
    sections = queries.form_sections(consultation)
    details = ContactDetails.objects.filter(participant=submission.participant).first()
    active = set(
        Consent.objects.filter(participant=submission.participant, withdrawn_at=None).values_list(
            "purpose", flat=True
        )
    )
    initial = {
        "email": details.email if details else "",
        "phone": details.phone if details else "",
        "language": submission.participant.language or get_language(),
        **{purpose: True for purpose in active},
    }
    form = ContactForm(
        _data(request),
        initial=initial,
        email_required=consultation.mode == Consultation.Mode.EMAIL_CONFIRMED,
    )
    if request.method == "POST" and form.is_valid():
        services.contact_save(
            submission=submission,
            email=form.cleaned_data["email"],
            phone=form.cleaned_data["phone"].strip(),
            language=form.cleaned_data["language"],
            consents=form.consents(),
            shown_in=get_language(),
        )
        return redirect(_url("check", submission))
    return _page(
        request,
        "feedback/contact.html",
        submission,
        {
            "form": form,
            "number": len(sections) + 2,
            "steps": _steps(sections),
            "back_url": _url("about_you", submission),
            "email_confirmed_mode": consultation.mode == Consultation.Mode.EMAIL_CONFIRMED,
        },
    )


# Check, send, receipt ------------------------------------------------------------------


@_private
def check(request: HttpRequest, submission: Submission) -> HttpResponse:
    if request.method == "POST" and submission.is_submitted:
        return redirect(_url("done", submission))  # a double click or a resent form
    if not _changeable(submission):
        return redirect(_url("resume", submission))
    consultation = submission.consultation
    sections = queries.form_sections(consultation)
    form = SubmitForm(_data(request))
    problems: list[tuple[str, str]] = []
    if request.method == "POST" and submission.is_draft:
        if form.is_bot:
            return render(request, "feedback/rejected.html", status=400)
        if abuse.rate_limited(request, consultation):
            return abuse.too_many_requests(request)
        if form.is_valid():
            try:
                services.submission_submit(
                    submission=submission, questions=queries.all_questions(sections)
                )
            except ValidationError:
                pass  # the missing answers are listed below
            except services.SubmissionClosed:
                return redirect(_url("resume", submission))
            else:
                return redirect(_url("done", submission))
    answers = queries.answers_of(submission)
    if request.method == "POST":
        missing = services.missing_required(queries.all_questions(sections), answers)
        problems = [(f"answer-q{q.pk}", q.text) for q in missing]
    contact_details = ContactDetails.objects.filter(participant=submission.participant).first()
    return _page(
        request,
        "feedback/check.html",
        submission,
        {
            "form": form,
            "problems": problems,
            "summary": queries.answers_summary(sections, answers),
            "has_monitoring": Monitoring.objects.filter(submission=submission).exists(),
            "has_contact": contact_details is not None,
            "consents": list(
                Consent.objects.filter(
                    participant=submission.participant, withdrawn_at=None
                ).exclude(purpose=Consent.Purpose.MONITORING)
            ),
            "back_url": _url("contact", submission),
        },
        status=400 if problems else 200,
    )


@_private
def done(request: HttpRequest, submission: Submission) -> HttpResponse:
    if submission.is_draft:
        return redirect(_url("check", submission))
    return _page(
        request,
        "feedback/done.html",
        submission,
        {"private_link": request.build_absolute_uri(_url("resume", submission))},
    )


@_private
def withdraw(request: HttpRequest, submission: Submission) -> HttpResponse:
    if not _changeable(submission) or submission.is_draft:
        return redirect(_url("resume", submission))
    form = WithdrawForm(_data(request))
    if request.method == "POST" and form.is_valid():
        services.submission_withdraw(submission=submission)
        return redirect(_url("resume", submission))
    return _page(
        request,
        "feedback/withdraw.html",
        submission,
        {"form": form, "back_url": _url("resume", submission)},
    )


@_private
def confirm_email(request: HttpRequest, submission: Submission, signature: str) -> HttpResponse:
    """A button, not a bare link: mail scanners that open links must not confirm for people."""
    confirmed = None
    if request.method == "POST":
        confirmed = services.submission_confirm_email(submission=submission, signature=signature)
    return _page(
        request,
        "feedback/confirm_email.html",
        submission,
        {"confirmed": confirmed},
        status=400 if confirmed is False else 200,
    )
