"""Conversation keys (tactful.channels.ids): the only ids the tracker store sees."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tactful.channels.ids import (
    BadConversationId,
    channel_of,
    conversation_key,
    is_storable,
    local_id_error,
    local_id_of,
    split_key,
)

SAFE_LOCAL = string.ascii_letters + string.digits + "_.@+-"

# Characters that look like (or fold to) safe ones but are not ASCII.
LOOK_ALIKES = [
    "\u0430lice",  # Cyrillic small a
    "\uff41lice",  # fullwidth a
    "alice\u200b",  # zero-width space
    "\u0661\u0662\u0663",  # Arabic-Indic digits (str.isdigit() is True)
    "\u212aelvin",  # Kelvin sign, folds to K
    "stra\u00dfe",  # sharp s
    "\ufb01le",  # "fi" ligature
    "\u0130stanbul",  # dotted capital I
    "alice\u00a0",  # no-break space
    "\u2024dot",  # one dot leader, looks like "."
    "a\u2010b",  # Unicode hyphen
    "\uff20host",  # fullwidth @
]

UNSAFE = [
    "\ud800",  # lone surrogate
    "a\udfffb",
    "a\x00b",  # NUL
    "a/b",
    "../etc",
    "a:b",  # the separator never appears inside a local id
    "a b",
    "a\tb",
    "a\r\nb",
    "<script>",
    "a'b",
    'a"b',
    "a%00",
    "a\\b",
    "a*",
    "a#b",
]


@pytest.mark.parametrize(
    "local_id",
    ["alice", "A", "+14155238886", "-1001234567890", "alice.smith@example.com", "U0_A-b.c+d@e", "a" * 128],
)
def test_safe_local_ids_are_accepted(local_id: str) -> None:
    assert local_id_error(local_id) is None
    assert conversation_key("rest", local_id) == f"rest:{local_id}"


@pytest.mark.parametrize("local_id", UNSAFE + LOOK_ALIKES)
def test_unsafe_and_look_alike_local_ids_are_refused(local_id: str) -> None:
    assert local_id_error(local_id) == "the id may contain only letters, digits and _ . @ + -"
    with pytest.raises(BadConversationId, match="only letters, digits"):
        conversation_key("rest", local_id)
    assert not is_storable(f"rest:{local_id}") or ":" in local_id


@pytest.mark.parametrize("local_id", ["", None, 5, b"alice", ["alice"], {"id": "alice"}])
def test_empty_and_non_string_local_ids_are_refused(local_id: object) -> None:
    assert local_id_error(local_id) == "the id must be a non-empty string"
    with pytest.raises(BadConversationId, match="non-empty string"):
        conversation_key("rest", local_id)


def test_local_id_length_limit_is_128() -> None:
    assert local_id_error("a" * 128) is None
    assert local_id_error("a" * 129) == "the id must be at most 128 characters"
    with pytest.raises(BadConversationId, match="at most 128"):
        conversation_key("rest", "a" * 129)


def test_bad_conversation_id_is_a_value_error() -> None:
    assert issubclass(BadConversationId, ValueError)


@pytest.mark.parametrize("channel", ["rest", "socketio", "twilio_whatsapp", "a", "a" + "b" * 31, "x9"])
def test_channel_names_accepted(channel: str) -> None:
    assert conversation_key(channel, "u1") == f"{channel}:u1"


@pytest.mark.parametrize(
    "channel", ["", "Rest", "1rest", "_rest", "rest-x", "rest:x", "re st", "a" * 33, "r\u00e9st"]
)
def test_bad_channel_names_refused(channel: str) -> None:
    with pytest.raises(BadConversationId, match="bad channel name"):
        conversation_key(channel, "u1")


def test_split_channel_of_and_local_id_of() -> None:
    key = conversation_key("slack", "U012AB3CD")
    assert split_key(key) == ("slack", "U012AB3CD")
    assert channel_of(key) == "slack"
    assert local_id_of(key) == "U012AB3CD"


@pytest.mark.parametrize(
    "key",
    [
        "alice",
        "default",
        ":alice",
        "rest:",
        "rest:a:b",
        "Rest:alice",
        "rest:a/b",
        "rest:\ud800",
        "rest:a\x00b",
        "",
    ],
)
def test_keys_of_another_shape(key: str) -> None:
    with pytest.raises(BadConversationId):
        split_key(key)
    assert channel_of(key) is None
    assert local_id_of(key) == key


@pytest.mark.parametrize(
    "sender_id", ["rest:alice", "default", "alice", "a" * 200, "twilio:+14155238886", "a:b:c"]
)
def test_storable_ids(sender_id: str) -> None:
    assert is_storable(sender_id)


@pytest.mark.parametrize(
    "sender_id",
    [
        "",
        "a" * 201,
        "rest:\ud800",
        "\ud800",
        "a\x00b",
        "rest:a/b",
        "a b",
        "rest:\u0430lice",
        None,
        5,
        b"rest:alice",
    ],
)
def test_unstorable_ids(sender_id: object) -> None:
    assert not is_storable(sender_id)


@pytest.mark.parametrize("kind", ["local_id", "channel", "storable"])
def test_trailing_newline_is_refused(kind: str) -> None:
    if kind == "local_id":
        assert local_id_error("alice\n") is not None
    elif kind == "channel":
        with pytest.raises(BadConversationId):
            conversation_key("rest\n", "alice")
    else:
        assert not is_storable("rest:alice\n")


channels = st.from_regex(r"\A[a-z][a-z0-9_]{0,31}\Z")
safe_local_ids = st.text(alphabet=SAFE_LOCAL, min_size=1, max_size=128)


@settings(max_examples=300, database=None)
@given(channel=channels, local_id=safe_local_ids)
def test_every_safe_key_round_trips(channel: str, local_id: str) -> None:
    key = conversation_key(channel, local_id)
    assert split_key(key) == (channel, local_id)
    assert channel_of(key) == channel
    assert local_id_of(key) == local_id
    assert is_storable(key)


@settings(max_examples=300, database=None)
@given(channel=channels, local_id=st.one_of(safe_local_ids, st.text(max_size=140)))
def test_any_key_built_round_trips_and_is_storable(channel: str, local_id: str) -> None:
    try:
        key = conversation_key(channel, local_id)
    except BadConversationId:
        return
    assert split_key(key) == (channel, local_id)
    assert is_storable(key)
    assert "\x00" not in key and "/" not in key
    key.encode("utf-8")  # never a lone surrogate
