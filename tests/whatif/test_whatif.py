"""The what-if replay on the real UCI Online Retail sample.

Expected numbers come from plain loops over the imported orders that follow
the policy's written rules (docs/whatif.md), not from the replay code. Every
customer answers the same way in these tests (the answer prior is set to
certainty), so the caps and suppressions are the only thing left to count.
"""

from __future__ import annotations

import io
import json
from collections import defaultdict
from contextlib import redirect_stdout
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tactful.cli import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, main
from tactful.engine.holdout import in_holdout
from tactful.engine.policy_model import Policy
from tactful.importer.runner import run_import
from tactful.services.offer_inputs import load_catalog
from tactful.store.unit_of_work import uow_for
from tactful.whatif.history import customer_histories
from tactful.whatif.run import WhatIfOptions, run_whatif
from tests.support.policies import build_policy, write_policy

TARGET = "22423"  # REGENCY CAKESTAND 3 TIER, in the UCI sample
HOLDOUT = {"share": 0.10, "salt": "tests-whatif"}
CAKESTAND_RULE: dict[str, Any] = {
    "id": "cakestand",
    "kind": "cross_sell",
    "trigger": {"cart_category": ["general"], "stage": ["checkout"]},
    "target": {"sku": TARGET},
    "message": "The {target_name} goes with your order: {final_price}.",
    # The UCI files carry no stock levels.
    "exclusions": {"out_of_stock": False},
}
NO_MINING = {"enabled": False}
CERTAIN_YES = {"prior_accepts": 1e9, "prior_declines": 1e-9}
CERTAIN_NO = {"prior_accepts": 1e-9, "prior_declines": 1e9, "decline_share": 1.0}


def _policy(*rules: dict[str, Any]) -> Policy:
    return build_policy(holdout=HOLDOUT, mining=NO_MINING, offers=list(rules))


@pytest.fixture(scope="module")
def uci_url(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('whatif') / 'shop.db'}"
    assert main(["db", "upgrade", "--db-url", url]) == EXIT_OK
    out = io.StringIO()
    code = run_import(
        "uci", [str(shared_data / "online_retail_sample.csv")], url, quiet=True, out=out, err=out
    )
    assert code == EXIT_OK, out.getvalue()
    return url


def _checkouts(url: str) -> dict[str, list[tuple[datetime, set[str], set[str]]]]:
    """Per customer, each order with products: (when, SKUs in the cart, SKUs kept before)."""
    found: dict[str, list[tuple[datetime, set[str], set[str]]]] = defaultdict(list)
    with uow_for(url) as work:
        for history in customer_histories(work.session):
            owned: set[str] = set()
            for order in history.orders:
                cart = {line.sku for line in order.cart}
                if cart:
                    found[history.customer_id].append((order.placed_at, cart, set(owned)))
                if order.status in {"placed", "shipped", "delivered"}:
                    owned |= {line.sku for line in order.lines if line.quantity > 0}
    return found


def _eligible(customer: str) -> bool:
    return not in_holdout(customer, HOLDOUT["salt"], HOLDOUT["share"])


def test_everyone_accepting_gets_the_add_on_once(uci_url: str) -> None:
    old, new = _policy(), _policy(CAKESTAND_RULE)
    result = run_whatif(lambda: uow_for(uci_url), old, new, WhatIfOptions(**CERTAIN_YES))
    # Hand count: an eligible customer is offered the cakestand at their first
    # checkout that neither holds it in the cart nor follows a kept purchase of
    # it; once accepted they own it, so it is never offered again.
    expected = 0
    for customer, checkouts in _checkouts(uci_url).items():
        if _eligible(customer) and any(
            TARGET not in cart and TARGET not in owned for _, cart, owned in checkouts
        ):
            expected += 1
    assert expected > 100  # the sample has enough customers for this to mean something
    assert result.old.offers == 0
    assert result.new.offers == expected
    assert result.new.answers == {"accepted": expected}
    assert set(result.new.arm_offers) == {("cakestand", "default")}
    assert result.changes.checkouts == expected
    assert result.changes.transitions == {("(no offer)", "cakestand/default"): expected}
    holdout = sum(len(c) for customer, c in _checkouts(uci_url).items() if not _eligible(customer))
    assert result.new.limits_hit()["gate:holdout"] == holdout
    # Every offer is accepted (p = 1), so the expected revenue is the offers times the price.
    with uow_for(uci_url) as work:
        price = float(load_catalog(work)[TARGET].price)  # undiscounted: the rule has no discount
    revenue = result.to_dict()["new"]["expected_revenue"]
    assert revenue["mean"] == pytest.approx(expected * price, abs=0.01)
    assert revenue["low"] == pytest.approx(expected * price, abs=0.01)


def test_orders_before_since_are_owned_but_not_replayed(uci_url: str) -> None:
    since = datetime(2011, 7, 1)
    new = _policy(CAKESTAND_RULE)
    result = run_whatif(lambda: uow_for(uci_url), _policy(), new, WhatIfOptions(since=since, **CERTAIN_YES))
    expected = 0
    for customer, checkouts in _checkouts(uci_url).items():
        later = [(at, cart, owned) for at, cart, owned in checkouts if at >= since]
        if _eligible(customer) and any(
            TARGET not in cart and TARGET not in owned for _, cart, owned in later
        ):
            expected += 1
    assert result.new.checkouts == sum(
        1 for checkouts in _checkouts(uci_url).values() for at, _, _ in checkouts if at >= since
    )
    assert result.new.offers == expected


def test_everyone_declining_is_asked_again_only_after_the_suppression(uci_url: str) -> None:
    new = _policy(CAKESTAND_RULE)
    result = run_whatif(lambda: uow_for(uci_url), _policy(), new, WhatIfOptions(**CERTAIN_NO))
    suppression = timedelta(days=new.declines.offer_suppression_days)
    same_offer = timedelta(days=new.caps.same_offer_days)
    expected = 0
    for customer, checkouts in _checkouts(uci_url).items():
        if not _eligible(customer):
            continue
        last: datetime | None = None
        for at, cart, owned in checkouts:
            if TARGET in cart or TARGET in owned:
                continue
            if last is None or at - last >= max(suppression, same_offer):
                expected += 1
                last = at
    assert result.new.offers == expected
    assert result.new.answers == {"declined": expected}
    blocked = result.new.limits_hit()
    assert blocked.get("suppressed:declined_90d", 0) > 0


def test_identical_policies_change_nothing(uci_url: str, tmp_path: Path) -> None:
    policy = write_policy(tmp_path / "policy.yml", holdout=HOLDOUT, mining=NO_MINING, offers=[CAKESTAND_RULE])
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(
            ["whatif", str(policy), str(policy), "--db-url", uci_url, "--json", str(tmp_path / "r.json")]
        )
    assert code == EXIT_OK
    result = json.loads((tmp_path / "r.json").read_text())
    assert result["changes"]["checkouts"] == 0
    assert result["old"]["offers"] == result["new"]["offers"] > 0
    assert result["revenue_difference"] == {"mean": 0.0, "low": 0.0, "high": 0.0}
    assert "Offers that would change: 0 checkouts" in out.getvalue()


def test_tighter_caps_show_side_by_side(uci_url: str, tmp_path: Path) -> None:
    loose = {"per_conversation": 1, "per_customer_window": {"max": 2, "days": 7}, "same_offer_days": 1}
    tight = {**loose, "per_customer_window": {"max": 1, "days": 30}}
    # Two rules, so a customer can be offered twice in a week under the loose caps.
    second = {**CAKESTAND_RULE, "id": "cakestand-again"}
    old = write_policy(
        tmp_path / "old.yml", holdout=HOLDOUT, mining=NO_MINING, offers=[CAKESTAND_RULE, second], caps=loose
    )
    new = write_policy(
        tmp_path / "new.yml", holdout=HOLDOUT, mining=NO_MINING, offers=[CAKESTAND_RULE, second], caps=tight
    )
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(["whatif", str(old), str(new), "--db-url", uci_url, "--json", str(tmp_path / "r.json")])
    assert code == EXIT_OK
    result = json.loads((tmp_path / "r.json").read_text())
    assert result["new"]["offers"] < result["old"]["offers"]
    assert result["new"]["limits_hit"]["cap:weekly"] > result["old"]["limits_hit"].get("cap:weekly", 0)
    assert result["changes"]["checkouts"] > 0
    revenue = result["new"]["expected_revenue"]
    assert revenue["low"] <= revenue["mean"] <= revenue["high"]
    assert revenue["mean"] > 0
    table = out.getvalue()
    assert "cap:weekly" in table and "accepted-offer revenue, 95% int." in table


def test_bad_input_is_a_clear_error(uci_url: str, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("version: 1\ncaps: {per_conversation: -1}\n", encoding="utf-8")
    good = write_policy(tmp_path / "good.yml", holdout=HOLDOUT, mining=NO_MINING, offers=[CAKESTAND_RULE])
    err = io.StringIO()
    assert main(["whatif", str(good), str(broken), "--db-url", uci_url]) == EXIT_PROBLEMS
    with pytest.raises(SystemExit) as usage:
        main(["whatif", str(good), str(good), "--since", "yesterday"])
    assert usage.value.code == EXIT_USAGE
    with redirect_stdout(err):
        code = main(["whatif", str(good), str(good), "--db-url", uci_url, "--rules", "stored"])
    assert code == EXIT_PROBLEMS
    with redirect_stdout(err):
        code = main(
            ["whatif", str(good), str(good), "--db-url", uci_url, "--json", str(tmp_path / "no" / "r.json")]
        )
    assert code == EXIT_USAGE


def test_postgresql_gives_the_same_replay(uci_url: str, pg_url: str, shared_data: Path) -> None:
    """The same history in PostgreSQL (streamed through a server-side cursor) replays identically."""
    out = io.StringIO()
    sample = str(shared_data / "online_retail_sample.csv")
    assert run_import("uci", [sample], pg_url, quiet=True, out=out, err=out) == EXIT_OK, out.getvalue()
    old, new = _policy(), _policy(CAKESTAND_RULE)
    options = WhatIfOptions(**CERTAIN_NO)
    on_sqlite = run_whatif(lambda: uow_for(uci_url), old, new, options).to_dict()
    on_postgres = run_whatif(lambda: uow_for(pg_url), old, new, options).to_dict()
    assert on_postgres["new"] == on_sqlite["new"]
    assert on_postgres["changes"] == on_sqlite["changes"]
