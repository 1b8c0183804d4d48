"""Return policy and starting a return."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from actions import runtime
from actions.base import TactfulAction, add_open_issue
from actions.offering import ReplyOutcome, maybe_offer
from actions.replies import Reply
from actions.turn import Turn
from actions.wording import SIGN_IN_NEEDED
from tactful.services import support
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
        result = await run_blocking(
            support.start_return,
            runtime.new_uow,
            turn.customer_id,
            references[0] if references else None,
            turn.text[:300],
            utcnow(),
        )
        order_id = result.order.id if result.order else (references[0] if references else "")
        messages = {
            "started": f"I've started a return for order {order_id}. You'll get a free return label by email; your refund follows within 5 working days of us receiving the item.",
            "already_open": f"A return for order {order_id} is already open. You'll get an update by email when we receive the item.",
            "not_eligible": f"Order {order_id} can't be returned online: returns are open for {support.RETURN_WINDOW_DAYS} days after delivery. Our support team can help with exceptions.",
            "not_found": f"I couldn't find order {order_id} on your account. Could you check the number?",
            "no_orders": "I don't see a delivered order on your account that could be returned.",
        }
        reply.say(messages[result.outcome])
        return events
