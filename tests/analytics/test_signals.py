"""Harm signals are stored where the actions handle them, for the report to read."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from actions.assistance import ActionFallback, ActionFrustrated
from actions.smalltalk import ActionSmalltalk
from tactful.services.signals import record_signal
from tactful.store.models import OfferEventRow
from tactful.store.unit_of_work import uow_for
from tests.actions.conftest import make_tracker, run_action, shop  # noqa: F401 - the fixture

NOW = datetime(2026, 5, 1, 12, 0)


def _signals(url: str) -> list[tuple[str, str | None, str | None]]:
    with uow_for(url) as work:
        rows = work.session.execute(
            select(OfferEventRow.kind, OfferEventRow.conversation_id, OfferEventRow.customer_id)
            .where(OfferEventRow.kind.in_(("frustrated", "fallback", "handoff")))
            .order_by(OfferEventRow.id)
        ).all()
    return [tuple(row) for row in rows]


def test_record_signal_stores_a_conversation_event(db_url: str) -> None:
    record_signal(lambda: uow_for(db_url), "fallback", "web", "conv-1", NOW)
    assert _signals(db_url) == [("fallback", "conv-1", None)]
    with pytest.raises(ValueError, match="unknown signal kind"):
        record_signal(lambda: uow_for(db_url), "angry", "web", "conv-1", NOW)  # type: ignore[arg-type]


def test_fallbacks_frustration_and_handoffs_are_recorded(shop: str) -> None:  # noqa: F811
    run_action(ActionFallback(), make_tracker("blorp", "nlu_fallback", customer="C001", sender="s-1"))
    kinds = [kind for kind, _, _ in _signals(shop)]
    assert kinds == ["fallback"]
    # Frustration is noted once, when first seen (the slot remembers it), and it hands over.
    run_action(
        ActionFrustrated(), make_tracker("this is useless", "frustrated", customer="C001", sender="s-2")
    )
    kinds = [kind for kind, _, _ in _signals(shop)]
    assert kinds == ["fallback", "frustrated", "handoff"]
    # Frustrated words in any action count too; a second frustrated turn does not repeat it.
    run_action(
        ActionSmalltalk(),
        make_tracker("this is useless", "greet", customer="C001", sender="s-2", slots={"frustrated": True}),
    )
    assert [kind for kind, _, _ in _signals(shop)] == ["fallback", "frustrated", "handoff"]
    conversations = {conversation for _, conversation, _ in _signals(shop)}
    assert len(conversations) == 2
