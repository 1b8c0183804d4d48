"""The shape every Tactful action shares: read the turn, settle a pending
offer answer, then do the action's own job."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.offering import ReplyOutcome, resolve_offer_reply
from actions.replies import Reply
from actions.turn import Turn, read_turn


class TactfulAction(Action):
    action_name = ""

    def name(self) -> str:
        return self.action_name

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        turn = await read_turn(tracker)
        reply = Reply(dispatcher, turn.channel)
        events: list[EventType] = []
        if turn.customer_id != tracker.get_slot("customer_id"):
            events.append(SlotSet("customer_id", turn.customer_id))
        if turn.frustrated and not tracker.get_slot("frustrated"):
            events.append(SlotSet("frustrated", True))
        outcome = await resolve_offer_reply(turn, tracker, reply)
        events.extend(outcome.events)
        if not outcome.consumed:
            events.extend(await self.handle(turn, tracker, reply, outcome))
        return events

    async def handle(
        self, turn: Turn, tracker: Tracker, reply: Reply, offer_reply: ReplyOutcome
    ) -> list[EventType]:
        raise NotImplementedError


def add_open_issue(tracker: Tracker, kind: str) -> SlotSet:
    current = tracker.get_slot("open_issues") or []
    issues = sorted({*(str(item) for item in current), kind})
    return SlotSet("open_issues", issues)
