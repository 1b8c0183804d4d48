"""bench_stack.py's ratios, goals and printed table."""

from __future__ import annotations

import os
import random
from typing import Any

from bench.stack_servers import Stack, run_dir

# Issue 10's goals, Tactful against the bare bot measured in the same run.
THROUGHPUT_GOAL = 0.8  # Tactful turns/s >= 0.8x bare at 50 chats
P50_GOAL = 1.3  # Tactful p50 <= 1.3x bare at 1 chat
LONG_CHAT_GOAL = 2.0  # turns 91-100 <= 2x turns 1-10
DECISION_P99_GOAL_MS = 2.0  # at 10M order lines on PostgreSQL
DECISION_LINES = 10_000_000


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if not numerator or not denominator:
        return None
    return round(numerator / denominator, 2)


def goal(name: str, value: float | None, limit: float, at_least: bool = False) -> dict[str, Any]:
    if value is None:
        return {"goal": name, "value": None, "status": "not measured"}
    met = value >= limit if at_least else value <= limit
    return {"goal": name, "value": value, "status": "met" if met else "MISSED"}


def decision_p99(run: bool) -> dict[str, Any]:
    """Decision p99 on bench_decision.py's 10M-line PostgreSQL store, when asked and present."""
    if not run:
        return {"p99_ms": None, "note": "not measured (pass --decision, or run bench/bench_decision.py)"}
    from bench.bench_decision import existing_lines, measure, store_url

    url = store_url("postgresql", DECISION_LINES)
    lines = existing_lines(url) or 0
    if lines < DECISION_LINES:
        return {
            "p99_ms": None,
            "note": "no 10M-line store: bench/bench_decision.py --backends postgresql generates it",
        }
    # A new seed each run: customers an earlier run read would find their pages in
    # shared buffers, on top of the prewarmed page cache (bench_decision.prewarm).
    seed = random.SystemRandom().randrange(2**31)
    figures = measure(url, customers=1_000_000, samples=1_000, seed=seed)
    return {
        "p99_ms": round(figures["decide_p99"], 3),
        "lines": lines,
        "note": f"1,000 samples, seed {seed}; {figures['warmth']}",
    }


def error_count(results: dict[str, Any]) -> int:
    total = 0
    for bot in results.values():
        total += sum(level["errors"] for level in bot["levels"].values())
        total += bot.get("long_chat", {}).get("errors", 0)
    return total


def build(results: dict[str, Any], levels: list[int], turns: int, decision: dict[str, Any]) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    bare, tactful = results.get("bare"), results.get("tactful")
    for level in levels:
        b = bare["levels"][str(level)] if bare else {}
        t = tactful["levels"][str(level)] if tactful else {}
        rows.append(
            {
                "chats": level,
                "bare": b,
                "tactful": t,
                "p50_ratio": ratio(t.get("p50_ms"), b.get("p50_ms")),
                "throughput_ratio": ratio(t.get("throughput"), b.get("throughput")),
            }
        )
    by_level = {row["chats"]: row for row in rows}
    long_ratio = tactful["long_chat"]["ratio"] if tactful else None
    goals = [
        goal(
            "throughput >= 0.8x bare at 50 chats",
            by_level.get(50, {}).get("throughput_ratio"),
            THROUGHPUT_GOAL,
            True,
        ),
        goal("p50 <= 1.3x bare at 1 chat", by_level.get(1, {}).get("p50_ratio"), P50_GOAL),
        goal("Tactful turns 91-100 <= 2x turns 1-10", long_ratio, LONG_CHAT_GOAL),
        goal("decision p99 <= 2 ms at 10M lines (PostgreSQL)", decision.get("p99_ms"), DECISION_P99_GOAL_MS),
    ]
    return {
        "turns_per_level": turns,
        "levels": rows,
        "long_chat": {name: bot["long_chat"] for name, bot in results.items()},
        # Growth over a long chat relative to the bare bot's, which has the same tracker store.
        "long_chat_growth_vs_bare": ratio(long_ratio, bare["long_chat"]["ratio"] if bare else None),
        "decision": decision,
        "goals": goals,
        "errors": error_count(results),
        "first_errors": {name: bot["errors"][:10] for name, bot in results.items()},
    }


def cell(value: Any, unit: str = "") -> str:
    return (
        "–"
        if value is None or value == {}
        else f"{value:,}{unit}"
        if isinstance(value, int)
        else f"{value}{unit}"
    )


def print_report(report: dict[str, Any]) -> None:
    print(f"\nREST, 5-message chats, {report['turns_per_level']} turns per level (ratios: Tactful / bare)\n")
    print(
        "| chats | bare p50 | Tactful p50 | p50 ratio | bare p95 | Tactful p95 | bare turns/s | Tactful turns/s | throughput ratio | errors |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for row in report["levels"]:
        b, t = row["bare"], row["tactful"]
        errors = b.get("errors", 0) + t.get("errors", 0)
        print(
            f"| {row['chats']} | {cell(b.get('p50_ms'), ' ms')} | {cell(t.get('p50_ms'), ' ms')} "
            f"| {cell(row['p50_ratio'], '×')} | {cell(b.get('p95_ms'), ' ms')} | {cell(t.get('p95_ms'), ' ms')} "
            f"| {cell(b.get('throughput'))} | {cell(t.get('throughput'))} | {cell(row['throughput_ratio'], '×')} | {errors} |"
        )
    count = max((chat.get("chats", 1) for chat in report["long_chat"].values()), default=1)
    print(f"\n| 100-turn chats ({count} each) | turns 1–10 mean | turns 91–100 mean | ratio |")
    print("|---|---|---|---|")
    for name, chat in report["long_chat"].items():
        print(
            f"| {name} | {cell(chat['first10_mean_ms'], ' ms')} | {cell(chat['last10_mean_ms'], ' ms')} "
            f"| {cell(chat['ratio'], '×')} |"
        )
    if report["long_chat_growth_vs_bare"] is not None:
        print(f"| Tactful's growth / bare's | | | {report['long_chat_growth_vs_bare']}× |")
    decision = report["decision"]
    print(
        f"\ndecision p99 at 10M lines (PostgreSQL): {cell(decision.get('p99_ms'), ' ms')} — {decision['note']}"
    )
    print("\ngoals:")
    for item in report["goals"]:
        print(f"  [{item['status']}] {item['goal']}: {cell(item['value'])}")
    load = report.get("load_average")
    if load:
        print(
            f"\nload average (1 min, {os.cpu_count()} cores): {load['start']} at the start, {load['end']} at the end"
        )
    if report["errors"]:
        print(f"\nfailed turns: {report['errors']}")


def print_kept(stacks: list[Stack], run: str) -> None:
    print("\nservers left running (--keep); stop each with `kill -- -<pid>`, then drop the databases")
    print(f"tactful_bench_stack_{run}_* and delete {run_dir(run)}:")
    for stack in stacks:
        for server in stack.servers:
            print(f"  {server.name}: port {server.port}, pid {server.process.pid}, log {server.log}")
