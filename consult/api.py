"""The read API for public consultations and their events.

Translated fields come out in the request's language: `?lang=` when given, otherwise the one
LocaleMiddleware picked from Accept-Language. Missing translations fall back to English,
and `languages` says which translations exist.
"""

from django.conf import settings
from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.request import Request

from consult import queries
from consult.filters import ConsultationFilter
from consult.models import (
    Attachment,
    Choice,
    Consultation,
    Event,
    Question,
    Section,
)

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]

LANG_PARAMETER = OpenApiParameter(
    "lang",
    OpenApiTypes.STR,
    enum=LANGUAGE_CODES,
    description="Language of the translated fields (default: from Accept-Language).",
)


class NamedSerializer(serializers.Serializer):
    """A topic, region or target group: its stable slug and its name in the language."""

    slug = serializers.SlugField()
    name = serializers.CharField()


class ChoiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Choice
        fields = ["id", "label", "position"]


class QuestionSerializer(serializers.ModelSerializer):
    choices = ChoiceSerializer(many=True, read_only=True)

    class Meta:
        model = Question
        fields = [
            "id",
            "kind",
            "text",
            "help_text",
            "required",
            "position",
            "max_length",
            "allow_other",
            "ask_reason",
            "min_value",
            "max_value",
            "choices",
        ]


class SectionSerializer(serializers.ModelSerializer):
    questions = QuestionSerializer(many=True, read_only=True)

    class Meta:
        model = Section
        fields = ["id", "title", "intro", "position", "questions"]


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    type = serializers.CharField(source="extension", read_only=True)

    class Meta:
        model = Attachment
        fields = ["title", "url", "type", "size", "text_alternative"]

    def get_url(self, attachment: Attachment) -> str:
        request = self.context.get("request")
        url = attachment.file.url
        return request.build_absolute_uri(url) if request else url


class EventSerializer(serializers.ModelSerializer):
    consultation = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Event
        fields = [
            "id",
            "consultation",
            "kind",
            "title",
            "starts_at",
            "ends_at",
            "place",
            "address",
            "accessibility",
            "languages",
        ]


class ConsultationSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="The public page, in the same language.")
    organisation = serializers.CharField(source="organisation.name", read_only=True)
    topic = NamedSerializer(read_only=True, allow_null=True)
    region = NamedSerializer(read_only=True, allow_null=True)
    target_groups = NamedSerializer(many=True, read_only=True)
    languages = serializers.SerializerMethodField(
        help_text="Languages this consultation is written in."
    )

    class Meta:
        model = Consultation
        fields = [
            "slug",
            "url",
            "title",
            "summary",
            "organisation",
            "state",
            "mode",
            "topic",
            "region",
            "target_groups",
            "opens_at",
            "closes_at",
            "time_zone",
            "outcome_due",
            "first_published_at",
            "languages",
        ]

    def get_url(self, consultation: Consultation) -> str:
        request = self.context.get("request")
        url = consultation.get_absolute_url()
        return request.build_absolute_uri(url) if request else url

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(LANGUAGE_CODES)))
    def get_languages(self, consultation: Consultation) -> list[str]:
        return queries.available_languages(consultation)


class ConsultationDetailSerializer(ConsultationSerializer):
    sections = SectionSerializer(many=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)
    events = EventSerializer(many=True, read_only=True)

    class Meta(ConsultationSerializer.Meta):
        fields = [
            *ConsultationSerializer.Meta.fields,
            "body",
            "easy_read",
            "contact_name",
            "contact_email",
            "contact_phone",
            "attachments",
            "events",
            "sections",
        ]


class LanguageMixin:
    """Answers in `?lang=` when it names one of our languages."""

    def initial(self, request: Request, *args, **kwargs) -> None:
        code = request.query_params.get("lang")
        if code in LANGUAGE_CODES:
            translation.activate(code)
            request.LANGUAGE_CODE = code
        super().initial(request, *args, **kwargs)


@extend_schema(parameters=[LANG_PARAMETER])
class ConsultationViewSet(LanguageMixin, viewsets.ReadOnlyModelViewSet):
    """Public consultations (never drafts), open first."""

    permission_classes = [AllowAny]
    lookup_field = "slug"
    filterset_class = ConsultationFilter

    def get_queryset(self):
        consultations = queries.public_consultations()
        if self.action == "retrieve":
            return consultations.prefetch_related(
                queries.sections_prefetch(), "attachments", "events"
            )
        return consultations

    def get_serializer_class(self):
        if self.action == "retrieve":
            return ConsultationDetailSerializer
        return ConsultationSerializer


@extend_schema(
    parameters=[
        LANG_PARAMETER,
        OpenApiParameter("consultation", OpenApiTypes.STR, description="A consultation's slug."),
    ]
)
class EventViewSet(LanguageMixin, viewsets.ReadOnlyModelViewSet):
    """In-person events of public consultations, soonest first."""

    permission_classes = [AllowAny]
    serializer_class = EventSerializer
    filter_backends: list = []

    def get_queryset(self):
        return queries.public_events(
            consultation_slug=self.request.query_params.get("consultation")
        )
