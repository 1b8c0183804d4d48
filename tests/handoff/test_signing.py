"""The HMAC scheme shared by outgoing webhooks and the agent endpoints."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from tactful.handoff.signing import SignatureError, sign, signed_headers, verify

SECRET = "s3cret"
BODY = b'{"conversation_id":"c:1","text":"hi"}'
NOW = 1_800_000_000


def test_signature_is_hmac_sha256_over_timestamp_dot_body() -> None:
    expected = hmac.new(SECRET.encode(), b"1800000000." + BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, "1800000000", BODY) == expected
    headers = signed_headers(SECRET, BODY, now=NOW)
    assert headers == {"X-Tactful-Timestamp": "1800000000", "X-Tactful-Signature": expected}


def test_fresh_correct_signature_passes() -> None:
    headers = signed_headers(SECRET, BODY, now=NOW - 200)
    verify(SECRET, headers["X-Tactful-Timestamp"], headers["X-Tactful-Signature"], BODY, now=NOW)


@pytest.mark.parametrize(
    ("timestamp", "signature", "body", "status"),
    [
        (None, "abc", BODY, 401),
        (str(NOW), None, BODY, 401),
        ("yesterday", "abc", BODY, 401),
        (str(NOW - 301), sign(SECRET, str(NOW - 301), BODY), BODY, 401),
        (str(NOW + 301), sign(SECRET, str(NOW + 301), BODY), BODY, 401),
        (str(NOW), sign("other", str(NOW), BODY), BODY, 403),
        (str(NOW), sign(SECRET, str(NOW), BODY), BODY + b" ", 403),
        (str(NOW), sign(SECRET, str(NOW - 1), BODY), BODY, 403),
    ],
)
def test_missing_stale_or_wrong_signatures_are_refused(
    timestamp: str | None, signature: str | None, body: bytes, status: int
) -> None:
    with pytest.raises(SignatureError) as info:
        verify(SECRET, timestamp, signature, body, now=NOW)
    assert info.value.status == status
