"""Linking a messaging account (Slack user, phone number, Messenger PSID,
Telegram chat) to a shop customer with a one-time code sent by email.

* ``service.LinkingService``: start / verify, stored as a hash in ``link_codes``.
* ``delivery``: how the code reaches the customer (outbox file or webhook).
* ``codes``: generating and hashing codes.
"""
