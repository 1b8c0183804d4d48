"""Metrics, health and logs of a real Rasa server and action server (docs/observability.md)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.observability.scrape import delta, get, get_json, scrape
from tests.support.assistant import Assistant, start_assistant
from tests.support.servers import REPO_ROOT

pytestmark = pytest.mark.e2e

MARKER = "quokka7731zebra"
EMAIL_SENDER = "obs.person@example.com"


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    workdir = tmp_path_factory.mktemp("observed")
    policy = workdir / "policy.yml"
    shutil.copy(REPO_ROOT / "policy.yml", policy)
    extra = {"TACTFUL_LOG_FORMAT": "json", "TACTFUL_POLICY_FILE": str(policy)}
    with start_assistant(workdir, extra_env=extra) as running_assistant:
        yield running_assistant


def _buttons(messages: list[dict]) -> list[dict]:
    return [button for message in messages for button in message.get("buttons") or []]


def test_health_routes_answer_without_a_token(assistant: Assistant) -> None:
    for base in (assistant.rasa_url, assistant.action_url):
        assert get_json(f"{base}/health/live") == (200, {"status": "live"})
    status, body = get_json(f"{assistant.rasa_url}/health/ready")
    assert status == 200, body
    assert body["status"] == "ready"
    assert body["checks"] == {"database": "ok", "tracker_store": "ok", "policy": "ok", "model": "ok"}
    status, body = get_json(f"{assistant.action_url}/health/ready")
    assert (status, body["checks"]) == (200, {"database": "ok", "policy": "ok"})
    # The action server's older health route and its token check still hold.
    assert get_json(f"{assistant.action_url}/health")[1]["status"] == "ok"
    assert get(f"{assistant.action_url}/webhook")[0] == 401


def test_metrics_add_up_to_a_real_chat(assistant: Assistant) -> None:
    rasa_before, actions_before = scrape(assistant.rasa_url), scrape(assistant.action_url)
    sender = "obs-alice-1"
    assistant.say(sender, "hi", customer="C001")
    offered = assistant.say(sender, "where is my order?", customer="C001")
    assert _buttons(offered), "C001 gets an add-on after a resolved question"
    assistant.say(sender, "/decline_offer", customer="C001")
    status, _ = assistant.post(
        "/webhooks/rest/webhook",
        {"sender": sender, "message": "hi", "metadata": {"customer_token": assistant.token("C002")}},
    )
    assert status == 403
    rasa_after, actions_after = scrape(assistant.rasa_url), scrape(assistant.action_url)

    assert delta(rasa_before, rasa_after, "tactful_turns_total", channel="rest", outcome="ok") == 3
    assert delta(rasa_before, rasa_after, "tactful_turns_total", channel="rest", outcome="refused") == 1
    assert delta(rasa_before, rasa_after, "tactful_turn_seconds_count", channel="rest") == 4
    assert delta(rasa_before, rasa_after, "tactful_errors_total") == 0
    assert delta(actions_before, actions_after, "tactful_decisions_total", reason="offer") == 1
    assert delta(actions_before, actions_after, "tactful_offers_total") == 1
    assert delta(actions_before, actions_after, "tactful_offer_replies_total", reply="decline") == 1
    assert delta(actions_before, actions_after, "tactful_action_seconds_count") >= 3
    assert delta(actions_before, actions_after, "tactful_action_errors_total") == 0
    # No conversation or customer ever becomes a label.
    for samples in (rasa_after, actions_after):
        labels = {value for _, series in samples for _, value in series}
        assert not {sender, f"rest:{sender}", "C001", "C002"} & labels


def _log_lines(path: Path) -> list[str]:
    return [line for line in path.read_text(errors="replace").splitlines() if line.strip()]


def _json_lines(lines: list[str]) -> list[dict]:
    """Every line from our first JSON line on must be a JSON object."""
    start = next(i for i, line in enumerate(lines) if line.startswith("{"))
    parsed = []
    for line in lines[start:]:
        try:
            parsed.append(json.loads(line))
        except json.JSONDecodeError:
            pytest.fail(f"not a JSON log line: {line[:300]}")
    return parsed


def test_logs_are_json_with_the_conversation_and_no_personal_data(assistant: Assistant) -> None:
    token = assistant.token("C005")
    assistant.say(EMAIL_SENDER, "hi", token=token)
    assistant.say(EMAIL_SENDER, f"my secret word is {MARKER}, where is my order?", token=token)
    assistant.say(EMAIL_SENDER, f'/order_status{{"x": "{MARKER}"}}', token=token)
    for log in ("rasa.log", "actions.log"):
        lines = _log_lines(assistant.workdir / log)
        records = _json_lines(lines)
        assert {"time", "level", "logger", "message", "role"} <= set(records[-1])
        for line in lines:
            assert MARKER not in line, line
            assert token not in line, line
            assert EMAIL_SENDER not in line, line
            assert "C005" not in line, line
    conversations = set()
    for log, role in (("rasa.log", "rasa"), ("actions.log", "actions")):
        records = _json_lines(_log_lines(assistant.workdir / log))
        assert {record["role"] for record in records} == {role}
        turn_lines = [r for r in records if r["message"].startswith(("turn on rest", "action "))]
        assert turn_lines, f"no per-turn lines in {log}"
        conversations |= {r.get("conversation_id") for r in turn_lines}
    # The REST sender is an email address: logs carry its keyed hash, the same in both processes.
    hashed = {c for c in conversations if c and c.startswith("rest:h-")}
    assert hashed and None not in conversations


def test_readiness_names_a_broken_policy(assistant: Assistant) -> None:
    policy = Path(assistant.env["TACTFUL_POLICY_FILE"])
    good = policy.read_text()
    try:
        policy.write_text("offers: [this is: not a policy\n")
        for base in (assistant.rasa_url, assistant.action_url):
            status, body = get_json(f"{base}/health/ready")
            assert (status, body["status"], body["failed"]) == (503, "not_ready", ["policy"]), body
            assert get_json(f"{base}/health/live")[0] == 200
    finally:
        policy.write_text(good)
    for base in (assistant.rasa_url, assistant.action_url):
        assert get_json(f"{base}/health/ready")[0] == 200
