"""Read side of outcomes: results per question, who has been heard, reports and commitments.

Every figure is aggregated in PostgreSQL (GROUP BY over answers, never a Python loop over
them) with a fixed number of queries per page, however many questions a consultation has.

Small-group suppression: a count above zero but below `settings.SUPPRESSION_THRESHOLD` is
hidden ("fewer than 5"), and so is everything derived from a hidden group (its shares,
means and breakdown cells). Where exactly one cell of a line (a row or a column whose total
is shown) is hidden, the next smallest cell of that line is hidden too, so that the total
minus the shown cells never gives the hidden one back. Zeros are shown: they single no one out.

The package is split by use: `statistics` (results per question and suppression),
`participation` (who took part, who has been heard) and `report` (the report page, the
tracker and open data). Pages import `outcomes.queries` and use the names below.
"""

from outcomes.queries.participation import participation, who_has_been_heard
from outcomes.queries.report import (
    FOLLOW_UP_QUESTIONS,
    commitments_with_updates,
    follow_up_results,
    public_commitments,
    published_answers,
    published_report,
    quotes,
    report_figures,
    theme_counts,
    theme_responses,
)
from outcomes.queries.statistics import (
    BREAKDOWN_LABELS,
    BREAKDOWNS,
    PUBLISHED_STATES,
    Cell,
    language_label,
    questions_for,
    results,
    submissions,
    suppress,
    threshold,
)

__all__ = [
    "BREAKDOWNS",
    "BREAKDOWN_LABELS",
    "FOLLOW_UP_QUESTIONS",
    "PUBLISHED_STATES",
    "Cell",
    "commitments_with_updates",
    "follow_up_results",
    "language_label",
    "participation",
    "public_commitments",
    "published_answers",
    "published_report",
    "questions_for",
    "quotes",
    "report_figures",
    "results",
    "submissions",
    "suppress",
    "theme_counts",
    "theme_responses",
    "threshold",
    "who_has_been_heard",
]
