"""A running Tactful assistant (Rasa server + action server) for end-to-end tests."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tactful.identity import issue_token
from tests.support.http import post_json
from tests.support.servers import REPO_ROOT, base_env, free_port, running, skip_or_fail

MODEL = REPO_ROOT / "models" / "tactful.tar.gz"
JWT_SECRET = "e2e-test-jwt-secret-0123456789abcdef"
ACTION_SECRET = "e2e-action-secret"
RASA_TOKEN = "e2e-rasa-token"


@dataclass
class Assistant:
    rasa_url: str
    action_url: str
    shop_db_url: str
    workdir: Path
    env: dict[str, str] = field(default_factory=dict)

    def token(self, customer_id: str, ttl: int = 3600, **kwargs: Any) -> str:
        return issue_token(customer_id, JWT_SECRET, ttl_seconds=ttl, **kwargs)

    def post(self, path: str, body: Any, headers: dict[str, str] | None = None) -> tuple[int, Any]:
        return post_json(self.rasa_url + path, body, headers)

    def say(
        self, sender: str, text: str, customer: str | None = None, token: str | None = None
    ) -> list[dict]:
        """Send one message over REST; return the bot's messages."""
        metadata: dict[str, Any] = {}
        if customer is not None:
            metadata["customer_token"] = self.token(customer)
        if token is not None:
            metadata["customer_token"] = token
        status, messages = self.post(
            "/webhooks/rest/webhook", {"sender": sender, "message": text, "metadata": metadata}
        )
        assert status == 200, (status, messages)
        return messages

    def tracker(self, sender: str, channel: str = "rest") -> dict:
        """The tracker of a conversation: "rest:<sender>", or "socketio:<id>" for a
        session token "<id>.<signature>" the socket.io channel issued."""
        conversation = {"rest": f"rest:{sender}", "socketio": f"socketio:{sender.split('.')[0]}"}.get(
            channel, sender
        )
        quoted = urllib.parse.quote(conversation, safe=":")
        request = urllib.request.Request(f"{self.rasa_url}/conversations/{quoted}/tracker?token={RASA_TOKEN}")
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())


def texts(messages: list[dict]) -> str:
    return "\n".join(message.get("text", "") or "" for message in messages)


def run_cli(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "tactful", *args], cwd=REPO_ROOT, env=env, check=True, capture_output=True
    )


def rasa_command(port: int, credentials: str, endpoints: str = "endpoints.yml") -> list[str]:
    """``rasa run`` as the tests start it (the API flags are the caller's)."""
    return [
        str(Path(sys.executable).parent / "rasa"),
        "run",
        "--model",
        str(MODEL),
        "--endpoints",
        str(REPO_ROOT / endpoints),
        "--credentials",
        credentials,
        "--interface",
        "127.0.0.1",
        "--port",
        str(port),
    ]


@contextmanager
def start_assistant(
    workdir: Path, shop_db_url: str | None = None, extra_env: dict[str, str] | None = None
) -> Iterator[Assistant]:
    if not MODEL.exists():
        skip_or_fail(f"no trained model at {MODEL}; run `make model` first")
    workdir.mkdir(parents=True, exist_ok=True)
    shop_db_url = shop_db_url or f"sqlite:///{workdir / 'shop.db'}"
    action_port, rasa_port = free_port(), free_port()
    defaults = dict(
        TACTFUL_SHOP_DB_URL=shop_db_url,
        TACTFUL_JWT_SECRET=JWT_SECRET,
        TACTFUL_ACTION_SECRET=ACTION_SECRET,
        TACTFUL_ACTION_PORT=str(action_port),
        TACTFUL_TRACKER_DB=str(workdir / "tracker.db"),
        TACTFUL_POLICY_FILE=str(REPO_ROOT / "policy.yml"),
        RASA_TOKEN=RASA_TOKEN,
    )
    # extra_env may override a default (a test's own policy file, for one).
    env = base_env(**{**defaults, **(extra_env or {})})
    run_cli(env, "db", "upgrade")
    run_cli(env, "demo", "load")
    with ExitStack() as stack:
        stack.enter_context(
            running(
                [sys.executable, "-m", "tactful.action_server", "--port", str(action_port)],
                env,
                workdir / "actions.log",
                f"http://127.0.0.1:{action_port}/health",
                timeout=60,
            )
        )
        stack.enter_context(
            running(
                rasa_command(rasa_port, env.get("TACTFUL_CREDENTIALS", str(REPO_ROOT / "credentials.yml")))
                + ["--enable-api", "--auth-token", RASA_TOKEN],
                env,
                workdir / "rasa.log",
                f"http://127.0.0.1:{rasa_port}/",
                timeout=240,
            )
        )
        yield Assistant(
            rasa_url=f"http://127.0.0.1:{rasa_port}",
            action_url=f"http://127.0.0.1:{action_port}",
            shop_db_url=shop_db_url,
            workdir=workdir,
            env=env,
        )
