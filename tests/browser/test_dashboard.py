"""The staff dashboard in a real headless Chromium, against a simulated month.

The page must show exactly the numbers of the JSON report (every number on
the page names its place in the report), draw its four plots, explain one
customer's decisions, and refuse everything without the staff token. The
driver (dashboard_flow.mjs) saves test-artifacts/dashboard.png.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.browser import driver
from tests.browser.driver import ARTIFACTS, require_browser_tools
from tests.support.policies import write_policy
from tests.support.servers import REPO_ROOT, base_env, free_port, running
from tests.web.backend import WEB_ROOT

pytestmark = pytest.mark.browser

DRIVER = Path(__file__).with_name("dashboard_flow.mjs")
SCREENSHOT = ARTIFACTS / "dashboard.png"
STAFF_TOKEN = "browser-test-staff-token-0123456789"
SIMULATED_CUSTOMER = "SIM0004"


@pytest.fixture(scope="module")
def dashboard_workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("dashboard")


@pytest.fixture(scope="module")
def dashboard_url(dashboard_workdir: Path) -> Iterator[str]:
    workdir = dashboard_workdir
    policy = write_policy(workdir / "policy.yml", holdout={"share": 0.2, "salt": "dashboard-test"})
    env = base_env(
        TACTFUL_SHOP_DB_URL=f"sqlite:///{workdir / 'shop.db'}",
        TACTFUL_POLICY_FILE=str(policy),
        TACTFUL_DASHBOARD_TOKEN=STAFF_TOKEN,
        TACTFUL_WEB_ROOT=str(WEB_ROOT),
    )
    for command in (
        ["db", "upgrade"],
        ["demo", "load"],
        ["demo", "simulate", "--customers", "80", "--days", "20"],
    ):
        subprocess.run(
            [sys.executable, "-m", "tactful", *command],
            env=env,
            cwd=REPO_ROOT,
            check=True,
            capture_output=True,
        )
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "tactful.dashboard", "--port", str(port)]
    with running(command, env, workdir / "dashboard.log", f"{url}/health/ready"):
        yield url


def _value(report: dict[str, Any], metric: str) -> Any:
    """The report value a page element names (its data-metric)."""
    head, _, rest = metric.partition(".")
    if head == "harm":
        signal, field = rest.split(".")
        return next(s for s in report["harm"]["signals"] if s["signal"] == signal)[field]
    if head == "no_offer_reasons":
        return next(r["count"] for r in report["no_offer_reasons"] if r["reason"] == rest)
    if head == "variants":
        offer, variant_b, field = rest.split(".")
        return next(v for v in report["variants"] if v["offer"] == offer and v["variant_b"] == variant_b)[
            field
        ]
    value: Any = report
    for key in metric.split("."):
        value = value[key]
    return value


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f} %"


def _money(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _shown_text(metric: str, value: Any) -> str:
    """How the page must write a value: rates in %, money with cents, counts as they are."""
    if metric.endswith(("_rate", "conversion", "prob_b_better")):
        return _pct(value)
    if metric.endswith("revenue_per_customer") or metric.endswith(
        "incremental_revenue_per_customer.estimate"
    ):
        return _money(value)
    if metric.endswith("incremental_sales_pct.estimate"):
        return "–" if value is None else f"{value:.1f} %"
    return str(value)


def run_driver(node: str, page_url: str) -> dict[str, Any]:
    return driver.run_driver(
        node,
        DRIVER,
        page_url,
        SCREENSHOT,
        "dashboard-result.json",
        {"STAFF_TOKEN": STAFF_TOKEN, "CUSTOMER_ID": SIMULATED_CUSTOMER},
    )


def test_dashboard_shows_the_report_numbers_and_explains_a_customer(dashboard_url: str) -> None:
    node = require_browser_tools()
    result = run_driver(node, f"{dashboard_url}/dashboard")
    assert result["ok"], result.get("error")
    report = requests.get(
        f"{dashboard_url}/dashboard/api/report",
        params={"days": result["days"]},
        headers={"Authorization": f"Bearer {STAFF_TOKEN}"},
        timeout=60,
    ).json()
    assert not report["empty"] and report["overall"]["offers"] > 0

    shown = {m["metric"]: m["value"] for m in result["metrics"]}
    # Every number on the page is the report's own, and the main ones are all there.
    assert {metric: _value(report, metric) for metric in shown} == shown
    expected = {
        "overall.offer_rate",
        "overall.acceptance_rate",
        "overall.decline_rate",
        "overall.ignore_rate",
        "overall.opt_out_rate",
        "cross_sell.conversion",
        "holdout.30.treated.revenue_per_customer",
        "holdout.30.holdout.revenue_per_customer",
        "holdout.30.incremental_revenue_per_customer.estimate",
        "holdout.90.incremental_sales_pct.estimate",
    }
    expected |= {f"harm.{s['signal']}.with_offer_rate" for s in report["harm"]["signals"]}
    expected |= {f"no_offer_reasons.{r['reason']}" for r in report["no_offer_reasons"]}
    assert expected <= set(shown)
    # ... and it is written the way a person reads it (an interval or a count may follow).
    for element in result["metrics"]:
        text, value = element["text"], element["value"]
        if value is None:
            assert text in {"–", "not enough data"} or text.startswith("–"), element
        else:
            assert text.startswith(_shown_text(element["metric"], value)), element
        assert "[0.0 %, 0.0 %]" not in text, element  # a missing bound is never drawn as 0

    assert {c["id"]: c["drawn"] for c in result["charts"]} == {
        "acceptance-chart": True,
        "holdout-chart": True,
        "harm-chart": True,
        "reasons-chart": True,
    }
    assert result["external_requests"] == []
    assert result["console_errors"] == []

    assert result["wrong_token_message"] == "wrong staff token"
    assert result["numbers_before_login"] == 0
    assert result["after_logout_status"] == 401
    assert "no customer NO-SUCH-CUSTOMER" in result["unknown_customer_message"]

    # The lookup explains each decision in words, with the engine's trace.
    assert result["lookup"], "the simulated customer has decisions"
    first = result["lookup"][0]
    assert "gate: " in first and ("offered" in first or "no offer" in first)
    assert SCREENSHOT.is_file() and SCREENSHOT.stat().st_size > 10_000


def test_the_access_log_names_routes_not_customers(dashboard_url: str, dashboard_workdir: Path) -> None:
    for customer in (SIMULATED_CUSTOMER, "someone@example.com"):
        answer = requests.get(
            f"{dashboard_url}/dashboard/api/customers/{customer}",
            headers={"Authorization": f"Bearer {STAFF_TOKEN}"},
            timeout=60,
        )
        assert answer.status_code in (200, 404)
    log = (dashboard_workdir / "dashboard.log").read_text(encoding="utf-8")
    assert "/dashboard/api/customers/{" in log  # the lookups were logged...
    assert SIMULATED_CUSTOMER not in log and "someone@example.com" not in log  # ...without whose
