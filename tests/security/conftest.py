"""Running assistants for the security tests, shared by every module here.

* ``main_assistant``: SQLite tracker store; REST, socket.io, Slack (against a
  local fake Slack API) and the signed helpdesk endpoints (against a local
  helpdesk receiver). Rate limits are raised so fuzzing never hits them.
* ``pg_assistant``: the REST / socket.io / helpdesk set-up as shipped, with
  its tracker store and its shop in fresh PostgreSQL databases created for
  this run and dropped afterwards. Rate limits raised.
* ``limited_assistant``: small rate limits counted in Redis; its action
  server may be killed by a test (keep such tests last in their module).

Each assistant starts at first use and stops at the end of the session. The
probes and fuzz cases the tests send are counted and reported at the end
(and written to test-artifacts/security-probes.json).
"""

from __future__ import annotations

import json
import os
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.messaging import webhooks as hooks
from tests.messaging.fake_provider import SLACK_TOKEN, FakeProvider, running_fake_provider
from tests.support.assistant import Assistant, start_assistant
from tests.support.helpdesk import HelpdeskReceiver
from tests.support.postgres import fresh_databases
from tests.support.security import PROBES
from tests.support.servers import REPO_ROOT, skip_or_fail

HELPDESK_SECRET = "security-helpdesk-secret-0123456789abcdef"
REDIS_URL = os.environ.get("TACTFUL_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
UNLIMITED = {
    "TACTFUL_RATE_SENDER_PER_MINUTE": "100000",
    "TACTFUL_RATE_CUSTOMER_PER_MINUTE": "100000",
    "TACTFUL_RATE_SESSIONS_PER_MINUTE": "100000",
    "TACTFUL_REDIS_URL": "",
}
# The limited assistant's limits (tests read them from here).
SENDER_LIMIT = 5
CUSTOMER_LIMIT = 8


def slack_enabled(credentials: str) -> str:
    """credentials.yml with its commented Slack entry switched on, as its notes say."""
    lines, inside = [], False
    for line in credentials.splitlines():
        if line.startswith("#tactful.channels.messaging.slack."):
            inside = True
        elif line.startswith("##") or (line and not line.startswith("#")):
            inside = False
        if inside and line.startswith("#"):
            line = line[1:]
        lines.append(line)
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="session")
def helpdesk_receiver() -> Iterator[HelpdeskReceiver]:
    receiver = HelpdeskReceiver(HELPDESK_SECRET).start()
    yield receiver
    receiver.stop()


@pytest.fixture(scope="session")
def fake_provider() -> Iterator[FakeProvider]:
    with running_fake_provider() as provider:
        yield provider


def _helpdesk_env(receiver: HelpdeskReceiver) -> dict[str, str]:
    return {
        "TACTFUL_HELPDESK_URL": receiver.url,
        "TACTFUL_HELPDESK_SECRET": HELPDESK_SECRET,
        "TACTFUL_HELPDESK_TIMEOUT": "2",
        "TACTFUL_HELPDESK_RETRY_SECONDS": "0.5",
        "TACTFUL_HELPDESK_RETRY_MAX_SECONDS": "1",
    }


@pytest.fixture(scope="session")
def main_assistant(
    tmp_path_factory: pytest.TempPathFactory, helpdesk_receiver: HelpdeskReceiver, fake_provider: FakeProvider
) -> Iterator[Assistant]:
    workdir = tmp_path_factory.mktemp("security-main")
    credentials = workdir / "credentials.yml"
    credentials.write_text(slack_enabled((REPO_ROOT / "credentials.yml").read_text()))
    env = {
        **UNLIMITED,
        **_helpdesk_env(helpdesk_receiver),
        "TACTFUL_CREDENTIALS": str(credentials),
        "TACTFUL_SLACK_BOT_TOKEN": SLACK_TOKEN,
        "TACTFUL_SLACK_SIGNING_SECRET": hooks.SLACK_SIGNING_SECRET,
        "TACTFUL_SLACK_API_BASE": fake_provider.base_url("slack"),
    }
    with start_assistant(workdir, extra_env=env) as assistant:
        yield assistant


@pytest.fixture(scope="session")
def pg_databases() -> Iterator[dict[str, str]]:
    """Two fresh, empty PostgreSQL databases (tracker store, shop) for one assistant; dropped afterwards."""
    prefix = f"tactful_security_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with fresh_databases({"tracker": f"{prefix}_tracker", "shop": f"{prefix}_shop"}) as urls:
        yield urls


@pytest.fixture(scope="session")
def pg_assistant(
    tmp_path_factory: pytest.TempPathFactory,
    pg_databases: dict[str, str],
    helpdesk_receiver: HelpdeskReceiver,
) -> Iterator[Assistant]:
    """Tracker store and shop both on PostgreSQL (the production set-up)."""
    env = {**UNLIMITED, **_helpdesk_env(helpdesk_receiver), "TACTFUL_TRACKER_DB": pg_databases["tracker"]}
    workdir = tmp_path_factory.mktemp("security-pg")
    with start_assistant(workdir, shop_db_url=pg_databases["shop"], extra_env=env) as assistant:
        yield assistant


@pytest.fixture(params=["sqlite", "postgresql"])
def store_assistant(request: pytest.FixtureRequest) -> Assistant:
    """Each test that takes it runs on both tracker stores."""
    return request.getfixturevalue("main_assistant" if request.param == "sqlite" else "pg_assistant")


@pytest.fixture(scope="session")
def limited_assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        skip_or_fail(f"Redis unreachable at {REDIS_URL}: {error}")
    env = {
        "TACTFUL_RATE_SENDER_PER_MINUTE": str(SENDER_LIMIT),
        "TACTFUL_RATE_CUSTOMER_PER_MINUTE": str(CUSTOMER_LIMIT),
        "TACTFUL_RATE_SESSIONS_PER_MINUTE": "100000",
        "TACTFUL_REDIS_URL": REDIS_URL,
    }
    with start_assistant(tmp_path_factory.mktemp("security-limited"), extra_env=env) as assistant:
        yield assistant


# -- counting probes ----------------------------------------------------------------

_TOTALS: Counter[str] = Counter()


@pytest.fixture(scope="session", autouse=True)
def _count_assistant_requests() -> Iterator[None]:
    """Count the messages sent through Assistant.say / Assistant.post too."""
    from tests.support import assistant as assistant_module
    from tests.support import security

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(assistant_module, "post_json", security.post_json)
        yield


@pytest.fixture(autouse=True)
def _count_probes(request: pytest.FixtureRequest) -> Iterator[None]:
    before = Counter(PROBES)
    yield
    group = "fuzz" if request.node.module.__name__.endswith("test_fuzz") else "targeted"
    for kind, count in (PROBES - before).items():
        _TOTALS[f"{group}_{kind}"] += count


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _TOTALS:
        return
    summary = dict(sorted(_TOTALS.items()))
    terminalreporter.write_sep("-", "security probes")
    for kind, count in summary.items():
        terminalreporter.write_line(f"{kind}: {count}")
    out = REPO_ROOT / "test-artifacts" / "security-probes.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(summary, indent=2) + "\n")
    terminalreporter.write_line(f"written to {Path(out).relative_to(REPO_ROOT)}")
