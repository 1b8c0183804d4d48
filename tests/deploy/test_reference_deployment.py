"""The reference deployment (deploy/) agrees with the code.

No Docker engine runs here and the Helm charts cannot be downloaded, so the
Dockerfiles, Helm values and manifests are read as data and checked against
what the code really reads and runs: every environment variable is one
tactful/settings/__init__.py reads, every command and flag exists, ports match,
secrets come from Kubernetes Secrets, and the Rasa pods run endpoints.prod.yml
and pass the production start-up checks with the environment given.
"""

from __future__ import annotations

import argparse
import fnmatch
import importlib.util
import re
import secrets
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tactful.production import problems_for
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


# ---------------------------------------------------------------- the checks


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


def test_the_rasa_pods_run_endpoints_prod_and_pass_the_production_checks() -> None:
    chart = values(RASA_VALUES)
    env = pod_env(chart["extraEnv"], docker_env(RASA_DOCKERFILE))
    argv = ["rasa", *(expand(a, env) for a in chart["args"])]
    args = rasa_arguments(argv[1:])
    assert args.endpoints == "/app/endpoints.prod.yml"
    assert args.model == docker_command(RASA_DOCKERFILE)[docker_command(RASA_DOCKERFILE).index("--model") + 1]
    assert args.enable_api and args.auth_token == env["TACTFUL_RASA_TOKEN"]
    assert args.cors is None, "the socket.io channel answers CORS itself (TACTFUL_WEB_ORIGINS)"
    # Every ${VAR} of endpoints.prod.yml is set, or Rasa would not start.
    wanted = set(re.findall(r"\$\{(\w+)\}", (ROOT / "endpoints.prod.yml").read_text()))
    assert wanted <= set(env), wanted - set(env)
    settings = load_settings(env)
    local = [ROOT / "endpoints.prod.yml" if a == "/app/endpoints.prod.yml" else a for a in argv]
    assert problems_for("rasa", settings, [str(a) for a in local]) == []
    # Ports: the container, the chart's Service and the args agree.
    assert args.port == chart["applicationSettings"]["port"] == chart["service"]["port"] == 5005
    assert "EXPOSE" in dict(dockerfile(RASA_DOCKERFILE))
    assert dict(dockerfile(RASA_DOCKERFILE))["EXPOSE"] == "5005"


def test_the_action_server_pods_pass_the_production_checks_and_rasa_finds_them() -> None:
    chart = values(ACTIONS_VALUES)
    env = pod_env(chart["extraEnv"], docker_env(ACTIONS_DOCKERFILE))
    assert problems_for("actions", load_settings(env)) == []
    command = exec_form(dict(dockerfile(ACTIONS_DOCKERFILE))["ENTRYPOINT"]) + chart["args"]
    assert command[:3] == ["python", "-m", "tactful.action_server"]
    assert importlib.util.find_spec("tactful.action_server") is not None
    port = int(command[command.index("--port") + 1])
    assert (
        port
        == chart["applicationSettings"]["port"]
        == chart["service"]["port"]
        == int(env["TACTFUL_ACTION_PORT"])
    )
    assert dict(dockerfile(ACTIONS_DOCKERFILE))["EXPOSE"] == str(port)
    assert env["TACTFUL_ACTION_HOST"] == "0.0.0.0"
    # Rasa's TACTFUL_ACTION_URL names the action server's Service and port.
    rasa_env = {e["name"]: e.get("value") for e in values(RASA_VALUES)["extraEnv"]}
    assert rasa_env["TACTFUL_ACTION_URL"] == f"http://{chart['fullnameOverride']}:{port}/webhook"


@pytest.mark.parametrize("path", [RASA_VALUES, ACTIONS_VALUES], ids=lambda p: p.name)
def test_the_probes_are_routes_the_servers_answer(path: Path) -> None:
    from tactful.observability.sanic_routes import PATHS

    chart = values(path)
    assert chart["livenessProbe"]["httpGet"]["path"] == "/health/live" in PATHS
    assert chart["readinessProbe"]["httpGet"]["path"] == "/health/ready" in PATHS
    assert chart["livenessProbe"]["httpGet"]["port"] == chart["readinessProbe"]["httpGet"]["port"] == "http"


def test_the_charts_channels_are_the_repository_credentials() -> None:
    repository = yaml.safe_load((ROOT / "credentials.yml").read_text())
    chart = values(RASA_VALUES)["applicationSettings"]["credentials"]["additionalChannelCredentials"]
    assert chart == repository


def test_the_jobs_run_commands_the_cli_has_in_the_actions_image() -> None:
    from tactful.cli import build_parser

    image = values(ACTIONS_VALUES)["image"]
    entrypoint = exec_form(dict(dockerfile(ACTIONS_DOCKERFILE))["ENTRYPOINT"])
    commands = {}
    for manifest in manifests():
        for container in containers(manifest):
            assert container["image"] == f"{image['repository']}:{image['tag']}"
            command = entrypoint + container["args"]
            assert command[:3] == ["python", "-m", "tactful"]
            parsed = build_parser().parse_args(command[3:])  # exits on an unknown command or flag
            commands[manifest["kind"]] = parsed.command
            env = pod_env(container.get("env", []), docker_env(ACTIONS_DOCKERFILE))
            assert env["TACTFUL_SHOP_DB_URL"].startswith("postgresql://")
    assert commands == {"CronJob": "mine", "Job": "db"}
    cron = next(doc for doc in manifests() if doc["kind"] == "CronJob")
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"  # one mining run at a time


def test_the_readme_says_what_cannot_be_run_here() -> None:
    readme = (DEPLOY / "README.md").read_text(encoding="utf-8")
    assert "docker build" in readme and "helm install" in readme
    assert "tests/deploy/test_reference_deployment.py" in readme
