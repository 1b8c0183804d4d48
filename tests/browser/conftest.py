from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.support.assistant import Assistant, start_assistant
from tests.support.servers import free_port
from tests.web.backend import WebBackend, start_web_backend


@dataclass(frozen=True)
class WidgetStack:
    """The real Rasa + action servers, and the demo page's backend in front of them."""

    assistant: Assistant
    web: WebBackend


@pytest.fixture(scope="session")
def widget_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WidgetStack]:
    workdir = tmp_path_factory.mktemp("widget")
    web_port = free_port()
    page_origin = f"http://127.0.0.1:{web_port}"
    # Rasa must know the page's origin before it starts (socket.io CORS).
    with start_assistant(workdir, extra_env={"TACTFUL_WEB_ORIGINS": page_origin}) as assistant:
        env = dict(assistant.env, TACTFUL_RASA_URL=assistant.rasa_url)
        with start_web_backend(env, web_port, workdir / "web.log") as web:
            yield WidgetStack(assistant=assistant, web=web)
