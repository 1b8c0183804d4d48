"""The shape every Tactful action shares: read the turn, settle a pending
offer answer, then do the action's own job."""

from __future__ import annotations

import abc
import asyncio
import logging
from dataclasses import replace
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions import runtime
from actions.offering import ReplyOutcome, opt_out_in_passing, resolve_offer_reply
from actions.replies import Reply, numbered_choice
from actions.routing import SUPPORT_ACTIONS, SUPPORT_INTENTS, request_beside_opt_out, words_route
from actions.signals import note_signal
from actions.turn import Turn, read_turn
from actions.wording import DIDNT_GET_IT, SIGN_IN_NEEDED, looks_like_code
from tactful.observability import metrics
from tactful.observability.turns import observed_action
from tactful.store.kinds import FRUSTRATED

logger = logging.getLogger(__name__)
STORE_UNAVAILABLE = "Sorry, I can't look that up right now. Please try again in a few minutes. {contact}"
# The reply to an offer was neither yes nor no and the turn's action had nothing to add.
NOTHING_ADDED = "Okay, I haven't added anything. What else can I help you with?"
# Every concrete action by its name, so a support request found in a reply to an
# offer can be answered by its own action (actions/routing.py).
ACTIONS_BY_NAME: dict[str, type[TactfulAction]] = {}


class TactfulAction(Action, abc.ABC):  # type: ignore[misc]  # rasa_sdk ships no type information
    # Abstract until a subclass names itself, so the SDK's registry (which skips
    # abstract classes) never registers a template under the empty name.
    @property
    @abc.abstractmethod
    def action_name(self) -> str:
        """The action's name in domain.yml; concrete actions set it as a class attribute."""

    # Actions that read a customer's own data answer anonymous users with
    # ``anonymous_reply`` and nothing else (no hint whether an account exists).
    requires_customer = False
    anonymous_reply = SIGN_IN_NEEDED
    # Text that looks like code (SQL, markup) gets the fallback instead of this action.
    code_gets_fallback = False
    # Whether "no marketing please" said on this action's turn opts out here; the
    # consent actions read consent themselves.
    reads_consent_in_passing = True
    # The NLU was unsure (the fallback): a support topic the words name still gets its answer.
    routes_by_words = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("action_name")
        if isinstance(name, str):
            ACTIONS_BY_NAME[name] = cls

    def name(self) -> str:
        return self.action_name

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        # Latency, errors and the log lines' conversation id (docs/observability.md).
        with observed_action(self.name(), tracker.sender_id):
            return await self._run(dispatcher, tracker)

    async def _run(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        turn = await read_turn(tracker)
        reply = Reply(dispatcher, turn.channel)
        events: list[EventType] = []
        if turn.customer_id != tracker.get_slot("customer_id"):
            events.append(SlotSet("customer_id", turn.customer_id))
        if turn.frustrated and not tracker.get_slot("frustrated"):
            events.append(SlotSet("frustrated", True))
            await note_signal(turn, FRUSTRATED)
        outcome = await resolve_offer_reply(turn, tracker, reply)
        events.extend(outcome.events)
        if outcome.kind is None and self.reads_consent_in_passing and await opt_out_in_passing(turn, reply):
            # "Stop suggesting things" in any words, whatever intent the NLU gave them;
            # a support request in the same message is still answered, named by the
            # NLU or else by its words ("stop the ads, where's my order?").
            if turn.intent not in SUPPORT_INTENTS:
                outcome.route = request_beside_opt_out(turn.text)
                outcome.consumed = outcome.route is None
        action, turn = self._routed(turn, outcome)
        if not outcome.consumed and action.requires_customer and turn.customer_id is None:
            reply.say(action.anonymous_reply)
        elif not outcome.consumed and action.code_gets_fallback and looks_like_code(turn.text):
            # SQL or markup is no question about orders or returns: the fallback answer.
            reply.say(DIDNT_GET_IT)
        elif not outcome.consumed:
            handler = self._numbered_answer(turn, tracker, outcome) or action
            try:
                events.extend(await handler.handle(turn, tracker, reply, outcome))
            except (SQLAlchemyError, OSError, asyncio.TimeoutError):
                # The shop database is down or slow: say so, keep the chat alive.
                logger.exception("%s could not reach the shop database", self.name())
                metrics.error("shop_db")
                reply.say(STORE_UNAVAILABLE.format(contact=runtime.settings().support_contact))
        if outcome.kind is not None and not dispatcher.messages:
            # "ok", "👍" or "yeah right" to an offer is ignored, and an action that
            # leaves offer replies to the offer code says nothing: one honest line,
            # never silence (the channel would apologise for a failure).
            reply.say(NOTHING_ADDED)
        return events

    def _routed(self, turn: Turn, outcome: ReplyOutcome) -> tuple[TactfulAction, Turn]:
        """The action answering a support request found in a reply to an offer (or, for an
        action that ``routes_by_words``, named by the message's words), with its words."""
        route = outcome.route
        if route is None and self.routes_by_words:
            route = words_route(turn.text)
        found = ACTIONS_BY_NAME.get(SUPPORT_ACTIONS.get(route or "", ""))
        if route is None or found is None:
            return self, turn
        return found(), replace(turn, intent=route, text=outcome.route_text or turn.text)

    async def handle(
        self, turn: Turn, tracker: Tracker, reply: Reply, offer_reply: ReplyOutcome
    ) -> list[EventType]:
        raise NotImplementedError

    @staticmethod
    def _numbered_answer(turn: Turn, tracker: Tracker, outcome: ReplyOutcome) -> TactfulAction | None:
        """On SMS/WhatsApp a bare "1" or "2" answers the yes/no question just asked,
        whatever intent the NLU gave it."""
        choice = numbered_choice(turn.text, turn.channel)
        if choice is None or outcome.kind is not None or not tracker.get_slot("pending_question"):
            return None
        answer = NUMBERED_ANSWERS.get(choice)
        return answer() if answer is not None else None


# The actions a numbered reply ("1" / "2") stands for, registered by
# actions/yes_no.py, so this base module imports none of its subclasses.
NUMBERED_ANSWERS: dict[int, type[TactfulAction]] = {}


def add_open_issue(tracker: Tracker, kind: str) -> SlotSet:
    current = tracker.get_slot("open_issues") or []
    issues = sorted({*(str(item) for item in current), kind})
    return SlotSet("open_issues", issues)
