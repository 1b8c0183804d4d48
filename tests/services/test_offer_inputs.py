"""Engine inputs across processes: stored co-purchase rules, no mining in any
process, and a ranking cache that survives answers while the customer's caps,
cooldowns and declines are still read fresh. Real demo store, SQLite and
PostgreSQL."""

from __future__ import annotations

import logging
import random
import threading
from datetime import datetime, timedelta

import pytest

from tactful.engine.model import ArmStats, ConversationContext, CoPurchaseRule, Decision
from tactful.services.offer_inputs import OfferInputs
from tactful.services.offers import OfferService, offer_to_slot
from tactful.services.policy_provider import PolicyProvider
from tactful.store.unit_of_work import uow_for
from tests.support.roots import fresh_root
from tests.support.servers import REPO_ROOT
from tests.support.shop import offer_events

RULE = CoPurchaseRule("CAM-X100", "TRIPOD-T1", 0.2, 0.6, 2.5)


def _policy() -> PolicyProvider:
    return PolicyProvider(REPO_ROOT / "policy.yml")


def _service(url: str) -> OfferService:
    return OfferService(lambda: uow_for(url), _policy(), rng=random.Random(3))


def _context(conversation: str, customer_id: str = "C001") -> ConversationContext:
    return ConversationContext(
        customer_id=customer_id,
        conversation_id=conversation,
        channel="rest",
        stage="support",
        user_turns=2,
        moment="resolved_request",
    )


def _decide(service: OfferService, conversation: str, at: datetime) -> Decision:
    return service.decide_and_record(_context(conversation), at)


def _store(url: str, rules: list[CoPurchaseRule]) -> None:
    with uow_for(url) as work:
        work.mined_rules.replace(rules, datetime.utcnow(), 11)
        work.commit()


def _load(inputs: OfferInputs, url: str) -> list[CoPurchaseRule]:
    policy = _policy().get()
    assert policy is not None
    with uow_for(url) as work:
        return inputs.load(work, policy)[2]


def test_processes_read_the_stored_rules(demo_db_url: str) -> None:
    _store(demo_db_url, [RULE])
    assert _load(OfferInputs(), demo_db_url) == [RULE]


def test_a_new_set_is_read_once_the_cache_expires(demo_db_url: str) -> None:
    inputs = OfferInputs(rules_ttl_seconds=0)
    _store(demo_db_url, [RULE])
    assert _load(inputs, demo_db_url) == [RULE]
    _store(demo_db_url, [])
    assert _load(inputs, demo_db_url) == []


def test_without_stored_rules_offers_work_and_one_warning_says_what_to_run(
    demo_db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    inputs = OfferInputs(rules_ttl_seconds=0)
    with caplog.at_level(logging.WARNING, logger="tactful.services.offer_inputs"):
        assert _load(inputs, demo_db_url) == []
        assert _load(inputs, demo_db_url) == []
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "run `python -m tactful mine`" in warnings[0]
    decision = _decide(
        OfferService(lambda: uow_for(demo_db_url), _policy(), inputs=inputs), "c-1", datetime.utcnow()
    )
    assert decision.offer is not None


def test_no_process_starts_a_mining_thread(demo_db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TACTFUL_SHOP_DB_URL", demo_db_url)
    monkeypatch.setenv("TACTFUL_POLICY_FILE", str(REPO_ROOT / "policy.yml"))
    before = set(threading.enumerate())
    with fresh_root() as root:
        now = datetime.utcnow()
        assert root.offers.decide_and_record(_context("c-threads"), now).offer is not None
        root.agent_offers.advise(_context("c-agent", "C006"), now)
        started = set(threading.enumerate()) - before
    assert not started, f"threads started by the offer services: {sorted(t.name for t in started)}"


def test_the_ranking_cache_survives_an_accept_and_counts_it(demo_db_url: str) -> None:
    service = _service(demo_db_url)
    now = datetime.utcnow()
    shown = _decide(service, "c-accept", now).offer
    assert shown is not None
    arm = (shown.offer_id, shown.variant_id)
    before = service.inputs.arms.cached()
    assert before is not None
    outcome = service.record_response("C001", offer_to_slot(shown), "accepted", "rest", "c-accept", now)
    assert outcome is not None and outcome.status == "added"
    after = service.inputs.arms.cached()
    assert after is not None, "an accept must not empty the ranking cache"
    old = before.get(arm, ArmStats())
    assert after[arm] == ArmStats(old.accepts + 1, old.declines)


def test_a_decline_stops_the_offer_at_once_while_the_cache_lives_on(demo_db_url: str) -> None:
    service = _service(demo_db_url)
    now = datetime.utcnow()
    shown = _decide(service, "c-decline-1", now).offer
    assert shown is not None
    assert (
        service.record_response("C001", offer_to_slot(shown), "declined", "rest", "c-decline-1", now) is None
    )
    arms = service.inputs.arms.cached()
    assert arms is not None and arms[(shown.offer_id, shown.variant_id)].declines >= 1
    # The next conversation, a minute later: the declined offer (every variant)
    # and its category stay away, read fresh from the store under the lock.
    later = _decide(service, "c-decline-2", now + timedelta(minutes=1))
    assert later.offer is None or (
        later.offer.offer_id != shown.offer_id and later.offer.category != shown.category
    )
    # Two impressions in seven days at most, however warm the cache.
    _decide(service, "c-decline-3", now + timedelta(minutes=2))
    assert _decide(service, "c-decline-4", now + timedelta(minutes=3)).offer is None
    impressions = offer_events(demo_db_url, "C001", "impression")
    assert len([e for e in impressions if e.at >= now - timedelta(seconds=1)]) <= 2


def test_one_offer_per_conversation_with_a_warm_cache(demo_db_url: str) -> None:
    service = _service(demo_db_url)
    now = datetime.utcnow()
    assert _decide(service, "c-once", now).offer is not None
    assert _decide(service, "c-once", now + timedelta(seconds=30)).offer is None
