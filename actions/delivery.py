"""Delivery problems: a case opens only once the order and what went wrong are confirmed."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from actions import runtime
from actions.base import TactfulAction, add_open_issue
from actions.offering import ReplyOutcome
from actions.replies import Reply
from actions.turn import Turn
from actions.wording import SIGN_IN_NEEDED, day, describe_order
from tactful.services import support
from tactful.services.aio import run_blocking
from tactful.services.clock import utcnow
from tactful.services.matching import order_references
from tactful.services.support import OrderDetails

NOT_FOUND_ON_ACCOUNT = "I couldn't find order {ref} on your account. Could you check the number?"
DELIVERY_QUESTION = "delivery_problem"
YES_REPORT = ("Yes, report it", "/affirm")
NO_THANKS = ("No", "/deny")
# Checked in this order: "the box came crushed and late" is about the damage.
PROBLEM_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "damaged",
        (
            "damaged",
            "broken",
            "crushed",
            "smashed",
            "cracked",
            "dented",
            "shattered",
            "scratched",
            "defective",
            "faulty",
            "doesn't work",
            "does not work",
            "not working",
            "soaked",
        ),
    ),
    (
        "missing",
        (
            "missing",
            "only got",
            "only received",
            "half my order",
            "part of my order",
            "not in the box",
            "empty",
            "incomplete",
        ),
    ),
    (
        "wrong_item",
        ("wrong item", "wrong product", "wrong colour", "wrong color", "wrong size", "not what i ordered"),
    ),
    (
        "late",
        (
            "late",
            "overdue",
            "delayed",
            "lost",
            "hasn't arrived",
            "has not arrived",
            "hasn't come",
            "hasn't turned up",
            "not arrived",
            "never arrived",
            "never came",
            "never showed",
            "never turned up",
            "never got",
            "didn't arrive",
            "didn't come",
            "not received",
            "haven't received",
            "haven't got",
            "still waiting",
            "still not here",
            "supposed to arrive",
        ),
    ),
)
PROBLEM_LINES = {
    "late": "it's running late",
    "not_received": "it never reached you",
    "damaged": "it arrived damaged",
    "missing": "something is missing",
    "wrong_item": "you got the wrong item",
}


# Whole words only: "late" must not match "latest" or "chocolate".
_PROBLEM_PATTERNS = tuple(
    (problem, re.compile(r"\b(?:" + "|".join(re.escape(word) for word in words) + r")\b"))
    for problem, words in PROBLEM_WORDS
)


def problem_in(text: str) -> str | None:
    """What went wrong, if the customer said so in words we know."""
    lowered = text.lower().replace("\u2019", "'")
    for problem, pattern in _PROBLEM_PATTERNS:
        if pattern.search(lowered):
            return problem
    return None


def delivery_question(tracker: Tracker, turn: Turn) -> dict[str, Any] | None:
    """The delivery question asked on the customer's previous turn, if any.

    An older one is ignored: a "yes" three topics later must not open a case.
    """
    value = tracker.get_slot("pending_question")
    if not isinstance(value, dict) or value.get("kind") != DELIVERY_QUESTION:
        return None
    return value if value.get("turn") == turn.user_turns - 1 else None


def ask_report(turn: Turn, order_id: str | None, problem: str | None, detail: str) -> SlotSet:
    question = {
        "kind": DELIVERY_QUESTION,
        "order_id": order_id,
        "problem": problem,
        "detail": detail[:300],
        "turn": turn.user_turns,
    }
    return SlotSet("pending_question", question)


def _candidates(orders: list[OrderDetails], problem: str | None) -> list[OrderDetails]:
    """The orders a problem can be about: a parcel that is on its way, or one that arrived."""
    parcels = [order for order in orders if order.status in support.DELIVERABLE and not order.subscription]
    arrived = [order for order in parcels if order.status == "delivered"]
    on_the_way = [order for order in parcels if order.status != "delivered"]
    if problem in ("damaged", "missing", "wrong_item"):
        return arrived
    if problem == "late":
        return on_the_way or arrived
    return parcels


async def open_delivery_case(
    turn: Turn, tracker: Tracker, reply: Reply, order_id: str, problem: str, detail: str
) -> list[EventType]:
    """Open the case once order and problem are settled; say what happens next."""
    assert turn.customer_id is not None
    outcome = await run_blocking(
        support.report_delivery_problem,
        runtime.new_uow,
        turn.customer_id,
        order_id,
        problem,
        detail,
        turn.conversation_id,
        utcnow(),
    )
    contact = runtime.settings().support_contact
    if outcome == "opened":
        text = (
            f"I'm sorry about that. I've logged a delivery problem about order {order_id}:"
            f" {PROBLEM_LINES[problem]}. Our team will get back to you within one working day."
        )
        if problem in ("damaged", "missing", "wrong_item"):
            text += " You won't need to pay for a replacement or a return."
        reply.say(text)
    elif outcome == "already_open":
        reply.say(
            f"There's already an open delivery case for order {order_id}, and our team will get back"
            f" to you within one working day. {contact}"
        )
    else:
        reply.say(f"Sorry, I couldn't report a problem with order {order_id}. {contact}")
    return [SlotSet("pending_question", None), add_open_issue(tracker, "delivery")]


class ActionDeliveryProblem(TactfulAction):
    action_name = "action_delivery_problem"
    code_gets_fallback = True

    async def handle(
        self, turn: Turn, tracker: Tracker, reply: Reply, offer_reply: ReplyOutcome
    ) -> list[EventType]:
        events: list[EventType] = [
            add_open_issue(tracker, "delivery"),
            SlotSet("last_topic", "delivery_problem"),
        ]
        contact = runtime.settings().support_contact
        if turn.customer_id is None:
            reply.say(f"I'm sorry about that. {SIGN_IN_NEEDED} {contact}")
            return events
        question = delivery_question(tracker, turn) or {}
        stated = problem_in(turn.text)
        problem = stated or question.get("problem")
        detail = turn.text if stated else str(question.get("detail") or turn.text)
        references = order_references(turn.text)
        order_id = references[0] if references else question.get("order_id")
        now = utcnow()
        if order_id:
            order = await run_blocking(
                support.order_for_customer, runtime.new_uow, turn.customer_id, str(order_id), now
            )
            if order is None:
                reply.say(NOT_FOUND_ON_ACCOUNT.format(ref=order_id))
                return [*events, ask_report(turn, None, problem, detail)]
        else:
            orders = await run_blocking(support.recent_orders, runtime.new_uow, turn.customer_id, now, 10)
            if not orders:
                reply.say(
                    "I'm sorry to hear that, but I don't see any orders on your account, so there's no"
                    f" delivery I can report a problem with. If you ordered with another account, {contact}"
                )
                return [SlotSet("last_topic", "delivery_problem")]
            candidates = _candidates(orders, problem)
            if len(candidates) != 1:
                return [*events, *self._which_order(turn, reply, candidates, problem, detail)]
            order = candidates[0]
        return [*events, *await self._settle(turn, tracker, reply, order, problem, detail)]

    @staticmethod
    def _which_order(
        turn: Turn, reply: Reply, candidates: list[OrderDetails], problem: str | None, detail: str
    ) -> list[EventType]:
        if candidates:
            listed = " ".join(describe_order(order) for order in candidates[:3])
            reply.say(f"I'm sorry about that. Which order is it? {listed} Tell me its order number.")
        else:
            reply.say(
                "I'm sorry about that. I don't see an order that this could be about. Which order is it?"
                " Tell me its order number."
            )
        return [ask_report(turn, None, problem, detail)]

    @staticmethod
    async def _settle(
        turn: Turn, tracker: Tracker, reply: Reply, order: OrderDetails, problem: str | None, detail: str
    ) -> list[EventType]:
        """Open the case if order and problem fit; otherwise say why, or ask what is missing."""
        if order.status not in support.DELIVERABLE or order.subscription:
            reply.say(
                f"{describe_order(order)} There's no delivery for it that I could report a problem with."
            )
            return [SlotSet("pending_question", None)]
        if problem is None:
            if order.late:
                reply.choices(f"{describe_order(order)} Shall I report it as late?", [YES_REPORT, NO_THANKS])
                return [ask_report(turn, order.id, "late", detail)]
            if order.status == "delivered":
                reply.say(
                    f"{describe_order(order)} What went wrong with it: did something arrive damaged,"
                    " is something missing, or did you get the wrong item?"
                )
            else:
                reply.say(f"{describe_order(order)} If something is wrong with it, tell me what happened.")
            return [ask_report(turn, order.id, None, detail)]
        if problem in ("late", "not_received"):
            if order.status == "delivered":
                # The record says it arrived: only the customer can tell us it didn't.
                reply.choices(
                    f"{describe_order(order)} Shall I report that it never reached you?",
                    [YES_REPORT, NO_THANKS],
                )
                return [ask_report(turn, order.id, "not_received", detail)]
            if not order.late:
                expected = f" by {day(order.expected_delivery)}" if order.expected_delivery else ""
                reply.say(
                    f"{describe_order(order)} It isn't late yet. If it hasn't arrived{expected}, tell me"
                    " and I'll report it."
                )
                return [SlotSet("pending_question", None)]
        elif order.status != "delivered":
            reply.say(
                f"{describe_order(order)} It hasn't been delivered yet. If you meant another order, tell me"
                " its order number."
            )
            return [ask_report(turn, None, problem, detail)]
        return await open_delivery_case(turn, tracker, reply, order.id, problem, detail)
