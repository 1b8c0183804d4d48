"""Linking a messaging chat to a shop account: ask for the email, then the code.

The replies never say whether an email belongs to an account. On the website
the signed token already says who the customer is, so linking is refused there.
"""

from __future__ import annotations

import asyncio
import logging
import re

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from actions.base import TactfulAction
from actions.offering import ReplyOutcome
from actions.replies import Reply
from actions.turn import WEB_CHANNELS, Turn
from tactful import bootstrap
from tactful.linking.codes import LinkSecretMissing
from tactful.linking.service import LinkingService, PendingDelivery, StartResult, StartStatus, VerifyResult
from tactful.services.aio import run_blocking

logger = logging.getLogger(__name__)

EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
CODE = re.compile(r"(?<!\d)\d{6}(?!\d)")
DELIVERY_TIMEOUT_SECONDS = 15.0

ASK_EMAIL = (
    "I can link this chat to your shop account. What's the email address on your account?"
    " I'll email you a 6-digit code."
)
ALREADY_LINKED = (
    "This chat is already linked to your account. To link a different account, send me its email address."
)
ON_THE_WEBSITE = "On our website, signing in links the chat to your account. Please sign in on the site."
NO_EMAIL = "Please send the email address on your account, like name@example.com."
CODE_SENT = (
    "Thanks. If that email address belongs to an account, I've sent it a 6-digit code."
    " It works for 10 minutes. Type the code here to finish linking."
)
WAIT = "There were too many wrong codes. Please wait 10 minutes, then ask me to link your account again."
TOO_MANY_REQUESTS = (
    "You've asked for a lot of codes in this chat."
    " Please wait an hour, then ask me to link your account again."
)
# Said alike for every email (the limit is counted for unknown ones too), so it
# says nothing about whether an account exists.
PAUSED = (
    "There were too many wrong codes for that email address, so linking it is paused."
    " Please wait an hour, then ask me to link your account again."
)
UNAVAILABLE = "Linking isn't available right now. Please try again in a few minutes."
NO_CODE = "The code has 6 digits. Please type it exactly as it appears in the email."
LINKED = "Done: this chat is now linked to your account. You can ask me about your orders here."
WRONG = "That code doesn't match. You have {tries} {noun} left."
LOCKED = "That code doesn't match, and after 5 tries it no longer works. You can ask me for a new code in 10 minutes."
NOTHING_PENDING = 'I don\'t have a code waiting for this chat. Say "link my account" to get one.'
MAYBE_AN_ORDER = ' If {number} is an order number, ask me "where is order {number}?"'

START_REPLIES: dict[StartStatus, str] = {
    "sent": CODE_SENT,
    "locked": WAIT,
    "chat_limit": TOO_MANY_REQUESTS,
    "account_limit": PAUSED,
    "unavailable": UNAVAILABLE,
}

_deliveries: set[asyncio.Task[None]] = set()


def linking_service() -> LinkingService:
    return bootstrap.root().linking


def available_service() -> LinkingService | None:
    """The service, or None while no secret is configured (the action server stays up)."""
    try:
        return linking_service()
    except LinkSecretMissing as error:
        logger.error("%s", error)
        return None


def find_email(text: str) -> str | None:
    match = EMAIL.search(text)
    return match.group(0) if match else None


def find_code(text: str) -> str | None:
    # "123 456" and "123-456" are common ways to type a code.
    joined = re.sub(r"(?<=\d)[ -](?=\d)", "", text)
    match = CODE.search(joined)
    return match.group(0) if match else None


def _send_later(service: LinkingService, pending: PendingDelivery) -> None:
    """Deliver after the reply, so the answer's timing says nothing either."""

    async def deliver() -> None:
        try:
            await run_blocking(service.deliver, pending, timeout=DELIVERY_TIMEOUT_SECONDS)
        except Exception:  # noqa: BLE001 - the customer can ask for another code
            logger.exception("could not deliver a link code")

    task = asyncio.get_running_loop().create_task(deliver())
    _deliveries.add(task)
    task.add_done_callback(_deliveries.discard)


async def start_linking(turn: Turn, reply: Reply, email: str) -> None:
    service = available_service()
    if service is None:
        reply.say(UNAVAILABLE)
        return
    result: StartResult = await run_blocking(service.start, turn.channel, turn.external_id, email)
    reply.say(START_REPLIES[result.status])
    if result.delivery is not None:
        _send_later(service, result.delivery)


class LinkingAction(TactfulAction):
    """Refuses on web channels, where the signed token is the identity."""

    async def handle(
        self, turn: Turn, tracker: Tracker, reply: Reply, offer_reply: ReplyOutcome
    ) -> list[EventType]:
        if turn.channel in WEB_CHANNELS:
            reply.say(ON_THE_WEBSITE)
            return []
        return await self.link(turn, tracker, reply, offer_reply)

    async def link(
        self, turn: Turn, tracker: Tracker, reply: Reply, offer_reply: ReplyOutcome
    ) -> list[EventType]:
        raise NotImplementedError


class ActionLinkAccount(LinkingAction):
    action_name = "action_link_account"

    async def link(
        self, turn: Turn, tracker: Tracker, reply: Reply, offer_reply: ReplyOutcome
    ) -> list[EventType]:
        email = find_email(turn.text)
        if email is not None:
            await start_linking(turn, reply, email)
        elif turn.customer_id is not None:
            reply.say(ALREADY_LINKED)
        else:
            reply.say(ASK_EMAIL)
        return []


class ActionLinkEmail(LinkingAction):
    action_name = "action_link_email"

    async def link(
        self, turn: Turn, tracker: Tracker, reply: Reply, offer_reply: ReplyOutcome
    ) -> list[EventType]:
        email = find_email(turn.text)
        if email is None:
            reply.say(NO_EMAIL)
        else:
            await start_linking(turn, reply, email)
        return []


class ActionLinkCode(LinkingAction):
    action_name = "action_link_code"

    async def link(
        self, turn: Turn, tracker: Tracker, reply: Reply, offer_reply: ReplyOutcome
    ) -> list[EventType]:
        code = find_code(turn.text)
        if code is None:
            # (A bare "1" / "2" answering a question never gets here: the base
            # action routes numbered answers to yes / no.)
            reply.say(NO_CODE)
            return []
        service = available_service()
        if service is None:
            reply.say(UNAVAILABLE)
            return []
        result = await run_blocking(service.verify, turn.channel, turn.external_id, code)
        if result.status == "linked":
            reply.say(LINKED)
            # Offer and question state belonged to whoever the chat was before.
            return [
                SlotSet("customer_id", result.customer_id),
                SlotSet("pending_offer", None),
                SlotSet("pending_question", None),
            ]
        reply.say(not_linked_reply(result, code))
        return []


def not_linked_reply(result: VerifyResult, code: str) -> str:
    if result.status == "wrong":
        return WRONG.format(tries=result.tries_left, noun="try" if result.tries_left == 1 else "tries")
    refusals = {"locked": LOCKED, "account_limit": PAUSED, "unavailable": UNAVAILABLE}
    return refusals.get(result.status, NOTHING_PENDING + MAYBE_AN_ORDER.format(number=code))
