"""Handing a conversation to a human helpdesk.

* ``summary``: what the helpdesk is told about the customer and the chat.
* ``events``: the JSON events a helpdesk receives.
* ``adapters``: how events reach a helpdesk (a signed webhook by default).
* ``intake``: gather the facts and store a pending handoff.
* ``delivery``: send handoffs and customer messages to the helpdesk, and retry.
* ``service``: the one entry point: start, deliver, forward, queue replies, close.
* ``conversation``: conversation ids shared by the actions and the channels.

Both directions are signed with ``tactful.signing``.

Nothing here imports Rasa: the channels (``tactful.channels.pause`` and
``tactful.channels.helpdesk``) and the actions are the entry points.
"""
