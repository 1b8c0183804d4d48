"""The path of every customer message from a channel into Rasa.

Every input channel builds a ``UserMessage`` (server-built conversation id,
cleaned text, verified metadata) and hands it to ``MessagePipeline``:

1. the ``ConversationGate`` admits it or says why not (rate, another
   customer's conversation). Ownership and pause are checked under the
   conversation's lock from Rasa's lock store, on the one read of the
   conversation that Rasa's processor then goes on with, still under that
   lock (docs/architecture.md, "One tracker load per message");
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

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.agent import Agent
from rasa.core.channels.channel import UserMessage

from tactful import bootstrap
from tactful.channels import conversations, pause, rasa_speedups, resume
from tactful.channels.gate import Checked, ConversationGate, Verdict
from tactful.channels.output import RoutedOutput
from tactful.channels.store_failures import fail_closed
from tactful.channels.tracker_store import preloaded
from tactful.observability import metrics
from tactful.observability.turns import apologised, observed_turn
from tactful.settings import Settings

logger = logging.getLogger(__name__)

MessageHandler = Callable[[UserMessage], Awaitable[Any]]
# Run by the pipeline once a message is admitted (MessagePipeline.__call__).
Admitted = Callable[[], Awaitable[None]]
APOLOGY = "Sorry, something went wrong on my side and I can't answer that right now. {contact}"


def apology(settings: Settings) -> str:
    return APOLOGY.format(contact=settings.support_contact)


class MessagePipeline:
    def __init__(self, on_new_message: MessageHandler, gate: ConversationGate, settings: Settings) -> None:
        self._on_new_message = on_new_message
        self._gate = gate
        self._settings = settings

    async def __call__(self, message: UserMessage, admitted: Admitted | None = None) -> Verdict:
        """Handles ``message``; ``admitted`` runs once the gate let it in, still under the
        conversation's lock, with its owner stored and before any reply."""
        # Metrics and the log lines' conversation id (docs/observability.md).
        with observed_turn(message.input_channel, message.sender_id) as turn:
            verdict = await self._handle(message, admitted)
            turn.settle(verdict.kind, verdict.refused)
            return verdict

    async def _handle(self, message: UserMessage, admitted: Admitted | None) -> Verdict:
        agent = conversations.current_agent()
        screened = await self._gate.screen(agent, message)
        if screened is not None:
            return screened
        if agent is None or agent.processor is None:
            await self._run_bot(message, self._on_new_message)
            return Verdict("ok")
        try:
            # Rasa's Agent.handle_message, with the gate's check and read inside the same lock.
            async with agent.lock_store.lock(message.sender_id):
                checked = await self._gate.check(agent, message)
                verdict = checked.verdict
                if verdict.kind == "ok":
                    if admitted is not None:
                        await admitted()
                    await _deliver_waiting(message, verdict)
                    await self._run_bot(message, functools.partial(_process, agent, checked))
                    return verdict
        except Exception:  # noqa: BLE001 - the tracker store is down: say so, keep the process
            logger.exception("could not check conversation %s", message.sender_id)
            apologised("tracker_store")
            await message.output_channel.send_text_message(message.sender_id, apology(self._settings))
            return Verdict("ok")
        state = verdict.state
        if verdict.kind == "paused" and state is not None:
            # Outside the lock: lifting the pause and forwarding take it themselves.
            await _deliver_waiting(message, verdict)
            if not await resume.lift_pause(message, state):
                await pause.forward_and_acknowledge(message, state.conversation_id)
        return verdict

    async def _run_bot(self, message: UserMessage, handle: MessageHandler) -> None:
        watched = RoutedOutput(message.output_channel)
        message.output_channel = watched
        failed = False
        try:
            await handle(message)
        except Exception:  # noqa: BLE001 - answered below, never a crash or silence
            logger.exception("Rasa could not handle a message of %s", message.sender_id)
            metrics.error("rasa")
            # Replies may have gone out before the turn failed to be stored:
            # the customer must still learn that it did not go through.
            failed = True
        if failed or watched.sent == 0:
            logger.warning("no reply for %s; sending the apology", message.sender_id)
            apologised("no_reply")
            await watched.inner.send_text_message(message.sender_id, apology(self._settings))


async def _deliver_waiting(message: UserMessage, verdict: Verdict) -> None:
    state = verdict.state
    if state is not None and state.handoff_state:
        await pause.deliver_waiting(message, state.conversation_id)


async def _process(agent: Agent, checked: Checked, message: UserMessage) -> None:
    """Rasa's processor on the tracker the gate read (no second load)."""
    fail_closed(agent.tracker_store)
    if not checked.reusable:
        await agent.processor.handle_message(message)
        return
    with preloaded(message.sender_id, checked.tracker):
        await agent.processor.handle_message(message)


def pipeline_for(on_new_message: MessageHandler) -> MessagePipeline:
    """The pipeline of one channel, wired from this process's root."""
    rasa_speedups.install()
    services = bootstrap.root()
    gate = ConversationGate(services.async_counter, services.settings.limits)
    return MessagePipeline(on_new_message, gate, services.settings)
