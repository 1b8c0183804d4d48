"""socket.io session ids only this server can issue (tactful.channels.sessions)."""

from __future__ import annotations

import re

import pytest

from tactful.channels.ids import conversation_key, split_key
from tactful.channels.sessions import SessionIds

SECRET = "session-secret-0123456789abcdef0123456789"


def test_issued_tokens_verify() -> None:
    ids = SessionIds(SECRET)
    token, local_id = ids.issue()
    assert re.fullmatch(r"[a-f0-9]{32}\.[a-f0-9]{32}", token)
    assert token.startswith(local_id + ".")
    assert ids.verify(token) == local_id
    # The local id makes a valid conversation key.
    assert split_key(conversation_key("socketio", local_id)) == ("socketio", local_id)


def test_tokens_survive_a_restart_with_the_same_secret() -> None:
    token, local_id = SessionIds(SECRET).issue()
    assert SessionIds(SECRET).verify(token) == local_id


def test_every_issue_is_a_new_conversation() -> None:
    ids = SessionIds(SECRET)
    issued = {ids.issue()[1] for _ in range(200)}
    assert len(issued) == 200


def test_another_secret_does_not_verify() -> None:
    token, _ = SessionIds(SECRET).issue()
    assert SessionIds(SECRET + "x").verify(token) is None
    assert SessionIds("other").verify(token) is None


def _flip(char: str) -> str:
    return "0" if char != "0" else "1"


def test_tampered_tokens_do_not_verify() -> None:
    ids = SessionIds(SECRET)
    token, local_id = ids.issue()
    for position in range(len(token)):
        if token[position] == ".":
            continue
        tampered = token[:position] + _flip(token[position]) + token[position + 1 :]
        assert ids.verify(tampered) is None, position


def test_a_chosen_local_id_with_a_copied_signature_does_not_verify() -> None:
    ids = SessionIds(SECRET)
    token, _ = ids.issue()
    signature = token.split(".")[1]
    assert ids.verify(f"{'a' * 32}.{signature}") is None


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: "",
        lambda token: token.replace(".", ""),
        lambda token: token.upper(),
        lambda token: token + "0",
        lambda token: "0" + token,
        lambda token: token.split(".")[0],
        lambda token: token.replace(".", ":"),
        lambda token: " " + token,
        lambda token: token[:-1],
        lambda token: f"rest:alice.{token.split('.')[1]}",
    ],
    ids=[
        "empty",
        "no-dot",
        "upper",
        "longer",
        "prefixed",
        "no-signature",
        "colon",
        "space",
        "short",
        "chosen-id",
    ],
)
def test_wrong_shape_does_not_verify(mangle) -> None:  # type: ignore[no-untyped-def]
    ids = SessionIds(SECRET)
    token, _ = ids.issue()
    assert ids.verify(mangle(token)) is None


@pytest.mark.parametrize("token", [None, 5, b"a.b", ["x"], {"token": "x"}, 1.5])
def test_non_strings_do_not_verify(token: object) -> None:
    assert SessionIds(SECRET).verify(token) is None


def test_bytes_of_a_valid_token_do_not_verify() -> None:
    ids = SessionIds(SECRET)
    token, _ = ids.issue()
    assert ids.verify(token.encode()) is None


@pytest.mark.parametrize("secret", ["", None])
def test_an_empty_secret_raises(secret: str | None) -> None:
    with pytest.raises(ValueError, match="TACTFUL_SESSION_SECRET"):
        SessionIds(secret)  # type: ignore[arg-type]
