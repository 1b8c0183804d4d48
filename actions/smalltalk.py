"""Greetings, thanks, goodbyes, "are you a bot?" and out-of-scope requests."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType

from actions.base import TactfulAction
from actions.offering import ReplyOutcome
from actions.replies import Reply
from actions.turn import Turn

RESPONSES = {
    "greet": "utter_greet",
    "goodbye": "utter_goodbye",
    "thanks": "utter_thanks",
    "bot_challenge": "utter_bot_challenge",
    "out_of_scope": "utter_out_of_scope",
}


class ActionSmalltalk(TactfulAction):
    action_name = "action_smalltalk"

    async def handle(
        self, turn: Turn, tracker: Tracker, reply: Reply, offer_reply: ReplyOutcome
    ) -> list[EventType]:
        reply.template(RESPONSES.get(turn.intent or "", "utter_out_of_scope"))
        return []
