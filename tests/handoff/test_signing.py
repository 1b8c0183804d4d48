"""The one signing scheme (tactful.signing) and its replay guard, in memory and in a real Redis."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
from collections.abc import Iterator

import pytest

from tactful.signing import (
    ID_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    ReplayCheckUnavailable,
    ReplayGuard,
    SignatureError,
    signature,
    signed_headers,
    verify,
    verify_once,
)
from tests.support.redis import scratch_prefix
from tests.support.roots import fresh_root
from tests.support.servers import free_port

SECRET = "s3cret"
BODY = b'{"conversation_id":"c:1","text":"hi"}'
NOW = 1_800_000_000
REDIS_URL = "redis://127.0.0.1:6379/0"
OTHER_ID = "0123456789abcdef0123456789abcdef"


def refused(headers: dict[str, str], body: bytes = BODY, secret: str = SECRET) -> int:
    with pytest.raises(SignatureError) as info:
        verify(secret, headers, body, now=NOW)
    return info.value.status


def test_signature_is_v1_hmac_sha256_over_timestamp_id_and_body() -> None:
    headers = signed_headers(SECRET, BODY, now=NOW)
    request_id = headers[ID_HEADER]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    expected = hmac.new(SECRET.encode(), f"{NOW}.{request_id}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert headers == {TIMESTAMP_HEADER: str(NOW), ID_HEADER: request_id, SIGNATURE_HEADER: f"v1={expected}"}


def test_every_signing_gets_a_new_id() -> None:
    ids = {signed_headers(SECRET, BODY, now=NOW)[ID_HEADER] for _ in range(100)}
    assert len(ids) == 100


@pytest.mark.parametrize("age", [-300, -200, 0, 200, 300])
def test_a_fresh_correct_request_passes_and_gives_its_id(age: int) -> None:
    headers = signed_headers(SECRET, BODY, now=NOW - age)
    assert verify(SECRET, headers, BODY, now=NOW) == headers[ID_HEADER]


def test_header_names_and_hex_case_do_not_matter() -> None:
    headers = signed_headers(SECRET, BODY, now=NOW)
    lowered = {name.lower(): value for name, value in headers.items()}
    lowered["x-tactful-signature"] = "v1=" + lowered["x-tactful-signature"][3:].upper()
    assert verify(SECRET, lowered, BODY, now=NOW) == headers[ID_HEADER]


@pytest.mark.parametrize("offset", [-301, 301, -86_400])
def test_a_stale_or_future_timestamp_is_refused(offset: int) -> None:
    assert refused(signed_headers(SECRET, BODY, now=NOW + offset)) == 401


def test_another_secret_is_refused() -> None:
    assert refused(signed_headers("other", BODY, now=NOW)) == 403


def test_a_tampered_body_is_refused() -> None:
    assert refused(signed_headers(SECRET, BODY, now=NOW), body=BODY + b" ") == 403


def test_a_tampered_id_is_refused() -> None:
    headers = {**signed_headers(SECRET, BODY, now=NOW), ID_HEADER: OTHER_ID}
    assert refused(headers) == 403


def test_a_tampered_timestamp_is_refused() -> None:
    headers = {**signed_headers(SECRET, BODY, now=NOW), TIMESTAMP_HEADER: str(NOW - 1)}
    assert refused(headers) == 403


@pytest.mark.parametrize("missing", [TIMESTAMP_HEADER, ID_HEADER, SIGNATURE_HEADER])
def test_a_missing_or_empty_header_is_refused(missing: str) -> None:
    headers = signed_headers(SECRET, BODY, now=NOW)
    assert refused({k: v for k, v in headers.items() if k != missing}) == 401
    assert refused({**headers, missing: "  "}) == 401


@pytest.mark.parametrize(
    "request_id",
    [
        "short",
        "a" * 65,
        "has.a.dot.in.it.0123",
        "with spaces 0123456789",
        "ünïcode-0123456789ab",
        "x\r\ny" * 8,
    ],
)
def test_a_malformed_id_is_refused_even_when_signed(request_id: str) -> None:
    headers = {
        TIMESTAMP_HEADER: str(NOW),
        ID_HEADER: request_id,
        SIGNATURE_HEADER: signature(SECRET, str(NOW), "placeholder-0123456789", BODY),
    }
    assert refused(headers) == 401


@pytest.mark.parametrize(
    "timestamp", ["yesterday", "+1800000000", " 1800000000x", "1_800_000_000", "١٨٠٠٠٠٠٠٠٠"]
)
def test_a_malformed_timestamp_is_refused(timestamp: str) -> None:
    assert refused({**signed_headers(SECRET, BODY, now=NOW), TIMESTAMP_HEADER: timestamp}) == 401


def test_another_scheme_is_refused() -> None:
    headers = signed_headers(SECRET, BODY, now=NOW)
    body_only = hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest()
    for value in (headers[SIGNATURE_HEADER][3:], f"sha256={body_only}", "v2=" + "0" * 64, "v1=" + "0" * 63):
        assert refused({**headers, SIGNATURE_HEADER: value}) == 401


# --------------------------------------------------------------------------- replays


def test_memory_guard_refuses_a_replay() -> None:
    async def run() -> list[bool]:
        guard = ReplayGuard()
        return [
            await guard.first_use("a" * 32),
            await guard.first_use("a" * 32),
            await guard.first_use("b" * 32),
        ]

    assert asyncio.run(run()) == [True, False, True]


def test_verify_once_refuses_the_same_signed_request_twice() -> None:
    headers = signed_headers(SECRET, BODY)

    async def run() -> int:
        guard = ReplayGuard()
        assert await verify_once(SECRET, headers, BODY, guard) == headers[ID_HEADER]
        with pytest.raises(SignatureError) as info:
            await verify_once(SECRET, headers, BODY, guard)
        return info.value.status

    assert asyncio.run(run()) == 409


def test_a_forged_request_does_not_burn_the_id() -> None:
    headers = signed_headers(SECRET, BODY)
    forged = {**headers, SIGNATURE_HEADER: "v1=" + "0" * 64}

    async def run() -> str:
        guard = ReplayGuard()
        with pytest.raises(SignatureError, match="bad signature"):
            await verify_once(SECRET, forged, BODY, guard)
        return await verify_once(SECRET, headers, BODY, guard)

    assert asyncio.run(run()) == headers[ID_HEADER]


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    with scratch_prefix("test:replay", url=REDIS_URL) as prefix:
        yield prefix


def test_redis_guard_refuses_a_replay_on_another_replica(redis_prefix: str) -> None:
    async def run() -> list[bool]:
        replica_a = ReplayGuard(REDIS_URL, prefix=redis_prefix)
        replica_b = ReplayGuard(REDIS_URL, prefix=redis_prefix)
        racing = await asyncio.gather(*(r.first_use("c" * 32) for r in (replica_a, replica_b) * 5))
        return [sum(racing) == 1, await replica_b.first_use("d" * 32), await replica_a.first_use("d" * 32)]

    assert asyncio.run(run()) == [True, True, False]


def test_redis_guard_keeps_ids_for_twice_the_max_age(redis_prefix: str) -> None:
    import redis

    asyncio.run(ReplayGuard(REDIS_URL, max_age=300, prefix=redis_prefix).first_use("e" * 32))
    ttl = redis.Redis.from_url(REDIS_URL).ttl(f"{redis_prefix}{'e' * 32}")
    assert 590 < ttl <= 600


def test_redis_down_fails_closed() -> None:
    headers = signed_headers(SECRET, BODY)

    async def run() -> list[int]:
        guard = ReplayGuard(f"redis://127.0.0.1:{free_port()}/0")
        statuses = []
        for _ in range(2):
            with pytest.raises(ReplayCheckUnavailable) as info:
                await verify_once(SECRET, headers, BODY, guard)
            statuses.append(info.value.status)
        return statuses

    assert asyncio.run(run()) == [503, 503]


def test_the_process_guard_uses_the_configured_redis(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TACTFUL_REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")
    with fresh_root() as root, pytest.raises(ReplayCheckUnavailable, match="Redis unavailable"):
        asyncio.run(root.replay_guard.first_use("f" * 32))
