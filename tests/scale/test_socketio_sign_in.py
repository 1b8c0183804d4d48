"""socket.io across replicas: a customer's sign-in empties the conversation's room on every
replica (tactful.channels.socket_rooms), through Redis.

Sockets connect to each Rasa replica directly. One on replica 0 joins a chat
that nobody owns yet, which is allowed; the customer then signs in on replica 1,
and the socket on replica 0 hears none of what follows.
"""

from __future__ import annotations

import asyncio

import pytest

from tactful.channels.socketio import NEW_CHAT
from tests.browser.widget_client import WidgetClient, run, texts
from tests.scale.cluster import Cluster
from tests.support.shop import order_ids_of

pytestmark = [pytest.mark.e2e, pytest.mark.scale]

ORDER_QUESTION = "where is my order?"


def test_a_sign_in_on_one_replica_shuts_out_an_early_socket_on_the_other(cluster: Cluster) -> None:
    token = cluster.token("C011")
    orders = order_ids_of(cluster.shop_db_url, "C011")
    replica_0, replica_1 = cluster.rasa_urls

    async def flow() -> tuple[str, str, str, str]:
        async with WidgetClient(replica_1) as customer:
            await customer.say("hi")
            early = WidgetClient(replica_0)
            await early.connect({"session_id": customer.session_id})
            await customer.say("what payment methods do you take?")
            await asyncio.sleep(2)
            heard_while_anonymous = texts(early.received())
            signed_in_reply = texts(await customer.say(ORDER_QUESTION, {"customer_token": token}))
            await asyncio.sleep(2)
            overheard = texts(early.received())
            early_reply = texts(await early.say(ORDER_QUESTION))
            await early.sio.disconnect()
        return heard_while_anonymous, signed_in_reply, overheard, early_reply

    heard_while_anonymous, signed_in_reply, overheard, early_reply = run(flow)
    assert heard_while_anonymous  # the reply on replica 1 reached replica 0's socket through Redis
    assert any(order_id in signed_in_reply for order_id in orders)
    assert overheard == ""
    assert NEW_CHAT in early_reply and not any(order_id in early_reply for order_id in orders)
