"""Reads for the public side: listings, search, a consultation's page, the feed and the API.

Every listing here runs a fixed number of SQL queries however many consultations exist:
foreign keys are joined, many-to-many relations prefetched, and nothing is counted in Python.
"""

from django.conf import settings
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramWordSimilarity,
)
from django.db import connection
from django.db.models import Case, F, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Greatest
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language, get_language_info

from consult.models import Choice, Consultation, Event, Question, Section, State

DEFAULT_LANGUAGE = settings.LANGUAGE_CODE
LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]

# PostgreSQL's text-search configurations for our languages; the rest use 'simple'
# (no stemming), which still matches whole words.
SEARCH_CONFIGS = {
    "en": "english",
    "fr": "french",
    "es": "spanish",
    "ar": "arabic",
    "ta": "tamil",
}
# Word similarity above which a title counts as a match (catches small typos).
TRIGRAM_THRESHOLD = 0.5

# Open first (closing soonest), then coming soon, then the rest (most recently closed first).
STATE_ORDER = Case(
    When(state=State.OPEN, then=Value(0)),
    When(state=State.SCHEDULED, then=Value(1)),
    When(state=State.CLOSED, then=Value(2)),
    When(state=State.OUTCOME_PUBLISHED, then=Value(3)),
    default=Value(4),
    output_field=IntegerField(),
)
CURRENT = [State.OPEN, State.SCHEDULED]
ORDERING = (
    "state_rank",
    F("closes_soon").asc(),
    F("closed_at").desc(),
    "pk",
)


def field_suffix(code: str) -> str:
    """The column suffix modeltranslation uses for a language code (zh-hans → zh_hans)."""
    return code.replace("-", "_")


def current_language() -> str:
    code = get_language() or DEFAULT_LANGUAGE
    return code if code in LANGUAGE_CODES else DEFAULT_LANGUAGE


def available_languages(consultation: Consultation) -> list[str]:
    """Languages the consultation has a title in (read from the loaded row: no query)."""
    return [
        code
        for code in LANGUAGE_CODES
        if getattr(consultation, f"title_{field_suffix(code)}", None)
    ]


def written_in(consultation: Consultation) -> list[dict[str, object]]:
    """The languages the consultation is written in, each named in itself as in the switcher."""
    names = dict(settings.LANGUAGES)
    return [
        {"code": code, "name": names[code], "bidi": get_language_info(code)["bidi"]}
        for code in available_languages(consultation)
    ]


def mark_fallbacks[T: Consultation](consultations: list[T] | T) -> list[T] | T:
    """Note, per text, when it is shown in the fallback language rather than the page's.

    Sets `consultation.fallback = {"title": {"lang": "en", "dir": "ltr"}, ...}` for texts
    missing in the current language, so pages can mark them with `lang` and `dir` and
    screen readers read them in the right voice. Reads the loaded rows only: no query.
    """
    language = current_language()
    info = get_language_info(DEFAULT_LANGUAGE)
    fallback = {"lang": DEFAULT_LANGUAGE, "dir": "rtl" if info["bidi"] else "ltr"}
    for consultation in consultations if isinstance(consultations, list) else [consultations]:
        consultation.fallback = {
            field: fallback
            for field in ("title", "summary", "body", "easy_read")
            if language != DEFAULT_LANGUAGE
            and not getattr(consultation, f"{field}_{field_suffix(language)}", None)
        }
    return consultations


def public_consultations() -> QuerySet[Consultation]:
    """Every public consultation, open first, with what a listing shows already loaded."""
    return (
        Consultation.objects.public()
        .select_related("organisation", "topic", "region")
        .prefetch_related("target_groups")
        .annotate(
            state_rank=STATE_ORDER,
            closes_soon=Case(When(state__in=CURRENT, then=F("closes_at"))),
            closed_at=Case(When(~Q(state__in=CURRENT), then=F("closes_at"))),
        )
        .order_by(*ORDERING)
    )


def open_consultations(limit: int = 6) -> list[Consultation]:
    """Open consultations, closing soonest first, for the home page."""
    return list(
        Consultation.objects.open()
        .select_related("organisation", "topic", "region")
        .order_by("closes_at", "pk")[:limit]
    )


def with_content_in(queryset: QuerySet[Consultation], code: str) -> QuerySet[Consultation]:
    """Consultations with a title written in the language (not a fallback)."""
    column = f"title_{field_suffix(code)}"
    return queryset.exclude(**{f"{column}__isnull": True}).exclude(**{column: ""})


def _columns(field: str, language: str) -> list[str]:
    """The field's column in the page's language and in the default language."""
    return list(dict.fromkeys([f"{field}_{field_suffix(language)}", f"{field}_{DEFAULT_LANGUAGE}"]))


def search(
    queryset: QuerySet[Consultation], text: str, language: str | None = None
) -> QuerySet[Consultation]:
    """Consultations matching the words, in the page's language and in English.

    On PostgreSQL: full-text search with the language's stemming, plus trigram word
    similarity and substring matches, which also find Chinese and Tamil terms that the
    word parser does not split. On SQLite (the demo): substring matches only.
    """
    text = " ".join(text.split())
    if not text:
        return queryset
    language = language or current_language()
    contains = Q()
    for field in ("title", "summary"):
        for column in _columns(field, language):
            contains |= Q(**{f"{column}__icontains": text})
    if connection.vendor != "postgresql":
        return queryset.filter(contains)

    config = SEARCH_CONFIGS.get(language, "simple")
    local, default = (f"_{field_suffix(language)}", f"_{DEFAULT_LANGUAGE}")
    vector = (
        SearchVector(f"title{local}", weight="A", config=config)
        + SearchVector(f"summary{local}", weight="B", config=config)
        + SearchVector(f"body{local}", weight="C", config=config)
    )
    query = SearchQuery(text, search_type="websearch", config=config)
    if local != default:
        english = SEARCH_CONFIGS.get(DEFAULT_LANGUAGE, "simple")
        vector += (
            SearchVector(f"title{default}", weight="A", config=english)
            + SearchVector(f"summary{default}", weight="B", config=english)
            + SearchVector(f"body{default}", weight="C", config=english)
        )
        query |= SearchQuery(text, search_type="websearch", config=english)
    similarity = Greatest(
        *[TrigramWordSimilarity(text, column) for column in _columns("title", language)],
        Value(0.0),
    )
    return (
        queryset.annotate(
            search_document=vector,
            search_rank=SearchRank(vector, query),
            title_similarity=similarity,
        )
        .filter(Q(search_document=query) | contains | Q(title_similarity__gte=TRIGRAM_THRESHOLD))
        .order_by("state_rank", F("search_rank").desc(), *ORDERING[1:])
    )


def recent_public(limit: int = 30) -> QuerySet[Consultation]:
    """The most recently published public consultations, for the feed."""
    return (
        Consultation.objects.public()
        .select_related("organisation")
        .order_by(F("first_published_at").desc(nulls_last=True), "-pk")[:limit]
    )


def public_consultation(slug: str) -> Consultation:
    """One public consultation with everything its page shows; 404 for drafts."""
    return get_object_or_404(
        Consultation.objects.public()
        .select_related("organisation", "topic", "region")
        .prefetch_related("target_groups", "attachments", "events"),
        slug=slug,
    )


def public_page_version(slug: str) -> str | None:
    """What a public consultation's page depends on, in one short query; None if not public.

    Services touch `updated_at` whenever something the page shows changes (content, state,
    events, documents); names of organisations, topics and regions, edited rarely and in
    the admin, show within PUBLIC_PAGE_CACHE_SECONDS.
    """
    row = (
        Consultation.objects.public()
        .filter(slug=slug)
        .values_list("pk", "state", "updated_at")
        .first()
    )
    return None if row is None else f"{row[0]}:{row[1]}:{row[2].timestamp()}"


def sections_prefetch() -> Prefetch:
    """Sections, their questions and choices, in order: three queries for any number."""
    return Prefetch(
        "sections",
        queryset=Section.objects.prefetch_related(
            Prefetch(
                "questions",
                queryset=Question.objects.prefetch_related(
                    Prefetch("choices", queryset=Choice.objects.order_by("position", "pk"))
                ),
            )
        ),
    )


def public_events(consultation_slug: str | None = None) -> QuerySet[Event]:
    """Events of public consultations (or of one of them), soonest first."""
    events = Event.objects.filter(consultation__in=Consultation.objects.public())
    if consultation_slug:
        events = events.filter(consultation__slug=consultation_slug)
    return events.select_related("consultation").order_by("starts_at", "pk")
