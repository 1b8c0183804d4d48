"""The reference deployment (deploy/) agrees with the code: its variables, credentials and channels.

The Dockerfiles, Helm values and manifests are read as data (support.py) and
checked against what the code reads: every environment variable set anywhere
is one tactful/settings/__init__.py reads, every credential comes from the
Kubernetes Secret and none is baked into an image or chart, the chart's
channels are the repository's credentials.yml, and deploy/README.md says what
cannot be run here. The images are checked in test_deployment_images.py, the
pods and jobs in test_deployment_pods.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from tests.deploy.support import (
    ACTIONS_DOCKERFILE,
    DEPLOY,
    RASA_DOCKERFILE,
    RASA_VALUES,
    ROOT,
    RUNTIME_VARIABLES,
    SECRET_NAME,
    SECRET_PATTERN,
    docker_env,
    env_lists,
    manifests,
    values,
    variables_settings_reads,
)


def test_every_tactful_variable_set_anywhere_is_one_the_settings_read() -> None:
    read = variables_settings_reads()
    used_in_args = set(re.findall(r"\$\((\w+)\)", " ".join(values(RASA_VALUES)["args"])))
    sources = [
        *env_lists(),
        *(
            ("Dockerfile " + p.name, [{"name": n} for n in docker_env(p)])
            for p in (RASA_DOCKERFILE, ACTIONS_DOCKERFILE)
        ),
    ]
    for source, env in sources:
        for item in env:
            name = item["name"]
            if name in RUNTIME_VARIABLES:
                continue
            assert name in read or name in used_in_args, f"{source} sets {name}, which nothing reads"


def test_every_credential_comes_from_the_kubernetes_secret() -> None:
    for source, env in env_lists():
        for item in env:
            if SECRET_PATTERN.search(item["name"]):
                assert "value" not in item, f"{source}: {item['name']} is a literal; use a secretKeyRef"
                assert item["valueFrom"]["secretKeyRef"]["name"] == SECRET_NAME, (source, item)
    # Neither image nor the chart carries a secret of its own.
    for path in (RASA_DOCKERFILE, ACTIONS_DOCKERFILE):
        assert not [name for name in docker_env(path) if SECRET_PATTERN.search(name)], path
    assert not values(RASA_VALUES)["applicationSettings"]["token"]
    assert all(doc["kind"] != "Secret" for doc in manifests())


def test_the_charts_channels_are_the_repository_credentials() -> None:
    repository = yaml.safe_load((ROOT / "credentials.yml").read_text())
    chart = values(RASA_VALUES)["applicationSettings"]["credentials"]["additionalChannelCredentials"]
    assert chart == repository


def test_the_readme_says_what_cannot_be_run_here() -> None:
    readme = (DEPLOY / "README.md").read_text(encoding="utf-8")
    assert "docker build" in readme and "helm install" in readme
    # It names every module that checks the deployment files in place of running them.
    assert "`tests/deploy/`" in readme
    assert all(test.name in readme for test in Path(__file__).parent.glob("test_*.py"))
