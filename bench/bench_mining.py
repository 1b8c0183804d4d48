"""Co-purchase mining speed on the real UCI Online Retail baskets.

    .venv/bin/python bench/bench_mining.py             # policy.yml thresholds
    .venv/bin/python bench/bench_mining.py --min-support 0.001 --naive
    .venv/bin/python bench/bench_mining.py --db-url postgresql://postgres@127.0.0.1/tactful_bench_10000000

Reads ../shared/data/online_retail_baskets.csv (next to the repo; never copied
into it). Every time is the median of three runs. Absolute times drift on a
shared machine, so the table also gives each step as a ratio of the time it takes
just to parse the file, measured the same way. ``--naive`` adds a pure-Python
pair count (a dict over itertools.combinations) as a second baseline.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from tactful.engine.mining import (  # noqa: E402
    basket_matrix,
    matrix_stats,
    mine_copurchase,
)
from tactful.services.baskets import read_baskets  # noqa: E402
from tactful.services.mining_job import describe, mine_database  # noqa: E402
from tactful.services.policy_file import load_policy  # noqa: E402

BASKETS = REPO_ROOT.parent / "shared" / "data" / "online_retail_baskets.csv"
GOAL_SECONDS = 5.0
T = TypeVar("T")


def median_time(fn: Callable[[], T], runs: int = 3) -> tuple[float, T]:
    times: list[float] = []
    result: T | None = None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    assert result is not None
    return statistics.median(times), result


def naive_pair_count(baskets: list[list[str]]) -> int:
    pairs: Counter[tuple[str, str]] = Counter()
    for basket in baskets:
        pairs.update(itertools.combinations(sorted(set(basket)), 2))
    return len(pairs)


def time_the_job(url: str) -> int:
    """The whole `tactful mine` run on a store: read the baskets, mine, replace the set."""
    started = time.perf_counter()
    outcome = mine_database(url, REPO_ROOT / "policy.yml", timeout_seconds=3600)
    seconds = time.perf_counter() - started
    print(f"{describe(outcome)} in {seconds:.1f} s")
    return 0


def main() -> int:
    policy = load_policy(REPO_ROOT / "policy.yml").mining
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=BASKETS)
    parser.add_argument("--min-support", type=float, default=policy.min_support)
    parser.add_argument("--min-confidence", type=float, default=policy.min_confidence)
    parser.add_argument("--min-lift", type=float, default=policy.min_lift)
    parser.add_argument("--naive", action="store_true", help="also time a pure-Python pair count")
    parser.add_argument(
        "--db-url",
        metavar="URL",
        help="instead, time the scheduled job (`tactful mine`) on this shop database",
    )
    args = parser.parse_args()
    if args.db_url:
        return time_the_job(args.db_url)
    if not args.file.exists():
        print(f"skipped: {args.file} not found (the shared data folder sits next to the repo)")
        return 0

    parse_s, baskets = median_time(lambda: read_baskets(args.file))
    matrix_s, (matrix, _items) = median_time(lambda: basket_matrix(baskets))
    mine_s, rules = median_time(
        lambda: mine_copurchase(read_baskets(args.file), args.min_support, args.min_confidence, args.min_lift)
    )
    stats = matrix_stats(matrix)
    with_duplicates = sum(len(b) * (len(b) - 1) // 2 for b in baskets)
    co = matrix.T @ matrix
    distinct_pairs = (co.nnz - stats.items) // 2

    print(f"file: {args.file}")
    print(
        f"thresholds: support >= {args.min_support}, confidence >= {args.min_confidence}, "
        f"lift >= {args.min_lift} (and > 1)"
    )
    print()
    print(f"{'baskets':<44}{stats.baskets:>14,}")
    print(f"{'distinct items':<44}{stats.items:>14,}")
    print(f"{'item pairs counted (deduped in basket)':<44}{stats.pairs:>14,}")
    print(f"{'item pairs with duplicates kept':<44}{with_duplicates:>14,}")
    print(f"{'distinct co-occurring pairs':<44}{distinct_pairs:>14,}")
    print(f"{'rules found':<44}{len(rules):>14,}")
    print()
    print(f"{'step (median of 3)':<44}{'seconds':>9}{'x parse':>9}")
    rows = [
        ("parse file (baseline)", parse_s),
        ("build basket x item CSR", matrix_s),
        ("full mining: parse + CSR + B.T@B + rules", mine_s),
    ]
    if args.naive:
        naive_s, _ = median_time(lambda: naive_pair_count(baskets), runs=1)
        rows.append(("naive dict pair count, no rules (1 run)", naive_s))
    for label, seconds in rows:
        print(f"{label:<44}{seconds:>9.3f}{seconds / parse_s:>9.1f}")
    print()
    verdict = "ok" if mine_s < GOAL_SECONDS else "TOO SLOW"
    print(f"goal: full mining under {GOAL_SECONDS:.0f} s -> {mine_s:.2f} s [{verdict}]")
    return 0 if mine_s < GOAL_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
