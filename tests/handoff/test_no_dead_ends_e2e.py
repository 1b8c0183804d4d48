"""No dead ends, end to end: the real Rasa and action servers over REST, the trained model,
a real demo shop database, and (for the second assistant) a real local helpdesk receiver."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from actions.wording import DIDNT_GET_IT
from tactful.channels.resume import ASKED
from tactful.store.models import SupportCase
from tactful.store.unit_of_work import uow_for
from tests.handoff.conftest import POLICY, SECRET
from tests.support.assistant import Assistant, start_assistant, texts
from tests.support.helpdesk import HANDOFF_CREDENTIALS, HelpdeskReceiver, receiving, staffed_assistant
from tests.support.shop import offer_events, order_ids_of

pytestmark = pytest.mark.e2e

CONTACT = "support@example.com"


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    """The default set-up: no helpdesk configured."""
    workdir = tmp_path_factory.mktemp("no-helpdesk")
    (workdir / "credentials.yml").write_text(HANDOFF_CREDENTIALS)
    env = {
        "TACTFUL_CREDENTIALS": str(workdir / "credentials.yml"),
        "TACTFUL_HELPDESK_URL": "",
        "TACTFUL_HELPDESK_ADAPTER": "",
    }
    with start_assistant(workdir, extra_env=env) as running:
        yield running


@pytest.fixture(scope="module")
def receiver() -> Iterator[HelpdeskReceiver]:
    with receiving(SECRET) as running:
        yield running


@pytest.fixture(scope="module")
def staffed(tmp_path_factory: pytest.TempPathFactory, receiver: HelpdeskReceiver) -> Iterator[Assistant]:
    workdir = tmp_path_factory.mktemp("helpdesk")
    with staffed_assistant(workdir, receiver, SECRET, POLICY) as running:
        yield running


def delivery_cases(assistant: Assistant, customer: str) -> list[SupportCase]:
    with uow_for(assistant.shop_db_url) as work:
        query = select(SupportCase).where(SupportCase.customer_id == customer, SupportCase.kind == "delivery")
        return list(work.session.scalars(query))


def latest_intent(assistant: Assistant, sender: str) -> str:
    user = [e for e in assistant.tracker(sender)["events"] if e["event"] == "user"]
    return str(user[-1]["parse_data"]["intent"]["name"])


def test_frustration_without_a_helpdesk_keeps_helping(plain: Assistant) -> None:
    plain.say("dead-end-1", "hello", "C001")
    reply = texts(plain.say("dead-end-1", "this is useless, just answer me", "C001"))
    assert CONTACT in reply and "I'm still here" in reply
    assert not plain.tracker("dead-end-1")["paused"]
    answer = texts(plain.say("dead-end-1", "where is my order?", "C001"))
    assert order_ids_of(plain.shop_db_url, "C001")[0] in answer
    assert CONTACT not in answer


def test_escalate_means_a_person_and_opens_no_case(plain: Assistant) -> None:
    plain.say("dead-end-2", "hello", "C005")
    reply = texts(plain.say("dead-end-2", "escalate", "C005"))
    assert latest_intent(plain, "dead-end-2") == "human_handoff"
    assert CONTACT in reply and not plain.tracker("dead-end-2")["paused"]
    assert delivery_cases(plain, "C005") == []


def test_sql_gets_the_fallback_answer(plain: Assistant) -> None:
    plain.say("dead-end-3", "hello", "C001")
    reply = texts(plain.say("dead-end-3", "'; DROP TABLE orders;--", "C001"))
    assert reply == DIDNT_GET_IT
    assert order_ids_of(plain.shop_db_url, "C001")[0] not in reply


def test_stop_and_handoff_are_not_an_opt_out(plain: Assistant) -> None:
    plain.say("dead-end-4", "hello", "C001")
    for text, intent in (("stop", "deny"), ("stop the order", "cancel_order"), ("handoff", "human_handoff")):
        plain.say("dead-end-4", text, "C001")
        assert latest_intent(plain, "dead-end-4") == intent, text
    assert offer_events(plain.shop_db_url, "C001", "opted_out") == []


def test_a_yes_with_a_date_after_an_offer_opens_no_delivery_case(plain: Assistant) -> None:
    plain.say("dead-end-5", "hello", "C001")
    offer = plain.say("dead-end-5", "what's your return policy?", "C001")
    assert any(message.get("buttons") for message in offer), offer
    reply = texts(plain.say("dead-end-5", "Yes. I want it on Tuesday next week.", "C001"))
    assert "logged a delivery problem" not in reply
    assert delivery_cases(plain, "C001") == []


def test_never_mind_before_an_agent_answers_brings_the_bot_back(
    staffed: Assistant, receiver: HelpdeskReceiver
) -> None:
    staffed.say("resume-1", "hello", "C001")
    assert "passing you to a person" in texts(staffed.say("resume-1", "I want to talk to a human", "C001"))
    assert staffed.tracker("resume-1")["paused"]
    assert texts(staffed.say("resume-1", "never mind", "C001")) == ASKED
    assert not staffed.tracker("resume-1")["paused"]
    answer = texts(staffed.say("resume-1", "where is my order?", "C001"))
    assert order_ids_of(staffed.shop_db_url, "C001")[0] in answer
    forwarded = [
        e["message"]["text"]
        for e in receiver.wait_for("handoff.message")
        if e["conversation_id"].startswith("rest:resume-1:")
    ]
    assert forwarded == ["never mind"]
