"""Suggested themes: clusters of similar free-text answers, for an analyst to review.

Answers are vectorised with TF-IDF over character n-grams inside words (`char_wb`), so the
same code works for scripts with and without spaces (Malay, Chinese, Tamil, Arabic), reduced
with a truncated SVD and clustered with mini-batch k-means; the number of clusters is the one
between 2 and 15 (fewer for few answers) with the best silhouette on a sample. A campaign
(see outcomes.campaigns) counts once in the clustering, by its representative, and with all
its members when a suggestion is accepted.

Nothing is published by a suggestion: an analyst accepts (a new theme, possibly renamed),
merges into an existing theme, or rejects it.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import unicodedata
from collections.abc import Callable, Sequence

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_record
from consult.models import Consultation, Question
from outcomes import coding
from outcomes.jobs import job_claim, job_fail, job_finish, job_progress, job_start
from outcomes.models import Campaign, Job, SuggestedTheme, Theme

logger = logging.getLogger(__name__)

MIN_ANSWERS = 10
MAX_CLUSTERS = 15
SVD_COMPONENTS = 100
SILHOUETTE_SAMPLE = 2000
TERMS = 5
# A few function words that are frequent in every cluster of a language; char-level terms
# and the cluster-against-the-rest score take care of the rest.
_STOP_WORDS_TEXT = (
    "a an and are as at be but by for from has have i in is it its not of on or our so that "
    "the their there they this to was we were will with you your "
    "ada adalah akan atau boleh dan dari dengan di ini itu juga kami ke kita lebih mereka "
    "pada perlu saya sangat tidak untuk yang "
    "au avec ce dans de des du en est et la le les mais nous ou par pas pour que qui sur un une "
    "al como con del el en es la las los más no para pero por que se su una y"
)
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())
WORD = re.compile(r"(?u)\b\w\w+\b")


# Clustering: pure functions over lists of texts, so the bench can time them alone.


@dataclasses.dataclass
class Cluster:
    members: np.ndarray  # indices into the texts
    size: float  # sum of the members' weights
    terms: list[str]
    central: int  # index of the most central text


def _has_spaces(texts: Sequence[str]) -> bool:
    """Whether the script separates words with spaces (Chinese, Japanese and Thai do not)."""
    chars = sum(len(text) for text in texts) or 1
    return sum(text.count(" ") for text in texts) / chars > 0.05


def _is_word_piece(gram: str) -> bool:
    """A character n-gram made only of letters, digits and combining marks."""
    return len(gram) >= 2 and all(
        char.isalnum() or unicodedata.category(char).startswith("M") for char in gram
    )


def _top(scores: np.ndarray, names: np.ndarray, keep: Callable[[str], bool]) -> list[str]:
    chosen: list[str] = []
    for index in np.argsort(-scores):
        if scores[index] <= 0 or len(chosen) == TERMS:
            break
        name = str(names[index]).strip()
        if not keep(name) or any(name in other or other in name for other in chosen):
            continue
        chosen.append(name)
    return chosen


def _cluster_means(matrix, labels: np.ndarray, k: int) -> np.ndarray:
    """Mean row of each cluster, and the mean of the rest, as dense arrays (k by features)."""
    from scipy import sparse

    n = matrix.shape[0]
    indicator = sparse.csr_matrix((np.ones(n), (labels, np.arange(n))), shape=(k, n))
    counts = np.asarray(indicator.sum(axis=1)).ravel()
    sums = np.asarray((indicator @ matrix).todense())
    total = sums.sum(axis=0)
    inside = sums / counts[:, None]
    outside = (total - sums) / np.maximum(n - counts, 1)[:, None]
    return inside - outside


def cluster_texts(
    texts: Sequence[str],
    *,
    weights: Sequence[float] | None = None,
    progress: Callable[[int], None] = lambda _p: None,
    seed: int = 0,
) -> list[Cluster]:
    """Group texts by what they say; clusters largest first. Too few texts give none."""
    from sklearn.cluster import MiniBatchKMeans
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics import silhouette_score
    from sklearn.preprocessing import normalize

    n = len(texts)
    weights_array = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    if n < MIN_ANSWERS:
        return []
    chars = TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(2, 4),
        sublinear_tf=True,
        min_df=2,
        max_df=0.9,
        max_features=50_000,
        dtype=np.float32,
    )
    try:
        matrix = chars.fit_transform(texts)
    except ValueError:  # no n-gram occurs twice
        return []
    progress(30)
    components = min(SVD_COMPONENTS, matrix.shape[1] - 1, n - 1)
    if components < 2:
        return []
    reduced = normalize(
        TruncatedSVD(n_components=components, random_state=seed).fit_transform(matrix)
    )
    progress(45)
    rng = np.random.default_rng(seed)
    sample = rng.choice(n, size=min(n, SILHOUETTE_SAMPLE), replace=False)
    best: tuple[float, np.ndarray, np.ndarray] | None = None
    candidates = range(2, max(2, min(MAX_CLUSTERS, n // 10)) + 1)
    for step, k in enumerate(candidates, start=1):
        model = MiniBatchKMeans(
            n_clusters=k, random_state=seed, n_init=3, batch_size=2048, max_iter=100
        )
        labels = model.fit_predict(reduced)
        if len(np.unique(labels[sample])) < 2:
            continue
        score = silhouette_score(reduced[sample], labels[sample], metric="cosine")
        if best is None or score > best[0]:
            best = (score, labels, model.cluster_centers_)
        progress(45 + 35 * step // len(candidates))
    if best is None:
        return []
    _score, labels, centres = best
    k = centres.shape[0]

    # Labels: words where the script has spaces, character n-grams where it has none,
    # scored by how much more they occur in the cluster than in the others.
    char_scores = _cluster_means(matrix, labels, k)
    char_names = chars.get_feature_names_out()
    words = TfidfVectorizer(
        analyzer="word",
        token_pattern=WORD.pattern,
        sublinear_tf=True,
        min_df=2,
        max_features=50_000,
        dtype=np.float32,
    )
    try:
        word_matrix = words.fit_transform(texts)
        word_scores, word_names = (
            _cluster_means(word_matrix, labels, k),
            words.get_feature_names_out(),
        )
    except ValueError:
        word_scores, word_names = None, None
    centrality = (reduced * normalize(centres)[labels]).sum(axis=1)
    sizes = np.bincount(labels, weights=weights_array, minlength=k)
    clusters = []
    for label in range(k):
        members = np.flatnonzero(labels == label)
        if members.size == 0:
            continue
        sample_texts = [texts[i] for i in members[:200]]
        terms: list[str] = []
        if word_scores is not None and _has_spaces(sample_texts):
            terms = _top(
                word_scores[label],
                word_names,
                lambda w: w.casefold() not in STOP_WORDS and not w.isdigit(),
            )
        if not terms:
            terms = _top(char_scores[label], char_names, _is_word_piece)
        central = int(members[np.argmax(centrality[members])])
        clusters.append(Cluster(members, float(sizes[label]), terms, central))
    clusters.sort(key=lambda cluster: -cluster.size)
    return clusters


# Services.


def _distinct_voices(consultation: Consultation, question: Question | None):
    """(answer id, text, weight) of free-text answers; a campaign once, weighted by its size."""
    answers = coding.free_text_answers(consultation).filter(
        Q(campaign_member__isnull=True) | Q(campaign_member__campaign__representative_id=F("pk"))
    )
    if question is not None:
        answers = answers.filter(question=question)
    rows = list(answers.order_by("pk").values_list("pk", "body", "campaign_member__campaign__size"))
    ids = [row[0] for row in rows]
    texts = [row[1] for row in rows]
    weights = [row[2] or 1 for row in rows]
    return ids, texts, weights


def suggest_themes_start(
    *, consultation: Consultation, question: Question | None, actor: User
) -> Job:
    """Queue a suggestion job. Side effects: job row, audit entry, task after commit."""
    return job_start(
        consultation=consultation, question=question, actor=actor, kind=Job.Kind.SUGGEST_THEMES
    )


def suggest_themes_run(*, job_id: int) -> int:
    """Cluster the answers of a waiting job and store the suggestions; returns how many."""
    job = job_claim(job_id=job_id, kind=Job.Kind.SUGGEST_THEMES)
    if job is None:
        return 0
    try:
        ids, texts, weights = _distinct_voices(job.consultation, job.question)
        job_progress(job, 10)
        clusters = cluster_texts(texts, weights=weights, progress=lambda p: job_progress(job, p))
        with transaction.atomic():
            suggestions = SuggestedTheme.objects.bulk_create(
                SuggestedTheme(
                    job=job,
                    label=", ".join(cluster.terms[:3])[:200] or _("Unnamed"),
                    terms=cluster.terms,
                    size=round(cluster.size),
                )
                for cluster in clusters
            )
            through = SuggestedTheme.answers.through
            through.objects.bulk_create(
                (
                    through(suggestedtheme_id=suggestion.pk, answer_id=ids[index])
                    for suggestion, cluster in zip(suggestions, clusters, strict=True)
                    for index in cluster.members.tolist()
                ),
                batch_size=5000,
            )
            job_finish(
                job,
                {
                    "answers": len(ids),
                    "central": {
                        str(suggestion.pk): ids[cluster.central]
                        for suggestion, cluster in zip(suggestions, clusters, strict=True)
                    },
                },
            )
    except Exception as error:  # the job records any failure for staff to see
        job_fail(job, error)
        return 0
    return len(clusters)


def suggestions_to_review(consultation: Consultation) -> list[SuggestedTheme]:
    """Pending suggestions of the latest finished job, each with its `central_text`."""
    job = (
        Job.objects.filter(
            consultation=consultation, kind=Job.Kind.SUGGEST_THEMES, state=Job.State.DONE
        )
        .order_by("-finished_at", "-pk")
        .first()
    )
    if job is None:
        return []
    suggestions = list(job.suggestions.filter(state=SuggestedTheme.State.PENDING))
    central = job.result.get("central", {})
    texts = dict(
        coding.free_text_answers(consultation)
        .filter(pk__in=[central.get(str(s.pk)) for s in suggestions if central.get(str(s.pk))])
        .values_list("pk", "body")
    )
    for suggestion in suggestions:
        suggestion.central_text = texts.get(central.get(str(suggestion.pk)), "")
    return suggestions


def _pending(suggestion: SuggestedTheme) -> SuggestedTheme:
    locked = SuggestedTheme.objects.select_for_update().get(pk=suggestion.pk)
    if locked.state != SuggestedTheme.State.PENDING:
        raise ValidationError(_("This suggestion has already been reviewed."), code="reviewed")
    return locked


def _code_suggestion(suggestion: SuggestedTheme, theme: Theme, actor: User) -> int:
    answers = suggestion.answers.values("pk")
    return coding.answers_code(
        theme=theme,
        actor=actor,
        answer_ids=answers,
        campaign_ids=Campaign.objects.filter(representative_id__in=answers).values("pk"),
        from_suggestion=True,
    )


@transaction.atomic
def suggestion_accept(*, suggestion: SuggestedTheme, actor: User, name: str = "") -> Theme:
    """Make a theme of a suggestion (under another name if given) and code its answers.

    Side effects: theme, codings marked `from_suggestion`, suggestion accepted, audit entries.
    """
    locked = _pending(suggestion)
    consultation = locked.job.consultation
    theme = coding.theme_create(
        consultation=consultation,
        actor=actor,
        names={coding.DEFAULT_LANGUAGE: (name or "").strip() or locked.label},
    )
    _code_suggestion(locked, theme, actor)
    locked.state, locked.theme = SuggestedTheme.State.ACCEPTED, theme
    locked.save(update_fields=["state", "theme"])
    audit_record(
        actor=actor,
        organisation=consultation.organisation,
        action="suggestion.accept",
        obj=locked,
        theme=theme.pk,
    )
    return theme


@transaction.atomic
def suggestion_merge(*, suggestion: SuggestedTheme, target: Theme, actor: User) -> Theme:
    """Code a suggestion's answers to an existing theme. Side effects: codings, audit entries."""
    locked = _pending(suggestion)
    if target.consultation_id != locked.job.consultation_id:
        raise ValidationError(_("Choose a theme of the same consultation."), code="invalid")
    _code_suggestion(locked, target, actor)
    locked.state, locked.theme = SuggestedTheme.State.MERGED, target
    locked.save(update_fields=["state", "theme"])
    audit_record(
        actor=actor,
        organisation=target.consultation.organisation,
        action="suggestion.merge",
        obj=locked,
        theme=target.pk,
    )
    return target


@transaction.atomic
def suggestion_reject(*, suggestion: SuggestedTheme, actor: User) -> None:
    """Set a suggestion aside; its answers stay as they are. Side effects: audit entry."""
    locked = _pending(suggestion)
    locked.state = SuggestedTheme.State.REJECTED
    locked.save(update_fields=["state"])
    audit_record(
        actor=actor,
        organisation=suggestion.job.consultation.organisation,
        action="suggestion.reject",
        obj=locked,
    )
