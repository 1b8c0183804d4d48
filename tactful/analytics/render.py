"""The offer report for people (terminal text) and spreadsheets (CSV).

Both read the dict from ``build_report``; the CSV is long ("tidy"): one value
a row as section, group, key, measure, value, so any slice is a filter or a
pivot away (docs/analytics.md, "CSV").
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from typing import Any

CSV_HEADER = ("section", "group", "key", "measure", "value")
Row = tuple[str, str, str, str, Any]
_RATE_COLUMNS = (
    ("conversations", "conv"),
    ("offers", "offers"),
    ("offer_rate", "offer%"),
    ("acceptance_rate", "accept%"),
    ("decline_rate", "decline%"),
    ("ignore_rate", "ignore%"),
    ("opt_out_rate", "opt-out%"),
)
_SLICES: tuple[tuple[str, str], ...] = (
    ("offer", "offer"),
    ("variant", "offer/variant"),
    ("channel", "channel"),
    ("stage", "journey stage"),
    ("period", "week starting"),
)


def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def amount(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.2f}"


def _interval(part: Mapping[str, Any], show: Any = amount, unit: str = "", why: str = "") -> str:
    if part.get("estimate") is None:
        return f"n/a ({why or 'no customers in one arm'})"
    low, high = part.get("low"), part.get("high")
    bounds = f"{show(low)}{unit} to {show(high)}{unit}" if low is not None else "n/a"
    return f"{show(part['estimate'])}{unit}  (95 % interval {bounds})"


def format_report(report: Mapping[str, Any]) -> str:
    period = report["period"]
    lines = [f"Offer report {period['since']} to {period['until']} (generated {report['generated_at']})"]
    if report.get("empty"):
        lines.append("No data for this period: no offer events and no paid orders were stored.")
        return "\n".join(lines)
    overall = report["overall"]
    lines += [
        "",
        f"  conversations with a decision  {overall['conversations']}",
        f"  offers shown                   {overall['offers']}  (offer rate {pct(overall['offer_rate'])})",
    ]
    for count, rate, label in (
        ("accepts", "acceptance_rate", "accepted"),
        ("declines", "decline_rate", "declined"),
        ("ignores", "ignore_rate", "ignored"),
        ("opt_outs", "opt_out_rate", "opted out after"),
    ):
        lines.append(f"  {label:<30} {overall[count]}  ({pct(overall[rate])} of offers)")
    for name, title in _SLICES:
        lines += _rate_table(title, report["by"][name])
    for days, comparison in report["holdout"].items():
        lines += _holdout(days, comparison)
    arms = report.get("holdout_assignment")
    if arms:
        lines.append(
            f"  arms: {arms['from_decisions']} from the stored decisions, {arms['from_hash']} from the hash;"
            f" {arms['disagree_with_hash']} disagree with the current hash, {arms['mixed']} mixed"
            + (" (the holdout salt or share changed)" if arms["disagree_with_hash"] or arms["mixed"] else "")
        )
    sell = report["cross_sell"]
    lines += [
        "",
        f"Cross-sell: {sell['accepted']} accepted offers, {sell['paid']} ended in a paid order within"
        f" {sell['days']} days ({pct(sell['conversion'])})",
        f"  not counted: {sell.get('unverified', 0)} by unverified customers,"
        f" {sell.get('follow_up_incomplete', 0)} with fewer than {sell['days']} days of orders read",
    ]
    lines += _harm(report["harm"])
    lines += _variants(report["variants"])
    reasons = report["no_offer_reasons"][:10]
    if reasons:
        lines += ["", "Why no offer (most frequent reason codes)"]
        lines += [f"  {row['reason']:<36} {row['count']}" for row in reasons]
    return "\n".join(lines)


def _rate_table(title: str, rows: list[Mapping[str, Any]]) -> list[str]:
    if not rows:
        return []
    header = f"  {title:<32}" + "".join(f"{label:>10}" for _, label in _RATE_COLUMNS)
    lines = ["", f"By {title}", header]
    for row in rows:
        cells = []
        for name, _ in _RATE_COLUMNS:
            value = row[name]
            cells.append(f"{value:>10}" if name in ("conversations", "offers") else f"{pct(value):>10}")
        lines.append(f"  {str(row['key'])[:32]:<32}" + "".join(cells))
    return lines


def _holdout(days: str, comparison: Mapping[str, Any]) -> list[str]:
    cohort = comparison.get("cohort", {})
    lines = [
        "",
        f"Against the holdout, revenue within {days} days of the first decision"
        f" ({cohort.get('complete_windows', 0)} of {cohort.get('exposed', 0)} exposed customers have"
        f" a complete window: first decision by {cohort.get('first_decision_by', 'n/a')})",
    ]
    lines.append(
        f"  {'arm':<10}{'customers':>10}{'buyers':>8}{'orders':>8}{'revenue':>14}{'per cust.':>12}{'AOV':>10}"
    )
    for arm in ("treated", "holdout"):
        group = comparison[arm]
        lines.append(
            f"  {arm:<10}{group['customers']:>10}{group['buyers']:>8}{group['orders']:>8}"
            f"{amount(group['revenue']):>14}{amount(group['revenue_per_customer']):>12}"
            f"{amount(group['average_order_value']):>10}"
        )
    lines.append(
        f"  incremental revenue per customer  {_interval(comparison['incremental_revenue_per_customer'])}"
    )
    lines.append(f"  incremental revenue in total      {_interval(comparison['incremental_revenue'])}")
    treated, held = comparison["treated"]["customers"], comparison["holdout"]["customers"]
    why = "no customers in one arm" if not (treated and held) else "the holdout bought nothing"
    sales = _interval(comparison["incremental_sales_pct"], _plain, " %", why)
    undefined = comparison.get("incremental_sales_pct_undefined_resamples") or 0
    if undefined:
        sales += f"  [{undefined:.1%} of resamples had a holdout that bought nothing]"
    lines.append(f"  incremental sales                 {sales}")
    return lines


def _plain(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


def _harm(section: Mapping[str, Any]) -> list[str]:
    with_offer, without = section["with_offer"]["conversations"], section["without_offer"]["conversations"]
    lines = [
        "",
        f"Harm after the first decision ({with_offer} conversations with an offer, {without} without)",
    ]
    lines += _harm_rows(section["signals"], "with_offer", "without_offer", "with offer", "without")
    randomised = section.get("randomised")
    if randomised:
        treated, held = randomised["treated"]["conversations"], randomised["holdout"]["conversations"]
        lines += [
            "",
            f"Harm, treated against holdout customers ({treated} and {held} conversations; randomised)",
        ]
        lines += _harm_rows(randomised["signals"], "treated", "holdout", "treated", "holdout")
    return lines


def _harm_rows(rows: list[Mapping[str, Any]], first: str, second: str, label: str, other: str) -> list[str]:
    lines = []
    for row in rows:
        difference = row["difference"]
        shift = (
            "n/a"
            if difference["estimate"] is None
            else (f"{difference['estimate']:+.1%} ({difference['low']:+.1%} to {difference['high']:+.1%})")
        )
        lines.append(
            f"  {row['signal']:<12} {label} {pct(row[f'{first}_rate']):>7}"
            f"  {other} {pct(row[f'{second}_rate']):>7}  difference {shift}"
        )
    return lines


def _variants(rows: list[Mapping[str, Any]]) -> list[str]:
    if not rows:
        return []
    lines = ["", "Variants (acceptance; Beta posterior)"]
    for row in rows:
        a, b = row["a"], row["b"]
        lines.append(
            f"  {row['offer']}: {row['variant_a']} {a['accepted']}/{a['shown']} vs {row['variant_b']}"
            f" {b['accepted']}/{b['shown']}  P({row['variant_b']} better) {row['prob_b_better']:.2f}"
            f"{_difference(row.get('difference'))}  {row['verdict']}"
        )
    return lines


def _difference(part: Mapping[str, Any] | None) -> str:
    if not part or part.get("low") is None:
        return ""
    return f"  B − A {part['estimate']:+.1%} ({part['low']:+.1%} to {part['high']:+.1%})"


def csv_rows(report: Mapping[str, Any]) -> Iterator[Row]:
    for measure, value in report["overall"].items():
        yield ("overall", "", "", measure, value)
    for dimension, rows in report["by"].items():
        for row in rows:
            yield from _scalars("by", dimension, str(row["key"]), row, skip=("key",))
    for row in report["acceptance_over_time"]:
        yield from _scalars("acceptance_over_time", row["offer"], row["day"], row, skip=("offer", "day"))
    for days, comparison in report["holdout"].items():
        for name, part in comparison.items():
            if isinstance(part, Mapping):
                yield from _scalars("holdout", f"{days} days", name, part)
            else:
                yield ("holdout", f"{days} days", "", name, part)
    sell = report["cross_sell"]
    yield from _scalars("cross_sell", "all", "", sell, skip=("by_offer",))
    for row in sell["by_offer"]:
        yield from _scalars("cross_sell", "offer", row["offer"], row, skip=("offer",))
    for row in report["harm"]["signals"]:
        yield from _scalars("harm", row["signal"], "", row, skip=("signal",))
    for row in report["harm"].get("randomised", {}).get("signals", ()):
        yield from _scalars("harm_randomised", row["signal"], "", row, skip=("signal",))
    for dimension, rows in report.get("harm_by", {}).items():
        for row in rows:
            for signal in row["signals"]:
                yield from _scalars(f"harm_by_{dimension}", str(row["key"]), signal["signal"], signal)
    for dimension, rows in report.get("holdout_by", {}).items():
        for row in rows:
            yield from _scalars(f"holdout_by_{dimension}", str(row["key"]), f"{row['days']} days", row)
    yield from _scalars("holdout_assignment", "", "", report.get("holdout_assignment", {}))
    yield from _scalars("dropped_answers", "", "", report.get("dropped_answers", {}))
    for row in report["variants"]:
        yield from _scalars("variants", row["offer"], f"{row['variant_a']} vs {row['variant_b']}", row)
    for row in report["no_offer_reasons"]:
        yield ("no_offer_reasons", "", row["reason"], "count", row["count"])


def _scalars(
    section: str,
    group: str,
    key: str,
    values: Mapping[str, Any],
    skip: tuple[str, ...] = (),
    prefix: str = "",
) -> Iterator[Row]:
    for name, value in values.items():
        if name in skip:
            continue
        if isinstance(value, Mapping):
            yield from _scalars(section, group, key, value, prefix=f"{prefix}{name}_")
        elif not isinstance(value, list):
            yield (section, group, key, f"{prefix}{name}", value)


def to_csv(report: Mapping[str, Any]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    writer.writerows(tuple(_cell(cell) for cell in row) for row in csv_rows(report))
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    # Text a spreadsheet would run as a formula is kept as text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
