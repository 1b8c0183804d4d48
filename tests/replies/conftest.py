from __future__ import annotations

import pytest

from tactful.replies import ReplyClassifier


@pytest.fixture(scope="session")
def classifier() -> ReplyClassifier:
    return ReplyClassifier()
