"""Reads for the staff workspace: the user's consultations, questions, missing translations."""

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet

from accounts import permissions
from accounts.models import AuditEntry, User
from consult.models import Attachment, Choice, Consultation, Event, Question, Section

DEFAULT = settings.LANGUAGE_CODE
OTHER_LANGUAGES = [code for code, _name in settings.LANGUAGES if code != DEFAULT]


def consultations_for(user: User) -> QuerySet[Consultation]:
    """Every consultation of the user's organisations, newest first, with question counts."""
    return (
        permissions.scope(Consultation.objects.all(), user)
        .select_related("organisation")
        .annotate(question_count=Count("sections__questions"))
        .order_by("-created_at")
    )


def sections_with_questions(consultation: Consultation) -> list[Section]:
    return list(
        consultation.sections.prefetch_related(
            Prefetch("questions", queryset=Question.objects.prefetch_related("choices"))
        )
    )


def _missing(model, fields: list[str], filter_q: Q) -> dict[str, int]:
    """For each language, how many of the model's texts exist in English but not in it."""
    aggregates = {}
    for code in OTHER_LANGUAGES:
        suffix = code.replace("-", "_")
        condition = Q()
        for field in fields:
            condition |= ~Q(**{f"{field}_{DEFAULT}": ""}) & (
                Q(**{f"{field}_{suffix}": ""}) | Q(**{f"{field}_{suffix}__isnull": True})
            )
        aggregates[code] = Count("pk", filter=condition)
    return model.objects.filter(filter_q).aggregate(**aggregates)


def missing_translations(consultation: Consultation) -> list[dict[str, object]]:
    """Per language: which consultation texts are missing and how many other texts lack it."""
    rows = []
    parts = [
        (Section, ["title", "intro"], Q(consultation=consultation)),
        (Question, ["text", "help_text"], Q(section__consultation=consultation)),
        (Choice, ["label"], Q(question__section__consultation=consultation)),
        (Event, ["title", "accessibility"], Q(consultation=consultation)),
        (Attachment, ["title", "text_alternative"], Q(consultation=consultation)),
    ]
    counts = [_missing(model, fields, q) for model, fields, q in parts]
    labels = {
        "title": Consultation._meta.get_field("title").verbose_name,
        "summary": Consultation._meta.get_field("summary").verbose_name,
        "body": Consultation._meta.get_field("body").verbose_name,
        "easy_read": Consultation._meta.get_field("easy_read").verbose_name,
    }
    for code, name in settings.LANGUAGES:
        if code == DEFAULT:
            continue
        suffix = code.replace("-", "_")
        fields = [
            label
            for field, label in labels.items()
            if getattr(consultation, f"{field}_{DEFAULT}")
            and not getattr(consultation, f"{field}_{suffix}")
        ]
        other = sum(count[code] for count in counts)
        rows.append(
            {
                "code": code,
                "name": name,
                "fields": fields,
                "other": other,
                "complete": not fields and not other,
            }
        )
    return rows


def audit_entries(consultation: Consultation) -> QuerySet[AuditEntry]:
    """Audit entries about the consultation itself (its lifecycle and content)."""
    return AuditEntry.objects.filter(
        object_type="consult.consultation", object_id=str(consultation.pk)
    ).select_related("actor")
