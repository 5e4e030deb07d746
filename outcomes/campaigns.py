"""Campaigns and duplicates: identical and near-identical free-text answers, grouped.

An organised campaign, copy-paste or a scripted flood can send the same text hundreds of
times. Grouping them lets analysts read each distinct voice once, with its count, so a
minority view is not drowned by volume. Nothing is deleted: a campaign only points at its
answers, and running the grouping again replaces the previous grouping of that question.

How: each text is normalised (NFKC, case folded, punctuation and symbols dropped, spaces
collapsed); identical normalised texts are one group. Distinct texts are compared with
MinHash signatures of their character 5-grams (vectorised with NumPy) and locality-sensitive
hashing in bands; candidate pairs whose estimated Jaccard similarity reaches
`NEAR_DUPLICATE` are linked, and linked texts form a group (connected components).
Very short texts ("Yes.", "No idea") are grouped only when identical.
"""

from __future__ import annotations

import dataclasses
import functools
import sys
import unicodedata
from collections.abc import Callable, Sequence

import numpy as np
from django.db import transaction
from django.db.models import QuerySet

from accounts.models import User
from consult.models import Consultation, Question
from outcomes import coding
from outcomes.jobs import job_claim, job_fail, job_finish, job_progress, job_start
from outcomes.models import Campaign, CampaignMember, Job

SHINGLE = 5
MIN_NEAR_LENGTH = 20  # normalised characters; shorter texts are grouped only when identical
NUM_PERM = 64
BANDS, ROWS = 16, 4  # candidates from about 0.5 Jaccard; verified against NEAR_DUPLICATE
NEAR_DUPLICATE = 0.7
PRIME = (1 << 31) - 1


@functools.cache
def _separators() -> dict[int, str]:
    """Punctuation, symbols, spaces and control characters of every script, to a space.

    Built from Unicode categories rather than a `\\W` pattern, which would also drop the
    vowel signs of Tamil and other Indic scripts; `str.translate` is the fastest way to
    apply it to a hundred thousand answers.
    """
    wanted = ("P", "S", "Z", "Cc", "Cf")
    return {
        code: " "
        for code in range(sys.maxunicode + 1)
        if unicodedata.category(chr(code)).startswith(wanted)
    }


def normalise(text: str) -> str:
    """The text as compared: NFKC, case folded, without punctuation, single spaces."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_separators())
    return " ".join(text.split())


def _signatures(texts: Sequence[str], seed: int) -> np.ndarray:
    """MinHash signatures (texts by NUM_PERM) of the texts' character shingles."""
    from sklearn.feature_extraction.text import HashingVectorizer

    shingles = HashingVectorizer(
        analyzer="char",
        ngram_range=(SHINGLE, SHINGLE),
        n_features=1 << 24,
        alternate_sign=False,
        norm=None,
        binary=True,
        lowercase=False,
    ).transform(texts)
    shingles.sort_indices()
    indices = shingles.indices.astype(np.int64)
    starts = shingles.indptr[:-1]
    rng = np.random.default_rng(seed)
    a = rng.integers(1, PRIME, NUM_PERM, dtype=np.int64)
    b = rng.integers(0, PRIME, NUM_PERM, dtype=np.int64)
    signatures = np.empty((len(texts), NUM_PERM), dtype=np.int64)
    for i in range(NUM_PERM):
        signatures[:, i] = np.minimum.reduceat((a[i] * indices + b[i]) % PRIME, starts)
    return signatures


def _near_pairs(signatures: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of rows whose signatures agree in a band and in NEAR_DUPLICATE of positions."""
    left, right = [], []
    for band in range(BANDS):
        block = np.ascontiguousarray(signatures[:, band * ROWS : (band + 1) * ROWS])
        keys = block.view(np.dtype((np.void, block.dtype.itemsize * ROWS))).ravel()
        _unique, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
        leaders = first[inverse]
        rows = np.flatnonzero(leaders != np.arange(len(leaders)))
        left.append(rows)
        right.append(leaders[rows])
    left_all, right_all = np.concatenate(left), np.concatenate(right)
    if left_all.size == 0:
        return left_all, right_all
    pairs = np.unique(np.stack([left_all, right_all], axis=1), axis=0)
    agreement = (signatures[pairs[:, 0]] == signatures[pairs[:, 1]]).mean(axis=1)
    kept = pairs[agreement >= NEAR_DUPLICATE]
    return kept[:, 0], kept[:, 1]


@dataclasses.dataclass
class Group:
    members: np.ndarray  # indices into the texts
    representative: int  # index of the text shown for the group
    similarity: np.ndarray  # per member, estimated similarity to the representative


def group_texts(
    texts: Sequence[str],
    *,
    progress: Callable[[int], None] = lambda _p: None,
    seed: int = 0,
) -> list[Group]:
    """Groups of two or more identical or near-identical texts, largest first.

    The representative is the most frequent wording of the group (the earliest on a tie).
    """
    from scipy import sparse
    from scipy.sparse.csgraph import connected_components

    if len(texts) < 2:
        return []
    normalised = np.array([normalise(text) for text in texts], dtype=object)
    progress(20)
    unique, first, inverse, counts = np.unique(
        normalised, return_index=True, return_inverse=True, return_counts=True
    )
    n_unique = len(unique)
    lengths = np.fromiter((len(text) for text in unique), dtype=np.int64, count=n_unique)
    long_enough = np.flatnonzero(lengths >= MIN_NEAR_LENGTH)
    signatures = np.zeros((n_unique, NUM_PERM), dtype=np.int64)
    left = right = np.empty(0, dtype=np.int64)
    if long_enough.size > 1:
        signatures[long_enough] = _signatures(unique[long_enough].tolist(), seed)
        progress(50)
        near_left, near_right = _near_pairs(signatures[long_enough])
        left, right = long_enough[near_left], long_enough[near_right]
    progress(70)
    graph = sparse.coo_matrix(
        (np.ones(left.size, dtype=np.int8), (left, right)), shape=(n_unique, n_unique)
    )
    _n, component = connected_components(graph, directed=False)
    answers_per_component = np.bincount(component, weights=counts).astype(np.int64)
    # The representative wording of each component: most answers, then earliest answer.
    order = np.lexsort((first, -counts, component))
    is_head = np.ones(order.size, dtype=bool)
    is_head[1:] = component[order[1:]] != component[order[:-1]]
    head_of = np.empty(int(component.max()) + 1, dtype=np.int64)
    head_of[component[order[is_head]]] = order[is_head]

    text_component = component[inverse]
    wanted = np.flatnonzero(answers_per_component >= 2)
    in_group = np.isin(text_component, wanted)
    groups = []
    members_sorted = np.flatnonzero(in_group)
    members_sorted = members_sorted[np.argsort(text_component[members_sorted], kind="stable")]
    bounds = np.flatnonzero(np.diff(text_component[members_sorted])) + 1
    for members in np.split(members_sorted, bounds):
        if members.size == 0:
            continue
        head = head_of[text_component[members[0]]]
        member_texts = inverse[members]
        similarity = (signatures[member_texts] == signatures[head]).mean(axis=1)
        similarity[member_texts == head] = 1.0
        groups.append(Group(members, int(first[head]), similarity))
    groups.sort(key=lambda group: -group.members.size)
    progress(80)
    return groups


# Services.


def campaigns_of(consultation: Consultation) -> QuerySet[Campaign]:
    """The consultation's campaigns, largest first, with their question and wording."""
    return (
        Campaign.objects.filter(consultation=consultation)
        .select_related("question", "representative")
        .order_by("-size", "pk")
    )


def campaigns_group_start(
    *, consultation: Consultation, question: Question | None, actor: User
) -> Job:
    """Queue a grouping job. Side effects: job row, audit entry, task after commit."""
    return job_start(
        consultation=consultation, question=question, actor=actor, kind=Job.Kind.GROUP_CAMPAIGNS
    )


def _group_question(job: Job, question: Question) -> int:
    rows = list(
        coding.free_text_answers(job.consultation)
        .filter(question=question)
        .order_by("pk")
        .values_list("pk", "body")
    )
    ids = np.array([row[0] for row in rows], dtype=np.int64)
    groups = group_texts([row[1] for row in rows])
    with transaction.atomic():
        # Re-running replaces this question's previous grouping; the answers stay.
        Campaign.objects.filter(consultation=job.consultation, question=question).delete()
        campaigns = Campaign.objects.bulk_create(
            Campaign(
                consultation=job.consultation,
                question=question,
                job=job,
                representative_id=int(ids[group.representative]),
                size=int(group.members.size),
            )
            for group in groups
        )
        CampaignMember.objects.bulk_create(
            (
                CampaignMember(campaign_id=campaign.pk, answer_id=answer_id, similarity=similarity)
                for campaign, group in zip(campaigns, groups, strict=True)
                for answer_id, similarity in zip(
                    ids[group.members].tolist(), group.similarity.tolist(), strict=True
                )
            ),
            batch_size=5000,
        )
    return len(campaigns)


def campaigns_group_run(*, job_id: int) -> int:
    """Group the answers of a waiting job's question (or every free-text question)."""
    job = job_claim(job_id=job_id, kind=Job.Kind.GROUP_CAMPAIGNS)
    if job is None:
        return 0
    try:
        questions = (
            [job.question]
            if job.question is not None
            else list(coding.text_questions(job.consultation))
        )
        found = {}
        for step, question in enumerate(questions, start=1):
            found[str(question.pk)] = _group_question(job, question)
            job_progress(job, 5 + 90 * step // max(len(questions), 1))
        job_finish(job, {"campaigns": found})
    except Exception as error:  # the job records any failure for staff to see
        job_fail(job, error)
        return 0
    return sum(found.values())
