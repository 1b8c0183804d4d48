"""The agent endpoints' gate: signed, fresh and first-seen, before anything else runs."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from tactful.channels.helpdesk import _authenticated_body
from tactful.signing import SIGNATURE_HEADER, SignatureError, signed_headers
from tests.handoff.conftest import SECRET
from tests.support.roots import fresh_root, rebuild_root
from tests.support.servers import free_port

BODY = json.dumps({"conversation_id": "rest:x:1", "text": "hi"}).encode()


@pytest.fixture(autouse=True)
def helpdesk_secret(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TACTFUL_HELPDESK_SECRET", SECRET)
    monkeypatch.delenv("TACTFUL_REDIS_URL", raising=False)
    with fresh_root():
        yield


def call(headers: dict[str, str], body: bytes = BODY) -> Any:
    # Only .body and .headers are read; a real Sanic request is exercised end to end.
    request = SimpleNamespace(body=body, headers=headers)
    return asyncio.run(_authenticated_body(request))  # type: ignore[arg-type]


def status_of(headers: dict[str, str], body: bytes = BODY) -> int:
    with pytest.raises(SignatureError) as info:
        call(headers, body)
    return info.value.status


def test_the_same_signed_call_twice_is_refused_as_a_replay() -> None:
    headers = signed_headers(SECRET, BODY)
    assert call(headers) == {"conversation_id": "rest:x:1", "text": "hi"}
    with pytest.raises(SignatureError) as info:
        call(headers)
    assert (info.value.status, info.value.message) == (409, "replayed request")
    assert call(signed_headers(SECRET, BODY))["text"] == "hi"


def test_a_forged_call_is_refused_without_burning_the_id() -> None:
    headers = signed_headers(SECRET, BODY)
    assert status_of({**headers, SIGNATURE_HEADER: "v1=" + "0" * 64}) == 403
    assert status_of({}) == 401
    assert call(headers)["text"] == "hi"


def test_redis_down_refuses_with_503(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TACTFUL_REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")
    rebuild_root()
    assert status_of(signed_headers(SECRET, BODY)) == 503
