"""With no helpdesk configured (the default set-up) asking for a person never pauses the chat:
the customer gets the support contact and the assistant keeps answering. Real rasa_sdk
Trackers and a real demo database."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from actions.assistance import ActionFallback, ActionFrustrated, ActionHumanHandoff
from actions.handoff import helpdesk_configured
from actions.orders import ActionOrderStatus
from tactful.settings import load_settings
from tactful.store.models import Handoff
from tactful.store.unit_of_work import uow_for
from tests.actions.conftest import SECRET, make_tracker, run_action, said, slot_events
from tests.handoff.test_actions import paused, with_earlier_fallback
from tests.support.roots import rebuild_root
from tests.support.shop import order_ids_of

CONTACT = "support@example.com"


class AcceptingAdapter:
    """A custom adapter (TACTFUL_HELPDESK_ADAPTER) that takes every event."""

    def __init__(self, settings: object) -> None:
        self.settings = settings

    def deliver(self, event: dict[str, Any]) -> None:
        pass


@pytest.fixture
def no_helpdesk(handoff_env: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The handoff wiring as shipped: no TACTFUL_HELPDESK_URL, the webhook adapter."""
    monkeypatch.setenv("TACTFUL_JWT_SECRET", SECRET)
    monkeypatch.delenv("TACTFUL_HELPDESK_URL", raising=False)
    monkeypatch.delenv("TACTFUL_HELPDESK_ADAPTER", raising=False)
    rebuild_root()
    return handoff_env


def handoff_rows(db_url: str) -> int:
    with uow_for(db_url) as work:
        return int(work.session.scalar(select(func.count()).select_from(Handoff)) or 0)


def test_what_counts_as_a_configured_helpdesk(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TACTFUL_HELPDESK_URL", "TACTFUL_HELPDESK_SECRET", "TACTFUL_HELPDESK_ADAPTER"):
        monkeypatch.delenv(name, raising=False)
    assert not helpdesk_configured(load_settings().helpdesk)
    monkeypatch.setenv("TACTFUL_HELPDESK_URL", "http://127.0.0.1:9/hook")
    assert not helpdesk_configured(load_settings().helpdesk)  # nothing to sign with
    monkeypatch.setenv("TACTFUL_HELPDESK_SECRET", "a-secret-0123456789")
    assert helpdesk_configured(load_settings().helpdesk)
    monkeypatch.delenv("TACTFUL_HELPDESK_URL")
    monkeypatch.setenv("TACTFUL_HELPDESK_ADAPTER", "tests.handoff.test_no_helpdesk:AcceptingAdapter")
    assert helpdesk_configured(load_settings().helpdesk)


def test_frustration_gives_the_contact_and_does_not_pause(no_helpdesk: str) -> None:
    tracker = make_tracker("this is useless, just answer me", "frustrated", "C001")
    messages, events = run_action(ActionFrustrated(), tracker)
    text = said(messages)
    assert "sorry" in text.lower() and CONTACT in text
    assert "I'm still here" in text
    assert not paused(events)
    assert slot_events(events)["handoff_state"] == "requested"
    assert slot_events(events)["frustrated"] is True
    assert handoff_rows(no_helpdesk) == 0

    # The next message gets a normal answer: the order, not the support address.
    after = make_tracker(
        "where is my order?",
        "order_status",
        "C001",
        slots={"handoff_state": "requested", "frustrated": True},
        earlier_user_turns=2,
    )
    messages, _ = run_action(ActionOrderStatus(), after)
    assert order_ids_of(no_helpdesk, "C001")[0] in said(messages)
    assert CONTACT not in said(messages)


@pytest.mark.parametrize("text", ["escalate", "hand off", "I want to talk to a human"])
def test_asking_for_a_person_gives_the_contact_and_does_not_pause(no_helpdesk: str, text: str) -> None:
    for customer in ("C005", "C001", None):
        messages, events = run_action(ActionHumanHandoff(), make_tracker(text, "human_handoff", customer))
        assert CONTACT in said(messages) and "can't bring a person" in said(messages)
        assert not paused(events)
        assert slot_events(events) == {
            "handoff_state": "requested",
            **({"customer_id": customer} if customer else {}),
        }
    assert handoff_rows(no_helpdesk) == 0


def test_two_fallbacks_give_the_contact_and_do_not_pause(no_helpdesk: str) -> None:
    once = make_tracker("flibber", "nlu_fallback", "C001")
    messages, events = run_action(ActionFallback(), with_earlier_fallback(once))
    assert "still not getting it" in said(messages) and CONTACT in said(messages)
    assert not paused(events)


def test_a_custom_adapter_counts_as_a_helpdesk_and_pauses(
    no_helpdesk: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TACTFUL_HELPDESK_ADAPTER", "tests.handoff.test_no_helpdesk:AcceptingAdapter")
    rebuild_root()
    messages, events = run_action(
        ActionHumanHandoff(), make_tracker("a person please", "human_handoff", "C001")
    )
    assert "passing you to a person" in said(messages) and 'say "never mind"' in said(messages)
    assert paused(events)
    assert handoff_rows(no_helpdesk) == 1
