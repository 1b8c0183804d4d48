"""What every fuzz case must keep (tests/security/test_fuzz.py): ``Target`` wraps one
running assistant with the secrets it must never show, and after a case checks that no
answer is a 5xx or shows a secret, that the Rasa server's process runs and both servers
answer their health requests, and that neither logged a traceback. Also the shared
hypothesis settings (``FUZZ``) and ``examples``, which applies TACTFUL_FUZZ_SCALE.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings

from tests.support.assistant import Assistant
from tests.support.security import Reply, rasa_answers, record, request
from tests.support.security_processes import is_running, listening_child, port_of

SCALE = float(os.environ.get("TACTFUL_FUZZ_SCALE", "1"))
# Lines that mean a server failed on a case even if it answered.
FAILURE_LINES = re.compile(r"Traceback \(most recent call last\)|Exception occurred while handling uri")


def examples(count: int) -> int:
    return max(1, int(count * SCALE))


FUZZ = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    print_blob=True,
)


@dataclass
class Target:
    """One running assistant, the secrets it must never show, and where its logs are read."""

    assistant: Assistant
    secrets: list[str]
    offsets: dict[Path, int] = field(default_factory=dict)

    def logs(self) -> list[Path]:
        return [self.assistant.workdir / "rasa.log", self.assistant.workdir / "actions.log"]

    def begin(self) -> None:
        """Call before sending a case: its log lines start here."""
        self.offsets = {log: log.stat().st_size for log in self.logs()}

    def new_failures(self) -> list[str]:
        found = []
        for log in self.logs():
            with log.open("rb") as handle:
                handle.seek(self.offsets.get(log, 0))
                text = handle.read().decode(errors="replace")
            if FAILURE_LINES.search(text):
                found.append(f"{log.name}:\n{text[-3000:]}")
        return found

    def check(self, case: Any, replies: list[Reply], texts: Sequence[str] = ()) -> None:
        """The properties every case must keep; counts the case."""
        record("case")
        for reply in replies:
            assert reply.status < 500, (case, reply)
        shown = [reply.text for reply in replies] + list(texts)
        leaked = [secret for secret in self.secrets for text in shown if secret in text]
        assert not leaked, (case, leaked, shown)
        url = self.assistant.rasa_url
        pid = listening_child(port_of(url))
        assert pid is not None and is_running(pid), (case, "the Rasa process is gone")
        assert rasa_answers(url), (case, "Rasa does not answer its health request")
        health = request(self.assistant.action_url, "GET", "/health", timeout=10, kind="health")
        assert health.status == 200, (case, "the action server does not answer", health)
        failures = self.new_failures()
        assert not failures, (case, failures)
