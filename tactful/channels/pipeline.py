"""The path of every customer message from a channel into Rasa.

Every input channel builds a ``UserMessage`` (server-built conversation id,
cleaned text, verified metadata) and hands it to ``MessagePipeline``:

1. the ``ConversationGate`` admits it or says why not (rate, another
   customer's conversation);
2. agent replies held for this conversation are delivered (REST cannot be
   pushed to);
3. a paused conversation either lifts the pause ("never mind" before an agent
   answered, or no agent reachable: ``tactful.channels.resume``) or forwards
   the message to the helpdesk and answers with one acknowledgement;
4. otherwise Rasa handles it. A turn that says nothing (the action server is
   down, an action failed, Rasa raised) gets a short apology with the support
   contact: the customer is never left in silence.

The channel turns a refusal into its own kind of answer (an HTTP status on
REST, a message elsewhere).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage

from tactful import bootstrap
from tactful.channels import conversations, pause, resume
from tactful.channels.gate import ConversationGate, Verdict
from tactful.channels.output import RoutedOutput
from tactful.settings import Settings

logger = logging.getLogger(__name__)

MessageHandler = Callable[[UserMessage], Awaitable[Any]]
APOLOGY = "Sorry, something went wrong on my side and I can't answer that right now. {contact}"


def apology(settings: Settings) -> str:
    return APOLOGY.format(contact=settings.support_contact)


class MessagePipeline:
    def __init__(self, on_new_message: MessageHandler, gate: ConversationGate, settings: Settings) -> None:
        self._on_new_message = on_new_message
        self._gate = gate
        self._settings = settings

    async def __call__(self, message: UserMessage) -> Verdict:
        agent = conversations.current_agent()
        try:
            verdict = await self._gate.admit(agent, message)
        except Exception:  # noqa: BLE001 - the tracker store is down: say so, keep the process
            logger.exception("could not check conversation %s", message.sender_id)
            await message.output_channel.send_text_message(message.sender_id, apology(self._settings))
            return Verdict("ok")
        if verdict.refused:
            return verdict
        state = verdict.state
        if state is not None and state.handoff_state:
            await pause.deliver_waiting(message, state.conversation_id)
        if verdict.kind == "paused" and state is not None:
            if not await resume.lift_pause(message, state):
                await pause.forward_and_acknowledge(message, state.conversation_id)
            return verdict
        await self._run_bot(message)
        return verdict

    async def _run_bot(self, message: UserMessage) -> None:
        watched = RoutedOutput(message.output_channel)
        message.output_channel = watched
        try:
            await self._on_new_message(message)
        except Exception:  # noqa: BLE001 - answered below, never a crash or silence
            logger.exception("Rasa could not handle a message of %s", message.sender_id)
        if watched.sent == 0:
            logger.warning("no reply for %s; sending the apology", message.sender_id)
            await watched.inner.send_text_message(message.sender_id, apology(self._settings))


def pipeline_for(on_new_message: MessageHandler) -> MessagePipeline:
    """The pipeline of one channel, wired from this process's root."""
    services = bootstrap.root()
    gate = ConversationGate(services.async_counter, services.settings.limits)
    return MessagePipeline(on_new_message, gate, services.settings)
