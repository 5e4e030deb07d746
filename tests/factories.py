"""Factories without surprises: each makes exactly what its name says."""

import datetime as dt

import factory
from django.utils import timezone

from accounts.models import Organisation
from consult.models import Choice, Consultation, Event, Question, Section, State


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    kind = Organisation.Kind.PUBLIC_INSTITUTION


class ConsultationFactory(factory.django.DjangoModelFactory):
    """A consultation, open now unless told otherwise (state=..., opens_at=...)."""

    class Meta:
        model = Consultation

    organisation = factory.SubFactory(OrganisationFactory)
    slug = factory.Sequence(lambda n: f"consultation-{n}")
    title_en = factory.Sequence(lambda n: f"Consultation {n}")
    summary_en = "What we want to know, in short."
    state = State.OPEN
    opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=30))
    outcome_due = factory.LazyFunction(lambda: (timezone.now() + dt.timedelta(days=90)).date())


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    consultation = factory.SubFactory(ConsultationFactory)
    title_en = factory.Sequence(lambda n: f"Section {n}")
    position = factory.Sequence(lambda n: n)


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    section = factory.SubFactory(SectionFactory)
    kind = Question.Kind.TEXT
    text_en = factory.Sequence(lambda n: f"Question {n}?")
    position = factory.Sequence(lambda n: n)


class ChoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Choice

    question = factory.SubFactory(QuestionFactory)
    label_en = factory.Sequence(lambda n: f"Choice {n}")
    position = factory.Sequence(lambda n: n)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    consultation = factory.SubFactory(ConsultationFactory)
    title_en = "Community meeting"
    place = "Village hall"
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=3))
    ends_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=3, hours=2))


def question_with_choices(section: Section, kind: str, labels: list[str], **fields) -> Question:
    question = QuestionFactory(section=section, kind=kind, **fields)
    for position, label in enumerate(labels):
        ChoiceFactory(question=question, label_en=label, position=position)
    return question


def consultation_with_every_kind(**fields) -> Consultation:
    """An open consultation with two sections and one question of every kind."""
    consultation = ConsultationFactory(**fields)
    first = SectionFactory(consultation=consultation, title_en="Your views", position=0)
    second = SectionFactory(consultation=consultation, title_en="More detail", position=1)
    QuestionFactory(
        section=first,
        kind=Question.Kind.TEXT,
        text_en="What matters most to you?",
        required=True,
        max_length=500,
    )
    question_with_choices(
        first,
        Question.Kind.SINGLE,
        ["Bus", "Train", "Walking"],
        text_en="How do you travel?",
        required=True,
    )
    question_with_choices(
        first,
        Question.Kind.MULTIPLE,
        ["Cost", "Safety", "Time"],
        text_en="What worries you?",
        allow_other=True,
    )
    question_with_choices(
        first,
        Question.Kind.SCALE,
        ["Very poor", "Poor", "Fair", "Good", "Very good"],
        text_en="How good is the service?",
    )
    question_with_choices(
        second,
        Question.Kind.RANKING,
        ["Schools", "Clinics", "Roads"],
        text_en="Rank these priorities",
    )
    QuestionFactory(
        section=second,
        kind=Question.Kind.YES_NO,
        text_en="Do you support the plan?",
        ask_reason=True,
    )
    QuestionFactory(
        section=second,
        kind=Question.Kind.NUMBER,
        text_en="How many people live in your home?",
        min_value=1,
        max_value=50,
    )
    QuestionFactory(
        section=second,
        kind=Question.Kind.FILE,
        text_en="Upload a photo or voice note",
        file_types="jpg,png,mp3,m4a",
        max_file_mb=5,
    )
    return consultation


# Public pages: reference data and documents.


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "consult.Topic"
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"topic-{n}")
    name_en = factory.Sequence(lambda n: f"Topic {n}")


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "consult.Region"
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"region-{n}")
    name_en = factory.Sequence(lambda n: f"Region {n}")


class TargetGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "consult.TargetGroup"
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"group-{n}")
    name_en = factory.Sequence(lambda n: f"Group {n}")


class AttachmentFactory(factory.django.DjangoModelFactory):
    """A document row pointing at a file name; nothing is written to disk."""

    class Meta:
        model = "consult.Attachment"

    consultation = factory.SubFactory(ConsultationFactory)
    title_en = factory.Sequence(lambda n: f"Document {n}")
    file = factory.Sequence(lambda n: f"consultations/document-{n}.pdf")
    text_alternative_en = "What the document says, in words."
    size = 250_000


# Feedback: participants, submissions and partner tokens.


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "feedback.Participant"

    language = "en"


class SubmissionFactory(factory.django.DjangoModelFactory):
    """A draft online submission to an open consultation (state=..., channel=... to change)."""

    class Meta:
        model = "feedback.Submission"

    consultation = factory.SubFactory(ConsultationFactory)
    participant = factory.SubFactory(ParticipantFactory)
    language = "en"


def partner_token(organisation: Organisation, name: str = "SMS gateway") -> tuple[str, object]:
    """A partner API token for the organisation: (the secret key, the stored row)."""
    from feedback.services import partner_token_create

    return partner_token_create(organisation=organisation, name=name)


# Outcomes: sent responses with answers and monitoring, in one call.


def sent_response(
    consultation: Consultation,
    answers: dict | None = None,
    *,
    channel: str = "online",
    language: str = "en",
    groups: list | None = None,
    publish: bool = False,
    **monitoring,
):
    """A submitted response: `answers` maps a question to text, bool, number or choices.

    Choices are a list of Choice (ranked in list order for ranking questions). `groups`
    (TargetGroup list) and other keyword arguments make a Monitoring row; `publish=True`
    adds the participant's consent to publication.
    """
    from feedback.models import Answer, AnswerChoice, Consent, Monitoring

    submission = SubmissionFactory(
        consultation=consultation,
        channel=channel,
        language=language,
        state="submitted",
        submitted_at=timezone.now(),
    )
    for question, value in (answers or {}).items():
        answer = Answer(submission=submission, question=question)
        if isinstance(value, bool):
            answer.yes_no = value
        elif isinstance(value, (int, float)):
            answer.number = value
        elif isinstance(value, str):
            answer.text = value
        answer.save()
        if isinstance(value, list):
            ranked = question.kind == Question.Kind.RANKING
            for rank, choice in enumerate(value, start=1):
                AnswerChoice.objects.create(
                    answer=answer,
                    choice=choice,
                    rank=rank if ranked else None,
                    submission=submission,
                    channel=submission.channel,
                    language=submission.language,
                )
    if groups is not None or monitoring:
        record = Monitoring.objects.create(submission=submission, **monitoring)
        record.groups.set(groups or [])
    if publish:
        Consent.objects.create(
            participant=submission.participant,
            purpose=Consent.Purpose.PUBLICATION,
            wording="Publish my answers without my name",
            language=language,
        )
    return submission
