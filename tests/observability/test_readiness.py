"""Readiness names the failed check (503) on the action server and the demo page,
against a real PostgreSQL server and a port where no database listens."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.observability.scrape import get, get_json, scrape
from tests.support.servers import REPO_ROOT, base_env, free_port, running

POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
SECRET = "readiness-test-secret-0123456789abcdef"


def _unreachable_db() -> str:
    # Nothing listens on a port just handed out and released.
    return f"postgresql://postgres:pw-{SECRET}@127.0.0.1:{free_port()}/nowhere"


def _env(db_url: str, policy: Path, port: int) -> dict[str, str]:
    return base_env(
        TACTFUL_SHOP_DB_URL=db_url,
        TACTFUL_JWT_SECRET=SECRET,
        TACTFUL_ACTION_SECRET=SECRET,
        TACTFUL_ACTION_PORT=str(port),
        TACTFUL_POLICY_FILE=str(policy),
        TACTFUL_DB_TIMEOUT="2",
        TACTFUL_LOG_FORMAT="json",
        TACTFUL_RASA_URL="http://127.0.0.1:5999",
    )


def _action_server(tmp_path: Path, db_url: str, policy: Path) -> tuple[list[str], dict[str, str], str]:
    port = free_port()
    command = [sys.executable, "-m", "tactful.action_server", "--port", str(port)]
    return command, _env(db_url, policy, port), f"http://127.0.0.1:{port}"


def test_action_server_is_ready_on_postgresql_and_names_an_unreachable_database(tmp_path: Path) -> None:
    policy = REPO_ROOT / "policy.yml"
    command, env, url = _action_server(tmp_path, POSTGRES_URL, policy)
    with running(command, env, tmp_path / "ready.log", f"{url}/health/live", timeout=60):
        status, body = get_json(f"{url}/health/ready")
        assert (status, body) == (200, {"status": "ready", "checks": {"database": "ok", "policy": "ok"}})
        scrape(url)  # /metrics answers without the action server's token

    command, env, url = _action_server(tmp_path, _unreachable_db(), policy)
    log = tmp_path / "unready.log"
    with running(command, env, log, f"{url}/health/live", timeout=60):
        assert get_json(f"{url}/health/live") == (200, {"status": "live"})
        status, body = get_json(f"{url}/health/ready")
        assert status == 503
        assert body["status"] == "not_ready" and body["failed"] == ["database"]
        assert body["checks"]["policy"] == "ok"
        assert SECRET not in json.dumps(body), "no database URL or password in the answer"
    assert SECRET not in log.read_text()


def test_demo_page_names_each_failed_check(tmp_path: Path) -> None:
    broken = tmp_path / "policy.yml"
    broken.write_text("offers: [not a policy\n")
    port = free_port()
    env = _env(_unreachable_db(), broken, free_port())
    command = [sys.executable, "-m", "tactful.web.server", "--port", str(port)]
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "web.log"
    with running(command, env, log, f"{url}/health/live", timeout=60):
        status, body = get_json(f"{url}/health/ready")
        assert (status, body["failed"]) == (503, ["database", "policy"]), body
        assert get_json(f"{url}/health/live")[0] == 200
        assert get(f"{url}/metrics")[0] == 200
    lines = [line for line in log.read_text().splitlines() if line.startswith("{")]
    assert lines and all(json.loads(line)["role"] == "web" for line in lines)
