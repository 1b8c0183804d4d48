"""identity_from_metadata (tactful.identity): stored identity first, then a verified token."""

from __future__ import annotations

import time

import jwt
import pytest

from tactful.identity import (
    IDENTITY_KEY,
    TOKEN_KEY,
    VerifiedIdentity,
    identity_from_metadata,
    identity_to_metadata,
    issue_token,
)

SECRET = "identity-secret-0123456789abcdef01234567"


def test_stored_identity_round_trips() -> None:
    identity = VerifiedIdentity("C001", "K7", 1_900_000_000)
    assert identity_from_metadata(identity_to_metadata(identity), SECRET) == identity
    assert identity_from_metadata(identity_to_metadata(identity), None) == identity
    assert identity_to_metadata(None) == {}


def test_stored_identity_wins_over_a_token() -> None:
    stored = {IDENTITY_KEY: {"customer_id": "C001", "cart_id": None, "expires_at": 123}}
    token = issue_token("C002", SECRET, cart_id="K2")
    assert identity_from_metadata({**stored, TOKEN_KEY: token}, SECRET) == VerifiedIdentity("C001", None, 123)


def test_a_non_string_cart_in_a_stored_identity_is_dropped() -> None:
    stored = {IDENTITY_KEY: {"customer_id": "C001", "cart_id": 42, "expires_at": 5}}
    assert identity_from_metadata(stored, SECRET) == VerifiedIdentity("C001", None, 5)


MALFORMED = [
    None,
    "C001",
    ["C001"],
    {},
    {"customer_id": "", "expires_at": 1},
    {"customer_id": 7, "expires_at": 1},
    {"customer_id": "C001"},
    {"customer_id": "C001", "expires_at": "1900000000"},
    {"customer_id": "C001", "expires_at": 1.5},
    {"customer_id": "C001", "expires_at": None},
]


@pytest.mark.parametrize("stored", MALFORMED)
def test_a_malformed_stored_identity_is_ignored(stored: object) -> None:
    assert identity_from_metadata({IDENTITY_KEY: stored}, SECRET) is None
    token = issue_token("C002", SECRET)
    found = identity_from_metadata({IDENTITY_KEY: stored, TOKEN_KEY: token}, SECRET)
    assert found is not None and found.customer_id == "C002"


def test_token_path_verifies() -> None:
    now = time.time()
    token = issue_token("C003", SECRET, ttl_seconds=600, cart_id="K3", now=now)
    assert identity_from_metadata({TOKEN_KEY: token}, SECRET) == VerifiedIdentity(
        "C003", "K3", int(now) + 600
    )


@pytest.mark.parametrize(
    ("token", "secret"),
    [
        pytest.param(issue_token("C003", SECRET), None, id="no-secret"),
        pytest.param(issue_token("C003", SECRET), "another-secret-0123456789abcdef01", id="other-secret"),
        pytest.param(issue_token("C003", SECRET, ttl_seconds=1, now=time.time() - 600), SECRET, id="expired"),
        pytest.param(
            jwt.encode({"sub": "C003", "exp": int(time.time()) + 600}, None, algorithm="none"),
            SECRET,
            id="alg-none",
        ),
        pytest.param(
            jwt.encode({"sub": 5, "exp": int(time.time()) + 600}, SECRET), SECRET, id="non-string-sub"
        ),
        pytest.param(
            jwt.encode({"sub": "C" * 65, "exp": int(time.time()) + 600}, SECRET), SECRET, id="long-sub"
        ),
        pytest.param(
            jwt.encode({"sub": "C003", "exp": str(int(time.time()) + 600)}, SECRET), SECRET, id="exp-as-text"
        ),
        pytest.param(
            jwt.encode({"sub": "C003", "exp": int(time.time()) + 600, "iat": "0"}, SECRET),
            SECRET,
            id="iat-as-text",
        ),
        pytest.param("", SECRET, id="empty"),
        pytest.param(5, SECRET, id="number"),
        pytest.param("x" * 5000, SECRET, id="huge"),
    ],
)
def test_token_path_refuses_what_does_not_verify(token: object, secret: str | None) -> None:
    assert identity_from_metadata({TOKEN_KEY: token}, secret) is None


@pytest.mark.parametrize("metadata", [None, "C001", ["C001"], 5, {}, {"customer_id": "C001"}])
def test_no_identity_without_a_stored_one_or_a_token(metadata: object) -> None:
    assert identity_from_metadata(metadata, SECRET) is None


def test_a_token_with_a_lone_surrogate_is_no_identity() -> None:
    assert identity_from_metadata({TOKEN_KEY: "a\ud800"}, SECRET) is None
