"""The what-if result as a side-by-side table for the terminal."""

from __future__ import annotations

from typing import Any

WIDTH = 22


def _row(name: str, old: object, new: object) -> str:
    return f"  {name:<34}{old!s:>{WIDTH}}{new!s:>{WIDTH}}"


def _money(estimate: dict[str, float]) -> str:
    return f"{estimate['mean']:.2f} [{estimate['low']:.2f}, {estimate['high']:.2f}]"


def render(result: dict[str, Any]) -> str:
    old, new = result["old"], result["new"]
    history = result["history"]
    lines = [
        f"What-if over {history['customers']} customers and {history['checkouts']} checkouts "
        f"(seed {result['simulation']['seed']}, rules: {history['rules']})",
        _row(
            "",
            "old: " + result["policies"]["old"][-WIDTH + 6 :],
            "new: " + result["policies"]["new"][-WIDTH + 6 :],
        ),
        _row("offers shown", old["offers"], new["offers"]),
        _row("offers per customer", old["offers_per_customer"], new["offers_per_customer"]),
    ]
    for count in sorted(set(old["customers_by_offers"]) | set(new["customers_by_offers"]), key=int):
        lines.append(
            _row(
                f"  customers with {count} offer(s)",
                old["customers_by_offers"].get(count, 0),
                new["customers_by_offers"].get(count, 0),
            )
        )
    for answer in sorted(set(old["answers"]) | set(new["answers"])):
        lines.append(
            _row(f"  simulated {answer}", old["answers"].get(answer, 0), new["answers"].get(answer, 0))
        )
    lines.append("  caps and suppressions hit (checkouts)")
    for code in sorted(set(old["limits_hit"]) | set(new["limits_hit"])):
        lines.append(_row(f"  {code}", old["limits_hit"].get(code, 0), new["limits_hit"].get(code, 0)))
    lines.append(
        _row(
            "accepted-offer revenue, 95% int.",
            _money(old["expected_revenue"]),
            _money(new["expected_revenue"]),
        )
    )
    difference = result["revenue_difference"]
    lines.append(f"  new - old: {_money(difference)}")
    changes = result["changes"]
    lines.append(
        f"Offers that would change: {changes['checkouts']} checkouts of {changes['customers']} customers"
    )
    for change in changes["top"]:
        lines.append(f"  {change['checkouts']:>6}  {change['old']}  ->  {change['new']}")
    return "\n".join(lines)
