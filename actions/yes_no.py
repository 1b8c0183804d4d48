"""Generic yes / no answers to the question the assistant asked last."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from actions.base import TactfulAction
from actions.offering import ReplyOutcome
from actions.orders import confirm_cancel
from actions.replies import Reply
from actions.turn import Turn


def _pending_question(tracker: Tracker) -> dict | None:
    value = tracker.get_slot("pending_question")
    return value if isinstance(value, dict) else None


class ActionAffirm(TactfulAction):
    action_name = "action_affirm"

    async def handle(
        self, turn: Turn, tracker: Tracker, reply: Reply, offer_reply: ReplyOutcome
    ) -> list[EventType]:
        question = _pending_question(tracker)
        if question and question.get("kind") == "cancel_order" and turn.customer_id:
            return await confirm_cancel(turn, reply, str(question.get("order_id")))
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
        if offer_reply.kind is None:
            reply.say("Okay. Is there anything else I can help with?")
        return []
