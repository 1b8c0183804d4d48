"""The scale-out cluster fixture (tests/scale/cluster.py): started once for tests/scale.

test_scale_out.py runs first (pytest takes modules in name order) and checks the
metrics against its own traffic before any other module sends more.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.scale.cluster import Cluster, start_cluster
from tests.support.helpdesk import receiving


@pytest.fixture(scope="package")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    # The cluster gives the receiver the secret it makes for the run.
    with receiving("") as helpdesk, start_cluster(tmp_path_factory.mktemp("scale"), helpdesk) as running:
        yield running
