"""Delivery cases open only once the order and the problem are known (real trackers, real store)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from actions.delivery import ActionDeliveryProblem, problem_in
from actions.orders import ActionCancelOrder, ActionOrderStatus
from actions.returns import ActionStartReturn
from actions.smalltalk import ActionSmalltalk
from actions.wording import DIDNT_GET_IT
from actions.yes_no import ActionAffirm, ActionDeny
from tactful.services import support
from tactful.services.clock import utcnow
from tactful.store.models import SupportCase
from tactful.store.unit_of_work import uow_for
from tests.actions.conftest import make_tracker, run_action, said, slot_events
from tests.support.shop import order_ids_of


def cases(db_url: str, customer_id: str) -> list[SupportCase]:
    with uow_for(db_url) as work:
        query = select(SupportCase).where(SupportCase.customer_id == customer_id).order_by(SupportCase.id)
        return list(work.session.scalars(query))


def delivery_cases(db_url: str, customer_id: str) -> list[SupportCase]:
    return [case for case in cases(db_url, customer_id) if case.kind == "delivery"]


def next_turn(text: str, intent: str, customer: str, question: dict[str, Any] | None, earlier: int) -> Any:
    slots = {"pending_question": question} if question is not None else None
    return make_tracker(text, intent, customer, slots=slots, earlier_user_turns=earlier)


def test_no_orders_means_no_case_and_no_open_issue(shop: str) -> None:
    for text in ("escalate", "my parcel never came", "the box was crushed"):
        messages, events = run_action(ActionDeliveryProblem(), make_tracker(text, "delivery_problem", "C005"))
        assert "don't see any orders" in said(messages), text
        assert "logged" not in said(messages)
        assert "open_issues" not in slot_events(events)
    assert cases(shop, "C005") == []


def test_a_delivered_order_without_a_stated_problem_gets_a_question_not_a_case(shop: str) -> None:
    order_id = order_ids_of(shop, "C001")[0]
    text = "Yes. I want it on Tuesday next week."
    messages, events = run_action(ActionDeliveryProblem(), make_tracker(text, "delivery_problem", "C001"))
    assert "What went wrong" in said(messages) and order_id in said(messages)
    assert "logged" not in said(messages)
    question = slot_events(events)["pending_question"]
    assert (question["order_id"], question["problem"]) == (order_id, None)
    assert delivery_cases(shop, "C001") == []

    # A "yes" to "what went wrong?" says nothing about what went wrong.
    messages, events = run_action(ActionAffirm(), next_turn("yes", "affirm", "C001", question, earlier=2))
    assert "What went wrong with order" in said(messages)
    assert delivery_cases(shop, "C001") == []
    question = slot_events(events)["pending_question"]

    # The answer names the problem: now the case opens, about that order.
    messages, events = run_action(
        ActionDeliveryProblem(), next_turn("the lens was cracked", "delivery_problem", "C001", question, 3)
    )
    assert f"logged a delivery problem about order {order_id}: it arrived damaged" in said(messages)
    (case,) = delivery_cases(shop, "C001")
    assert (case.order_id, case.status) == (order_id, "open")
    assert case.detail == "damaged: the lens was cracked"
    assert slot_events(events)["pending_question"] is None


def test_the_only_order_and_a_stated_problem_open_a_case_once(shop: str) -> None:
    order_id = order_ids_of(shop, "C001")[0]
    tracker = make_tracker("my parcel arrived damaged", "delivery_problem", "C001")
    first, _ = run_action(ActionDeliveryProblem(), tracker)
    assert f"about order {order_id}" in said(first)
    again, _ = run_action(ActionDeliveryProblem(), tracker)
    assert "already an open delivery case" in said(again)
    assert len(delivery_cases(shop, "C001")) == 1


def test_a_late_order_is_reported_after_a_yes(shop: str) -> None:
    order_id = order_ids_of(shop, "C004")[0]
    messages, events = run_action(
        ActionOrderStatus(), make_tracker("where is my order?", "order_status", "C004")
    )
    assert "Shall I report it as a delivery problem?" in said(messages)
    question = slot_events(events)["pending_question"]
    assert (question["order_id"], question["problem"]) == (order_id, "late")
    assert delivery_cases(shop, "C004") == []
    messages, _ = run_action(ActionAffirm(), next_turn("yes please", "affirm", "C004", question, earlier=2))
    assert "it's running late" in said(messages)
    (case,) = delivery_cases(shop, "C004")
    assert case.order_id == order_id


def test_a_yes_to_an_old_question_opens_nothing(shop: str) -> None:
    _, events = run_action(ActionOrderStatus(), make_tracker("where is my order?", "order_status", "C004"))
    question = slot_events(events)["pending_question"]
    # Two turns later (another topic in between), "yes" answers something else.
    messages, _ = run_action(ActionAffirm(), next_turn("yes", "affirm", "C004", question, earlier=3))
    assert "What can I help you with?" in said(messages)
    assert delivery_cases(shop, "C004") == []


def test_stating_the_late_order_opens_it_at_once(shop: str) -> None:
    order_id = order_ids_of(shop, "C004")[0]
    messages, _ = run_action(
        ActionDeliveryProblem(), make_tracker("my order is late", "delivery_problem", "C004")
    )
    assert f"about order {order_id}: it's running late" in said(messages)
    assert len(delivery_cases(shop, "C004")) == 1


def test_an_order_on_time_is_not_late(shop: str) -> None:
    messages, events = run_action(
        ActionDeliveryProblem(), make_tracker("my order hasn't arrived", "delivery_problem", "C011")
    )
    assert "isn't late yet" in said(messages)
    assert slot_events(events)["pending_question"] is None
    assert delivery_cases(shop, "C011") == []


def test_a_delivered_order_that_never_arrived_is_confirmed_first_and_no_keeps_it_closed(shop: str) -> None:
    messages, events = run_action(
        ActionDeliveryProblem(), make_tracker("my parcel never arrived", "delivery_problem", "C001")
    )
    assert "never reached you?" in said(messages)
    assert [b["payload"] for b in messages[-1]["buttons"]] == ["/affirm", "/deny"]
    question = slot_events(events)["pending_question"]
    assert question["problem"] == "not_received"
    messages, events = run_action(ActionDeny(), next_turn("no", "deny", "C001", question, earlier=2))
    assert "haven't reported anything" in said(messages)
    assert slot_events(events)["pending_question"] is None
    assert delivery_cases(shop, "C001") == []


def test_someone_elses_order_number_opens_nothing(shop: str) -> None:
    dans = order_ids_of(shop, "C004")[0]
    messages, _ = run_action(
        ActionDeliveryProblem(), make_tracker(f"order {dans} arrived broken", "delivery_problem", "C001")
    )
    assert f"couldn't find order {dans}" in said(messages)
    assert delivery_cases(shop, "C001") == [] and delivery_cases(shop, "C004") == []


def test_a_subscription_has_no_delivery_to_report(shop: str) -> None:
    plan = order_ids_of(shop, "C006")[0]
    messages, _ = run_action(
        ActionDeliveryProblem(), make_tracker(f"order {plan} is missing", "delivery_problem", "C006")
    )
    assert "no delivery for it" in said(messages)
    assert delivery_cases(shop, "C006") == []


def test_the_service_refuses_a_case_without_order_or_problem(shop: str) -> None:
    def new_uow() -> Any:
        return uow_for(shop)

    now = utcnow()
    alice = order_ids_of(shop, "C001")[0]
    plan = order_ids_of(shop, "C006")[0]
    report = support.report_delivery_problem
    assert report(new_uow, "C001", alice, "", "yes", "c:1", now) == "no_problem"
    assert report(new_uow, "C001", alice, "unhappy", "yes", "c:1", now) == "no_problem"
    assert report(new_uow, "C005", alice, "damaged", "broken", "c:1", now) == "not_found"
    assert report(new_uow, "C006", plan, "missing", "gone", "c:1", now) == "not_deliverable"
    assert report(new_uow, "C001", alice, "damaged", "broken", "c:1", now) == "opened"
    later = now + timedelta(minutes=1)
    assert report(new_uow, "C001", alice, "missing", "and a cable", "c:1", later) == "already_open"
    assert len(delivery_cases(shop, "C001")) == 1 and cases(shop, "C005") == cases(shop, "C006") == []


def test_sql_looking_text_gets_the_fallback_answer_not_order_data(shop: str) -> None:
    text = "'; DROP TABLE orders;--"
    for action, intent in (
        (ActionOrderStatus(), "order_status"),
        (ActionDeliveryProblem(), "delivery_problem"),
        (ActionCancelOrder(), "cancel_order"),
        (ActionStartReturn(), "start_return"),
        (ActionSmalltalk(), "out_of_scope"),
    ):
        messages, events = run_action(action, make_tracker(text, intent, "C001"))
        assert said(messages) == DIDNT_GET_IT, intent
        for order_id in order_ids_of(shop, "C001"):
            assert order_id not in said(messages)
        assert not [event for event in events if event.get("name") in ("pending_question", "open_issues")]
    assert cases(shop, "C001") == []


def test_problem_words() -> None:
    assert problem_in("the box was crushed and it's late") == "damaged"
    assert problem_in("half my order is missing") == "missing"
    assert problem_in("they sent the wrong colour") == "wrong_item"
    assert problem_in("my parcel hasn\u2019t arrived") == "late"
    assert problem_in("what's my latest order") is None
    assert problem_in("Yes. I want it on Tuesday next week.") is None
