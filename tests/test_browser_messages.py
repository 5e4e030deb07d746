"""Pages reached from messages: unsubscribe and following commitments, in a real browser."""

import pytest

from consult.models import State
from notifications.unsubscribe import token_make
from outcomes.following import follow_signature
from outcomes.models import Commitment, Report
from tests.conftest import assert_accessible
from tests.factories import ConsultationFactory, sent_response

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_unsubscribe_pages_have_no_axe_violations(page, lang):
    token = token_make(recipient="r-1", scope="consultation:1")

    page.goto(f"/{lang}/messages/unsubscribe/{token}/")
    assert_accessible(page, f"unsubscribe-{lang}")
    page.locator("main button[type=submit]").first.click()
    page.wait_for_load_state()

    assert_accessible(page, f"unsubscribe-done-{lang}")


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_follow_commitments_page_works_without_javascript_errors(page, organisation, lang):
    consultation = ConsultationFactory(organisation=organisation, state=State.OUTCOME_PUBLISHED)
    Report.objects.create(
        consultation=consultation, summary_en="Done.", published_at="2026-11-01T00:00Z"
    )
    Commitment.objects.create(
        consultation=consultation, action_en="Dig ten wells", responsible_body="Water board"
    )
    person = sent_response(consultation).participant
    signature = follow_signature(participant_id=person.pk, consultation_id=consultation.pk)

    page.goto(f"/{lang}/follow/{signature}/")
    assert_accessible(page, f"follow-{lang}")
    page.get_by_label("Dig ten wells").check()
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()

    assert page.get_by_label("Dig ten wells").is_checked()
    assert_accessible(page, f"follow-saved-{lang}")
