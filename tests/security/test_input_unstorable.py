"""Values no tracker store can hold, sent over REST on both tracker stores (SQLite and
PostgreSQL): bad sender ids get 400, lone surrogates, NUL and control characters are
removed from messages, metadata and customer tokens, and the assistant lives on. Rasa
3.6.21 exits the whole process on a value its SQL tracker store cannot hold, and the
two drivers fail on different characters.
"""

from __future__ import annotations

import pytest

from tests.security.helpers import RETURNS, SIGN_IN, assert_alive, fresh, raw_json, user_texts
from tests.support.assistant import Assistant
from tests.support.security import rest

pytestmark = pytest.mark.e2e

BAD_SENDERS = {
    "lone-surrogate": r'"\ud800"',
    "low-surrogate-inside": r'"alice\udfffbob"',
    "nul-inside": r'"a\u0000b"',
    "only-nul": r'"\u0000"',
    "surrogate-and-nul": r'"\ud800\u0000"',
    "channel-prefix": '"slack:U024BE7LH"',
    # Regression: "$" let one trailing newline through the id check.
    "trailing-newline": r'"alice\n"',
    "trailing-crlf": r'"alice\r\n"',
    "inner-space": '"alice bob"',
    "too-long": '"' + "a" * 129 + '"',
}


@pytest.mark.parametrize("sender", BAD_SENDERS.values(), ids=BAD_SENDERS.keys())
def test_a_bad_rest_sender_gets_400_and_the_assistant_lives_on(
    store_assistant: Assistant, sender: str
) -> None:
    reply = rest(store_assistant.rasa_url, raw_json(f'{{"sender": {sender}, "message": "hi"}}'))
    assert reply.status == 400, reply
    assert "'sender'" in reply.json()["error"]
    assert_alive(store_assistant)


def test_surrogates_and_nul_in_the_message_are_removed_before_rasa_sees_it(
    store_assistant: Assistant,
) -> None:
    sender = fresh("clean-text")
    body = raw_json(f'{{"sender": "{sender}", "message": "what is your\\u0000 return\\ud800 policy\\udfff"}}')
    reply = rest(store_assistant.rasa_url, body)
    assert reply.status == 200, reply
    assert RETURNS in reply.text
    assert user_texts(store_assistant, sender) == ["what is your return policy"]
    assert_alive(store_assistant)


@pytest.mark.parametrize("message", [r"\u0000", r"\ud800", r"\ud800\u0000\udfff", r"\u0001\u0002 \u007f"])
def test_a_message_of_only_unstorable_characters_gets_400(store_assistant: Assistant, message: str) -> None:
    reply = rest(
        store_assistant.rasa_url, raw_json(f'{{"sender": "{fresh("empty")}", "message": "{message}"}}')
    )
    assert reply.status == 400, reply
    assert "'message'" in reply.json()["error"]
    assert_alive(store_assistant)


METADATA = {
    "surrogate-value": r'{"note": "\ud800"}',
    "nul-value": r'{"note": "a\u0000b"}',
    "nested": r'{"a": {"b": ["\u0000", {"c": "\udfff"}], "d": null}, "e": 1.5}',
    "surrogate-key": r'{"\ud800": "x", "k\u0000": "y"}',
    "identity-with-nul": r'{"tactful_identity": {"customer_id": "C001\u0000", "expires_at": 9999999999}}',
    "nul-token": r'{"customer_token": "a\u0000b"}',
}


@pytest.mark.parametrize("metadata", METADATA.values(), ids=METADATA.keys())
def test_surrogates_and_nul_in_metadata_get_a_normal_answer(
    store_assistant: Assistant, metadata: str
) -> None:
    sender = fresh("meta")
    body = raw_json(f'{{"sender": "{sender}", "message": "where is my order?", "metadata": {metadata}}}')
    reply = rest(store_assistant.rasa_url, body)
    assert reply.status == 200, reply
    assert SIGN_IN in reply.text  # nothing in it made the visitor somebody
    assert user_texts(store_assistant, sender) == ["where is my order?"]
    assert_alive(store_assistant)


SURROGATE_TOKENS = {
    "lone-surrogate": r"\ud800",
    "jwt-shaped": r"eyJhbGciOiJIUzI1NiJ9.\udfff.x",
    "non-ascii": "eyJhbGciOiJIUzI1NiJ9.\u00e9.x",
}


@pytest.mark.parametrize("token", SURROGATE_TOKENS.values(), ids=SURROGATE_TOKENS.keys())
def test_a_customer_token_that_is_not_ascii_is_a_bad_token(store_assistant: Assistant, token: str) -> None:
    # Regression: a lone surrogate in the token made jwt.decode raise UnicodeEncodeError (500).
    sender = fresh("tok")
    body = raw_json(
        f'{{"sender": "{sender}", "message": "where is my order?", "metadata": {{"customer_token": "{token}"}}}}'
    )
    reply = rest(store_assistant.rasa_url, body)
    assert reply.status == 200, reply
    assert SIGN_IN in reply.text
    assert_alive(store_assistant)
