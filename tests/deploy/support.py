"""Reading the reference deployment (deploy/) as data, for the test modules here.

No Docker engine runs here and the Helm charts cannot be downloaded, so the
Dockerfiles, Helm values and manifests are read as data: the paths, the final
stage of a Dockerfile (its ENV and exec-form command), the Helm values, the
manifests and their containers, every env list that sets variables, the names
``load_settings`` reads, Kubernetes' $(NAME) expansion, and the environment a
pod would see (with stand-ins for the Secret's values) and the arguments Rasa
would parse.
"""

from __future__ import annotations

import argparse
import re
import secrets
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from tactful.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
RASA_DOCKERFILE = DEPLOY / "docker" / "rasa.Dockerfile"
ACTIONS_DOCKERFILE = DEPLOY / "docker" / "actions.Dockerfile"
RASA_VALUES = DEPLOY / "helm" / "rasa-values.yaml"
ACTIONS_VALUES = DEPLOY / "helm" / "rasa-action-server-values.yaml"
MANIFESTS = sorted((DEPLOY / "k8s").glob("*.yaml"))
SECRET_NAME = "tactful-secrets"
# Variables for the runtime, not for Tactful: Python, pip, TensorFlow,
# SQLAlchemy, matplotlib and Rasa's own.
RUNTIME_VARIABLES = {
    "PATH",
    "HOME",
    "PYTHONUNBUFFERED",
    "PIP_NO_CACHE_DIR",
    "PIP_DISABLE_PIP_VERSION_CHECK",
    "TF_CPP_MIN_LOG_LEVEL",
    "SQLALCHEMY_SILENCE_UBER_WARNING",
    "MPLCONFIGDIR",
    "RASA_TELEMETRY_ENABLED",
}
# Names that carry a credential: never a literal value.
SECRET_PATTERN = re.compile(r"SECRET|TOKEN|PASSWORD|_DB_URL$|_DB$|REDIS_URL|RABBITMQ_URL")


# ---------------------------------------------------------------- reading


def dockerfile(path: Path) -> list[tuple[str, str]]:
    """(instruction, arguments) of the final stage, continuation lines joined."""
    text = re.sub(r"\\\n", " ", path.read_text(encoding="utf-8"))
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    stages: list[list[tuple[str, str]]] = []
    for line in lines:
        instruction, _, arguments = line.partition(" ")
        if instruction.upper() == "FROM":
            stages.append([])
        stages[-1].append((instruction.upper(), arguments.strip()))
    return stages[-1]


def exec_form(arguments: str) -> list[str]:
    value = yaml.safe_load(arguments)
    assert isinstance(value, list), f"use the exec form (a JSON list), not {arguments!r}"
    return [str(item) for item in value]


def docker_env(path: Path) -> dict[str, str]:
    env: dict[str, str] = {}
    for instruction, arguments in dockerfile(path):
        if instruction == "ENV":
            for pair in shlex.split(arguments):
                name, _, value = pair.partition("=")
                env[name] = value
    return env


def docker_command(path: Path) -> list[str]:
    steps = dict(dockerfile(path))
    return exec_form(steps["ENTRYPOINT"]) + exec_form(steps["CMD"])


def values(path: Path) -> dict[str, Any]:
    content = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(content, dict)
    return content


def manifests() -> Iterator[dict[str, Any]]:
    for path in MANIFESTS:
        yield from (doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc)


def containers(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    spec = manifest["spec"]
    if manifest["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return list(spec["template"]["spec"]["containers"])


def env_lists() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    yield RASA_VALUES.name, values(RASA_VALUES)["extraEnv"]
    yield ACTIONS_VALUES.name, values(ACTIONS_VALUES)["extraEnv"]
    for manifest in manifests():
        for container in containers(manifest):
            yield f"{manifest['metadata']['name']}/{container['name']}", container.get("env", [])


def variables_settings_reads() -> set[str]:
    """Every name ``load_settings`` asks the environment for (a recording mapping)."""

    class Recorder(dict[str, str]):
        seen: set[str] = set()

        def get(self, key: str, default: Any = None) -> Any:
            self.seen.add(key)
            return super().get(key, default)

    recorder = Recorder()
    load_settings(recorder)
    return recorder.seen


def expand(argument: str, env: dict[str, str]) -> str:
    """Kubernetes' $(NAME) expansion in args."""
    return re.sub(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)", lambda m: env[m.group(1)], argument)


def stand_in(name: str) -> str:
    """A plausible value for a Secret's key, for the start-up checks."""
    if name.endswith("db-url"):
        return "postgresql://tactful:pw@db.internal:5432/" + name.split("-")[0]
    if name == "redis-url":
        return "redis://:pw@redis.internal:6379/0"
    if name == "rabbitmq-url":
        return "amqp://tactful:pw@rabbitmq.internal:5672/%2F"
    return secrets.token_hex(32)


def pod_env(env: list[dict[str, Any]], base: dict[str, str]) -> dict[str, str]:
    """The environment a pod would see: the image's ENV, then the values' env with Secrets filled in."""
    result = dict(base)
    for item in env:
        if "value" in item:
            result[item["name"]] = str(item["value"])
        else:
            result[item["name"]] = stand_in(item["valueFrom"]["secretKeyRef"]["key"])
    return result


def rasa_arguments(argv: list[str]) -> argparse.Namespace:
    from rasa.__main__ import create_argument_parser

    args, unknown = create_argument_parser().parse_known_args(argv)
    assert not unknown, f"rasa does not know {unknown}"
    return args
