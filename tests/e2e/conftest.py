from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.assistant import Assistant, start_assistant


@pytest.fixture(scope="session")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    with start_assistant(tmp_path_factory.mktemp("assistant")) as running_assistant:
        yield running_assistant
