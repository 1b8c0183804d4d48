"""What every channel does to input (tactful.channels.inbound)."""

from __future__ import annotations

import json
import time

import jwt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tactful.channels.inbound import (
    BUTTON_PAYLOADS,
    MAX_TOKEN_CHARS,
    BadInput,
    clean_text,
    client_metadata,
    customer_of,
    message_text,
    neutralise_payload,
    verified_metadata,
)
from tactful.identity import IDENTITY_KEY, TOKEN_KEY, issue_token

SECRET = "0123456789abcdef0123456789abcdef-inbound"

# ---------------------------------------------------------------- clean_text


def test_clean_text_removes_nul_and_c0_controls_but_keeps_tab_newline_cr() -> None:
    every_c0 = "".join(chr(code) for code in range(32)) + "\x7f"
    assert clean_text(every_c0) == "\t\n\r"
    assert clean_text("a\x00b\x1bc\x7fd") == "abcd"


def test_clean_text_removes_lone_surrogates() -> None:
    assert clean_text("\ud800x\udfffy\udbff") == "xy"
    # JSON may carry lone surrogates; json.loads hands them over as-is.
    assert clean_text(json.loads('"a\\ud83db"')) == "ab"


@pytest.mark.parametrize(
    "text",
    [
        "Hello, where is my order #A-123?",
        "caf\u00e9 na\u00efve \u65e5\u672c\u8a9e \u0627\u0644\u0633\u0644\u0627\u0645 \u05e9\u05dc\u05d5\u05dd",
        "\U0001f600 \U0001f44d\U0001f3fd \U0001f468\u200d\U0001f469\u200d\U0001f467",
        "line one\nline two\r\nline\tthree",
        "\u00a0non-breaking and \u2014 dashes \u201cquotes\u201d",
    ],
)
def test_clean_text_keeps_normal_unicode_emoji_and_newlines(text: str) -> None:
    assert clean_text(text) == text


def test_clean_text_keeps_an_emoji_sent_as_a_json_surrogate_pair() -> None:
    text = json.loads('"ok \\ud83d\\ude00"')
    assert text == "ok \U0001f600"
    assert clean_text(text) == text


@settings(max_examples=300, database=None)
@given(st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF)))
def test_clean_text_output_is_always_storable_utf8(text: str) -> None:
    cleaned = clean_text(text)
    cleaned.encode("utf-8")  # no lone surrogates left
    assert not any(ord(char) < 32 and char not in "\t\n\r" for char in cleaned)
    assert "\x7f" not in cleaned
    # Only removes: every kept character appears, in order, in the input.
    remaining = iter(text)
    assert all(char in remaining for char in cleaned)


# ---------------------------------------------------------------- payloads


@pytest.mark.parametrize("payload", sorted(BUTTON_PAYLOADS))
def test_button_payloads_pass(payload: str) -> None:
    assert neutralise_payload(payload) == payload
    assert neutralise_payload(f"  {payload}\n") == payload


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("/restart", "restart"),
        ("  /restart  ", "restart"),
        ("//restart", "restart"),
        ('/greet{"customer_id": "C7"}', 'greet{"customer_id": "C7"}'),
        ('/accept_offer{"offer_id": "O1"}', 'accept_offer{"offer_id": "O1"}'),
        ("/affirm now", "affirm now"),
        ("/", "?"),
        ("///", "?"),
        ("/   ", "?"),
    ],
)
def test_typed_payloads_become_plain_text(typed: str, expected: str) -> None:
    assert neutralise_payload(typed) == expected


@pytest.mark.parametrize("text", ["hello", "  spaced out  ", "what about a/b?", "price 3/4"])
def test_plain_text_is_unchanged(text: str) -> None:
    assert neutralise_payload(text) == text


@pytest.mark.parametrize(
    "typed", ["/ /restart", "/\t/restart", "/ / /restart", '/ /greet{"customer_id": "C7"}']
)
def test_a_payload_hidden_behind_slash_space_is_neutralised(typed: str) -> None:
    result = neutralise_payload(typed)
    assert not result.strip().startswith("/"), result


@settings(max_examples=300, database=None)
@given(st.text(alphabet='/ab{}":_', max_size=16))
def test_no_typed_payload_without_whitespace_survives(text: str) -> None:
    result = neutralise_payload(text)
    if result.strip().startswith("/"):
        assert result.strip() in BUTTON_PAYLOADS


# ---------------------------------------------------------------- message_text


@pytest.mark.parametrize("raw", [None, 5, 1.5, ["hi"], {"text": "hi"}, b"hi", True])
def test_message_text_requires_a_string(raw: object) -> None:
    with pytest.raises(BadInput, match="'message' is required and must be a string"):
        message_text(raw, 100)


def test_message_text_length_limit() -> None:
    assert message_text("a" * 100, 100) == "a" * 100
    with pytest.raises(BadInput, match="at most 100 characters"):
        message_text("a" * 101, 100)


@pytest.mark.parametrize("raw", ["", "   ", "\n\t", "\x00", "\x00\x01\ud800", " \x7f "])
def test_message_text_refuses_empty_after_cleaning(raw: str) -> None:
    with pytest.raises(BadInput, match="must not be empty"):
        message_text(raw, 100)


def test_message_text_cleans_then_neutralises() -> None:
    assert message_text("hi\x00 there\ud800", 100) == "hi there"
    assert message_text("\x00/restart", 100) == "restart"
    assert message_text("/affirm", 100) == "/affirm"
    assert message_text("\U0001f600\n", 100) == "\U0001f600\n"


def test_bad_input_is_a_value_error() -> None:
    assert issubclass(BadInput, ValueError)


# ---------------------------------------------------------------- client_metadata


def test_client_metadata_none_is_empty() -> None:
    assert client_metadata(None, 4096) == {}


@pytest.mark.parametrize("raw", ["token", 5, ["customer_token"], True, b"{}"])
def test_client_metadata_must_be_an_object(raw: object) -> None:
    with pytest.raises(BadInput, match="must be a JSON object"):
        client_metadata(raw, 4096)


def test_client_metadata_keeps_only_the_customer_token() -> None:
    raw = {
        TOKEN_KEY: "abc.def.ghi",
        IDENTITY_KEY: {"customer_id": "C1", "cart_id": None, "expires_at": 9999999999},
        "customer_id": "C1",
        "slots": {"customer_id": "C1"},
    }
    assert client_metadata(raw, 4096) == {TOKEN_KEY: "abc.def.ghi"}


def test_a_client_sent_identity_never_survives() -> None:
    forged = {IDENTITY_KEY: {"customer_id": "C1", "cart_id": None, "expires_at": 9999999999}}
    assert client_metadata(forged, 4096) == {}
    assert verified_metadata(client_metadata(forged, 4096), SECRET) == {}
    token = issue_token("C2", SECRET)
    kept = verified_metadata(client_metadata({**forged, TOKEN_KEY: token}, 4096), SECRET)
    assert kept[IDENTITY_KEY]["customer_id"] == "C2"
    assert customer_of(kept) == "C2"


@pytest.mark.parametrize("token", ["", 5, None, ["t"], {"t": 1}, "x" * (MAX_TOKEN_CHARS + 1)])
def test_client_metadata_drops_unusable_tokens(token: object) -> None:
    assert client_metadata({TOKEN_KEY: token}, 10_000) == {}


def test_client_metadata_keeps_a_token_of_the_maximum_length() -> None:
    token = "x" * MAX_TOKEN_CHARS
    assert client_metadata({TOKEN_KEY: token}, 10_000) == {TOKEN_KEY: token}


def test_client_metadata_size_limit_counts_utf8_bytes() -> None:
    raw = {"note": "\u00e9" * 10}  # each é is 2 bytes
    size = len(json.dumps(raw, ensure_ascii=False).encode("utf-8"))
    assert client_metadata(raw, size) == {}
    with pytest.raises(BadInput, match=f"at most {size - 1} bytes"):
        client_metadata(raw, size - 1)


def test_client_metadata_size_limit_applies_to_ignored_keys_too() -> None:
    with pytest.raises(BadInput, match="at most 4096 bytes"):
        client_metadata({TOKEN_KEY: "t", "padding": "x" * 5000}, 4096)


def _circular() -> dict[str, object]:
    loop: dict[str, object] = {}
    loop["self"] = loop
    return loop


def _deep(depth: int) -> dict[str, object]:
    value: object = "x"
    for _ in range(depth):
        value = [value]
    return {"deep": value}


@pytest.mark.parametrize(
    "raw",
    [
        {"x": {1, 2}},
        {"x": object()},
        {"x": b"bytes"},
        {(1, 2): "tuple key"},
        _circular(),
        _deep(100_000),
    ],
    ids=["set", "object", "bytes", "tuple-key", "circular", "deep"],
)
def test_client_metadata_refuses_what_is_not_plain_json(raw: dict[str, object]) -> None:
    with pytest.raises(BadInput, match="not plain JSON"):
        client_metadata(raw, 10**9)


def test_client_metadata_tolerates_lone_surrogates_in_the_size_check() -> None:
    # A token that is not plain ASCII cannot be a JWT: dropped before verification.
    assert client_metadata({TOKEN_KEY: "a\ud800"}, 4096) == {}


@pytest.mark.parametrize("token", ["\ud800", "eyJhbGciOiJIUzI1NiJ9.\udfff.x"])
def test_a_token_with_a_lone_surrogate_gives_no_identity(token: str) -> None:
    assert verified_metadata(client_metadata({TOKEN_KEY: token}, 4096), SECRET) == {}


# ---------------------------------------------------------------- verified_metadata


def test_a_valid_token_is_replaced_by_its_identity() -> None:
    token = issue_token("C001", SECRET, cart_id="K9", now=time.time())
    stored = verified_metadata({TOKEN_KEY: token}, SECRET)
    assert set(stored) == {IDENTITY_KEY}
    identity = stored[IDENTITY_KEY]
    assert identity["customer_id"] == "C001"
    assert identity["cart_id"] == "K9"
    assert identity["expires_at"] == jwt.decode(token, SECRET, algorithms=["HS256"])["exp"]
    serialised = json.dumps(stored)
    assert TOKEN_KEY not in serialised
    assert token not in serialised
    assert customer_of(stored) == "C001"


def _none_token(customer: str) -> str:
    now = int(time.time())
    return jwt.encode({"sub": customer, "iat": now, "exp": now + 600}, None, algorithm="none")


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(issue_token("C001", SECRET, ttl_seconds=60, now=time.time() - 3600), id="expired"),
        pytest.param(issue_token("C001", "another-secret-0123456789abcdef0123"), id="other-secret"),
        pytest.param(_none_token("C001"), id="alg-none"),
        pytest.param(
            jwt.encode({"sub": "C001", "exp": int(time.time()) + 600}, SECRET, algorithm="HS512"), id="hs512"
        ),
        pytest.param(jwt.encode({"sub": "C001"}, SECRET, algorithm="HS256"), id="no-exp"),
        pytest.param("not.a.token", id="garbage"),
        pytest.param(issue_token("C001", SECRET)[:-2], id="truncated"),
    ],
)
def test_an_unverifiable_token_gives_no_identity(token: str) -> None:
    assert verified_metadata({TOKEN_KEY: token}, SECRET) == {}


def test_without_a_secret_no_token_verifies() -> None:
    token = issue_token("C001", SECRET)
    assert verified_metadata({TOKEN_KEY: token}, None) == {}
    assert verified_metadata({TOKEN_KEY: token}, "") == {}


def test_no_token_no_identity() -> None:
    assert verified_metadata({}, SECRET) == {}


def test_customer_of_reads_only_the_stored_identity() -> None:
    token = issue_token("C001", SECRET)
    assert customer_of({TOKEN_KEY: token}) is None  # a raw token is not an identity here
    assert customer_of(None) is None
    assert customer_of("C001") is None
    assert customer_of({}) is None
