"""The scale-out cluster fixture (tests/scale/cluster.py): started once per module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.scale.cluster import Cluster, start_cluster
from tests.support.helpdesk import receiving


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    # The cluster gives the receiver the secret it makes for the run.
    with receiving("") as helpdesk, start_cluster(tmp_path_factory.mktemp("scale"), helpdesk) as running:
        yield running
