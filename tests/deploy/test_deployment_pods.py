"""The reference deployment's pods and jobs: they start, pass the production checks and find each other.

With the environment the charts give them (Secrets filled with stand-ins):
the Rasa pods run endpoints.prod.yml and pass the production start-up checks,
the action-server pods do too and Rasa's action URL names their Service and
port, ports agree between container, chart and arguments, the probes are
routes the servers answer, and the Job and CronJob run CLI commands that exist
in the actions image.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from tactful.production import problems_for
from tactful.settings import load_settings
from tests.deploy.support import (
    ACTIONS_DOCKERFILE,
    ACTIONS_VALUES,
    RASA_DOCKERFILE,
    RASA_VALUES,
    ROOT,
    containers,
    docker_command,
    docker_env,
    dockerfile,
    exec_form,
    expand,
    manifests,
    pod_env,
    rasa_arguments,
    values,
)


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
