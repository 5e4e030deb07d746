"""The consultation lifecycle: guards on role and state, the audit trail, the beat task."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import AuditEntry
from consult import services, tasks
from consult.models import Consultation, State, Transition
from tests.factories import ConsultationFactory, QuestionFactory, SectionFactory


def consultation_in(state: str, organisation, **fields) -> Consultation:
    return ConsultationFactory(organisation=organisation, state=state, **fields)


ACTIONS = {
    # action: (from state, to state)
    "schedule": (State.DRAFT, State.SCHEDULED),
    "unschedule": (State.SCHEDULED, State.DRAFT),
    "open": (State.SCHEDULED, State.OPEN),
    "close": (State.OPEN, State.CLOSED),
    "reopen": (State.CLOSED, State.OPEN),
    "publish_outcome": (State.CLOSED, State.OUTCOME_PUBLISHED),
    "archive": (State.OUTCOME_PUBLISHED, State.ARCHIVED),
}
ALLOWED = {
    "owner": set(ACTIONS),
    "editor": {"schedule", "unschedule"},
    "analyst": set(),
    "facilitator": set(),
    "outsider": set(),
}


@pytest.mark.parametrize("persona", list(ALLOWED))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_transition_matrix_by_role(request, organisation, persona, action):
    user = request.getfixturevalue(persona)
    from_state, to_state = ACTIONS[action]
    consultation = consultation_in(from_state, organisation)

    if action in ALLOWED[persona]:
        moved = services.consultation_transition(
            consultation=consultation, action=action, actor=user, reason="test"
        )
        consultation.refresh_from_db()
        assert moved is True
        assert consultation.state == to_state
    else:
        with pytest.raises(PermissionDenied):
            services.consultation_transition(
                consultation=consultation, action=action, actor=user, reason="test"
            )
        consultation.refresh_from_db()
        assert consultation.state == from_state


@pytest.mark.parametrize("state", [State.DRAFT, State.SCHEDULED, State.OUTCOME_PUBLISHED])
def test_close_from_wrong_state_is_refused(organisation, owner, state):
    consultation = consultation_in(state, organisation)

    with pytest.raises(services.TransitionError):
        services.consultation_close(consultation=consultation, actor=owner, reason="why")


def test_editor_cannot_reopen_a_closed_consultation(organisation, editor):
    consultation = consultation_in(State.CLOSED, organisation)

    with pytest.raises(PermissionDenied):
        services.consultation_reopen(
            consultation=consultation,
            actor=editor,
            closes_at=timezone.now() + dt.timedelta(days=3),
            reason="more time",
        )


def test_owner_reopens_with_a_new_closing_time(organisation, owner):
    consultation = consultation_in(State.CLOSED, organisation)
    new_close = timezone.now() + dt.timedelta(days=3)

    services.consultation_reopen(
        consultation=consultation, actor=owner, closes_at=new_close, reason="late venue"
    )

    consultation.refresh_from_db()
    assert consultation.state == State.OPEN
    assert consultation.closes_at == new_close


def test_closing_early_by_hand_needs_a_reason(organisation, owner):
    consultation = consultation_in(State.OPEN, organisation)

    with pytest.raises(ValidationError):
        services.consultation_close(consultation=consultation, actor=owner, reason=" ")


def test_transition_is_recorded_with_who_when_from_to_and_why(organisation, owner):
    consultation = consultation_in(State.OPEN, organisation)

    services.consultation_close(consultation=consultation, actor=owner, reason="Budget decided")

    transition = Transition.objects.get(consultation=consultation)
    audit = AuditEntry.objects.get(action="consultation.close")
    assert (transition.from_state, transition.to_state, transition.actor, transition.reason) == (
        State.OPEN,
        State.CLOSED,
        owner,
        "Budget decided",
    )
    assert audit.detail["reason"] == "Budget decided"
    assert audit.actor == owner


def test_extend_moves_the_deadline_later_only(organisation, owner):
    consultation = consultation_in(State.OPEN, organisation)
    earlier = consultation.closes_at - dt.timedelta(days=1)

    with pytest.raises(ValidationError):
        services.consultation_extend(
            consultation=consultation, actor=owner, closes_at=earlier, reason="x"
        )
    later = consultation.closes_at + dt.timedelta(days=7)
    services.consultation_extend(
        consultation=consultation, actor=owner, closes_at=later, reason="Harvest season"
    )

    consultation.refresh_from_db()
    assert consultation.closes_at == later


def test_editor_cannot_extend(organisation, editor):
    consultation = consultation_in(State.OPEN, organisation)

    with pytest.raises(PermissionDenied):
        services.consultation_extend(
            consultation=consultation,
            actor=editor,
            closes_at=consultation.closes_at + dt.timedelta(days=1),
            reason="x",
        )


def test_schedule_requires_a_question(organisation, editor):
    consultation = consultation_in(
        State.DRAFT, organisation, opens_at=timezone.now() + dt.timedelta(days=1)
    )

    with pytest.raises(ValidationError):
        services.consultation_schedule(consultation=consultation, actor=editor)
    QuestionFactory(section=SectionFactory(consultation=consultation))
    services.consultation_schedule(consultation=consultation, actor=editor)

    consultation.refresh_from_db()
    assert consultation.state == State.SCHEDULED
    assert consultation.first_published_at is not None


def test_schedule_with_opening_time_passed_opens_at_once(organisation, editor):
    consultation = consultation_in(State.DRAFT, organisation)
    QuestionFactory(section=SectionFactory(consultation=consultation))

    services.consultation_schedule(consultation=consultation, actor=editor)

    consultation.refresh_from_db()
    assert consultation.state == State.OPEN


def test_sweep_opens_and_closes_due_consultations_once(organisation):
    now = timezone.now()
    due_open = consultation_in(
        State.SCHEDULED, organisation, opens_at=now - dt.timedelta(minutes=1)
    )
    not_yet = consultation_in(State.SCHEDULED, organisation, opens_at=now + dt.timedelta(hours=1))
    due_close = consultation_in(
        State.OPEN,
        organisation,
        opens_at=now - dt.timedelta(days=2),
        closes_at=now - dt.timedelta(minutes=1),
    )

    first = services.consultations_advance_due(now=now)
    second = services.consultations_advance_due(now=now)

    states = {c.pk: c.state for c in Consultation.objects.all()}
    assert first == {"opened": 1, "closed": 1}
    assert second == {"opened": 0, "closed": 0}
    assert states == {
        due_open.pk: State.OPEN,
        not_yet.pk: State.SCHEDULED,
        due_close.pk: State.CLOSED,
    }
    assert Transition.objects.filter(consultation=due_close, to_state=State.CLOSED).count() == 1


def test_sweep_catches_up_after_missed_beats(organisation):
    now = timezone.now()
    consultation = consultation_in(
        State.SCHEDULED,
        organisation,
        opens_at=now - dt.timedelta(days=10),
        closes_at=now - dt.timedelta(days=1),
    )

    services.consultations_advance_due(now=now)

    consultation.refresh_from_db()
    assert consultation.state == State.CLOSED
    assert list(
        Transition.objects.filter(consultation=consultation).values_list("to_state", flat=True)
    ) == [State.OPEN, State.CLOSED]


def test_stale_object_cannot_close_twice(organisation, owner):
    consultation = consultation_in(State.OPEN, organisation)
    stale = Consultation.objects.get(pk=consultation.pk)
    services.consultation_close(consultation=consultation)

    moved = services.consultation_transition(
        consultation=stale, action="close", actor=None, check_permission=False
    )

    assert moved is False
    assert Transition.objects.filter(consultation=consultation).count() == 1


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_beat_task_closes_a_due_consultation_through_redis_exactly_once(celery_worker):
    consultation = ConsultationFactory(
        state=State.OPEN,
        opens_at=timezone.now() - dt.timedelta(days=2),
        closes_at=timezone.now() - dt.timedelta(seconds=1),
    )

    first = tasks.advance_lifecycle.delay().get(timeout=30)
    second = tasks.advance_lifecycle.delay().get(timeout=30)

    consultation.refresh_from_db()
    assert first == {"opened": 0, "closed": 1}
    assert second == {"opened": 0, "closed": 0}
    assert consultation.state == State.CLOSED
    assert Transition.objects.filter(consultation=consultation, to_state=State.CLOSED).count() == 1


def test_a_consultation_titled_feed_gets_an_address_that_does_not_hide_the_feed(
    organisation, editor
):
    consultation = services.consultation_create(
        organisation=organisation,
        actor=editor,
        fields={
            "title_en": "Feed",
            "title": "Feed",
            "summary_en": "About animal feed.",
            "summary": "About animal feed.",
            "opens_at": timezone.now() + dt.timedelta(days=1),
            "closes_at": timezone.now() + dt.timedelta(days=9),
            "outcome_due": (timezone.now() + dt.timedelta(days=30)).date(),
        },
    )

    assert consultation.slug == "feed-2"
