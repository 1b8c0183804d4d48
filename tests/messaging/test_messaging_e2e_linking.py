"""Account linking end to end over messaging channels, with the codes read from the outbox.

Against the running bot of conftest.py (link codes go to a JSON-lines outbox
file instead of a mailer): an SMS user links their account and then gets
their order data, an unknown email gets the identical reply and no code, and
five wrong codes lock linking even for the right code.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from actions import linking
from tests.messaging import webhooks as hooks
from tests.messaging.e2e_support import sender, text_of, turn
from tests.messaging.fake_provider import FakeProvider
from tests.support.assistant import Assistant
from tests.support.shop import order_ids_of

pytestmark = pytest.mark.e2e

SIGN_IN = "signed in"


def outbox_codes(bot: Assistant, email: str) -> list[str]:
    path = Path(bot.env["TACTFUL_LINK_OUTBOX"])
    if not path.exists():
        return []
    return [
        record["code"] for record in map(json.loads, path.read_text().splitlines()) if record["to"] == email
    ]


def wait_for_code(bot: Assistant, email: str, count: int) -> str:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and len(outbox_codes(bot, email)) < count:
        time.sleep(0.1)
    codes = outbox_codes(bot, email)
    assert len(codes) == count, f"no code for {email} in the outbox"
    return codes[-1]


def test_an_sms_user_links_their_account_and_then_gets_order_data(bot: Assistant, fake: FakeProvider) -> None:
    phone = sender("twilio")

    def say(text: str) -> str:
        return text_of(turn(bot, fake, hooks.twilio_message(bot.rasa_url, phone, text), phone))

    alice_orders = order_ids_of(bot.shop_db_url, "C001")
    anonymous = say("where is my order?")
    assert SIGN_IN in anonymous and not any(order in anonymous for order in alice_orders)
    assert say("link my account") == linking.ASK_EMAIL
    assert say("alice@example.com") == linking.CODE_SENT
    code = wait_for_code(bot, "alice@example.com", 1)
    assert say(code) == linking.LINKED
    answer = say("where is my order?")
    assert any(order in answer for order in alice_orders)
    if "Reply 1 for" in answer:  # an offer may follow a resolved request: numbered, "2" declines
        assert "No problem" in say("2")


def test_an_unknown_email_gets_the_identical_reply(bot: Assistant, fake: FakeProvider) -> None:
    phone = sender("twilio")
    webhook = hooks.twilio_message(bot.rasa_url, phone, "nobody-at-all@example.com")
    assert text_of(turn(bot, fake, webhook, phone)) == linking.CODE_SENT
    # Codes go out after the reply, in the order they were asked for: once a
    # known customer's later code is in the outbox, the unknown one would be too.
    correction = hooks.twilio_message(bot.rasa_url, phone, "carol@example.com")
    assert text_of(turn(bot, fake, correction, phone)) == linking.CODE_SENT
    wait_for_code(bot, "carol@example.com", 1)
    assert outbox_codes(bot, "nobody-at-all@example.com") == []


def test_five_wrong_codes_lock_linking(bot: Assistant, fake: FakeProvider) -> None:
    chat = sender("telegram")

    def say(text: str) -> str:
        return text_of(turn(bot, fake, hooks.telegram_message(int(chat), text), chat))

    before = len(outbox_codes(bot, "bob@example.com"))
    assert say("my email is bob@example.com") == linking.CODE_SENT
    code = wait_for_code(bot, "bob@example.com", before + 1)
    wrong = "000000" if code != "000000" else "111111"
    answers = [say(wrong) for _ in range(5)]
    assert answers[0] == linking.WRONG.format(tries=4, noun="tries")
    assert answers[3] == linking.WRONG.format(tries=1, noun="try")
    assert answers[4] == linking.LOCKED
    assert say(code) == linking.LOCKED
    assert SIGN_IN in say("where is my order?")
