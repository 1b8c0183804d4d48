"""The running bot of the messaging e2e modules, shared by all of them (test_messaging_e2e*.py).

``fake``: the local fake provider API the bot's replies go to; ``bot``: the
real Rasa and action servers, started with credentials.yml's commented
messaging entries switched on (``enable_messaging``) and pointed at ``fake``.
Both are package-scoped, so one bot serves every e2e module here, as it served
the single module before (Rasa takes ~30 s to start), and each starts only
when an e2e test first asks for it. test_channels.py and
test_telegram_webhook.py define their own ``fake``, which replaces this one
there: their calls never mix with the bot's.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.messaging import webhooks as hooks
from tests.messaging.fake_provider import (
    FACEBOOK_PAGE_TOKEN,
    SLACK_TOKEN,
    TELEGRAM_TOKEN,
    TWILIO_SID,
    TWILIO_TOKEN,
    FakeProvider,
    running_fake_provider,
)
from tests.support.assistant import Assistant, start_assistant
from tests.support.servers import REPO_ROOT


def enable_messaging(credentials: str) -> str:
    """credentials.yml with every commented messaging entry switched on, as its notes say."""
    lines, inside = [], False
    for line in credentials.splitlines():
        if line.startswith("## --- Messaging apps"):
            inside = True
        elif line.startswith("## --- end of messaging apps"):
            inside = False
        elif inside and line.startswith("#") and not line.startswith("##"):
            line = line[1:]
        lines.append(line)
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="package")
def fake() -> Iterator[FakeProvider]:
    with running_fake_provider() as provider:
        yield provider


@pytest.fixture(scope="package")
def bot(fake: FakeProvider, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    workdir = tmp_path_factory.mktemp("messaging")
    credentials = workdir / "credentials.yml"
    credentials.write_text(enable_messaging((REPO_ROOT / "credentials.yml").read_text()))
    env = {
        "TACTFUL_CREDENTIALS": str(credentials),
        "TACTFUL_SLACK_BOT_TOKEN": SLACK_TOKEN,
        "TACTFUL_SLACK_SIGNING_SECRET": hooks.SLACK_SIGNING_SECRET,
        "TACTFUL_FACEBOOK_VERIFY_TOKEN": hooks.FACEBOOK_VERIFY_TOKEN,
        "TACTFUL_FACEBOOK_APP_SECRET": hooks.FACEBOOK_APP_SECRET,
        "TACTFUL_FACEBOOK_PAGE_TOKEN": FACEBOOK_PAGE_TOKEN,
        "TACTFUL_TWILIO_ACCOUNT_SID": TWILIO_SID,
        "TACTFUL_TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TACTFUL_TWILIO_SMS_NUMBER": hooks.TWILIO_SMS_NUMBER,
        "TACTFUL_TWILIO_WHATSAPP_NUMBER": hooks.TWILIO_WHATSAPP_NUMBER,
        "TACTFUL_TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
        "TACTFUL_TELEGRAM_SECRET_TOKEN": hooks.TELEGRAM_SECRET,
        "TACTFUL_LINK_OUTBOX": str(workdir / "link_codes.jsonl"),
        "TACTFUL_LINK_DELIVERY": "outbox",
        "TACTFUL_PUBLIC_URL": "",
        "TACTFUL_REDIS_URL": "",
        **{
            f"TACTFUL_{p.upper()}_API_BASE": fake.base_url(p)
            for p in ("slack", "facebook", "twilio", "telegram")
        },
    }
    with start_assistant(workdir, extra_env=env) as assistant:
        yield assistant
