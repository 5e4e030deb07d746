"""Results per question, computed in SQL, with small-group suppression."""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable, Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import (
    Avg,
    Count,
    F,
    Max,
    Min,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from consult.models import Choice, Consultation, Question, Region, State, TargetGroup
from feedback.models import Answer, AnswerChoice, Monitoring, Submission

SMALL_GROUPS = "_small"
NUMBER_BINS = 5
BREAKDOWNS = {
    # name -> path from a submission
    "channel": "channel",
    "language": "language",
    "group": "monitoring__groups__slug",
}
BREAKDOWN_LABELS = {
    "channel": _("Channel"),
    "language": _("Language"),
    "group": _("Self-identified group"),
}
PUBLISHED_STATES = (State.OUTCOME_PUBLISHED, State.ARCHIVED)
RESULT_KINDS = (
    Question.Kind.SINGLE,
    Question.Kind.MULTIPLE,
    Question.Kind.SCALE,
    Question.Kind.RANKING,
    Question.Kind.YES_NO,
    Question.Kind.NUMBER,
    Question.Kind.TEXT,
)


def threshold() -> int:
    return settings.SUPPRESSION_THRESHOLD


# Suppression ---------------------------------------------------------------------------


@dataclasses.dataclass
class Cell:
    """One published count: `value` is None when hidden; `hidden` says why."""

    count: int
    hidden: str = ""  # "", "small" (below the threshold), "complementary" or "merged"

    @property
    def value(self) -> int | None:
        return None if self.hidden else self.count

    @property
    def shown(self) -> bool:
        return not self.hidden

    def share_of(self, total: Cell | int | None) -> float | None:
        """The cell as a percentage of a total, or None when either is hidden."""
        if isinstance(total, Cell):
            total = total.value
        if self.hidden or not total:
            return None
        return round(100 * self.count / total, 1)

    def as_json(self) -> dict[str, Any]:
        return {"count": self.value, "suppressed": bool(self.hidden)}


def suppress(
    counts: dict[Hashable, int],
    lines: Iterable[Iterable[Hashable]] = (),
    *,
    hide: Iterable[Hashable] = (),
) -> dict[Hashable, Cell]:
    """Cells for the counts, small ones hidden, with complementary suppression along `lines`.

    `hide` names cells to hide whatever their size (those derived from a hidden group).
    """
    limit = threshold()
    cells = {key: Cell(int(n or 0)) for key, n in counts.items()}
    for cell in cells.values():
        if 0 < cell.count < limit:
            cell.hidden = "small"
    for key in hide:
        if key in cells and not cells[key].hidden:
            cells[key].hidden = "small"
    lines = [[key for key in line if key in cells] for line in lines]
    changed = True
    while changed:
        changed = False
        for line in lines:
            hidden = [key for key in line if cells[key].hidden]
            # A lone hidden zero may be worked out: that tells nothing about anyone.
            if len(hidden) != 1 or cells[hidden[0]].count == 0:
                continue
            shown = [key for key in line if not cells[key].hidden]
            if not shown:
                continue
            # The next smallest, preferring one that is not zero (a hidden zero protects nothing).
            key = min(shown, key=lambda k: (cells[k].count == 0, cells[k].count))
            cells[key].hidden = "complementary"
            changed = True
    return cells


# Filters -------------------------------------------------------------------------------


def _confirmed(consultation: Consultation, prefix: str = "") -> Q:
    """Counted submissions of the consultation, as a filter seen from `prefix`."""
    q = Q(
        **{
            f"{prefix}consultation_id": consultation.pk,
            f"{prefix}state": Submission.State.SUBMITTED,
        }
    )
    if consultation.mode == Consultation.Mode.EMAIL_CONFIRMED:
        q &= Q(**{f"{prefix}email_confirmed_at__isnull": False}) | ~Q(
            **{f"{prefix}channel": Submission.Channel.ONLINE}
        )
    return q


def _filters(prefix: str, channel: str | None, language: str | None) -> Q:
    q = Q()
    if channel:
        q &= Q(**{f"{prefix}channel": channel})
    if language:
        q &= Q(**{f"{prefix}language": language})
    return q


def submissions(
    consultation: Consultation, *, channel: str | None = None, language: str | None = None
) -> QuerySet[Submission]:
    """The consultation's counted submissions, optionally of one channel and language."""
    return Submission.objects.filter(_confirmed(consultation) & _filters("", channel, language))


def _uncounted(consultation: Consultation) -> QuerySet[Submission]:
    """Ids of the consultation's submissions that do not count (drafts, withdrawn, ...).

    Few, and found through the (consultation, state, channel) index: leaving them out is
    much cheaper than joining every answer to its submission to keep the others.
    """
    q = Q(state__in=[Submission.State.DRAFT, Submission.State.WITHDRAWN])
    if consultation.mode == Consultation.Mode.EMAIL_CONFIRMED:
        q |= Q(
            state=Submission.State.SUBMITTED,
            channel=Submission.Channel.ONLINE,
            email_confirmed_at__isnull=True,
        )
    return Submission.objects.filter(q, consultation_id=consultation.pk).values("id")


def _counted_ids(consultation, channel, language) -> QuerySet[Submission]:
    return submissions(consultation, channel=channel, language=language).values("id")


def _answers(consultation, question_ids, channel, language) -> QuerySet[Answer]:
    answers = Answer.objects.filter(question_id__in=question_ids)
    if channel or language:
        # A semi-join on the (few) matching submissions, not a join of every answer.
        return answers.filter(submission_id__in=_counted_ids(consultation, channel, language))
    return answers.exclude(submission_id__in=_uncounted(consultation))


def _counted_options(consultation, choice_ids, channel, language) -> QuerySet[AnswerChoice]:
    """Chosen options of counted submissions, read from the (choice, channel, language)
    index alone: each carries its submission's channel and language, so only the (few)
    submissions that do not count are looked up, to leave them out."""
    return AnswerChoice.objects.filter(
        _filters("", channel, language), choice_id__in=choice_ids
    ).exclude(submission_id__in=_uncounted(consultation))


def _counted_answers(consultation, channel, language) -> QuerySet[Answer]:
    """Answers of counted submissions, found by joining them (not by a list of ids)."""
    return Answer.objects.filter(
        _confirmed(consultation, "submission__") & _filters("submission__", channel, language)
    )


def _tally(
    rows: QuerySet, uncounted: QuerySet | None, keys: list[str], **sums
) -> dict[tuple, dict[str, int]]:
    """Additive aggregates (`sums`) of `rows` grouped by `keys`, less those of `uncounted`.

    One query: every row is counted from a small index (no submission to look up per row),
    and the few rows of submissions that do not count are counted again, negated, in a
    UNION ALL; the two are added up per key.
    """
    query = rows.values(*keys).annotate(**sums).order_by()
    if uncounted is not None:
        negated = {name: aggregate * Value(-1) for name, aggregate in sums.items()}
        query = query.union(uncounted.values(*keys).annotate(**negated).order_by(), all=True)
    out: dict[tuple, dict[str, int]] = {}
    for row in query:
        totals = out.setdefault(tuple(row[key] for key in keys), dict.fromkeys(sums, 0))
        for name in sums:
            totals[name] += row[name] or 0
    return out


def _answer_counts(consultation, question_ids, channel, language) -> dict[int, dict[str, int]]:
    """Counted answers per question, with the yeses and noes (one query)."""
    if not question_ids:
        return {}
    if channel or language:
        rows = _answers(consultation, question_ids, channel, language)
        uncounted = None
    else:
        rows = Answer.objects.filter(question_id__in=question_ids)
        uncounted = rows.filter(submission_id__in=_uncounted(consultation))
    out: dict[int, dict[str, int]] = {}
    for (question_id, yes_no), row in _tally(
        rows, uncounted, ["question_id", "yes_no"], n=Count("*")
    ).items():
        stats = out.setdefault(question_id, {"n": 0, "yes": 0, "no": 0})
        stats["n"] += row["n"]
        if yes_no is not None:
            stats["yes" if yes_no else "no"] += row["n"]
    return out


def _choice_counts(consultation, questions, choice_ids, channel, language):
    """Counted selections per choice with the sum of their ranks (two queries unfiltered,
    one filtered)."""
    if not choice_ids:
        return {}
    question_ids = [q.pk for q in questions]
    if channel or language:
        rows = (
            _counted_options(consultation, choice_ids, channel, language)
            .values("choice_id")
            .annotate(n=Count("*"), rank_sum=Sum("rank"))
            .order_by()
        )
        return {row["choice_id"]: {"n": row["n"], "rank_sum": row["rank_sum"]} for row in rows}
    # One index range per choice, counted in place, in a UNION ALL whose branches
    # PostgreSQL runs in parallel: counting them all in one GROUP BY makes it read the
    # whole index, and a subquery per choice runs one after another. (SQLite takes at
    # most 500 branches in one statement.)
    rows = []
    for start in range(0, len(choice_ids), 500):
        branches = [
            AnswerChoice.objects.filter(choice_id=pk)
            .values("choice_id")
            .annotate(n=Count("*"), rank_sum=Sum("rank"))
            .order_by()
            for pk in choice_ids[start : start + 500]
        ]
        rows += branches[0].union(*branches[1:], all=True).values_list("choice_id", "n", "rank_sum")
    out = {pk: {"n": 0, "rank_sum": 0} for pk in choice_ids}
    out |= {pk: {"n": n, "rank_sum": rank_sum or 0} for pk, n, rank_sum in rows}
    # Then take away the selections of the (few) submissions that do not count, found
    # from those submissions' answers rather than by reading every option's submission.
    uncounted = (
        AnswerChoice.objects.filter(
            choice_id__in=choice_ids,
            answer__submission_id__in=_uncounted(consultation),
            answer__question_id__in=question_ids,
        )
        .values("choice_id")
        .annotate(n=Count("*"), rank_sum=Sum("rank"))
        .order_by()
    )
    for row in uncounted:
        out[row["choice_id"]]["n"] -= row["n"]
        out[row["choice_id"]]["rank_sum"] -= row["rank_sum"] or 0
    return out


def _number_stats(answers: QuerySet[Answer], bins_by_question) -> tuple[dict, dict]:
    """Count, lowest, highest and mean of the numbers per question, and the count per bin
    for the questions in `bins_by_question` (one query)."""
    # Each bin's count is the difference of two "below this edge" counts: comparing a
    # number with the edges is much cheaper than working out its bin in a CASE.
    below = {
        f"below_{pk}_{i}": Count("number", filter=Q(question_id=pk, number__lt=bins[i][0]))
        for pk, bins in bins_by_question.items()
        for i in range(1, len(bins))
    }
    rows = (
        answers.filter(number__isnull=False)
        .values("question_id")
        .annotate(
            numbers=Count("*"), low=Min("number"), high=Max("number"), total=Sum("number"), **below
        )
        .order_by()
    )
    stats: dict[int, dict[str, Any]] = {}
    bin_counts: dict[tuple[int, int], int] = {}
    for row in rows:
        pk = row["question_id"]
        stats[pk] = {
            "numbers": row["numbers"],
            "low": row["low"],
            "high": row["high"],
            "mean": row["total"] / row["numbers"],
        }
        if pk in bins_by_question:
            edges = [row[f"below_{pk}_{i}"] for i in range(1, len(bins_by_question[pk]))]
            cumulative = [0, *edges, row["numbers"]]
            for i in range(1, len(cumulative)):
                bin_counts[(pk, i)] = cumulative[i] - cumulative[i - 1]
    return stats, bin_counts


# Labels --------------------------------------------------------------------------------


def language_label(code: str | None) -> str:
    if not code:
        return str(_("Not stated"))
    try:
        return get_language_info(code)["name_local"]
    except KeyError:
        return code


def _labels(dimension: str, keys: Iterable[str | None]) -> dict[str | None, str]:
    """Readable names for breakdown keys (one query for groups and regions, none otherwise)."""
    keys = list(keys)
    if dimension == "channel":
        names = dict(Submission.Channel.choices)
    elif dimension == "language":
        names = {key: language_label(key) for key in keys}
    elif dimension == "group":
        names = dict(TargetGroup.objects.filter(slug__in=keys).values_list("slug", "name"))
    elif dimension == "region":
        names = dict(Region.objects.filter(slug__in=keys).values_list("slug", "name"))
    elif dimension == "age_band":
        names = dict(Monitoring.AgeBand.choices)
    else:
        names = {}
    names = {key: str(value) for key, value in names.items()}
    return {key: names.get(key, str(key)) if key else str(_("Not stated")) for key in keys}


# Results per question ------------------------------------------------------------------


def _number_bins(question: Question, low, high) -> list[tuple[Decimal, Decimal]]:
    low = question.min_value if question.min_value is not None else low
    high = question.max_value if question.max_value is not None else high
    if low is None or high is None or high <= low:
        return [(low, high)] if low is not None else []
    width = (Decimal(high) - Decimal(low)) / NUMBER_BINS
    return [(low + width * i, low + width * (i + 1)) for i in range(NUMBER_BINS)]


def _fmt(number) -> str:
    if number is None:
        return ""
    number = Decimal(number).quantize(Decimal("0.01"))
    return f"{number.normalize():f}"


def questions_for(consultation: Consultation) -> list[Question]:
    """Questions with results, in form order, with their choices (two queries)."""
    return list(
        Question.objects.filter(section__consultation=consultation, kind__in=RESULT_KINDS)
        .select_related("section")
        .order_by("section__position", "section__pk", "position", "pk")
        .prefetch_related(Prefetch("choices", queryset=Choice.objects.order_by("position", "pk")))
    )


def results(
    consultation: Consultation,
    *,
    channel: str | None = None,
    language: str | None = None,
    breakdown: str | None = None,
    questions: list[Question] | None = None,
) -> list[dict[str, Any]]:
    """Results of every question (or of `questions`), optionally broken down by channel,
    language or group.

    Queries: questions and choices (2), answers (1 unless every question is a single choice
    or a scale), chosen options (2, and one more per 500 choices; 1 when filtered), numbers
    and their bins (1 when there are number questions, 2 when one of them sets no range),
    and with a breakdown two more plus one for group names.
    """
    if breakdown is not None and breakdown not in BREAKDOWNS:
        raise ValueError(f"unknown breakdown {breakdown!r}")
    questions = questions_for(consultation) if questions is None else questions
    # Answers are found by their questions (and options by their choices), so that a
    # small index answers most of each query without reading the tables.
    question_ids = [q.pk for q in questions]
    choice_ids = [c.pk for q in questions for c in q.choices.all()]
    # A single choice or a scale has one chosen option per answer, so its respondents are
    # the sum of its options: its answers need not be read at all.
    one_choice = {q.pk: list(q.choices.all()) for q in questions if _one_choice(q)}
    answered_ids = [pk for pk in question_ids if pk not in one_choice]
    answer_stats = _answer_counts(consultation, answered_ids, channel, language)
    choice_stats = _choice_counts(consultation, questions, choice_ids, channel, language)
    for pk, choices in one_choice.items():
        answer_stats[pk] = {"n": sum(choice_stats.get(c.pk, {}).get("n", 0) for c in choices)}
    # Numbers: count, range, mean and bins in one pass where the question sets its range;
    # a second pass bins the questions whose bins depend on the numbers given.
    number_questions = [q for q in questions if q.kind == Question.Kind.NUMBER]
    bins_by_question = {q.pk: _number_bins(q, None, None) for q in number_questions}
    known = {pk: bins for pk, bins in bins_by_question.items() if _fixed_range(bins)}
    bin_counts: dict[tuple[int, int], int] = {}
    if number_questions:
        numbers = _answers(consultation, [q.pk for q in number_questions], channel, language)
        number_stats, bin_counts = _number_stats(numbers, known)
        for q in number_questions:
            answer_stats.setdefault(q.pk, {"n": 0}).update(
                number_stats.get(q.pk, {"numbers": 0, "low": None, "high": None, "mean": None})
            )
            if q.pk not in known:
                stats = answer_stats[q.pk]
                bins_by_question[q.pk] = _number_bins(q, stats["low"], stats["high"])
        unknown = {pk: bins for pk, bins in bins_by_question.items() if pk not in known and bins}
        if unknown:
            unknown_numbers = _answers(consultation, list(unknown), channel, language)
            bin_counts |= _number_stats(unknown_numbers, unknown)[1]

    split = _breakdown(consultation, questions, one_choice, channel, language, breakdown)
    return [
        _question_result(
            q, answer_stats.get(q.pk, {}), choice_stats, bins_by_question, bin_counts, split
        )
        for q in questions
    ]


def _fixed_range(bins: list[tuple[Decimal, Decimal]]) -> bool:
    """Whether the bins were set by the question alone (its range), not by the numbers."""
    return bool(bins) and bins[0][0] is not None and bins[-1][1] is not None


def _one_choice(question: Question) -> bool:
    return question.kind in (Question.Kind.SINGLE, Question.Kind.SCALE) and not question.allow_other


def _breakdown(consultation, questions, one_choice, channel, language, breakdown):
    """Counts per breakdown key: answers per question, options per choice (two queries)."""
    if breakdown is None:
        return None
    path = BREAKDOWNS[breakdown]
    # Answers joined to their counted submissions, and through them to the key: every
    # join is a hash join over the matching rows (no lookup per answer).
    counted = _counted_answers(consultation, channel, language)
    answered = [q.pk for q in questions if q.pk not in one_choice]
    answer_rows = []
    if answered:
        answer_rows = (
            counted.filter(question_id__in=answered)
            .values("question_id", key=F(f"submission__{path}"))
            .annotate(
                n=Count("id"),
                yes=Count("id", filter=Q(yes_no=True)),
                no=Count("id", filter=Q(yes_no=False)),
                numbers=Count("number"),
                mean=Avg("number"),
            )
            .order_by()
        )
    choice_ids = [c.pk for q in questions if q.has_choices for c in q.choices.all()]
    # Ranks are read only where there is a ranking to sum them for.
    ranked = any(q.kind == Question.Kind.RANKING for q in questions)
    ranks = {"rank_sum": Sum("rank")} if ranked else {}
    choice_rows = []
    if choice_ids:
        # The options carry their channel and language; a group is found from the
        # option's submission through the indexes on monitoring and its groups.
        key = {"group": "monitoring__groups__slug"}.get(breakdown, path)
        choice_rows = (
            _counted_options(consultation, choice_ids, channel, language)
            .values("choice_id", key=F(key))
            .annotate(n=Count("*"), **ranks)
            .order_by()
        )
    by_answer = {(row["question_id"], row["key"]): row for row in answer_rows}
    by_choice = {(row["choice_id"], row["key"]): row for row in choice_rows}
    choice_keys = {key for _c, key in by_choice}
    for pk, choices in one_choice.items():
        for key in choice_keys:
            n = sum(by_choice.get((c.pk, key), {}).get("n", 0) for c in choices)
            if n:
                by_answer[(pk, key)] = {"n": n}
    keys = sorted({key for _q, key in by_answer}, key=lambda k: (k is None, k or ""))
    if breakdown == "channel":
        order = list(Submission.Channel.values)
        keys = sorted(keys, key=lambda k: order.index(k) if k in order else len(order))
    labels = _labels(breakdown, keys)
    return {
        "name": breakdown,
        "keys": keys,
        "labels": labels,
        "answers": by_answer,
        "choices": by_choice,
    }


def _question_result(q, stats, choice_stats, bins_by_question, bin_counts, split) -> dict[str, Any]:
    result: dict[str, Any] = {
        "question": q,
        "id": f"q{q.pk}",
        "kind": q.kind,
        "options": [],
        "breakdown": None,
    }
    choices = list(q.choices.all()) if q.has_choices else []
    if q.kind == Question.Kind.YES_NO:
        option_keys = [("yes", _("Yes"), stats.get("yes", 0)), ("no", _("No"), stats.get("no", 0))]
    elif q.kind == Question.Kind.NUMBER:
        bins = bins_by_question.get(q.pk, [])
        option_keys = [
            (i, f"{_fmt(low)} – {_fmt(high)}", bin_counts.get((q.pk, i), 0))
            for i, (low, high) in enumerate(bins, start=1)
        ]
    else:
        option_keys = [(c.pk, c.label, choice_stats.get(c.pk, {}).get("n", 0)) for c in choices]
    counted = "numbers" if q.kind == Question.Kind.NUMBER else "n"
    total_key = ("total",)
    counts = {total_key: stats.get(counted, 0)} | {key: n for key, _label, n in option_keys}
    if q.kind == Question.Kind.TEXT:
        # A text answer is stored only when something was written.
        counts[("texts",)] = stats.get("n", 0)
    lines = [[key for key, _l, _n in option_keys]]
    if q.kind in (
        Question.Kind.SINGLE,
        Question.Kind.SCALE,
        Question.Kind.YES_NO,
        Question.Kind.NUMBER,
    ):
        lines[0].append(total_key)
    cells = suppress(counts, lines)
    total = cells[total_key]
    hide_all = total.hidden == "small"
    result["respondents"] = total
    for position, (key, label, _n) in enumerate(option_keys, start=1):
        cell = cells[key]
        if hide_all and not cell.hidden:
            cell.hidden = "small"
        option = {"key": key, "label": label, "cell": cell, "share": cell.share_of(total)}
        if q.kind == Question.Kind.RANKING and not cell.hidden and cell.count:
            rank_sum = choice_stats.get(key, {}).get("rank_sum") or 0
            option["mean_rank"] = round(rank_sum / cell.count, 2)
            option["borda"] = cell.count * (len(choices) + 1) - rank_sum
        if q.kind == Question.Kind.SCALE:
            option["point"] = position
        result["options"].append(option)
    # Bar lengths for the chart (0 to 100): shares, or Borda scores against the highest.
    if q.kind == Question.Kind.RANKING:
        top = max((o.get("borda") or 0 for o in result["options"]), default=0)
        for option in result["options"]:
            option["bar"] = round(100 * option["borda"] / top, 1) if option.get("borda") else None
    else:
        for option in result["options"]:
            option["bar"] = option["share"]
    if q.kind == Question.Kind.SCALE and not hide_all and total.count:
        points = sum(
            position * (choice_stats.get(c.pk, {}).get("n", 0))
            for position, c in enumerate(choices, start=1)
        )
        result["mean"] = round(points / total.count, 2)
    if q.kind == Question.Kind.NUMBER and not hide_all and total.count:
        result["number"] = {
            "count": total.count,
            "min": _fmt(stats.get("low")),
            "max": _fmt(stats.get("high")),
            "mean": _fmt(stats.get("mean")),
        }
    if q.kind == Question.Kind.TEXT:
        result["texts"] = (
            cells[("texts",)] if not hide_all else Cell(cells[("texts",)].count, "small")
        )
    if split is not None:
        result["breakdown"] = _question_breakdown(q, choices, option_keys, split)
    return result


def _question_breakdown(q, choices, option_keys, split) -> dict[str, Any]:
    """A matrix of option by key with totals per key, suppressed along rows and columns."""
    keys = split["keys"]
    answers, by_choice = split["answers"], split["choices"]
    counted = "numbers" if q.kind == Question.Kind.NUMBER else "n"
    counts: dict[Hashable, int] = {}
    for key in keys:
        row = answers.get((q.pk, key), {})
        counts[("total", key)] = row.get(counted, 0)
        if q.kind == Question.Kind.YES_NO:
            counts[("yes", key)] = row.get("yes", 0)
            counts[("no", key)] = row.get("no", 0)
        elif q.kind == Question.Kind.TEXT:
            counts[("texts", key)] = row.get("n", 0)
        elif q.has_choices:
            for c in choices:
                counts[(c.pk, key)] = by_choice.get((c.pk, key), {}).get("n", 0)
    if q.kind == Question.Kind.YES_NO:
        row_keys = ["yes", "no"]
    elif q.kind == Question.Kind.TEXT:
        row_keys = ["texts"]
    elif q.has_choices:
        row_keys = [c.pk for c in choices]
    else:
        row_keys = []
    small_groups = [k for k in keys if 0 < counts[("total", k)] < threshold()]
    hide = [(r, k) for k in small_groups for r in row_keys]
    lines = [[("total", k) for k in keys]]
    lines += [[(r, k) for k in keys] for r in row_keys]
    exhaustive = q.kind in (Question.Kind.SINGLE, Question.Kind.SCALE, Question.Kind.YES_NO)
    if exhaustive:
        lines += [[(r, k) for r in row_keys] + [("total", k)] for k in keys]
    cells = suppress(counts, lines, hide=hide)
    labels = {key: label for key, label, _n in option_keys}
    if q.kind == Question.Kind.TEXT:
        labels = {"texts": _("Answers")}
    columns = []
    for key in keys:
        total = cells[("total", key)]
        column = {"key": key, "label": split["labels"][key], "total": total}
        if total.shown and total.count:
            if q.kind == Question.Kind.SCALE:
                points = sum(i * counts[(c.pk, key)] for i, c in enumerate(choices, start=1))
                column["mean"] = round(points / total.count, 2)
            if q.kind == Question.Kind.NUMBER:
                column["mean"] = _fmt(answers.get((q.pk, key), {}).get("mean"))
        columns.append(column)
    rows = []
    for r in row_keys:
        row_cells = []
        for key in keys:
            cell = cells[(r, key)]
            entry = {"cell": cell, "share": cell.share_of(cells[("total", key)])}
            if q.kind == Question.Kind.RANKING and cell.shown and cell.count:
                rank_sum = by_choice.get((r, key), {}).get("rank_sum") or 0
                entry["mean_rank"] = round(rank_sum / cell.count, 2)
            row_cells.append(entry)
        rows.append({"label": labels.get(r, r), "cells": row_cells})
    return {
        "name": split["name"],
        "label": BREAKDOWN_LABELS[split["name"]],
        "columns": columns,
        "rows": rows,
    }
