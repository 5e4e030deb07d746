"""Public pages: the outcome report, its open data, and the commitments tracker."""

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render

from outcomes import exports, queries
from outcomes.forms import TrackerFilterForm
from outcomes.models import Report

PER_PAGE = 20


def _report_or_404(slug: str) -> Report:
    report = queries.published_report(slug)
    if report is None:
        raise Http404
    return report


def report(request: HttpRequest, slug: str) -> HttpResponse:
    report = _report_or_404(slug)
    consultation = report.consultation
    responses = queries.theme_responses(report)
    quotes = queries.quotes(consultation)
    themes = [
        {"theme": theme, "response": responses.get(theme.pk), "quotes": quotes.get(theme.pk, [])}
        for theme in queries.theme_counts(consultation)
    ]
    return render(
        request,
        "outcomes/public/report.html",
        {
            "consultation": consultation,
            "report": report,
            "figures": queries.report_figures(consultation),
            "themes": themes,
            "commitments": queries.commitments_with_updates(consultation),
            "follow_up": queries.follow_up_results(consultation),
            "threshold": queries.threshold(),
        },
    )


def data_csv(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    consultation = _report_or_404(slug).consultation
    response = StreamingHttpResponse(
        exports.csv_lines(consultation), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{consultation.slug}-outcome.csv"'
    return response


def data_json(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    consultation = _report_or_404(slug).consultation
    response = StreamingHttpResponse(
        exports.json_chunks(consultation), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{consultation.slug}-outcome.json"'
    return response


def tracker(request: HttpRequest) -> HttpResponse:
    form = TrackerFilterForm(request.GET or None)
    status = form.cleaned_data.get("status") if form.is_valid() else None
    paginator = Paginator(queries.public_commitments(status=status), PER_PAGE)
    page_obj = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "outcomes/public/tracker.html",
        {
            "form": form,
            "page_obj": page_obj,
            "page_range": paginator.get_elided_page_range(page_obj.number),
        },
    )
