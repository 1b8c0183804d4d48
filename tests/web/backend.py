"""Start the demo shop page's backend (a real process) for tests."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.servers import running

WEB_ROOT = Path(__file__).resolve().parents[2] / "web"
WIDGET_FILE = WEB_ROOT / "node_modules" / "rasa-webchat" / "lib" / "index.js"


@dataclass(frozen=True)
class WebBackend:
    url: str
    log: Path


@contextmanager
def start_web_backend(env: dict[str, str], port: int, log: Path) -> Iterator[WebBackend]:
    command = [sys.executable, "-m", "tactful.web.server", "--port", str(port)]
    url = f"http://127.0.0.1:{port}"
    with running(command, env, log, f"{url}/health", timeout=60):
        yield WebBackend(url=url, log=log)
