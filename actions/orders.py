"""Order status, delivery problems and cancellations."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from actions import runtime
from actions.base import TactfulAction, add_open_issue
from actions.offering import ReplyOutcome, maybe_offer
from actions.replies import Reply
from actions.turn import Turn
from actions.wording import SIGN_IN_NEEDED, describe_order
from tactful.services import support
from tactful.services.aio import run_blocking
from tactful.services.clock import utcnow
from tactful.services.matching import order_references

NOT_FOUND_ON_ACCOUNT = "I couldn't find order {ref} on your account. Could you check the number?"


class ActionOrderStatus(TactfulAction):
    requires_customer = True
    action_name = "action_order_status"

    async def handle(
        self, turn: Turn, tracker: Tracker, reply: Reply, offer_reply: ReplyOutcome
    ) -> list[EventType]:
        assert turn.customer_id is not None
        now = utcnow()
        references = order_references(turn.text)
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
        if any(order.late for order in orders):
            reply.say("I'm sorry it's late. Tell me if you'd like me to report a delivery problem.")
            events.append(add_open_issue(tracker, "delivery"))
        # Always ask the engine, so a "no offer" (here: the late delivery) is logged too.
        return events + await maybe_offer(turn, tracker, reply, "resolved_request")


class ActionDeliveryProblem(TactfulAction):
    action_name = "action_delivery_problem"

    async def handle(
        self, turn: Turn, tracker: Tracker, reply: Reply, offer_reply: ReplyOutcome
    ) -> list[EventType]:
        events: list[EventType] = [
            add_open_issue(tracker, "delivery"),
            SlotSet("last_topic", "delivery_problem"),
        ]
        if turn.customer_id is None:
            reply.say(f"I'm sorry about that. {SIGN_IN_NEEDED} {runtime.settings().support_contact}")
            return events
        references = order_references(turn.text)
        order_id = references[0] if references else None
        now = utcnow()
        if order_id is None:
            recent = await run_blocking(support.recent_orders, runtime.new_uow, turn.customer_id, now, 1)
            order_id = recent[0].id if recent else None
        await run_blocking(
            support.report_problem,
            runtime.new_uow,
            turn.customer_id,
            "delivery",
            turn.conversation_id,
            turn.text,
            order_id,
            now,
        )
        about = f" about order {order_id}" if order_id else ""
        reply.say(
            f"I'm sorry about that. I've logged a delivery problem{about} and our team will"
            " get back to you within one working day. If the parcel is damaged or items are"
            " missing, you won't need to pay for a replacement or return."
        )
        return events


class ActionCancelOrder(TactfulAction):
    requires_customer = True
    action_name = "action_cancel_order"

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
            reply.say(
                f"Order {order.id} has already {'shipped' if order.status == 'shipped' else order.status}, so it can't be cancelled. You can return it once it arrives."
            )
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
