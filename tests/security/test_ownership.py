"""A conversation belongs to its first verified customer, on every path spelling.

Customer A (C001) is shown an offer on sender S. Then another customer's token,
no token, and broken, expired or forged tokens on S, sent to every spelling of
the REST route with several methods: each is refused with 403 and an error
(or 404/405 where nothing is routed), shows nothing of A's, and "yes please"
records no accept and adds nothing to anyone's cart. A's own "yes please"
afterwards does, which shows the refusals were what stopped it.
"""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tactful.identity import issue_token
from tactful.settings import DEFAULT_CONTACT
from tests.support.assistant import Assistant, texts
from tests.support.security import REST_PATH, request, rest
from tests.support.security_stores import (
    cart_items,
    product_name,
    purchased_product_names,
    tracker_store_down,
)
from tests.support.shop import offer_events, order_ids_of

pytestmark = pytest.mark.e2e

HANDLED = [REST_PATH, REST_PATH + "/", REST_PATH + "?x=1", REST_PATH + "//"]
UNROUTED = ["/" + REST_PATH, REST_PATH.upper()]
OTHER_METHODS = ["GET", "PUT", "HEAD"]
INTRUDER_TEXTS = ["yes please", "/accept_offer", "where is my order?", "what did I buy?"]


def _intruders(assistant: Assistant) -> dict[str, dict[str, Any]]:
    alices_claim = {"customer_id": "C001", "cart_id": None, "expires_at": 9_999_999_999}
    return {
        "other-customer": {"customer_token": assistant.token("C005")},
        "no-token": {},
        "garbage-token": {"customer_token": "not-a-jwt"},
        "expired-own-token": {"customer_token": assistant.token("C001", ttl=-120)},
        "wrong-secret": {"customer_token": issue_token("C001", "another-secret-that-is-long-enough-0123")},
        "alg-none": {"customer_token": "eyJhbGciOiJub25lIn0.eyJzdWIiOiJDMDAxIn0."},
        "forged-identity": {"tactful_identity": alices_claim},
    }


def _accepts(assistant: Assistant, customer: str) -> int:
    return len(offer_events(assistant.shop_db_url, customer, "accepted"))


def test_nobody_but_its_customer_can_read_or_accept_a_pending_offer(store_assistant: Assistant) -> None:
    assistant = store_assistant
    shop = assistant.shop_db_url
    sender = f"owned-{uuid.uuid4().hex[:12]}"
    assistant.say(sender, "hi", customer="C001")
    shown = assistant.say(sender, "where is my order?", customer="C001")
    buttons = [b["payload"] for m in shown for b in m.get("buttons") or []]
    assert buttons == ["/accept_offer", "/decline_offer"], shown
    (impression,) = [
        e for e in offer_events(shop, "C001", "impression") if sender in (e.conversation_id or "")
    ]
    offered = product_name(shop, impression.target_sku)
    alices = [*order_ids_of(shop, "C001"), *purchased_product_names(shop, "C001"), offered]
    assert all(secret in texts(shown) for secret in (order_ids_of(shop, "C001")[0], offered))

    before = {
        "accepts": (_accepts(assistant, "C001"), _accepts(assistant, "C005")),
        "carts": (cart_items(shop, "C001"), cart_items(shop, "C005")),
        "events": len(offer_events(shop, "C005")),
    }
    refused = 0
    for label, metadata in _intruders(assistant).items():
        for text in INTRUDER_TEXTS:
            body = {"sender": sender, "message": text, "metadata": metadata}
            for method, path in [("POST", p) for p in HANDLED + UNROUTED] + [
                (m, REST_PATH) for m in OTHER_METHODS
            ]:
                reply = request(assistant.rasa_url, method, path, body)
                where = (label, text, method, path, reply)
                if method == "POST" and path in HANDLED:
                    assert reply.status == 403, where
                    assert "belongs to" in reply.json()["error"], where
                    refused += 1
                else:
                    assert reply.status in (404, 405), where
                assert not [secret for secret in alices if secret in reply.text], where
    assert refused == len(HANDLED) * len(INTRUDER_TEXTS) * len(_intruders(assistant))

    after = {
        "accepts": (_accepts(assistant, "C001"), _accepts(assistant, "C005")),
        "carts": (cart_items(shop, "C001"), cart_items(shop, "C005")),
        "events": len(offer_events(shop, "C005")),
    }
    assert after == before
    user_texts = [e["text"] for e in assistant.tracker(sender)["events"] if e.get("event") == "user"]
    assert user_texts == ["hi", "where is my order?"], "a refused message reached the conversation"

    # The control: A's own "yes please" is accepted, once, into A's cart.
    accepted = assistant.say(sender, "yes please", customer="C001")
    assert _accepts(assistant, "C001") == before["accepts"][0] + 1, accepted
    assert impression.target_sku in [sku for sku, _ in cart_items(shop, "C001")]
    assert cart_items(shop, "C005") == before["carts"][1]


# -- two first messages racing -------------------------------------------------------------------


def test_two_customers_racing_for_a_new_conversation_never_see_each_others_orders(
    main_assistant: Assistant,
) -> None:
    assistant = main_assistant
    shop = assistant.shop_db_url
    orders = {customer: order_ids_of(shop, customer) for customer in ("C001", "C004")}
    tokens = {customer: assistant.token(customer) for customer in orders}
    statuses: list[int] = []
    for _ in range(8):
        sender = f"race-{uuid.uuid4().hex[:12]}"
        barrier = threading.Barrier(2)

        def send(
            customer: str, sender: str = sender, barrier: threading.Barrier = barrier
        ) -> tuple[str, Any]:
            body = {
                "sender": sender,
                "message": "where is my order?",
                "metadata": {"customer_token": tokens[customer]},
            }
            barrier.wait(timeout=10)
            return customer, rest(assistant.rasa_url, body)

        with ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(send, orders))
        for customer, reply in results:
            other = "C004" if customer == "C001" else "C001"
            assert reply.status in (200, 403), reply
            assert not [order for order in orders[other] if order in reply.text], (customer, reply)
            statuses.append(reply.status)
    assert statuses.count(200) >= 8, statuses  # each race has a winner


# -- while the tracker store is down ----------------------------------------------------------


def _owned_conversation(assistant: Assistant) -> str:
    sender = f"outage-{uuid.uuid4().hex[:12]}"
    assert assistant.say(sender, "hi", customer="C011")
    return sender


def test_a_tracker_store_outage_answers_everyone_and_ownership_holds_afterwards(
    store_assistant: Assistant,
) -> None:
    assistant = store_assistant
    sender = _owned_conversation(assistant)
    others = {"customer_token": assistant.token("C005")}
    kens = order_ids_of(assistant.shop_db_url, "C011")
    owner = {"customer_token": assistant.token("C011")}
    with tracker_store_down(assistant.env["TACTFUL_TRACKER_DB"]):
        for metadata in (others, {}, owner):
            body = {"sender": sender, "message": "where is my order?", "metadata": metadata}
            reply = rest(assistant.rasa_url, body)
            assert reply.status < 500, reply
            assert reply.status != 200 or reply.json(), "an answered message says something"
            if metadata is not owner:
                assert not [order for order in kens if order in reply.text], reply
    after = rest(assistant.rasa_url, {"sender": sender, "message": "where is my order?", "metadata": others})
    assert after.status == 403, after
    own = rest(assistant.rasa_url, {"sender": sender, "message": "where is my order?", "metadata": owner})
    assert own.status == 200 and any(order in own.text for order in kens), own


def test_while_the_tracker_store_is_down_another_customer_is_refused_or_told_so(
    store_assistant: Assistant,
) -> None:
    assistant = store_assistant
    sender = _owned_conversation(assistant)
    body = {
        "sender": sender,
        "message": "where is my order?",
        "metadata": {"customer_token": assistant.token("C005")},
    }
    with tracker_store_down(assistant.env["TACTFUL_TRACKER_DB"]):
        reply = rest(assistant.rasa_url, body)
    refused = reply.status == 403
    apologised = reply.status == 200 and all(DEFAULT_CONTACT in m["text"] for m in reply.json())
    assert refused or apologised, reply
