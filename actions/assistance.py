"""Fallbacks, frustration, complaints, payment problems and asking for a person.

Asking for a person ("escalate" and "hand off" included), clear frustration
(the ``frustrated`` intent) and two fallbacks in a row hand the chat to the
helpdesk (see ``actions.handoff``), or, with no helpdesk configured, give the
support contact and carry on.
"""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from actions.base import TactfulAction, add_open_issue
from actions.handoff import hand_over, support_contact
from actions.offering import ReplyOutcome
from actions.replies import Reply
from actions.signals import note_signal
from actions.turn import Turn
from actions.wording import DIDNT_GET_IT
from tactful.store.kinds import FALLBACK

FALLBACKS_BEFORE_HANDOFF = 2


class ActionHumanHandoff(TactfulAction):
    action_name = "action_human_handoff"

    async def handle(
        self, turn: Turn, tracker: Tracker, reply: Reply, offer_reply: ReplyOutcome
    ) -> list[EventType]:
        return await hand_over(turn, tracker, reply, "requested")


class ActionFrustrated(TactfulAction):
    action_name = "action_frustrated"

    async def handle(
        self, turn: Turn, tracker: Tracker, reply: Reply, offer_reply: ReplyOutcome
    ) -> list[EventType]:
        reply.say("I'm sorry this isn't going well.")
        return [SlotSet("frustrated", True), *await hand_over(turn, tracker, reply, "frustration")]


class ActionComplaint(TactfulAction):
    action_name = "action_complaint"

    async def handle(
        self, turn: Turn, tracker: Tracker, reply: Reply, offer_reply: ReplyOutcome
    ) -> list[EventType]:
        reply.say(
            f"I'm sorry to hear that. I've noted your complaint. {support_contact()} They'll make it right."
        )
        return [add_open_issue(tracker, "complaint"), SlotSet("frustrated", True)]


class ActionPaymentProblem(TactfulAction):
    action_name = "action_payment_problem"

    async def handle(
        self, turn: Turn, tracker: Tracker, reply: Reply, offer_reply: ReplyOutcome
    ) -> list[EventType]:
        reply.say(
            "Sorry about that. If a payment failed, no money was taken; a pending charge disappears within"
            f" 3 working days. If you were charged twice, we refund the duplicate. {support_contact()}"
        )
        return [add_open_issue(tracker, "payment")]


class ActionFallback(TactfulAction):
    action_name = "action_fallback"
    routes_by_words = True

    async def handle(
        self, turn: Turn, tracker: Tracker, reply: Reply, offer_reply: ReplyOutcome
    ) -> list[EventType]:
        await note_signal(turn, FALLBACK)
        if turn.consecutive_fallbacks >= FALLBACKS_BEFORE_HANDOFF:
            reply.say("I'm still not getting it, sorry.")
            return await hand_over(turn, tracker, reply, "fallbacks")
        reply.say(DIDNT_GET_IT)
        return []
