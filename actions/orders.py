"""Order status, delivery problems and cancellations.

A delivery case is opened only once the assistant knows which order and what
went wrong: the customer named the order or it is their only order the
problem can be about, and they said what happened (late, not received,
damaged, missing, wrong item). Otherwise the assistant asks, and a "yes" to
its question (``actions.yes_no``) opens the case.
"""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from actions import runtime
from actions.base import TactfulAction, add_open_issue
from actions.delivery import NOT_FOUND_ON_ACCOUNT, ActionDeliveryProblem, ask_report, delivery_question
from actions.offering import ReplyOutcome, maybe_offer
from actions.replies import Reply
from actions.turn import Turn
from actions.wording import already, describe_order
from tactful.services import support
from tactful.services.aio import run_blocking
from tactful.services.clock import utcnow
from tactful.services.matching import order_references


class ActionOrderStatus(TactfulAction):
    requires_customer = True
    action_name = "action_order_status"
    code_gets_fallback = True

    async def handle(
        self, turn: Turn, tracker: Tracker, reply: Reply, offer_reply: ReplyOutcome
    ) -> list[EventType]:
        assert turn.customer_id is not None
        now = utcnow()
        references = order_references(turn.text)
        question = delivery_question(tracker, turn)
        if references and question is not None and not question.get("order_id"):
            # The order number answers "which order is it?".
            return await ActionDeliveryProblem().handle(turn, tracker, reply, offer_reply)
        if references:
            order = await run_blocking(
                support.order_for_customer, runtime.new_uow, turn.customer_id, references[0], now
            )
            if order is None:
                reply.say(NOT_FOUND_ON_ACCOUNT.format(ref=references[0]))
                return []
            orders = [order]
        else:
            orders = await run_blocking(support.recent_orders, runtime.new_uow, turn.customer_id, now)
            if not orders:
                reply.say("I don't see any orders on your account yet.")
                return [SlotSet("last_topic", "order_status")]
        for order in orders:
            reply.say(describe_order(order))
        events: list[EventType] = [SlotSet("last_topic", "order_status")]
        late = [order for order in orders if order.late]
        if len(late) == 1:
            # Asked in words: under an order status, buttons are how an offer looks.
            reply.say("I'm sorry it's late. Shall I report it as a delivery problem?")
            events += [add_open_issue(tracker, "delivery"), ask_report(turn, late[0].id, "late", turn.text)]
        elif late:
            reply.say("I'm sorry they're late. Tell me which one to report, by its order number.")
            events.append(add_open_issue(tracker, "delivery"))
        # Always ask the engine, so a "no offer" (here: the late delivery) is logged too.
        return events + await maybe_offer(turn, tracker, reply, "resolved_request")


class ActionCancelOrder(TactfulAction):
    requires_customer = True
    action_name = "action_cancel_order"
    code_gets_fallback = True

    async def handle(
        self, turn: Turn, tracker: Tracker, reply: Reply, offer_reply: ReplyOutcome
    ) -> list[EventType]:
        assert turn.customer_id is not None
        references = order_references(turn.text)
        order = await run_blocking(
            support.cancellable_order,
            runtime.new_uow,
            turn.customer_id,
            references[0] if references else None,
            utcnow(),
        )
        if order is None:
            if references:
                reply.say(NOT_FOUND_ON_ACCOUNT.format(ref=references[0]))
            else:
                reply.say(
                    "I don't see an order that can still be cancelled. Orders can be cancelled until they ship."
                )
            return []
        if order.status != "placed":
            reply.say(already(order))
            return []
        reply.choices(
            f"{describe_order(order)} Do you want me to cancel it?",
            [("Yes, cancel it", "/affirm"), ("No, keep it", "/deny")],
        )
        return [
            SlotSet("pending_question", {"kind": "cancel_order", "order_id": order.id}),
            add_open_issue(tracker, "cancellation"),
        ]


async def confirm_cancel(turn: Turn, reply: Reply, order_id: str) -> list[EventType]:
    """Second step of a cancellation, after an explicit yes."""
    assert turn.customer_id is not None
    outcome = await run_blocking(support.cancel_order, runtime.new_uow, turn.customer_id, order_id, utcnow())
    if outcome == "cancelled":
        reply.say(
            f"Order {order_id} is cancelled. Your refund will reach your original payment method within 5 working days."
        )
    elif outcome == "not_cancellable":
        reply.say(
            f"Order {order_id} has already shipped, so it can't be cancelled any more. You can return it once it arrives."
        )
    else:
        reply.say(NOT_FOUND_ON_ACCOUNT.format(ref=order_id))
    return [SlotSet("pending_question", None)]
