"""The dashboard's API on a real SQLite store: staff only, clear errors, and a
customer lookup that explains each decision with its reasons and trace."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from tactful.dashboard.app import Dashboard, make_app
from tactful.dashboard.auth import LOGIN_ATTEMPTS_PER_MINUTE, StaffAuth
from tactful.dashboard.revocations import MemoryRevocations
from tactful.demo.loader import load_demo
from tactful.engine.model import ConversationContext
from tactful.production import problems_for
from tactful.ratelimit import AsyncMemoryCounter
from tactful.services.offers import OfferService
from tactful.services.policy_provider import PolicyProvider
from tactful.settings import load_settings
from tactful.store.unit_of_work import UnitOfWork, uow_for
from tests.support.policies import write_policy

TOKEN = "api-test-staff-token-0123456789abcdef"
BEARER = {"Authorization": f"Bearer {TOKEN}"}
Scenario = Callable[[TestClient], Awaitable[None]]


def _run(tmp_path: Path, url: str, scenario: Scenario) -> None:
    policy = PolicyProvider(write_policy(tmp_path / "policy.yml"))

    def new_uow() -> UnitOfWork:
        return uow_for(url)

    dashboard = Dashboard(
        StaffAuth(TOKEN), new_uow, policy, AsyncMemoryCounter(), MemoryRevocations(), tmp_path, False, 5.0
    )

    async def go() -> None:
        async with TestClient(TestServer(make_app(dashboard))) as client:
            await scenario(client)

    asyncio.run(go())


async def _json(response: Any) -> dict[str, Any]:
    body: dict[str, Any] = await response.json()
    return body


def test_everything_but_sign_in_needs_the_staff_token(tmp_path: Path, sqlite_url: str) -> None:
    async def scenario(client: TestClient) -> None:
        for path in ("/dashboard/api/report", "/dashboard/api/customers/C001"):
            assert (await client.get(path)).status == 401
            assert (await client.get(path, headers={"Authorization": "Bearer wrong"})).status == 401
            for forged in ("9999999999.0000", "²." + "a" * 64, f"{'a' * 32}.9999999999.{'0' * 64}"):
                assert (await client.get(path, cookies={"tactful_staff": forged})).status == 401
        refused = await client.post("/dashboard/api/login", json={"token": "nope"})
        assert refused.status == 401 and (await _json(refused))["error"] == "wrong staff token"
        signed_in = await client.post("/dashboard/api/login", json={"token": TOKEN})
        assert signed_in.status == 200
        cookie = signed_in.cookies["tactful_staff"]
        assert cookie["httponly"] and cookie["samesite"] == "Strict" and cookie["path"] == "/dashboard"
        assert (await client.get("/dashboard/api/report")).status == 200
        await client.post("/dashboard/api/logout")
        assert (await client.get("/dashboard/api/report")).status == 401
        # The signed-out cookie, replayed by hand, is refused too.
        replayed = await client.get("/dashboard/api/report", cookies={"tactful_staff": cookie.value})
        assert replayed.status == 401

    _run(tmp_path, sqlite_url, scenario)


def test_sign_in_attempts_are_limited_and_bodies_checked(tmp_path: Path, sqlite_url: str) -> None:
    async def scenario(client: TestClient) -> None:
        assert (await client.post("/dashboard/api/login", data="not json")).status == 400
        assert (await client.post("/dashboard/api/login", json=["a"])).status == 400
        assert (await client.post("/dashboard/api/login", data="x" * 5000)).status == 413
        assert (await client.post("/dashboard/api/login", json={"token": "\ud800"})).status == 401
        statuses = [
            (await client.post("/dashboard/api/login", json={"token": f"guess-{n}"})).status
            for n in range(LOGIN_ATTEMPTS_PER_MINUTE)
        ]
        assert statuses[-1] == 429  # the earlier bad bodies counted too
        # Past the limit even the right token waits: guessing gains nothing.
        assert (await client.post("/dashboard/api/login", json={"token": TOKEN})).status == 429

    _run(tmp_path, sqlite_url, scenario)


def test_wrong_bearer_tokens_count_as_sign_in_attempts(tmp_path: Path, sqlite_url: str) -> None:
    async def scenario(client: TestClient) -> None:
        wrong = {"Authorization": "Bearer not-it"}
        statuses = [
            (await client.get("/dashboard/api/report", headers=wrong)).status
            for _ in range(LOGIN_ATTEMPTS_PER_MINUTE + 1)
        ]
        assert statuses[:LOGIN_ATTEMPTS_PER_MINUTE] == [401] * LOGIN_ATTEMPTS_PER_MINUTE
        assert statuses[-1] == 429

    _run(tmp_path, sqlite_url, scenario)


def test_report_and_lookup_answer_clear_errors(tmp_path: Path, sqlite_url: str) -> None:
    load_demo(sqlite_url)

    async def scenario(client: TestClient) -> None:
        for days in ("0", "367", "ten", "-1", "²", "1e2", " 30"):
            bad = await client.get(f"/dashboard/api/report?days={days}", headers=BEARER)
            assert bad.status == 400 and "days must be" in (await _json(bad))["error"]
        report = await client.get("/dashboard/api/report?days=30", headers=BEARER)
        assert report.status == 200 and "overall" in await _json(report)
        for customer, status in (
            ("NOBODY", 404),
            ("a%2Fb", 400),
            ("x" * 65, 400),
            ("C'--", 400),
            ("C001%0A", 400),
        ):
            assert (await client.get(f"/dashboard/api/customers/{customer}", headers=BEARER)).status == status

    _run(tmp_path, sqlite_url, scenario)


def test_lookup_explains_each_decision_in_order(tmp_path: Path, sqlite_url: str) -> None:
    load_demo(sqlite_url)
    policy = PolicyProvider(write_policy(tmp_path / "policy.yml"))
    offers = OfferService(lambda: uow_for(sqlite_url), policy, rng=random.Random(3))
    start = datetime.utcnow() - timedelta(hours=2)
    first_turn = ConversationContext("C001", "rest:lookup-1", "rest", user_turns=1)
    resolved = ConversationContext("C001", "rest:lookup-2", "rest", user_turns=2, moment="resolved_request")
    offers.decide_and_record(first_turn, start)
    made = offers.decide_and_record(resolved, start + timedelta(minutes=5))
    assert made.offer is not None

    async def scenario(client: TestClient) -> None:
        found = await _json(await client.get("/dashboard/api/customers/C001", headers=BEARER))
        mine = [d for d in found["decisions"] if d["conversation_id"] in {"rest:lookup-1", "rest:lookup-2"}]
        assert [d["conversation_id"] for d in mine] == ["rest:lookup-1", "rest:lookup-2"]
        assert mine[0]["offer"] is None
        assert {"code": "gate:first_turn", "text": "it is the customer's first message"} in mine[0]["reasons"]
        assert any(line.startswith("gate:") for line in mine[0]["trace"])
        assert mine[1]["offer"] == f"{made.offer.offer_id}/{made.offer.variant_id}"
        assert mine[1]["outcome"] == ["impression"]
        assert mine[1]["trace"] == list(made.trace)

    _run(tmp_path, sqlite_url, scenario)


def test_production_refuses_a_weak_staff_token() -> None:
    weak = load_settings(
        {"TACTFUL_ENV": "production", "TACTFUL_DASHBOARD_TOKEN": "dev-only-dashboard-token-0123456789"}
    )
    assert problems_for("dashboard", weak) == [
        "TACTFUL_DASHBOARD_TOKEN is a development or placeholder value"
    ]
    unset = load_settings({"TACTFUL_ENV": "production"})
    assert problems_for("dashboard", unset) == ["TACTFUL_DASHBOARD_TOKEN is not set"]
    strong = load_settings(
        {"TACTFUL_ENV": "production", "TACTFUL_DASHBOARD_TOKEN": "Zq8vN3rK1pW6yT9bF2hJ5mX7cL4dG0sA"}
    )
    assert problems_for("dashboard", strong) == []


@pytest.mark.parametrize("token", ["", "short"])
def test_a_short_staff_token_is_refused_at_start(token: str) -> None:
    with pytest.raises(ValueError, match="TACTFUL_DASHBOARD_TOKEN"):
        StaffAuth(token)
