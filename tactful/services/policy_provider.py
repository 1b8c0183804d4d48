"""Load the offer policy once and re-read it when the file changes.

A missing or invalid policy turns offers off (support carries on) and makes
the health endpoint report "degraded" with the reason.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from tactful.engine.policy import PolicyError
from tactful.engine.policy_model import Policy
from tactful.services.policy_file import load_policy

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PolicyStatus:
    ok: bool
    detail: str


class PolicyProvider:
    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._mtime: float | None = None
        self._policy: Policy | None = None
        self._status = PolicyStatus(False, "policy not loaded yet")

    def get(self) -> Policy | None:
        """The current policy, or None when offers must stay off."""
        with self._lock:
            try:
                mtime = self._path.stat().st_mtime
            except OSError as error:
                self._set_failure(f"cannot read policy file {self._path}: {error.strerror}")
                return None
            if mtime != self._mtime:
                self._mtime = mtime
                try:
                    self._policy = load_policy(self._path)
                    self._status = PolicyStatus(True, f"policy loaded from {self._path}")
                except PolicyError as error:
                    self._set_failure(str(error))
                except Exception as error:  # noqa: BLE001 - any failure must only disable offers
                    self._set_failure(f"cannot load policy {self._path}: {error}")
            return self._policy

    def status(self) -> PolicyStatus:
        self.get()
        return self._status

    def _set_failure(self, detail: str) -> None:
        if self._status.detail != detail:
            logger.error("Offers are off: %s", detail)
        self._policy = None
        self._status = PolicyStatus(False, detail)
