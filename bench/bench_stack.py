"""Side by side: the bare `rasa init` bot and Tactful, served the same way.

    .venv/bin/python bench/bench_stack.py                  # 1, 10 and 50 chats + a 100-turn chat
    .venv/bin/python bench/bench_stack.py --levels 1,10 --turns 100 --only tactful --keep

Both Rasa servers keep trackers in PostgreSQL and take locks from Redis
(bench/stack_servers.py); both get 5-message REST chats, waiting for each
answer before the next message. Each level runs in rounds in A B B A order,
and the two 100-turn chats take turns, so drift on a shared machine hits both
alike; only the ratios are compared, because absolute times on a 2-core VM
wander from run to run.
Results go to var/bench/stack.json. Exits 0 when goals are missed (it is a
measurement) and 1 on errors (a server that did not start, non-200 answers).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from bench import stack_report  # noqa: E402
from bench.chat_load import Bot, Result, chats_for, long_chats, run_level  # noqa: E402
from bench.stack_servers import (  # noqa: E402
    BENCH_DIR,
    JWT_SECRET,
    Stack,
    clear_locks,
    drop_run,
    run_dir,
    run_id,
    start_bare,
    start_tactful,
    stop_stack,
)
from tactful.demo.customers import cart_id  # noqa: E402
from tactful.identity import issue_token  # noqa: E402

BARE_SCRIPT = ["hello there", "I am sad", "yes", "I am feeling very good", "bye"]
TACTFUL_SCRIPT = [
    "hi",
    "where is my order?",
    "what is your return policy?",
    "what's in my cart now?",
    "thank you",
]
# Ordinary support and checkout customers (no open delivery case, not opted out).
CUSTOMERS = ("C001", "C005", "C006", "C010", "C011")
LONG_CHAT_TURNS = 100
WARM_UP_CHATS = 2


def bare_bot(url: str, run: str) -> Bot:
    return Bot("bare", url, BARE_SCRIPT, lambda n: (f"bench-{run}-bare-{n}", {}))


def tactful_bot(url: str, run: str) -> Bot:
    def conversation(number: int) -> tuple[str, dict[str, Any]]:
        customer = CUSTOMERS[number % len(CUSTOMERS)]
        token = issue_token(customer, JWT_SECRET, ttl_seconds=3 * 3600, cart_id=cart_id(customer))
        return f"bench-{run}-tactful-{number}", {"customer_token": token}

    return Bot("tactful", url, TACTFUL_SCRIPT, conversation)


def long_chat_summary(chats: list[Result]) -> dict[str, Any]:
    """Mean latency of turns 1-10 and of the last 10 turns over every long chat."""
    first = [value for chat in chats for value in chat.latencies_ms[:10] if not math.isnan(value)]
    last = [value for chat in chats for value in chat.latencies_ms[-10:] if not math.isnan(value)]
    first_mean = statistics.fmean(first) if first else math.nan
    last_mean = statistics.fmean(last) if last else math.nan
    return {
        "chats": len(chats),
        "turns": sum(len(chat.latencies_ms) for chat in chats),
        "errors": sum(len(chat.errors) for chat in chats),
        "first10_mean_ms": round(first_mean, 1),
        "last10_mean_ms": round(last_mean, 1),
        "ratio": round(last_mean / first_mean, 2) if first and last else None,
    }


async def measure(
    bots: list[Bot], levels: list[int], turns: int, rounds: int, long_chat_count: int
) -> dict[str, Any]:
    """Each level in ``rounds`` rounds, in A B B A order, so that drift during a
    level weighs on both bots alike; then the long chats, turn about."""
    results: dict[str, Any] = {bot.name: {"levels": {}, "errors": []} for bot in bots}
    chat_number = 0
    for bot in bots:  # first answers load lazy parts of the model; not timed
        await run_level(bot, 1, WARM_UP_CHATS * len(bot.script), first_chat=chat_number)
        chat_number += WARM_UP_CHATS
    for level in levels:
        print(f"  {level} concurrent chats ...", flush=True)
        merged = {bot.name: Result() for bot in bots}
        for round_number in range(rounds):
            for bot in bots if round_number % 2 == 0 else bots[::-1]:
                share = -(-turns // rounds)
                merged[bot.name].add(await run_level(bot, level, share, first_chat=chat_number))
                chat_number += chats_for(level, share, len(bot.script))
        for name, result in merged.items():
            results[name]["levels"][str(level)] = result.summary()
            results[name]["errors"].extend(result.errors[:20])
    print(f"  {long_chat_count} chat(s) of {LONG_CHAT_TURNS} turns each ...", flush=True)
    chats: dict[str, list[Result]] = {bot.name: [] for bot in bots}
    for _ in range(long_chat_count):
        for name, result in (await long_chats(bots, LONG_CHAT_TURNS, chat_number)).items():
            chats[name].append(result)
            results[name]["errors"].extend(result.errors[:20])
        chat_number += 1
    for name, done in chats.items():
        results[name]["long_chat"] = long_chat_summary(done)
    return results


def positive(value: str) -> int:
    if not value.strip().isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, not {value!r}")
    return int(value)


def levels_list(value: str) -> list[int]:
    """``1,10,50``: concurrent chats per level."""
    levels = [positive(level) for level in value.split(",") if level.strip()]
    if not levels:
        raise argparse.ArgumentTypeError("no level given")
    return levels


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--levels", type=levels_list, default="1,10,50", help="concurrent chats per level")
    parser.add_argument("--turns", type=positive, default=250, help="turns per level (whole chats)")
    parser.add_argument("--rounds", type=positive, default=2, help="rounds per level, A B B A order")
    parser.add_argument("--long-chats", type=positive, default=3, help="100-turn chats per bot")
    parser.add_argument("--only", choices=("bare", "tactful"), help="measure one bot only")
    parser.add_argument("--keep", action="store_true", help="leave the servers running afterwards")
    parser.add_argument(
        "--decision",
        action="store_true",
        help="also measure decision p99 on the generated 10M-line PostgreSQL store, if present",
    )
    return parser.parse_args()


def start_stacks(names: list[str], run: str) -> list[Stack]:
    stacks: list[Stack] = []
    try:
        for name in names:
            print(f"starting {name} ...", flush=True)
            started = time.perf_counter()
            stacks.append(start_bare(run) if name == "bare" else start_tactful(run))
            print(f"  {name} up in {time.perf_counter() - started:.0f} s at {stacks[-1].url}", flush=True)
    except BaseException:
        for stack in stacks:
            stop_stack(stack)
        raise
    return stacks


def main() -> int:
    args = parse_args()
    levels: list[int] = args.levels
    names = [args.only] if args.only else ["bare", "tactful"]
    run = run_id()
    try:
        stacks = start_stacks(names, run)
    except Exception as error:  # noqa: BLE001 - reported, and the exit code says so
        drop_run(run, keep_logs=True)
        print(f"error: a server did not start: {error}\nlogs: {run_dir(run)}", file=sys.stderr)
        return 1
    makers = {"bare": bare_bot, "tactful": tactful_bot}
    bots = [makers[stack.name](stack.url, run) for stack in stacks]
    try:
        load_before = os.getloadavg()[0]
        results = asyncio.run(measure(bots, levels, args.turns, max(1, args.rounds), max(1, args.long_chats)))
    except BaseException:
        if args.keep:
            stack_report.print_kept(stacks, run)
        else:
            print(f"logs: {run_dir(run)}", file=sys.stderr)
        raise
    finally:
        if not args.keep:
            for stack in stacks:
                stop_stack(stack)
            clear_locks([stack.lock_prefix for stack in stacks])
            drop_run(run, keep_logs=True)
    report = stack_report.build(results, levels, args.turns, stack_report.decision_p99(args.decision))
    report["run"] = run
    report["rounds"] = max(1, args.rounds)
    report["load_average"] = {"start": round(load_before, 2), "end": round(os.getloadavg()[0], 2)}
    stack_report.print_report(report)
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    (BENCH_DIR / "stack.json").write_text(json.dumps(report, indent=2))
    print(f"\nwritten: {BENCH_DIR / 'stack.json'}")
    if args.keep:
        stack_report.print_kept(stacks, run)
    if report["errors"]:
        print(
            f"error: {report['errors']} turns failed (the first in stack.json, logs in {run_dir(run)})",
            file=sys.stderr,
        )
        return 1
    if not args.keep:
        drop_run(run, keep_logs=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
