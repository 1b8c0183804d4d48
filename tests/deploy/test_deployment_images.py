"""The reference deployment's container images: what they run and what they copy.

The Rasa image runs endpoints.prod.yml with the model baked in and serves the
channels only (no API without a token); what either image copies exists and
the .dockerignore lets it into the build context; both build on
python:3.10-slim and run as user 1001.
"""

from __future__ import annotations

import fnmatch
from pathlib import Path

import pytest

from tests.deploy.support import (
    ACTIONS_DOCKERFILE,
    RASA_DOCKERFILE,
    ROOT,
    docker_command,
    dockerfile,
    rasa_arguments,
)


def test_the_rasa_image_runs_endpoints_prod_with_the_baked_model() -> None:
    command = docker_command(RASA_DOCKERFILE)
    assert command[0] == "rasa"
    args = rasa_arguments(command[1:])
    copied = {destination: source for source, destination in _copies(RASA_DOCKERFILE)}
    assert args.endpoints == "/app/endpoints.prod.yml"
    assert copied.get("./") and "endpoints.prod.yml" in copied["./"]
    assert copied[args.model.removeprefix("/app/")] == "models/tactful.tar.gz"
    # The image alone serves the channels only: no API without a token.
    assert not args.enable_api


def _copies(path: Path) -> list[tuple[str, str]]:
    """(sources, destination) of each COPY from the build context."""
    found = []
    for instruction, arguments in dockerfile(path):
        if instruction == "COPY" and not arguments.startswith("--from"):
            *sources, destination = arguments.split()
            found.append((" ".join(sources), destination))
    return found


@pytest.mark.parametrize("path", [RASA_DOCKERFILE, ACTIONS_DOCKERFILE], ids=lambda p: p.name)
def test_what_the_images_copy_exists_and_the_context_lets_it_in(path: Path) -> None:
    patterns = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()]
    allowed = [p[1:].rstrip("/") for p in patterns if p.startswith("!")]
    for sources, _destination in _copies(path):
        for source in sources.split():
            source = source.rstrip("/")
            assert any(fnmatch.fnmatch(source, pattern) for pattern in allowed), (
                f".dockerignore leaves out {source}"
            )
            if source != "models/tactful.tar.gz":  # built by `make model`, which the README asks for first
                assert (ROOT / source).exists(), f"{path.name} copies {source}, which does not exist"
    steps = dict(dockerfile(path))
    assert steps["FROM"] == "python:3.10-slim"  # Rasa 3.6.21 on Python 3.10, as the venv
    assert steps["USER"] == "1001"
