"""Resuming a socket.io session: holding a conversation's session id is not enough
to hear the replies of a conversation a signed-in customer owns (docs/security.md).

A socket that asks for such a session keeps the id, but joins the conversation's
replies only once one of its messages carries that customer's token; anyone
else is moved to a new chat by their first message and has heard nothing.
"""

from __future__ import annotations

import asyncio

import pytest

from tactful.channels.socketio import NEW_CHAT
from tests.browser.conftest import WidgetStack
from tests.browser.widget_client import WidgetClient, no_channel_errors, run, texts
from tests.support.shop import order_ids_of

pytestmark = pytest.mark.e2e

ORDER_QUESTION = "where is my order?"


def test_a_stranger_holding_the_session_id_hears_none_of_the_owners_replies(
    widget_stack: WidgetStack,
) -> None:
    assistant = widget_stack.assistant
    owner_token = assistant.token("C011", ttl=900)
    owner_orders = order_ids_of(assistant.shop_db_url, "C011")

    async def flow() -> tuple[str, str, str, str, str]:
        async with WidgetClient(assistant.rasa_url) as owner:
            await owner.say("hi", {"customer_token": owner_token})
            session = str(owner.session_id)
            stranger = WidgetClient(assistant.rasa_url)
            await stranger.connect({"session_id": session})
            assert stranger.session_id == session  # the id is kept: it is the page's own
            owner_reply = texts(await owner.say(ORDER_QUESTION, {"customer_token": owner_token}))
            await asyncio.sleep(2)  # long-polling: anything sent to the room has arrived by now
            overheard = texts(stranger.received())
            stranger_reply = texts(await stranger.say(ORDER_QUESTION))
            moved_to = str(stranger.session_id)
            await stranger.sio.disconnect()
        return owner_reply, overheard, stranger_reply, session, moved_to

    owner_reply, overheard, stranger_reply, session, moved_to = run(flow)
    assert any(order_id in owner_reply for order_id in owner_orders)
    assert overheard == ""
    assert NEW_CHAT in stranger_reply and moved_to != session
    assert not any(order_id in stranger_reply for order_id in owner_orders)
    no_channel_errors(widget_stack)


def test_the_owner_resuming_the_session_on_a_new_page_carries_on(widget_stack: WidgetStack) -> None:
    assistant = widget_stack.assistant
    token = assistant.token("C011", ttl=900)

    async def flow() -> tuple[str, str, str]:
        async with WidgetClient(assistant.rasa_url) as first_page:
            await first_page.say("hi", {"customer_token": token})
            session = str(first_page.session_id)
        reloaded = WidgetClient(assistant.rasa_url)
        await reloaded.connect({"session_id": session})
        reply = texts(await reloaded.say(ORDER_QUESTION, {"customer_token": token}))
        resumed = str(reloaded.session_id)
        await reloaded.sio.disconnect()
        return reply, session, resumed

    reply, session, resumed = run(flow)
    assert resumed == session and NEW_CHAT not in reply
    assert any(order_id in reply for order_id in order_ids_of(assistant.shop_db_url, "C011"))
    user_texts = [
        e["text"]
        for e in assistant.tracker(session, channel="socketio")["events"]
        if e.get("event") == "user"
    ]
    assert user_texts == ["hi", ORDER_QUESTION]
    no_channel_errors(widget_stack)


def test_a_socket_that_joined_before_sign_in_hears_nothing_after_it(widget_stack: WidgetStack) -> None:
    """The session id of a chat nobody owns is joined at once; the customer's sign-in there
    takes every other socket out before anything personal is said."""
    assistant = widget_stack.assistant
    token = assistant.token("C011", ttl=900)
    orders = order_ids_of(assistant.shop_db_url, "C011")

    async def flow() -> tuple[str, str, str, str, str]:
        async with WidgetClient(assistant.rasa_url) as customer:
            await customer.say("hi")  # anonymous: nobody owns the chat yet
            session = str(customer.session_id)
            early = WidgetClient(assistant.rasa_url)
            await early.connect({"session_id": session})
            await customer.say("what payment methods do you take?")
            await asyncio.sleep(2)
            heard_while_anonymous = texts(early.received())
            signed_in_reply = texts(await customer.say(ORDER_QUESTION, {"customer_token": token}))
            later_reply = texts(await customer.say(ORDER_QUESTION, {"customer_token": token}))
            await asyncio.sleep(2)
            overheard = texts(early.received())
            early_reply = texts(await early.say(ORDER_QUESTION))
            await early.sio.disconnect()
        return heard_while_anonymous, signed_in_reply, later_reply, overheard, early_reply

    heard_while_anonymous, signed_in_reply, later_reply, overheard, early_reply = run(flow)
    assert heard_while_anonymous  # it was in the room while the chat was anonymous
    assert any(order_id in signed_in_reply for order_id in orders)
    assert any(order_id in later_reply for order_id in orders)  # the customer's own socket hears on
    assert overheard == ""
    assert NEW_CHAT in early_reply and not any(order_id in early_reply for order_id in orders)
    no_channel_errors(widget_stack)
