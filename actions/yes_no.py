"""Generic yes / no answers to the question the assistant asked last."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from actions.base import NUMBERED_ANSWERS, TactfulAction
from actions.delivery import delivery_question, open_delivery_case
from actions.offering import ReplyOutcome
from actions.orders import confirm_cancel
from actions.replies import Reply
from actions.returns import confirm_return
from actions.turn import Turn


def _pending_question(tracker: Tracker) -> dict[str, Any] | None:
    value = tracker.get_slot("pending_question")
    return value if isinstance(value, dict) else None


async def _delivery_yes(
    turn: Turn, tracker: Tracker, reply: Reply, question: dict[str, Any]
) -> list[EventType]:
    """A yes opens the case only when the question named both the order and the problem."""
    order_id, problem = question.get("order_id"), question.get("problem")
    if order_id and problem:
        return await open_delivery_case(
            turn, tracker, reply, str(order_id), str(problem), str(question.get("detail") or "")
        )
    if order_id:
        reply.say(
            f"What went wrong with order {order_id}: is it late, did something arrive damaged,"
            " is something missing, or did you get the wrong item?"
        )
    else:
        reply.say("Which order is it? Tell me its order number.")
    return [SlotSet("pending_question", {**question, "turn": turn.user_turns})]


class ActionAffirm(TactfulAction):
    action_name = "action_affirm"

    async def handle(
        self, turn: Turn, tracker: Tracker, reply: Reply, offer_reply: ReplyOutcome
    ) -> list[EventType]:
        question = _pending_question(tracker)
        if question and question.get("kind") == "cancel_order" and turn.customer_id:
            return await confirm_cancel(turn, reply, str(question.get("order_id")))
        if question and question.get("kind") == "start_return" and turn.customer_id:
            return await confirm_return(turn, reply, str(question.get("order_id")))
        delivery = delivery_question(tracker, turn)
        if delivery is not None and turn.customer_id:
            return await _delivery_yes(turn, tracker, reply, delivery)
        if offer_reply.kind is None:
            reply.say("Okay! What can I help you with?")
        return []


class ActionDeny(TactfulAction):
    action_name = "action_deny"

    async def handle(
        self, turn: Turn, tracker: Tracker, reply: Reply, offer_reply: ReplyOutcome
    ) -> list[EventType]:
        question = _pending_question(tracker)
        if question and question.get("kind") == "cancel_order":
            reply.say(f"Okay, order {question.get('order_id')} stays as it is.")
            return [SlotSet("pending_question", None)]
        if question and question.get("kind") == "start_return":
            reply.say("Okay, I haven't started a return. If it's another order, tell me its order number.")
            return [SlotSet("pending_question", None)]
        if delivery_question(tracker, turn) is not None:
            reply.say(
                "Okay, I haven't reported anything. If it's about another order, tell me its order"
                " number and what went wrong."
            )
            return [SlotSet("pending_question", None)]
        if offer_reply.kind is None:
            reply.say("Okay. Is there anything else I can help with?")
        return []


NUMBERED_ANSWERS.update({1: ActionAffirm, 2: ActionDeny})
