"""The submissions API for partner apps and SMS gateways.

Answers go through the same `AnswersForm` as the web form, so the rules and the translated
messages are the same; the response is stored by the same service as facilitators' entries.
"""

import logging
import uuid

from django.contrib.auth.models import AnonymousUser
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db.models import Exists, OuterRef
from django.http import QueryDict
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from redis.exceptions import RedisError
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.throttling import SimpleRateThrottle

from consult.models import Consultation, Question
from feedback import queries, services
from feedback.forms import NO, OTHER, YES, AnswersForm, field_name
from feedback.models import PartnerToken, Submission

logger = logging.getLogger(__name__)

# Authentication, permission, throttling --------------------------------------------------


class PartnerTokenAuthentication(BaseAuthentication):
    """`Authorization: Token <key>` with a partner organisation's API key."""

    keyword = b"token"

    def authenticate(self, request: Request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Give the key after the word Token."))
        try:
            key = header[1].decode()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("This API key is not valid.")) from None
        key_hash = PartnerToken.hash(key)
        token = queries.recently(
            ("partner token", key_hash),
            # Only what a submission needs.
            lambda: (
                PartnerToken.objects.select_related("organisation")
                .only("pk", "organisation__id")
                .filter(key_hash=key_hash, revoked_at__isnull=True)
                .first()
            ),
        )
        if token is None:
            raise exceptions.AuthenticationFailed(_("This API key is not valid."))
        return (AnonymousUser(), token)

    def authenticate_header(self, request: Request) -> str:
        return "Token"


class PartnerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "feedback.api.PartnerTokenAuthentication"
    name = "partnerToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`: an API key issued to a partner organisation.",
        }


class HasPartnerToken(BasePermission):
    message = gettext_lazy("Send a partner API key: Authorization: Token <key>.")

    def has_permission(self, request: Request, view) -> bool:
        return isinstance(request.auth, PartnerToken)


class PartnerRateThrottle(SimpleRateThrottle):
    """Requests per API key (per address before authentication), in fixed windows.

    A counter in the cache (Redis) rather than DRF's list of timestamps: constant work per
    request however high the rate, and shared by every web process. While Redis is down,
    requests go through unthrottled: a partner's submissions are not lost for want of a
    counter.
    """

    scope = "submissions"

    def get_cache_key(self, request: Request, view) -> str:
        ident = (
            f"token-{request.auth.pk}"
            if isinstance(request.auth, PartnerToken)
            else self.get_ident(request)
        )
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request: Request, view) -> bool:
        if self.rate is None:
            return True
        window = int(self.timer() // self.duration)
        key = f"{self.get_cache_key(request, view)}:{window}"
        try:
            count = self.count(key)
        except RedisError:
            logger.warning("rate-limit cache unavailable; letting the API request through")
            return True
        self.wait_seconds = self.duration - (self.timer() % self.duration)
        return count <= self.num_requests

    def count(self, key: str) -> int:
        """Add this request to the window's counter; the count so far.

        The counter lives for two windows, so it cannot expire while its own window counts
        on it. On Redis, one round trip: create the counter if it is new, then add one.
        """
        backend = caches["default"]
        if not isinstance(backend, RedisCache):
            try:
                return backend.incr(key)
            except ValueError:  # the first request of the window
                return 1 if backend.add(key, 1, timeout=2 * self.duration) else backend.incr(key)
        key = backend.make_and_validate_key(key)
        # Django's Redis cache has no pipelines (and its incr() takes two round trips), so
        # this talks to the cache's own client; Django stores whole numbers as plain
        # integers, so cache.get(key) reads the same counter.
        pipe = backend._cache.get_client(key, write=True).pipeline(transaction=False)
        pipe.set(key, 0, ex=2 * self.duration, nx=True)
        pipe.incr(key)
        return pipe.execute()[1]

    def wait(self) -> float:
        return self.wait_seconds


# Serializers -------------------------------------------------------------------------


class AnswerInputSerializer(serializers.Serializer):
    question = serializers.IntegerField(help_text="The question's id.")
    value = serializers.JSONField(
        required=False,
        allow_null=True,
        help_text=(
            'text: a string; single and scale: a choice id (or "other"); multiple: a list '
            'of choice ids (may include "other"); ranking: a list of choice ids, first to '
            "last; yes_no: true or false; number: a number. Files cannot be sent here."
        ),
    )
    other = serializers.CharField(
        required=False, allow_blank=True, help_text='The text for an "other" answer.'
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, help_text="The reason given for a yes or no."
    )


class SubmissionInputSerializer(serializers.Serializer):
    consultation = serializers.SlugField(help_text="The consultation's slug.")
    idempotency_key = serializers.UUIDField(
        required=False,
        help_text="A new UUID per response; or send it as the Idempotency-Key header.",
    )
    language = serializers.CharField(
        required=False, allow_blank=True, max_length=15, help_text="Language of the answers."
    )
    answers = AnswerInputSerializer(many=True)


class SubmissionSerializer(serializers.Serializer):
    # Declared rather than a ModelSerializer, which introspects the model on every response.
    reference = serializers.CharField(read_only=True)
    consultation = serializers.CharField(
        source="consultation.slug", read_only=True, help_text="The consultation's slug."
    )
    channel = serializers.ChoiceField(choices=Submission.Channel.choices, read_only=True)
    # A plain string: an enum here would collide with the consultation's `state` enum.
    state = serializers.CharField(read_only=True, help_text="submitted (or withdrawn).")
    language = serializers.CharField(read_only=True)
    submitted_at = serializers.DateTimeField(read_only=True, allow_null=True)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(required=False)
    answers = serializers.JSONField(
        required=False,
        help_text=(
            "Messages per question id, the same as on the web form; or, when the body itself "
            "is malformed, the field errors of its answers."
        ),
    )


SUBMISSION_INPUT = SubmissionInputSerializer()


def _validated(data) -> dict:
    """The request's body checked by one serializer per process, as `is_valid` would.

    A serializer made for each request first deep-copies its fields, a tenth of the API's
    CPU time (`bench/bench_submissions.py`); validating keeps nothing in the serializer.
    """
    try:
        return SUBMISSION_INPUT.run_validation(data)
    except serializers.ValidationError as error:
        raise serializers.ValidationError(as_serializer_error(error)) from None


# Mapping JSON answers onto the web form's fields ----------------------------------------


def _form_data(questions: dict[int, Question], answers: list[dict]) -> tuple[QueryDict, dict]:
    data = QueryDict(mutable=True)
    errors: dict[str, list[str]] = {}
    for item in answers:
        question = questions.get(item["question"])
        if question is None:
            errors[str(item["question"])] = [_("This is not a question of this consultation.")]
            continue
        name, value, kind = field_name(question), item.get("value"), question.kind
        if item.get("other"):
            data[f"{name}_other"] = item["other"]
        if item.get("reason"):
            data[f"{name}_reason"] = item["reason"]
        if value is None:
            continue
        if kind == Question.Kind.FILE:
            errors[str(question.pk)] = [_("Files cannot be sent through the API.")]
        elif kind == Question.Kind.MULTIPLE:
            data.setlist(name, [str(v) for v in (value if isinstance(value, list) else [value])])
        elif kind == Question.Kind.RANKING:
            order = [str(v) for v in value] if isinstance(value, list) else []
            for index, choice in enumerate(question.choices.all()):
                rank = order.index(str(choice.pk)) + 1 if str(choice.pk) in order else ""
                data[f"{name}_{index}"] = str(rank)
            known = {str(c.pk) for c in question.choices.all()}
            if any(v not in known for v in order) or not isinstance(value, list):
                errors[str(question.pk)] = [_("Give each item a different rank")]
        elif kind == Question.Kind.YES_NO:
            # A list or an object is no answer to a yes/no question (and cannot be hashed).
            known = value if isinstance(value, bool | int | float | str) else None
            data[name] = {True: YES, False: NO}.get(known, str(value).lower())
        else:
            data[name] = str(value) if value != OTHER else OTHER
    return data, errors


def _form_errors(form: AnswersForm) -> dict[str, list[str]]:
    """Form errors keyed by question id ('q12_other' → '12')."""
    errors: dict[str, list[str]] = {}
    for name, messages in form.errors.items():
        key = name[1:].split("_", 1)[0] if name.startswith("q") else name
        errors.setdefault(key, []).extend(messages)
    return errors


# The endpoint ------------------------------------------------------------------------


class SubmissionViewSet(viewsets.ViewSet):
    """Submit a whole response to an open consultation on behalf of a person."""

    authentication_classes = [PartnerTokenAuthentication]
    permission_classes = [HasPartnerToken]
    throttle_classes = [PartnerRateThrottle]

    @extend_schema(
        operation_id="submissions_create",
        description=(
            "Submit one person's response. Partner organisations (the owner of the "
            "consultation or an invited civil society organisation) authenticate with "
            "`Authorization: Token <key>`. Send a new UUID per response as the "
            "`Idempotency-Key` header (or the `idempotency_key` field): a retried request "
            "returns the submission already made (200) instead of a second one (201). "
            "Validation and messages are the same as on the web form."
        ),
        request=SubmissionInputSerializer,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                OpenApiTypes.UUID,
                location=OpenApiParameter.HEADER,
                description="A new UUID per response.",
            )
        ],
        responses={
            201: SubmissionSerializer,
            200: OpenApiResponse(SubmissionSerializer, description="Already received."),
            400: OpenApiResponse(ErrorSerializer, description="Answers not valid."),
            401: OpenApiResponse(ErrorSerializer, description="No or invalid API key."),
            404: OpenApiResponse(ErrorSerializer, description="No such consultation for you."),
            409: OpenApiResponse(ErrorSerializer, description="Not taking responses now."),
            429: OpenApiResponse(ErrorSerializer, description="Too many requests."),
        },
        examples=[
            OpenApiExample(
                "A response by SMS",
                request_only=True,
                value={
                    "consultation": "clean-water",
                    "language": "ms",
                    "answers": [
                        {"question": 12, "value": "Air bersih"},
                        {"question": 13, "value": 41},
                        {"question": 15, "value": True, "reason": "Baik untuk kampung"},
                    ],
                },
            )
        ],
    )
    def create(self, request: Request) -> Response:
        payload = _validated(request.data)
        key = request.headers.get("Idempotency-Key") or payload.get("idempotency_key")
        try:
            key = uuid.UUID(str(key)) if key else None
        except ValueError:
            key = None
        if key is None:
            return Response(
                {"detail": _("Send a UUID as the Idempotency-Key header.")},
                status=status.HTTP_400_BAD_REQUEST,
            )
        token: PartnerToken = request.auth
        consultation = queries.recently(
            ("consultation for a partner", payload["consultation"], token.organisation_id),
            # Only what taking a response needs.
            lambda: (
                Consultation.objects.only(
                    "pk", "slug", "organisation_id", "state", "mode", "closes_at", "time_zone"
                )
                .annotate(
                    invited=Exists(
                        Consultation.partners.through.objects.filter(
                            consultation=OuterRef("pk"), organisation=token.organisation_id
                        )
                    )
                )
                .filter(slug=payload["consultation"])
                .first()
            ),
        )
        if consultation is None or not (
            consultation.organisation_id == token.organisation_id or consultation.invited
        ):
            return Response({"detail": _("No such consultation.")}, status=404)
        questions = queries.consultation_questions_recent(consultation)
        data, errors = _form_data({q.pk: q for q in questions}, payload["answers"])
        # The fields of these questions in this language, built once and shared after.
        _questions, blank = queries.recently(
            ("answer fields", id(questions), get_language()),
            lambda: (questions, AnswersForm(questions=questions)),
        )
        form = AnswersForm(data, questions=questions, fields_of=blank)
        if not form.is_valid() or errors:
            return Response({"answers": {**_form_errors(form), **errors}}, status=400)
        try:
            received = services.submission_receive(
                consultation=consultation,
                channel=Submission.Channel.API,
                answers=form.answers(),
                questions=questions,
                idempotency_key=key,
                language=payload.get("language", ""),
                entered_for=token.organisation,
            )
        except services.SubmissionClosed as error:
            return Response({"detail": str(error)}, status=status.HTTP_409_CONFLICT)
        received.submission.consultation = consultation
        return Response(
            SubmissionSerializer(received.submission).data,
            status=status.HTTP_201_CREATED if received.created else status.HTTP_200_OK,
        )
