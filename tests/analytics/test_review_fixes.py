"""The review findings of issue 11, each against hand-computed values (story in review_log.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from tactful.analytics.render import format_report, to_csv
from tactful.analytics.report import build_report
from tactful.store.unit_of_work import uow_for
from tests.analytics import event_log, review_log


def _report(url: str, log: Any, generated: datetime) -> dict[str, Any]:
    return build_report(lambda: uow_for(url), event_log.POLICY, log.SINCE, log.UNTIL, generated_at=generated)


@pytest.fixture()
def report(db_url: str) -> dict[str, Any]:
    review_log.seed(db_url)
    return _report(db_url, review_log, review_log.GENERATED)


def test_only_complete_windows_count_and_orders_after_the_period_do(report: dict[str, Any]) -> None:
    thirty, ninety = report["holdout"]["30"], report["holdout"]["90"]
    # Orders read to until + 90 days = 06-30; every first decision (03-02..03-07) has 90 days.
    assert report["period"]["orders_read_until"] == "2026-06-30T00:00:00"
    assert thirty["cohort"] == {
        "exposed": 5,
        "complete_windows": 5,
        "first_decision_by": "2026-05-31T00:00:00",
        "follow_up_until": "2026-06-30T00:00:00",
    }
    # 30 days: TA 20.00 (r1; r2 on 04-20 is 49 days on), TB 0, TC 0 -> 20.00 / 3 = 6.67.
    # Holdout: HA 50.00, XS 30.00 (its decision says gate:holdout) -> 80.00 / 2 = 40.00.
    assert thirty["treated"] == {
        "customers": 3,
        "buyers": 1,
        "orders": 1,
        "revenue": 20.0,
        "revenue_per_customer": 6.67,
        "average_order_value": 20.0,
    }
    assert thirty["holdout"]["revenue_per_customer"] == 40.0 and thirty["holdout"]["customers"] == 2
    assert thirty["incremental_revenue_per_customer"]["estimate"] == -33.33
    # 90 days add r2, placed after the period: TA 120.00 -> 120.00 / 3 = 40.00; lift 0.
    assert ninety["treated"]["revenue"] == 120.0 and ninety["treated"]["revenue_per_customer"] == 40.0
    assert ninety["incremental_revenue_per_customer"]["estimate"] == 0.0


def test_a_recent_period_leaves_incomplete_windows_out(db_url: str) -> None:
    event_log.seed(db_url)
    # Generated six hours after the period: orders read to 05-01 06:00. Only T2 (first decision
    # 02-02) has 30 days of orders: 60.00 (o3; o4 is 46 days on). Nobody has 90 days.
    report = _report(db_url, event_log, datetime(2026, 5, 1, 6))
    thirty, ninety = report["holdout"]["30"], report["holdout"]["90"]
    assert thirty["cohort"]["complete_windows"] == 1 and thirty["cohort"]["exposed"] == 5
    assert thirty["cohort"]["first_decision_by"] == "2026-04-01T06:00:00"
    assert thirty["treated"]["customers"] == 1 and thirty["treated"]["revenue_per_customer"] == 60.0
    assert thirty["holdout"]["customers"] == 0 and thirty["holdout"]["revenue_per_customer"] is None
    assert thirty["incremental_revenue_per_customer"] == {"estimate": None, "low": None, "high": None}
    assert ninety["cohort"]["complete_windows"] == 0
    assert ninety["treated"]["revenue_per_customer"] is None
    # Neither accept (04-20, 04-27) has 30 days of orders read: no conversion rate yet.
    cross = report["cross_sell"]
    assert (cross["accepted"], cross["follow_up_incomplete"], cross["conversion"]) == (0, 2, None)
    assert "n/a (no customers in one arm)" in format_report(report)


def test_answers_count_only_for_an_in_period_impression_once(report: dict[str, Any]) -> None:
    # d2's accept answers an impression of 02-28 (not read); d1's second accept repeats the first.
    assert report["dropped_answers"] == {"without_impression": 1, "repeated": 1}
    overall = report["overall"]
    # d1..d6 counted; impressions d1, d3, d6 x 2 = 4; accepts d1, d3, d6 = 3.
    assert (overall["conversations"], overall["offers"], overall["accepts"]) == (6, 4, 3)
    assert overall["acceptance_rate"] == 0.75
    sd = {row["key"]: row for row in report["by"]["offer"]}["sd"]
    assert (sd["offers"], sd["accepts"]) == (3, 2)
    assert {row["day"]: row["accepts"] for row in report["acceptance_over_time"] if row["offer"] == "sd"} == {
        "2026-03-02": 1,
        "2026-03-07": 1,
    }


def test_cross_sell_leaves_out_unverified_accepts(report: dict[str, Any]) -> None:
    # d1 (TA, SD-64 bought 03-10) converts; d6 (TC) does not; d3 has no customer to follow.
    cross = report["cross_sell"]
    assert (cross["accepted"], cross["paid"], cross["conversion"]) == (2, 1, 0.5)
    assert (cross["unverified"], cross["follow_up_incomplete"]) == (1, 0)


def test_arms_come_from_the_stored_decisions(report: dict[str, Any]) -> None:
    # XS is treated by the hash, but its decision recorded gate:holdout: holdout, one disagreement.
    assert report["holdout_assignment"] == {
        "from_decisions": 5,
        "from_hash": 0,
        "mixed": 0,
        "disagree_with_hash": 1,
    }
    assert "1 disagree with the current hash" in format_report(report)


def test_harm_counts_from_the_first_decision_in_both_groups(report: dict[str, Any]) -> None:
    harm = report["harm"]
    # d1's frustration (10:01) falls between its no-offer decision (10:00) and its offer (10:02).
    assert harm["with_offer"] == {
        "conversations": 3,
        "opted_out": 0,
        "frustrated": 1,
        "fallback": 0,
        "handoff": 0,
        "any": 1,
    }
    assert harm["without_offer"]["conversations"] == 3 and harm["without_offer"]["any"] == 2
    # Randomised: treated d1 (frustrated), d2 (fallback), d6; holdout d4 (handoff), d5; d3 has no
    # customer. any: 2/3 - 1/2 = 0.1667.
    randomised = harm["randomised"]
    assert randomised["treated"]["conversations"] == 3 and randomised["holdout"]["conversations"] == 2
    assert (randomised["treated"]["any"], randomised["holdout"]["any"]) == (2, 1)
    rows = {row["signal"]: row for row in randomised["signals"]}
    assert rows["any"]["treated_rate"] == 0.6667 and rows["any"]["holdout_rate"] == 0.5
    difference = rows["any"]["difference"]
    assert difference["estimate"] == 0.1667 and -1 <= difference["low"] < 0.1667 < difference["high"] <= 1


def test_variants_count_conversations_and_give_a_credible_interval(report: dict[str, Any]) -> None:
    (row,) = report["variants"]
    # d6 showed sd/b twice: one conversation, one accept.
    assert row["a"] == {"shown": 1, "accepted": 1, "rate": 1.0}
    assert row["b"] == {"shown": 1, "accepted": 1, "rate": 1.0}
    assert row["unit"] == "conversation"
    # Beta(2, 1) against Beta(2, 1): P = 1/2, posterior mean difference 2/3 - 2/3 = 0.
    assert row["prob_b_better"] == pytest.approx(0.5, abs=0.01)
    difference = row["difference"]
    assert difference["estimate"] == 0.0 and difference["low"] < 0 < difference["high"]


def test_holdout_and_harm_by_slice(report: dict[str, Any]) -> None:
    channel = {(row["key"], row["days"]): row for row in report["holdout_by"]["channel"]}
    # web (first decisions of TA, TB, HA, XS): treated 20.00 / 2 = 10.00, holdout 40.00; lift -30.00.
    web = channel[("web", 30)]
    assert web["treated"] == {"customers": 2, "revenue_per_customer": 10.0}
    assert web["incremental_revenue_per_customer"]["estimate"] == -30.0
    # telegram: TC only, no holdout customer -> no comparison.
    assert channel[("telegram", 30)]["incremental_revenue_per_customer"]["estimate"] is None
    (week,) = [row for row in report["holdout_by"]["period"] if row["days"] == 30]
    assert week["key"] == "2026-03-02" and week["treated"]["customers"] == 3
    harm_channel = {row["key"]: row for row in report["harm_by"]["channel"]}
    assert harm_channel["web"]["with_offer"]["frustrated"] == 1
    assert harm_channel["web"]["without_offer"]["any"] == 2
    assert harm_channel["telegram"]["with_offer"]["conversations"] == 2
    stages = {row["key"]: row["with_offer"]["conversations"] for row in report["harm_by"]["stage"]}
    assert stages == {"checkout": 2, "support": 1}
    lines = to_csv(report).splitlines()
    assert "holdout_by_channel,web,30 days,incremental_revenue_per_customer_estimate,-30.0" in lines
    assert "harm_randomised,any,,difference_estimate,0.1667" in lines


def test_small_stream_batches_give_the_same_report(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from tactful.analytics import rows

    review_log.seed(db_url)
    whole = _report(db_url, review_log, review_log.GENERATED)
    monkeypatch.setattr(rows, "STREAM_BATCH", 2)
    assert _report(db_url, review_log, review_log.GENERATED) == whole


def test_the_text_says_why_a_lift_is_missing_and_csv_guards_formulas() -> None:
    from tactful.analytics.render import _cell, _holdout

    arm: dict[str, Any] = {"customers": 4, "buyers": 0, "orders": 0, "revenue": 0.0}
    arm |= {"revenue_per_customer": 0.0, "average_order_value": None}
    comparison: dict[str, Any] = {
        "treated": {**arm, "buyers": 1, "orders": 1, "revenue": 40.0, "revenue_per_customer": 10.0},
        "holdout": arm,
        "incremental_revenue_per_customer": {"estimate": 10.0, "low": 0.0, "high": 30.0},
        "incremental_revenue": {"estimate": 40.0, "low": 0.0, "high": 120.0},
        "incremental_sales_pct": {"estimate": None, "low": None, "high": None},
        "incremental_sales_pct_undefined_resamples": 1.0,
    }
    text = "\n".join(_holdout("30", comparison))
    assert "n/a (the holdout bought nothing)" in text and "no customers in one arm" not in text
    for dangerous in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"):
        assert _cell(dangerous) == "'" + dangerous
    assert _cell("web") == "web"
