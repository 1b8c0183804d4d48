"""Greetings, thanks, goodbyes, "are you a bot?" and out-of-scope requests."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType

from actions.base import TactfulAction
from actions.offering import ReplyOutcome
from actions.replies import Reply
from actions.turn import Turn

RESPONSES = {
    "greet": "Hi! I can help with orders, deliveries, returns, products and your cart. What can I do for you?",
    "goodbye": "Goodbye, and thanks for chatting with us.",
    "thanks": "You're welcome! Anything else I can help with?",
    "bot_challenge": (
        "I'm Tactful, the shop's automated assistant. I can bring in a person from our"
        " support team whenever you like."
    ),
    "out_of_scope": (
        "Sorry, I can't help with that here. I can help with orders, deliveries, returns,"
        " products, your cart, shipping and payments."
    ),
}


class ActionSmalltalk(TactfulAction):
    action_name = "action_smalltalk"
    code_gets_fallback = True

    async def handle(
        self, turn: Turn, tracker: Tracker, reply: Reply, offer_reply: ReplyOutcome
    ) -> list[EventType]:
        reply.say(RESPONSES.get(turn.intent or "", RESPONSES["out_of_scope"]))
        return []
