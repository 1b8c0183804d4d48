"""ConversationGate (tactful.channels.gate) with a real in-memory counter and real trackers."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from rasa.core.agent import Agent
from rasa.core.channels.channel import UserMessage
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from tactful.channels.gate import REFUSALS, ConversationGate, Verdict, first_verified_customer, real_store
from tactful.channels.tracker_store import SafeSQLTrackerStore
from tactful.identity import TOKEN_KEY, VerifiedIdentity, identity_to_metadata, issue_token
from tactful.ratelimit import AsyncMemoryCounter, AsyncRedisCounter
from tactful.settings import Limits, load_settings
from tests.trust.conftest import CLOSED_REDIS_URL, FakeClock

REPO_ROOT = Path(__file__).resolve().parents[2]
WINDOW_START = 1_700_000_040.0  # a multiple of 60


def _limits(per_sender: int, per_customer: int) -> Limits:
    return dataclasses.replace(
        load_settings().limits,
        messages_per_sender_per_minute=per_sender,
        messages_per_customer_per_minute=per_customer,
    )


def _identity(customer: str) -> dict[str, object]:
    return identity_to_metadata(VerifiedIdentity(customer, None, 1_900_000_000))


def _message(sender: str, metadata: dict[str, object] | None = None, text: str = "hi") -> UserMessage:
    return UserMessage(text, sender_id=sender, input_channel="rest", metadata=metadata or {})


def _admit_all(gate: ConversationGate, messages: list[UserMessage], agent: Agent | None = None) -> list[str]:
    async def run() -> list[str]:
        return [(await gate.admit(agent, message)).kind for message in messages]

    return asyncio.run(run())


def test_per_sender_limit() -> None:
    clock = FakeClock(WINDOW_START)
    gate = ConversationGate(AsyncMemoryCounter(clock), _limits(per_sender=3, per_customer=100))
    assert _admit_all(gate, [_message("rest:alice")] * 5) == [
        "ok",
        "ok",
        "ok",
        "rate_limited",
        "rate_limited",
    ]
    # Other senders have their own count.
    assert _admit_all(gate, [_message("rest:bob")]) == ["ok"]
    # The next minute starts afresh.
    clock.now += 60
    assert _admit_all(gate, [_message("rest:alice")]) == ["ok"]


def test_per_customer_limit_spans_conversations() -> None:
    clock = FakeClock(WINDOW_START)
    gate = ConversationGate(AsyncMemoryCounter(clock), _limits(per_sender=100, per_customer=4))
    c1 = _identity("C1")
    messages = [_message(f"rest:tab{index}", c1) for index in range(6)]
    assert _admit_all(gate, messages) == ["ok"] * 4 + ["rate_limited"] * 2
    # Another customer, and an anonymous sender, are not affected.
    assert _admit_all(gate, [_message("rest:tab9", _identity("C2")), _message("rest:anon")]) == ["ok", "ok"]
    clock.now += 60
    assert _admit_all(gate, [_message("rest:tab0", c1)]) == ["ok"]


def test_a_raw_token_is_not_counted_as_a_customer() -> None:
    # Channels verify tokens on arrival; the gate trusts only the stored identity.
    gate = ConversationGate(
        AsyncMemoryCounter(FakeClock(WINDOW_START)), _limits(per_sender=100, per_customer=1)
    )
    token = issue_token("C1", "gate-secret-0123456789abcdef0123456789")
    messages = [_message(f"rest:s{index}", {TOKEN_KEY: token}) for index in range(3)]
    assert _admit_all(gate, messages) == ["ok", "ok", "ok"]


def test_rate_limited_verdict_is_a_refusal() -> None:
    verdict = Verdict("rate_limited")
    assert verdict.refused
    assert verdict.refusal == REFUSALS["rate_limited"]
    assert not Verdict("ok").refused and Verdict("ok").refusal == ""
    assert not Verdict("paused").refused


def test_unreachable_counters_let_messages_through(caplog: pytest.LogCaptureFixture) -> None:
    gate = ConversationGate(AsyncRedisCounter(CLOSED_REDIS_URL), _limits(per_sender=1, per_customer=1))
    with caplog.at_level("WARNING", logger="tactful.channels.gate"):
        assert _admit_all(gate, [_message("rest:alice", _identity("C1"))] * 3) == ["ok"] * 3
    assert "rate counters unavailable" in caplog.text


# ---------------------------------------------------------------- ownership


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(REPO_ROOT / "domain.yml"))


def _tracker(domain: Domain, sender: str, *events: object) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(sender, list(events), domain.slots)


def test_first_verified_customer(domain: Domain) -> None:
    tracker = _tracker(
        domain,
        "rest:alice",
        ActionExecuted("action_session_start"),
        SessionStarted(),
        UserUttered("hi", metadata={}),
        UserUttered("anon again"),
        UserUttered("signed in", metadata=_identity("C1")),
        UserUttered("someone else", metadata=_identity("C2")),
    )
    assert first_verified_customer(tracker) == "C1"


def test_first_verified_customer_ignores_tokens_and_malformed_identities(domain: Domain) -> None:
    token = issue_token("C9", "gate-secret-0123456789abcdef0123456789")
    tracker = _tracker(
        domain,
        "rest:alice",
        UserUttered("token only", metadata={TOKEN_KEY: token}),
        UserUttered("forged", metadata={"tactful_identity": {"customer_id": "C8"}}),
        UserUttered("not a dict", metadata={"tactful_identity": "C7"}),
    )
    assert first_verified_customer(tracker) is None
    assert first_verified_customer(_tracker(domain, "rest:empty")) is None


@pytest.fixture
def agent(tmp_path: Path, domain: Domain) -> Iterator[Agent]:
    store = SafeSQLTrackerStore(db=str(tmp_path / "tracker.db"), domain=domain)
    owned = _tracker(
        domain,
        "rest:owned",
        UserUttered("hi"),
        UserUttered("signed in", metadata=_identity("C1")),
        ActionExecuted("utter_greet"),
    )
    anonymous = _tracker(domain, "rest:anon", UserUttered("hi"))
    asyncio.run(store.save(owned))
    asyncio.run(store.save(anonymous))
    try:
        yield Agent(domain=domain, tracker_store=store)
    finally:
        store.engine.dispose()


def test_owned_conversation_admits_only_its_customer(agent: Agent) -> None:
    gate = ConversationGate(AsyncMemoryCounter(FakeClock(WINDOW_START)), _limits(100, 100))

    async def run() -> list[Verdict]:
        return [
            await gate.admit(agent, _message("rest:owned", _identity("C1"))),
            await gate.admit(agent, _message("rest:owned", _identity("C2"))),
            await gate.admit(agent, _message("rest:owned")),
            await gate.admit(agent, _message("rest:anon", _identity("C2"))),
            await gate.admit(agent, _message("rest:new")),
        ]

    own, other, signed_out, anon, new = asyncio.run(run())
    assert own.kind == "ok" and own.state is not None
    assert own.state.conversation_id == "rest:owned:0" and not own.state.paused
    assert other.kind == "other_customer" and other.refusal == REFUSALS["other_customer"]
    assert signed_out.kind == "signed_out" and signed_out.refused
    assert anon.kind == "ok"
    assert new == Verdict("ok")


def test_a_strangers_messages_do_not_spend_the_owners_rate(agent: Agent) -> None:
    gate = ConversationGate(
        AsyncMemoryCounter(FakeClock(WINDOW_START)), _limits(per_sender=3, per_customer=100)
    )
    owner, stranger = _message("rest:owned", _identity("C1")), _message("rest:owned")
    assert _admit_all(gate, [owner], agent=agent) == ["ok"]
    # The stranger runs out of a budget of their own...
    assert _admit_all(gate, [stranger] * 5, agent=agent) == ["signed_out"] * 3 + ["rate_limited"] * 2
    # ...and the owner still has the rest of theirs.
    assert _admit_all(gate, [owner] * 3, agent=agent) == ["ok", "ok", "rate_limited"]


def test_strangers_are_turned_away_without_waiting_for_the_conversations_lock(agent: Agent) -> None:
    gate = ConversationGate(AsyncMemoryCounter(FakeClock(WINDOW_START)), _limits(100, 100))

    async def run() -> tuple[Verdict | None, Verdict | None, Verdict | None]:
        assert (await gate.admit(agent, _message("rest:owned", _identity("C1")))).kind == "ok"
        # The owner's turn holds the lock; the strangers' answers do not wait for it.
        async with agent.lock_store.lock("rest:owned"):
            other = await asyncio.wait_for(gate.screen(agent, _message("rest:owned", _identity("C2"))), 5)
            anonymous = await asyncio.wait_for(gate.screen(agent, _message("rest:owned")), 5)
            owner = await asyncio.wait_for(gate.screen(agent, _message("rest:owned", _identity("C1"))), 5)
        return other, anonymous, owner

    other, anonymous, owner = asyncio.run(run())
    assert other == Verdict("other_customer") and anonymous == Verdict("signed_out")
    assert owner is None  # on to the check under the lock


def test_an_owner_once_known_is_not_read_again_before_the_lock(
    agent: Agent, tmp_path: Path, domain: Domain
) -> None:
    store = real_store(agent)
    assert isinstance(store, SafeSQLTrackerStore)
    owner_reads: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if "tactful_conversation_owners" in statement and statement.lstrip().startswith("SELECT"):
            owner_reads.append(statement)

    sa.event.listen(store.engine, "before_cursor_execute", count)
    gate = ConversationGate(AsyncMemoryCounter(FakeClock(WINDOW_START)), _limits(100, 100))

    async def screens(target: Agent) -> list[Verdict | None]:
        return [
            await gate.screen(target, _message("rest:owned", _identity("C1"))),
            await gate.screen(target, _message("rest:owned", _identity("C2"))),
            await gate.screen(target, _message("rest:owned")),
        ]

    assert _admit_all(gate, [_message("rest:owned", _identity("C1"))], agent=agent) == ["ok"]
    owner_reads.clear()
    expected = [None, Verdict("other_customer"), Verdict("signed_out")]
    assert asyncio.run(screens(agent)) == expected
    assert owner_reads == []  # owners never change, so the one this process saw is kept
    # Another process (a second replica) reads it once, then keeps it too.
    replica = SafeSQLTrackerStore(db=str(tmp_path / "tracker.db"), domain=domain)
    sa.event.listen(replica.engine, "before_cursor_execute", count)
    try:
        second = Agent(domain=domain, tracker_store=replica)
        assert asyncio.run(screens(second)) == expected
        assert len(owner_reads) == 1
    finally:
        replica.engine.dispose()
