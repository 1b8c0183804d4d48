"""Accepting an offer, against the real demo store on SQLite and PostgreSQL.

An accept counts only for the customer the offer was shown to, in the
conversation it was shown in, once; the accept event and its cart line commit
together or not at all.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from tactful.services.offers import UNAVAILABLE, AcceptOutcome, OfferService
from tactful.services.policy_provider import PolicyProvider
from tactful.services.support import cart_for
from tactful.services.views import CartView
from tactful.store.models import OfferEventRow
from tactful.store.unit_of_work import uow_for
from tests.support.servers import REPO_ROOT
from tests.support.shop import offer_events

NOW = datetime(2026, 3, 14, 12, 0, 0)
SHOWN_TO = "C001"
OTHER = "C005"
CONVERSATION = "rest:tester:1700000000"
OFFER = {
    "offer_id": "sd-card-addon",
    "variant_id": "v1",
    "target_sku": "SD-64",
    "target_name": "64 GB SD card",
    "category": "memory",
    "final_price": "19.99",
    "is_subscription": False,
    "link": None,
}


def _service(url: str) -> OfferService:
    return OfferService(lambda: uow_for(url), PolicyProvider(REPO_ROOT / "policy.yml"))


def _show(url: str, customer_id: str = SHOWN_TO, target_sku: str = "SD-64") -> None:
    """The impression a decision writes when it shows OFFER."""
    with uow_for(url) as work:
        work.offer_events.add(
            OfferEventRow(
                customer_id=customer_id,
                kind="impression",
                offer_id=OFFER["offer_id"],
                variant_id=OFFER["variant_id"],
                category=OFFER["category"],
                target_sku=target_sku,
                price=Decimal(OFFER["final_price"]),
                channel="rest",
                conversation_id=CONVERSATION,
                at=NOW,
            )
        )
        work.commit()


def _accept(
    url: str, customer_id: str = SHOWN_TO, offer: dict = OFFER, conversation_id: str = CONVERSATION
) -> AcceptOutcome | None:
    return _service(url).record_response(customer_id, offer, "accepted", "rest", conversation_id, NOW)


def _cart(url: str, customer_id: str) -> CartView:
    return cart_for(lambda: uow_for(url), customer_id)


def test_an_accept_records_the_event_and_fills_the_cart(demo_db_url: str) -> None:
    _show(demo_db_url)
    assert _accept(demo_db_url) == AcceptOutcome("added")
    [accepted] = offer_events(demo_db_url, SHOWN_TO, "accepted")
    assert (accepted.offer_id, accepted.target_sku, accepted.conversation_id) == (
        "sd-card-addon",
        "SD-64",
        CONVERSATION,
    )
    assert [(line.sku, line.quantity) for line in _cart(demo_db_url, SHOWN_TO).lines] == [("SD-64", 1)]


def test_an_accept_whose_cart_write_fails_leaves_neither_event_nor_line(demo_db_url: str) -> None:
    _show(demo_db_url, target_sku="NO-SUCH-SKU")
    with pytest.raises(ValueError, match="unknown product"):
        _accept(demo_db_url, offer={**OFFER, "target_sku": "NO-SUCH-SKU"})
    assert offer_events(demo_db_url, SHOWN_TO, "accepted") == []
    assert _cart(demo_db_url, SHOWN_TO).is_empty


def test_an_accept_by_another_customer_records_and_adds_nothing(demo_db_url: str) -> None:
    _show(demo_db_url, customer_id=SHOWN_TO)
    assert _accept(demo_db_url, customer_id=OTHER) == UNAVAILABLE
    assert offer_events(demo_db_url, OTHER, "accepted") == []
    assert offer_events(demo_db_url, SHOWN_TO, "accepted") == []
    assert _cart(demo_db_url, OTHER).is_empty


def test_a_second_accept_of_the_same_offer_records_nothing_more(demo_db_url: str) -> None:
    _show(demo_db_url)
    assert _accept(demo_db_url) == AcceptOutcome("added")
    assert _accept(demo_db_url) == UNAVAILABLE
    assert len(offer_events(demo_db_url, SHOWN_TO, "accepted")) == 1
    assert [(line.sku, line.quantity) for line in _cart(demo_db_url, SHOWN_TO).lines] == [("SD-64", 1)]


def test_an_accept_after_a_decline_records_nothing(demo_db_url: str) -> None:
    _show(demo_db_url)
    service = _service(demo_db_url)
    assert service.record_response(SHOWN_TO, OFFER, "declined", "rest", CONVERSATION, NOW) is None
    assert _accept(demo_db_url) == UNAVAILABLE
    assert offer_events(demo_db_url, SHOWN_TO, "accepted") == []
    assert _cart(demo_db_url, SHOWN_TO).is_empty


@pytest.mark.parametrize(
    ("offer", "conversation_id"),
    [
        (OFFER, "rest:tester:another-session"),
        ({**OFFER, "variant_id": "v2"}, CONVERSATION),
        ({**OFFER, "offer_id": "never-shown"}, CONVERSATION),
        ({**OFFER, "offer_id": None}, CONVERSATION),
    ],
    ids=["other-conversation", "other-variant", "other-offer", "no-offer-id"],
)
def test_an_accept_of_an_offer_not_shown_here_records_nothing(
    demo_db_url: str, offer: dict, conversation_id: str
) -> None:
    _show(demo_db_url)
    assert _accept(demo_db_url, offer=offer, conversation_id=conversation_id) == UNAVAILABLE
    assert offer_events(demo_db_url, SHOWN_TO, "accepted") == []
    assert _cart(demo_db_url, SHOWN_TO).is_empty


def test_the_accept_records_what_was_shown_not_what_the_slot_claims(demo_db_url: str) -> None:
    _show(demo_db_url)
    forged = {**OFFER, "target_sku": "CAM-X200", "final_price": "0.01", "category": "cameras"}
    assert _accept(demo_db_url, offer=forged) == AcceptOutcome("added")
    [accepted] = offer_events(demo_db_url, SHOWN_TO, "accepted")
    assert (accepted.target_sku, accepted.price, accepted.category) == ("SD-64", Decimal("19.99"), "memory")
    assert [line.sku for line in _cart(demo_db_url, SHOWN_TO).lines] == ["SD-64"]
