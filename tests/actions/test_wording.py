"""How orders and products read in the assistant's sentences (real store, demo data)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from actions.orders import ActionCancelOrder, ActionOrderStatus
from actions.wording import describe_order, looks_like_code
from tactful.demo.catalog import BY_SKU, PRODUCTS
from tactful.services import support
from tactful.services.clock import utcnow
from tactful.store.models import Product
from tactful.store.unit_of_work import uow_for
from tests.actions.conftest import make_tracker, run_action, said
from tests.support.shop import order_ids_of

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_a_plan_reads_as_a_subscription_without_nested_parentheses(shop: str) -> None:
    messages, _ = run_action(ActionOrderStatus(), make_tracker("where is my order?", "order_status", "C006"))
    text = said(messages)
    plan = order_ids_of(shop, "C006")[0]
    assert f"Order {plan} (PhotoCloud Basic plan) is a subscription that started on" in text
    assert "delivered" not in text
    assert not re.search(r"\([^()]*\(", text), text


def test_a_stored_short_name_is_used_in_sentences(shop: str) -> None:
    with uow_for(shop) as work:
        product = work.session.get(Product, "CAM-X100")
        assert product is not None
        product.short_name = BY_SKU["CAM-X100"].short_name
        work.commit()
    (order,) = support.recent_orders(lambda: uow_for(shop), "C001", utcnow())
    assert describe_order(order).startswith(f"Order {order.id} (1 × Aurora X100) was delivered on")
    # The names the order was placed with stay for the agent's summary.
    assert order.items == (("Aurora X100 camera", 1),)


def test_a_delivered_order_is_not_already_delivered_or_cancellable(shop: str) -> None:
    alice = order_ids_of(shop, "C001")[0]
    messages, _ = run_action(
        ActionCancelOrder(), make_tracker(f"cancel order {alice}", "cancel_order", "C001")
    )
    text = said(messages)
    assert f"Order {alice} was delivered on" in text and "can't be cancelled" in text
    assert "return it within 30 days" in text
    assert "already delivered" not in text and "once it arrives" not in text


def test_a_placed_order_says_placed_once(shop: str) -> None:
    messages, _ = run_action(ActionOrderStatus(), make_tracker("where is my order?", "order_status", "C011"))
    text = said(messages)
    assert "was placed on" in text and "is being prepared" in text
    assert text.count("placed") == 1, text


def test_every_demo_product_has_a_short_name_that_is_shorter_and_plain() -> None:
    for product in PRODUCTS:
        assert product.short_name, product.sku
        assert len(product.short_name) <= len(product.name), product.sku
        assert "(" not in product.short_name, product.sku


def test_offer_templates_do_not_repeat_the_word_before_a_demo_product_name() -> None:
    # "A spare {target_name}" with a product called "... spare battery" said "spare" twice.
    policy = yaml.safe_load((REPO_ROOT / "policy.yml").read_text(encoding="utf-8"))
    checked = 0
    for offer in policy["offers"]:
        sku = (offer.get("target") or {}).get("sku")
        if sku not in BY_SKU:
            continue
        templates = [offer.get("message")] + [v.get("message") for v in offer.get("variants") or []]
        for template in filter(None, templates):
            for word in re.findall(r"(\w+) \{target_name\}", template):
                if word.lower() in ("the", "a", "an", "your", "add"):
                    continue
                checked += 1
                for name in (BY_SKU[sku].name, BY_SKU[sku].short_name):
                    assert word.lower() not in name.lower().split(), (offer["id"], name)
    assert checked, "no template puts a word before {target_name}; the test checks nothing"


def test_code_is_told_apart_from_customer_words() -> None:
    for code in ("'; DROP TABLE orders;--", "SELECT * FROM orders", "1 OR 1=1", "<script>alert(1)</script>"):
        assert looks_like_code(code), code
    for words in (
        "where is my order?",
        "can I select a colour from the list",
        "please update the delivery address from my account",
        "I want to drop the order from my cart",
        "it's late; really late",
        "order #536365",
    ):
        assert not looks_like_code(words), words
