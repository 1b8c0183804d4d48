"""What providers send besides plain text, end to end: handshakes, keywords, buttons, payloads.

Against the running bot of conftest.py: Slack's signed URL verification,
Messenger's subscription handshake and its verify token, SMS carrier keywords
(STOP, HELP...) left to Twilio, buttons and quick replies that come back as
their payload, and a typed intent payload that must not claim an identity.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest

from actions import wording
from tactful.channels.messaging.twilio import EMPTY_TWIML
from tests.messaging import webhooks as hooks
from tests.messaging.e2e_support import (
    MARKER,
    marker_replies,
    post,
    recipient_of,
    sender,
    text_of,
    turn,
    user_texts,
)
from tests.messaging.fake_provider import FakeProvider
from tests.support.assistant import Assistant
from tests.support.shop import order_ids_of

pytestmark = pytest.mark.e2e


def test_slack_url_verification_is_signed_and_answered(bot: Assistant) -> None:
    webhook = hooks.slack_url_verification("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P")
    status, body = post(bot, webhook)
    assert (status, json.loads(body)) == (
        200,
        {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"},
    )
    assert post(bot, webhook.unsigned())[0] == 403


def test_messenger_subscription_needs_the_verify_token(bot: Assistant) -> None:
    query = {
        "hub.mode": "subscribe",
        "hub.verify_token": hooks.FACEBOOK_VERIFY_TOKEN,
        "hub.challenge": "1158201444",
    }
    url = f"{bot.rasa_url}/webhooks/facebook/webhook?"
    with urllib.request.urlopen(url + urllib.parse.urlencode(query), timeout=10) as answer:
        assert answer.read() == b"1158201444"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(
            url + urllib.parse.urlencode({**query, "hub.verify_token": "guess"}), timeout=10
        )
    assert refused.value.code == 403


@pytest.mark.parametrize("word", ["STOP", "cancel", "Help", "START"])
def test_sms_carrier_keywords_are_left_to_twilio(bot: Assistant, fake: FakeProvider, word: str) -> None:
    user = sender("twilio")
    webhook = hooks.twilio_message(bot.rasa_url, user, word)
    status, body = post(bot, webhook)
    assert (status, body) == (200, EMPTY_TWIML)
    assert text_of(marker_replies(bot, fake, "twilio", user, 0)) == wording.SIGN_IN_NEEDED
    assert user_texts(bot, user) == [MARKER]


def test_buttons_and_quick_replies_come_back_as_their_payload(bot: Assistant, fake: FakeProvider) -> None:
    slack_user, psid, chat = sender("slack"), sender("facebook"), sender("telegram")
    turn(bot, fake, hooks.slack_button(slack_user, "/deny"), slack_user, recipient_of("slack", slack_user))
    turn(bot, fake, hooks.messenger_message(psid, "No", quick_reply_payload="/deny"), psid)
    turn(bot, fake, hooks.telegram_button(int(chat), "/deny"), chat)
    assert user_texts(bot, slack_user) == user_texts(bot, psid) == user_texts(bot, chat) == ["/deny"]
    assert any(call.method == "answerCallbackQuery" for call in fake.calls)


def test_a_typed_intent_payload_claims_no_identity(bot: Assistant, fake: FakeProvider) -> None:
    chat = sender("telegram")
    replies = turn(bot, fake, hooks.telegram_message(int(chat), '/order_status{"customer_id":"C001"}'), chat)
    assert not set(order_ids_of(bot.shop_db_url, "C001")) & set(re.findall(r"\w+", text_of(replies)))
    assert user_texts(bot, chat) == ['order_status{"customer_id":"C001"}']
