"""Who took part, and who has been heard against the baselines staff entered."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    F,
    QuerySet,
)
from django.utils.translation import gettext_lazy as _

from consult.models import Consultation
from feedback.models import Monitoring, Submission
from outcomes.models import (
    Baseline,
)
from outcomes.queries.statistics import (
    SMALL_GROUPS,
    Cell,
    _labels,
    submissions,
    suppress,
    threshold,
)

# Participation -------------------------------------------------------------------------


# A group is flagged when its share is below this fraction of the expected share.
UNDER_REPRESENTED_RATIO = Decimal("0.8")


def _count_by(qs: QuerySet, path: str) -> dict[str | None, int]:
    return {
        (str(row["key"]) if row["key"] is not None else None): row["n"]
        for row in qs.values(key=F(path)).annotate(n=Count("id")).order_by()
    }


def participation(
    consultation: Consultation,
    *,
    channel: str | None = None,
    language: str | None = None,
    dimensions: Iterable[str] = ("channel", "language", "group"),
    name_small_groups: bool = True,
) -> dict[str, Any]:
    """How many took part and by channel, language, group, ...: one query for the total,
    channel and language, and one per other dimension.

    With `name_small_groups=False` (public pages) self-identified groups below the threshold
    are folded into one row, so that not even a group's name says someone of it took part.
    """
    qs = submissions(consultation, channel=channel, language=language)
    paths = {
        "channel": "channel",
        "language": "language",
        "group": "monitoring__groups__slug",
        "region": "monitoring__region__slug",
        "age_band": "monitoring__age_band",
    }
    # The total and the counts by channel and by language come from one GROUP BY: a
    # submission has exactly one of each, so the few (channel, language) cells add up.
    by_channel: dict[str | None, int] = defaultdict(int)
    by_language: dict[str | None, int] = defaultdict(int)
    for row in qs.values("channel", "language").annotate(n=Count("*")).order_by():
        by_channel[row["channel"]] += row["n"]
        by_language[row["language"]] += row["n"]
    total = sum(by_channel.values())
    total_cell = suppress({"total": total})["total"]
    out: dict[str, Any] = {"total": total_cell, "dimensions": []}
    for dimension in dimensions:
        if dimension == "channel":
            counts = dict(by_channel)
        elif dimension == "language":
            counts = dict(by_language)
        else:
            counts = _count_by(qs, paths[dimension])
        if dimension == "age_band":
            counts = _merge_blank(counts)
        keys = _ordered_keys(dimension, counts)
        labels = _labels(dimension, keys)
        cells = suppress(counts, [keys], hide=keys if total_cell.hidden else ())
        rows = [
            {
                "key": key,
                "label": labels[key],
                "cell": cells[key],
                "share": cells[key].share_of(total_cell),
                "bar": cells[key].share_of(total_cell),
            }
            for key in keys
        ]
        if dimension == "group" and not name_small_groups:
            small = [row for row in rows if row["key"] and row["cell"].hidden == "small"]
            if small:
                rows = [row for row in rows if row not in small]
                rows.append(
                    {
                        "key": SMALL_GROUPS,
                        "label": str(
                            _("Other groups, each with fewer than %(n)d people")
                            % {"n": threshold()}
                        ),
                        "cell": Cell(sum(row["cell"].count for row in small), "merged"),
                        "share": None,
                        "bar": None,
                    }
                )
        out["dimensions"].append(
            {"name": dimension, "label": Baseline.Dimension(dimension).label, "rows": rows}
        )
    return out


def _merge_blank(counts: dict[str | None, int]) -> dict[str | None, int]:
    merged: dict[str | None, int] = defaultdict(int)
    for key, n in counts.items():
        merged[key or None] += n
    return dict(merged)


def _ordered_keys(dimension: str, counts: dict[str | None, int]) -> list[str | None]:
    if dimension == "channel":
        order = list(Submission.Channel.values)
    elif dimension == "age_band":
        order = list(Monitoring.AgeBand.values)
    else:
        order = sorted(k for k in counts if k is not None)
    keys = [k for k in order if k in counts] + [k for k in counts if k not in order and k]
    if None in counts:
        keys.append(None)
    return keys


def who_has_been_heard(consultation: Consultation) -> dict[str, Any]:
    """Participation by group, channel, language, region and age band against the baselines.

    Each row: observed count (suppressed), observed share, expected share, and `under` when
    the observed share is below 80 % of the expected one (shown even for a hidden count:
    staff need it most for the smallest groups).
    """
    dimensions = ("group", "channel", "language", "region", "age_band")
    figures = participation(consultation, dimensions=dimensions)
    baselines = list(
        Baseline.objects.filter(consultation=consultation).order_by("dimension", "key")
    )
    expected = {(b.dimension, b.key): b for b in baselines}
    total = figures["total"].count
    for dimension in figures["dimensions"]:
        seen = set()
        for row in dimension["rows"]:
            seen.add(row["key"])
            _compare(row, expected.get((dimension["name"], row["key"])), total)
        # Groups with a baseline but nobody heard yet are the most important rows of all.
        missing = [
            b for (dim, key), b in expected.items() if dim == dimension["name"] and key not in seen
        ]
        if missing:
            labels = _labels(dimension["name"], [b.key for b in missing])
            for baseline in missing:
                row = {
                    "key": baseline.key,
                    "label": labels[baseline.key],
                    "cell": Cell(0),
                    "share": 0.0 if total else None,
                    "bar": 0.0 if total else None,
                }
                _compare(row, baseline, total)
                dimension["rows"].append(row)
    figures["baselines"] = baselines
    return figures


def _compare(row: dict[str, Any], baseline: Baseline | None, total: int) -> None:
    row["baseline"] = baseline
    row["expected"] = baseline.expected_share if baseline else None
    row["under"] = bool(
        baseline
        and total
        and Decimal(row["cell"].count) / total * 100
        < baseline.expected_share * UNDER_REPRESENTED_RATIO
    )
