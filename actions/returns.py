"""Return policy and starting a return."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from actions import runtime
from actions.base import TactfulAction, add_open_issue
from actions.offering import ReplyOutcome, maybe_offer
from actions.replies import Reply
from actions.turn import Turn
from actions.wording import SIGN_IN_NEEDED, describe_order
from tactful.services import returns, support
from tactful.services.aio import run_blocking
from tactful.services.clock import utcnow
from tactful.services.matching import order_references

RETURN_POLICY = (
    f"You can return any item within {support.RETURN_WINDOW_DAYS} days of delivery for a full"
    " refund, in its original condition. Returns are free, and refunds reach your original"
    " payment method within 5 working days of us receiving the item."
)


class ActionReturnPolicy(TactfulAction):
    action_name = "action_return_policy"

    async def handle(
        self, turn: Turn, tracker: Tracker, reply: Reply, offer_reply: ReplyOutcome
    ) -> list[EventType]:
        reply.say(RETURN_POLICY + ' Just say "return my order" to start one.')
        return [SlotSet("last_topic", "return_policy")] + await maybe_offer(
            turn, tracker, reply, "resolved_request"
        )


class ActionStartReturn(TactfulAction):
    action_name = "action_start_return"
    code_gets_fallback = True

    async def handle(
        self, turn: Turn, tracker: Tracker, reply: Reply, offer_reply: ReplyOutcome
    ) -> list[EventType]:
        events: list[EventType] = [add_open_issue(tracker, "return"), SlotSet("last_topic", "start_return")]
        if turn.customer_id is None:
            reply.say(RETURN_POLICY + " " + SIGN_IN_NEEDED)
            return events
        references = order_references(turn.text)
        if references:
            return events + await confirm_return(turn, reply, references[0])
        # No order number: find the order it is about and ask before starting anything.
        choice = await run_blocking(
            returns.choose_return_order, runtime.new_uow, turn.customer_id, turn.text, utcnow()
        )
        if choice.outcome == "not_on_orders":
            reply.say(
                f"I can't find the {choice.named} on your delivered orders, so I haven't started a return."
                " Which order is it? Tell me its order number."
            )
        elif choice.outcome == "confirm" and choice.order is not None:
            reply.choices(
                f"{describe_order(choice.order)} Shall I start a return for it?",
                [("Yes, return it", "/affirm"), ("No", "/deny")],
            )
            events.append(SlotSet("pending_question", {"kind": "start_return", "order_id": choice.order.id}))
        else:
            say_return_result(reply, choice.outcome, choice.order.id if choice.order else "")
        return events


async def confirm_return(turn: Turn, reply: Reply, order_id: str) -> list[EventType]:
    """Start the return of ``order_id``: named by the customer, or confirmed with a yes."""
    assert turn.customer_id is not None
    result = await run_blocking(
        returns.start_return, runtime.new_uow, turn.customer_id, order_id, turn.text[:300], utcnow()
    )
    say_return_result(reply, result.outcome, result.order.id if result.order else order_id)
    return [SlotSet("pending_question", None)]


def say_return_result(reply: Reply, outcome: str, order_id: str) -> None:
    messages = {
        "started": f"I've started a return for order {order_id}. You'll get a free return label by email; your refund follows within 5 working days of us receiving the item.",
        "already_open": f"A return for order {order_id} is already open. You'll get an update by email when we receive the item.",
        "not_eligible": f"Order {order_id} can't be returned online: returns are open for {support.RETURN_WINDOW_DAYS} days after delivery. Our support team can help with exceptions.",
        "not_found": f"I couldn't find order {order_id} on your account. Could you check the number?",
        "no_orders": "I don't see a delivered order on your account that could be returned.",
    }
    reply.say(messages[outcome])
