"""Support actions against a real demo database."""

from __future__ import annotations

from actions.catalog import ActionCompatibility, ActionProductQuestion
from actions.checkout import ActionCartQuestion, ActionShippingInfo
from actions.delivery import ActionDeliveryProblem
from actions.orders import ActionCancelOrder, ActionOrderStatus
from actions.returns import ActionStartReturn
from actions.smalltalk import ActionSmalltalk
from actions.yes_no import ActionAffirm, ActionDeny
from tactful.store.unit_of_work import uow_for
from tests.actions.conftest import make_tracker, run_action, said, slot_events
from tests.support.shop import order_ids_of


def test_order_status_lists_the_customers_own_orders(shop: str) -> None:
    messages, _ = run_action(ActionOrderStatus(), make_tracker("where is my order?", "order_status", "C001"))
    text = said(messages)
    assert order_ids_of(shop, "C001")[0] in text
    assert "Aurora X100" in text


def test_order_status_without_identity_reveals_nothing(shop: str) -> None:
    messages, _ = run_action(ActionOrderStatus(), make_tracker("where is my order?", "order_status"))
    text = said(messages)
    assert "signed in" in text
    for customer in ("C001", "C004", "C011"):
        for order_id in order_ids_of(shop, customer):
            assert order_id not in text


def test_slots_cannot_impersonate_a_customer(shop: str) -> None:
    tracker = make_tracker("where is my order?", "order_status", slots={"customer_id": "C001"})
    messages, _ = run_action(ActionOrderStatus(), tracker)
    assert "signed in" in said(messages)


def test_someone_elses_order_number_looks_like_a_missing_one(shop: str) -> None:
    dans = order_ids_of(shop, "C004")[0]
    theirs, _ = run_action(
        ActionOrderStatus(), make_tracker(f"status of order {dans}", "order_status", "C001")
    )
    missing, _ = run_action(
        ActionOrderStatus(), make_tracker("status of order 8888888", "order_status", "C001")
    )
    assert said(theirs).replace(dans, "N") == said(missing).replace("8888888", "N")


def test_late_delivery_is_reported_as_late_and_opens_an_issue(shop: str) -> None:
    messages, events = run_action(
        ActionOrderStatus(), make_tracker("where is my order?", "order_status", "C004")
    )
    assert "late" in said(messages)
    assert "delivery" in slot_events(events)["open_issues"]


def test_delivery_problem_is_recorded(shop: str) -> None:
    messages, events = run_action(
        ActionDeliveryProblem(), make_tracker("my parcel arrived damaged", "delivery_problem", "C001")
    )
    assert "logged a delivery problem" in said(messages)
    assert slot_events(events)["open_issues"] == ["delivery"]


def test_cancel_asks_first_then_cancels_on_yes(shop: str) -> None:
    order_id = order_ids_of(shop, "C011")[0]
    messages, events = run_action(
        ActionCancelOrder(), make_tracker("cancel my order", "cancel_order", "C011")
    )
    assert "Do you want me to cancel it?" in said(messages)
    assert messages[-1]["buttons"][0]["payload"] == "/affirm"
    question = slot_events(events)["pending_question"]
    assert question == {"kind": "cancel_order", "order_id": order_id}
    messages, _ = run_action(
        ActionAffirm(), make_tracker("yes", "affirm", "C011", slots={"pending_question": question})
    )
    assert f"Order {order_id} is cancelled" in said(messages)
    again, _ = run_action(
        ActionCancelOrder(), make_tracker(f"cancel order {order_id}", "cancel_order", "C011")
    )
    assert "can't be cancelled" in said(again)


def test_no_keeps_the_order(shop: str) -> None:
    order_id = order_ids_of(shop, "C011")[0]
    question = {"kind": "cancel_order", "order_id": order_id}
    messages, events = run_action(
        ActionDeny(), make_tracker("no", "deny", "C011", slots={"pending_question": question})
    )
    assert "stays as it is" in said(messages)
    assert slot_events(events)["pending_question"] is None


def test_shipped_order_cannot_be_cancelled(shop: str) -> None:
    dans = order_ids_of(shop, "C004")[0]
    messages, _ = run_action(
        ActionCancelOrder(), make_tracker(f"cancel order {dans}", "cancel_order", "C004")
    )
    assert "can't be cancelled" in said(messages)


def test_a_return_without_an_order_number_is_asked_about_then_started_once(shop: str) -> None:
    first, events = run_action(
        ActionStartReturn(), make_tracker("I want to return my order", "start_return", "C001")
    )
    question = slot_events(events)["pending_question"]
    assert question == {"kind": "start_return", "order_id": "D-C001-1"}
    assert "D-C001-1" in said(first) and "Shall I start a return" in said(first)
    assert "started a return" not in said(first)  # nothing starts before the yes
    started, events = run_action(
        ActionAffirm(), make_tracker("yes", "affirm", "C001", slots={"pending_question": question})
    )
    assert "started a return for order D-C001-1" in said(started)
    assert slot_events(events)["pending_question"] is None
    again, _ = run_action(
        ActionStartReturn(), make_tracker("I want to return my order", "start_return", "C001")
    )
    assert "already open" in said(again)


def test_a_return_of_a_product_on_none_of_the_orders_starts_nothing(shop: str) -> None:
    # Alice bought a camera, not headphones: no return may start on the camera's order.
    messages, events = run_action(
        ActionStartReturn(), make_tracker("I want to return my headphones", "start_return", "C001")
    )
    assert "can't find the Studio headphones" in said(messages)
    assert "pending_question" not in slot_events(events)
    with uow_for(shop) as work:
        assert work.returns.open_for_order("D-C001-1") is None


def test_a_no_to_the_return_question_starts_nothing(shop: str) -> None:
    _, events = run_action(ActionStartReturn(), make_tracker("return my camera", "start_return", "C001"))
    question = slot_events(events)["pending_question"]
    assert question["order_id"] == "D-C001-1"
    messages, events = run_action(
        ActionDeny(), make_tracker("no", "deny", "C001", slots={"pending_question": question})
    )
    assert "haven't started a return" in said(messages)
    with uow_for(shop) as work:
        assert work.returns.open_for_order("D-C001-1") is None


def test_product_question_uses_catalog_prices(shop: str) -> None:
    messages, _ = run_action(
        ActionProductQuestion(), make_tracker("how much is the X200 camera", "product_question")
    )
    assert "Aurora X200 camera costs £749.00" in said(messages)


def test_compatibility_with_what_the_customer_owns(shop: str) -> None:
    messages, _ = run_action(
        ActionCompatibility(),
        make_tracker("does the 128 GB card work with my camera?", "compatibility_question", "C001"),
    )
    assert "Yes, the 128 GB SD memory card works with the Aurora X100 camera" in said(messages)


def test_cart_question_reads_the_store_cart(shop: str) -> None:
    messages, _ = run_action(ActionCartQuestion(), make_tracker("what's in my cart", "cart_question", "C010"))
    assert "Aurora X200 camera" in said(messages)
    assert "£749.00" in said(messages)


def test_general_answers_need_no_identity(shop: str) -> None:
    shipping, _ = run_action(ActionShippingInfo(), make_tracker("how much is shipping", "shipping_info"))
    assert "£3.95" in said(shipping)
    greeting, _ = run_action(ActionSmalltalk(), make_tracker("hi", "greet"))
    assert said(greeting).startswith("Hi!")
