"""The read API for published outcomes: results, commitments and the published answers.

Only consultations whose outcome report is published appear. Figures are suppressed as on
the report page; answers come only from people who consented to publication, without any
personal or monitoring data.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from consult.api import LANG_PARAMETER, LanguageMixin
from outcomes import exports, queries
from outcomes.models import Commitment, CommitmentUpdate, Report


class CommitmentUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = CommitmentUpdate
        fields = ["status", "note", "at"]


class CommitmentSerializer(serializers.ModelSerializer):
    updates = CommitmentUpdateSerializer(many=True, read_only=True)

    class Meta:
        model = Commitment
        fields = ["id", "action", "responsible_body", "due", "status", "reason", "updates"]


class OutcomeSerializer(serializers.ModelSerializer):
    slug = serializers.CharField(source="consultation.slug")
    title = serializers.CharField(source="consultation.title")
    organisation = serializers.CharField(source="consultation.organisation.name")
    url = serializers.SerializerMethodField(help_text="The public report, in the same language.")

    class Meta:
        model = Report
        fields = ["slug", "title", "organisation", "summary", "published_at", "url"]

    def get_url(self, report: Report) -> str:
        from django.urls import reverse

        url = reverse("outcomes:report", kwargs={"slug": report.consultation.slug})
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class OutcomeDetailSerializer(OutcomeSerializer):
    results = serializers.SerializerMethodField(
        help_text="Participation and results per question; counts below the suppression "
        "threshold are null with suppressed=true."
    )
    commitments = serializers.SerializerMethodField()

    class Meta(OutcomeSerializer.Meta):
        fields = [*OutcomeSerializer.Meta.fields, "results", "commitments"]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_results(self, report: Report) -> dict:
        return exports.results_json(report.consultation)

    @extend_schema_field(CommitmentSerializer(many=True))
    def get_commitments(self, report: Report) -> list:
        return CommitmentSerializer(
            queries.commitments_with_updates(report.consultation), many=True
        ).data


class PublishedAnswerSerializer(serializers.Serializer):
    """One published answer; `response` groups the answers of one person, pseudonymously."""

    response = serializers.CharField()
    question = serializers.IntegerField(help_text="The question's number in the form.")
    question_text = serializers.CharField()
    kind = serializers.CharField()
    channel = serializers.CharField()
    language = serializers.CharField()
    text = serializers.CharField()
    other_text = serializers.CharField()
    yes_no = serializers.BooleanField(allow_null=True)
    number = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    choices = serializers.ListField(child=serializers.CharField())


@extend_schema(parameters=[LANG_PARAMETER])
class OutcomeViewSet(LanguageMixin, viewsets.ReadOnlyModelViewSet):
    """Published consultation outcomes, newest first."""

    permission_classes = [AllowAny]
    lookup_field = "consultation__slug"
    lookup_url_kwarg = "slug"
    filter_backends: list = []

    def get_queryset(self):
        return (
            Report.objects.filter(
                published_at__isnull=False,
                consultation__state__in=queries.PUBLISHED_STATES,
            )
            .select_related("consultation", "consultation__organisation")
            .order_by("-published_at")
        )

    def get_serializer_class(self):
        if self.action == "retrieve":
            return OutcomeDetailSerializer
        if self.action == "answers":
            return PublishedAnswerSerializer
        return OutcomeSerializer

    @extend_schema(responses=PublishedAnswerSerializer(many=True))
    @action(detail=True, methods=["get"])
    def answers(self, request: Request, slug: str) -> Response:
        """Answers of people who consented to publication, one row per answer."""
        consultation = self.get_object().consultation
        page = self.paginate_queryset(exports.response_queryset(consultation))
        make = exports.RowMaker(consultation)
        return self.get_paginated_response(
            PublishedAnswerSerializer([make(row) for row in page], many=True).data
        )
