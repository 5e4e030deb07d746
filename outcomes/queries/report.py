"""Reads of the outcome report, the accountability tracker and open data."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import (
    Avg,
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.utils.translation import gettext_lazy as _

from consult.models import Consultation
from feedback.models import Answer, Consent
from outcomes.models import (
    Coding,
    Commitment,
    CommitmentUpdate,
    FollowUpResponse,
    Report,
    Theme,
    ThemeResponse,
)
from outcomes.queries.participation import participation
from outcomes.queries.statistics import PUBLISHED_STATES, _confirmed, results, suppress

# The report page -----------------------------------------------------------------------


def report_figures(
    consultation: Consultation,
    *,
    channel: str | None = None,
    language: str | None = None,
    breakdown: str | None = None,
) -> dict[str, Any]:
    """Everything the report and analysis pages show: participation and results, suppressed."""
    return {
        "participation": participation(
            consultation, channel=channel, language=language, name_small_groups=False
        ),
        "results": results(consultation, channel=channel, language=language, breakdown=breakdown),
        "filters": {"channel": channel, "language": language, "breakdown": breakdown},
    }


def theme_counts(consultation: Consultation) -> list[Theme]:
    """Themes with the number of counted answers coded to each (suppressed)."""
    themes = list(
        Theme.objects.filter(consultation=consultation).annotate(
            n=Count(
                "codings",
                filter=_confirmed(consultation, "codings__answer__submission__"),
            )
        )
    )
    cells = suppress({t.pk: t.n for t in themes})
    for theme in themes:
        theme.cell = cells[theme.pk]
    return themes


def quotes(consultation: Consultation) -> dict[int, list[str]]:
    """Chosen quotes per theme: only the answer's text, never who wrote it.

    Only answers whose authors consented to publication are quoted.
    """
    consent = Consent.objects.filter(
        participant_id=OuterRef("answer__submission__participant_id"),
        purpose=Consent.Purpose.PUBLICATION,
        withdrawn_at__isnull=True,
    )
    rows = (
        Coding.objects.filter(theme__consultation=consultation, is_quote=True)
        .filter(_confirmed(consultation, "answer__submission__"))
        .filter(Exists(consent))
        .exclude(answer__text="")
        .order_by("theme_id", "pk")
        .values_list("theme_id", "answer__text")
    )
    out: dict[int, list[str]] = defaultdict(list)
    for theme_id, text in rows:
        out[theme_id].append(text)
    return dict(out)


def commitments_with_updates(consultation: Consultation) -> list[Commitment]:
    """The consultation's commitments with their timelines (two queries)."""
    return list(
        Commitment.objects.filter(consultation=consultation)
        .select_related("theme")
        .prefetch_related(
            Prefetch("updates", queryset=CommitmentUpdate.objects.order_by("at", "pk"))
        )
    )


FOLLOW_UP_QUESTIONS = {
    "felt_heard": _("I felt heard"),
    "fair": _("The process was fair"),
    "clear": _("The process was clear"),
    "reflects": _("The outcome reflects what people said"),
}


def follow_up_results(consultation: Consultation) -> dict[str, Any] | None:
    """Follow-up survey means and distributions (1 to 5), suppressed; None before any response."""
    aggregates: dict[str, Any] = {"responses": Count("id")}
    for name in FOLLOW_UP_QUESTIONS:
        aggregates[f"{name}__n"] = Count(name)
        aggregates[f"{name}__mean"] = Avg(name)
        for point in range(1, 6):
            aggregates[f"{name}__{point}"] = Count("id", filter=Q(**{name: point}))
    row = FollowUpResponse.objects.filter(consultation=consultation).aggregate(**aggregates)
    if not row["responses"]:
        return None
    total = suppress({"n": row["responses"]})["n"]
    scales = []
    for name, label in FOLLOW_UP_QUESTIONS.items():
        counts = {point: row[f"{name}__{point}"] for point in range(1, 6)} | {
            "n": row[f"{name}__n"]
        }
        cells = suppress(counts, [list(counts)])
        answered = cells["n"]
        scales.append(
            {
                "name": name,
                "label": label,
                "answered": answered,
                "mean": round(row[f"{name}__mean"], 2)
                if answered.shown and row[f"{name}__mean"] is not None
                else None,
                "points": [
                    {"point": p, "cell": cells[p], "share": cells[p].share_of(answered)}
                    for p in range(1, 6)
                ],
            }
        )
    return {"responses": total, "scales": scales}


def published_report(slug: str) -> Report | None:
    """The published report of a public consultation, or None."""
    return (
        Report.objects.select_related("consultation", "consultation__organisation")
        .filter(
            consultation__slug=slug,
            consultation__state__in=PUBLISHED_STATES,
            published_at__isnull=False,
        )
        .first()
    )


def theme_responses(report: Report) -> dict[int, ThemeResponse]:
    return {tr.theme_id: tr for tr in ThemeResponse.objects.filter(report=report)}


def public_commitments(*, status: str | None = None) -> QuerySet[Commitment]:
    """Commitments of consultations with a published report, newest report first."""
    qs = (
        Commitment.objects.filter(
            consultation__report__published_at__isnull=False,
            consultation__state__in=PUBLISHED_STATES,
        )
        .select_related("consultation")
        .prefetch_related(
            Prefetch(
                "updates",
                queryset=CommitmentUpdate.objects.order_by("at", "pk"),
                to_attr="timeline",
            )
        )
        .order_by("-consultation__report__published_at", "consultation_id", "position", "pk")
    )
    if status:
        qs = qs.filter(status=status)
    return qs


# Open data -----------------------------------------------------------------------------


def published_answers(consultation: Consultation) -> QuerySet[Answer]:
    """Counted answers whose authors consented to publication (and have not withdrawn it).

    Only opinion fields come out: no contact details, monitoring, reference or facilitator.
    """
    consent = Consent.objects.filter(
        participant_id=OuterRef("submission__participant_id"),
        purpose=Consent.Purpose.PUBLICATION,
        withdrawn_at__isnull=True,
    )
    return (
        Answer.objects.filter(_confirmed(consultation, "submission__"))
        .filter(Exists(consent))
        .order_by("submission_id", "question_id")
    )
