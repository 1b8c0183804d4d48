"""Each provider's signature check, against signatures made the provider's way."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from tactful.channels.messaging.signatures import (
    hub_signature_valid,
    slack_signature_valid,
    telegram_secret_valid,
    twilio_signature_valid,
)

BODY = b'{"type":"event_callback","event":{"type":"message","text":"hi"}}'


def slack_sign(secret: str, stamp: str, body: bytes) -> str:
    return (
        "v0=" + hmac.new(secret.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    )


def test_slack_accepts_its_own_signature_and_nothing_else() -> None:
    stamp = str(int(time.time()))
    good = slack_sign("s3cret", stamp, BODY)
    assert slack_signature_valid("s3cret", stamp, good, BODY)
    assert not slack_signature_valid("other", stamp, good, BODY)
    assert not slack_signature_valid("s3cret", stamp, good, BODY + b" ")
    assert not slack_signature_valid("s3cret", stamp, None, BODY)
    assert not slack_signature_valid("s3cret", None, good, BODY)
    assert not slack_signature_valid("s3cret", "not-a-number", good, BODY)


def test_slack_refuses_a_replay_older_than_five_minutes() -> None:
    old = str(int(time.time()) - 301)
    assert not slack_signature_valid("s3cret", old, slack_sign("s3cret", old, BODY), BODY)
    # Slack's documented example, checked at the time it was made.
    example = (
        b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
        b"&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
        b"&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
        b"&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )
    signature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    assert slack_signature_valid(
        "8f742231b10e8888abcd99yyyzzz85a5", "1531420618", signature, example, now=1531420618
    )


def test_slack_window_is_five_minutes_either_way() -> None:
    stamp = 1_700_000_000
    good = slack_sign("s3cret", str(stamp), BODY)
    for offset in (-300, 0, 300):
        assert slack_signature_valid("s3cret", str(stamp), good, BODY, now=stamp + offset)
    for offset in (-301, 301):
        assert not slack_signature_valid("s3cret", str(stamp), good, BODY, now=stamp + offset)


def test_slack_says_no_instead_of_raising_on_odd_input() -> None:
    stamp = str(int(time.time()))
    good = slack_sign("s3cret", stamp, BODY)
    assert not slack_signature_valid("", stamp, slack_sign("", stamp, BODY), BODY)
    assert not slack_signature_valid("s3cret", stamp, good[:-1] + "é", BODY)
    assert not slack_signature_valid("s3cret", stamp, slack_sign("s3cret", stamp, b"\xff"), b"\xff")
    assert not slack_signature_valid("s3cret", "", good, BODY)
    assert not slack_signature_valid("s3cret", stamp, "", BODY)


def test_messenger_prefers_sha256_and_accepts_legacy_sha1() -> None:
    sha256 = "sha256=" + hmac.new(b"app", BODY, hashlib.sha256).hexdigest()
    sha1 = "sha1=" + hmac.new(b"app", BODY, hashlib.sha1).hexdigest()
    assert hub_signature_valid("app", BODY, sha256, sha1)
    assert hub_signature_valid("app", BODY, None, sha1)
    assert hub_signature_valid("app", BODY, sha256, None)
    # A wrong SHA-256 is not rescued by a valid SHA-1.
    assert not hub_signature_valid("app", BODY, "sha256=" + "0" * 64, sha1)
    assert not hub_signature_valid("other", BODY, sha256, sha1)
    assert not hub_signature_valid("app", BODY, None, None)
    # Only the two documented algorithms (the stock check takes md5 too).
    md5 = "md5=" + hmac.new(b"app", BODY, hashlib.md5).hexdigest()
    assert not hub_signature_valid("app", BODY, None, md5)
    assert not hub_signature_valid("app", BODY, md5, None)


def test_twilio_signature_covers_url_and_every_field_including_blank_ones() -> None:
    url = "https://bot.example.com/webhooks/twilio/webhook"
    params = {"Body": ["hello"], "From": ["+447700900123"], "FromCity": [""], "MessageSid": ["SM1"]}
    joined = url + "".join(f"{key}{params[key][0]}" for key in sorted(params))
    signature = base64.b64encode(hmac.new(b"tok", joined.encode(), hashlib.sha1).digest()).decode()
    assert twilio_signature_valid("tok", url, params, signature)
    # Port variants are accepted, since Twilio is inconsistent about them.
    assert twilio_signature_valid(
        "tok", "https://bot.example.com:443/webhooks/twilio/webhook", params, signature
    )
    assert not twilio_signature_valid("tok", url, {**params, "Body": ["hellO"]}, signature)
    assert not twilio_signature_valid(
        "tok", url, {k: v for k, v in params.items() if k != "FromCity"}, signature
    )
    assert not twilio_signature_valid("tok", url.replace("twilio", "twilio_whatsapp"), params, signature)
    assert not twilio_signature_valid("other", url, params, signature)
    assert not twilio_signature_valid("tok", url, params, None)


def test_telegram_secret_token_must_match_exactly() -> None:
    assert telegram_secret_valid("abc_DEF-123", "abc_DEF-123")
    assert not telegram_secret_valid("abc_DEF-123", "abc_DEF-12")
    assert not telegram_secret_valid("abc_DEF-123", "")
    assert not telegram_secret_valid("abc_DEF-123", None)
