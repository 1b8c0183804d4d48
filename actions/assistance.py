"""Fallbacks, frustration, complaints, payment problems and asking for a person."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from actions.base import TactfulAction, add_open_issue
from actions.offering import ReplyOutcome
from actions.replies import Reply
from actions.turn import Turn

CONTACT = "You can reach our support team at support@example.com or 0800 123 4567 (Mon–Fri, 9am–6pm)."


class ActionHumanHandoff(TactfulAction):
    action_name = "action_human_handoff"

    async def handle(
        self, turn: Turn, tracker: Tracker, reply: Reply, offer_reply: ReplyOutcome
    ) -> list[EventType]:
        reply.say(f"Of course. {CONTACT}")
        return [SlotSet("handoff_state", "requested")]


class ActionFrustrated(TactfulAction):
    action_name = "action_frustrated"

    async def handle(
        self, turn: Turn, tracker: Tracker, reply: Reply, offer_reply: ReplyOutcome
    ) -> list[EventType]:
        reply.say(
            f"I'm sorry this isn't going well. {CONTACT} Or tell me in a few words what you need and I'll do my best."
        )
        return [SlotSet("frustrated", True)]


class ActionComplaint(TactfulAction):
    action_name = "action_complaint"

    async def handle(
        self, turn: Turn, tracker: Tracker, reply: Reply, offer_reply: ReplyOutcome
    ) -> list[EventType]:
        reply.say(f"I'm sorry to hear that. I've noted your complaint. {CONTACT} They'll make it right.")
        return [add_open_issue(tracker, "complaint"), SlotSet("frustrated", True)]


class ActionPaymentProblem(TactfulAction):
    action_name = "action_payment_problem"

    async def handle(
        self, turn: Turn, tracker: Tracker, reply: Reply, offer_reply: ReplyOutcome
    ) -> list[EventType]:
        reply.say(
            "Sorry about that. If a payment failed, no money was taken; a pending charge disappears within"
            f" 3 working days. If you were charged twice, we refund the duplicate. {CONTACT}"
        )
        return [add_open_issue(tracker, "payment")]


class ActionFallback(TactfulAction):
    action_name = "action_fallback"

    async def handle(
        self, turn: Turn, tracker: Tracker, reply: Reply, offer_reply: ReplyOutcome
    ) -> list[EventType]:
        if turn.consecutive_fallbacks >= 2:
            reply.say(f"I'm still not getting it, sorry. {CONTACT}")
            return [SlotSet("handoff_state", "requested")]
        reply.say(
            "Sorry, I didn't quite get that. I can help with order status, deliveries, returns,"
            " cancellations, products, your cart, shipping and payments."
        )
        return []
