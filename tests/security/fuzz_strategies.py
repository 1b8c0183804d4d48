"""Hypothesis strategies for the fuzz tests (tests/security/test_fuzz.py): texts mixed
with lone surrogates, NUL and control characters, arbitrary JSON values, valid and bad
senders, tokens of other customers and broken ones (never a valid C001 token), nested
metadata, structured and raw REST bodies with every spelling of the route, methods and
content types, and socket.io session requests and user messages.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

from tactful.identity import issue_token
from tests.support.assistant import JWT_SECRET
from tests.support.security import REST_PATH

# Characters that trouble stores and parsers, mixed into otherwise ordinary text.
NASTY = [
    "\x00",
    "\ud800",
    "\udfff",
    "\udbff",
    "\x01",
    "\x1f",
    "\x7f",
    "\n",
    "\r",
    "\t",
    "\u2028",
    "\ufeff",
]
FRAGMENTS = [
    "\udbff\udc00",  # a surrogate pair: one valid character once decoded
    "\r\n",
    "where is my order?",
    "what is your return policy",
    "yes please",
    "I want to talk to a person",
    "link my account",
    "/restart",
    "/ /restart",
    "/accept_offer",
    '/order_status{"customer_id": "C001"}',
    '/ /greet{"customer_id":"C001"}',
    "status of order 9999999",
    "rest:alice",
    "slack:U024BE7LH",
    "socketio:" + "a" * 32,
    "alice@example.com",
    "' OR 1=1 --",
    "${TACTFUL_JWT_SECRET}",
    "{{7*7}}",
    "<script>alert(1)</script>",
    "🙂",
]
characters = st.one_of(st.characters(), st.characters(categories=["Cs"]), st.sampled_from(NASTY))
texts = st.one_of(
    st.text(characters, max_size=40),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(characters, max_size=8)), max_size=5).map("".join),
    st.sampled_from(FRAGMENTS),
)
big_texts = st.one_of(texts, st.integers(1990, 2010).map(lambda n: "a" * n), st.just("é" * 3000))
json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), texts
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=12,
)
valid_senders = st.from_regex(r"[A-Za-z0-9_.@+-]{1,24}", fullmatch=True)
bad_senders = st.one_of(
    st.from_regex(r"[A-Za-z0-9_.@+-]{1,8}", fullmatch=True).map(lambda s: s + "\n"),
    texts,
    st.sampled_from(["rest:alice", "slack:U024BE7LH", "default", "a" * 128, "a" * 129, ""]),
    json_values,
)


def weighted(
    common: st.SearchStrategy[Any], rare: st.SearchStrategy[Any], percent: int
) -> st.SearchStrategy[Any]:
    """``common`` in about ``percent`` % of the cases, ``rare`` in the rest."""
    return st.integers(0, 99).flatmap(lambda n: common if n < percent else rare)


# Most cases get past the channel's checks, so Rasa and the actions see them too.
senders = weighted(valid_senders, bad_senders, 75)


def _tokens() -> st.SearchStrategy[Any]:
    # Valid tokens of other customers, and every broken kind; never a valid C001 token.
    others = [issue_token(c, JWT_SECRET) for c in ("C004", "C005", "C010")]
    broken = [
        issue_token("C001", JWT_SECRET, ttl_seconds=-120),
        issue_token("C001", "some-other-secret-that-is-long-enough-0"),
        "eyJhbGciOiJub25lIn0.eyJzdWIiOiJDMDAxIn0.",
    ]
    return st.one_of(st.sampled_from(others + broken), texts, json_values)


metadata_keys = st.one_of(
    st.sampled_from(["customer_token", "tactful_identity", "customer_id", "cart_id", "input_channel"]), texts
)
metadata_objects = st.one_of(
    st.dictionaries(metadata_keys, st.one_of(_tokens(), json_values), max_size=5),
    st.fixed_dictionaries(
        {"customer_token": _tokens()},
        optional={
            "tactful_identity": st.fixed_dictionaries(
                {"customer_id": st.sampled_from(["C001", "C004"]), "expires_at": st.integers()}
            ),
            "pad": big_texts,
        },
    ),
)
metadata = weighted(metadata_objects, json_values, 85)
messages = weighted(texts, st.one_of(big_texts, json_values), 75)
structured_bodies = st.fixed_dictionaries(
    {"sender": senders, "message": messages},
    optional={"metadata": metadata, "input_channel": texts, "parse_data": json_values},
)
HANDLED = [REST_PATH, REST_PATH + "/", REST_PATH + "?x=1", REST_PATH + "//"]
paths = st.one_of(
    st.sampled_from(HANDLED),
    st.sampled_from(["/" + REST_PATH, REST_PATH.upper(), "/webhooks/rest/", "/webhooks/socketio/webhook"]),
)
methods = st.sampled_from(["POST"] * 6 + ["GET", "PUT", "HEAD", "PATCH", "DELETE", "OPTIONS"])
content_types = st.sampled_from(
    [
        "application/json",
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/json; charset=latin-1",
    ]
)
raw_bodies = st.one_of(
    json_values.map(lambda value: json.dumps(value).encode()),
    st.binary(max_size=300),
    structured_bodies.map(lambda body: json.dumps(body).encode()),
    st.integers(0, 40).map(lambda depth: b"[" * depth * 100 + b"]" * depth * 100),  # deep nesting
    st.just(b'{"sender": "x", "message": "hi", "metadata": ' + b'{"a":' * 2000 + b"1" + b"}" * 2001),
)


# -- socket.io --------------------------------------------------------------------------------

session_requests = st.one_of(
    st.fixed_dictionaries({"session_id": st.one_of(texts, json_values, st.none())}),
    json_values,
)
custom_data = st.one_of(metadata, metadata.map(lambda m: json.dumps(m)), texts)
user_messages = st.one_of(
    st.fixed_dictionaries(
        {"message": messages, "own_session": st.booleans()},
        optional={"customData": custom_data, "session_id": st.one_of(texts, json_values)},
    ),
    st.lists(json_values, max_size=3).map(lambda args: {"raw_args": args}),
)
