"""Offer controls the customer can use at any time."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType

from actions.base import TactfulAction
from actions.offering import ReplyOutcome, set_offers_consent
from actions.replies import Reply
from actions.turn import Turn
from tactful.replies import classify_consent_request

NOT_AN_OPT_OUT = 'Okay. If you\'d like me to stop suggesting products, say "stop suggesting things". What can I help you with?'


NOT_AN_OPT_IN = 'Nothing changed. If you\'d like suggestions again, say "you can suggest things again". What can I help you with?'


class ActionStopOffers(TactfulAction):
    """Opts out only on words about suggestions or offers (the NLU intent alone is not enough)."""

    action_name = "action_stop_offers"
    reads_consent_in_passing = False

    async def handle(
        self, turn: Turn, tracker: Tracker, reply: Reply, offer_reply: ReplyOutcome
    ) -> list[EventType]:
        if classify_consent_request(turn.text) == "opt_out":
            await set_offers_consent(turn, reply, opted_in=False)
        else:
            reply.say(NOT_AN_OPT_OUT)
        return []


class ActionResumeOffers(TactfulAction):
    action_name = "action_resume_offers"
    reads_consent_in_passing = False
    requires_customer = True
    anonymous_reply = "Suggestions are only for signed-in customers. Please sign in first."

    async def handle(
        self, turn: Turn, tracker: Tracker, reply: Reply, offer_reply: ReplyOutcome
    ) -> list[EventType]:
        # The words decide, not the NLU intent alone: "I never want to see a
        # suggestion again" must never turn suggestions back on.
        choice = classify_consent_request(turn.text)
        if choice == "opt_out":
            await set_offers_consent(turn, reply, opted_in=False)
        elif choice == "opt_in" or turn.text.strip().lower() in (
            "/resume_offers",
            "/start_offers",
            "/opt_in",
        ):
            await set_offers_consent(turn, reply, opted_in=True)
        else:
            reply.say(NOT_AN_OPT_IN)
        return []


class ActionWhyOffer(TactfulAction):
    action_name = "action_why_offer"

    async def handle(
        self, turn: Turn, tracker: Tracker, reply: Reply, offer_reply: ReplyOutcome
    ) -> list[EventType]:
        # A pending offer's reason is given by the base action; here none is open.
        reply.say(
            "I haven't suggested anything right now. When I do, it's based on what you bought or have in your cart, and it's always optional."
        )
        return []


class ActionOfferResponse(TactfulAction):
    action_name = "action_offer_response"

    async def handle(
        self, turn: Turn, tracker: Tracker, reply: Reply, offer_reply: ReplyOutcome
    ) -> list[EventType]:
        if offer_reply.kind is None:
            reply.say(
                "There's no suggestion open right now, so nothing was changed. What can I help you with?"
            )
        return []
