"""Reply classifier quality on the held-out file (tests/heldout/offer_replies.yml).

    .venv/bin/python bench/bench_replies.py            # table and goals
    .venv/bin/python bench/bench_replies.py --errors   # also list every miss

Prints per-class precision and recall and the DESIGN goals: declines (plain and
compound) recorded as a decline >= 97%, accepts taken as not-accept <= 3%,
anything else taken as accept <= 0.5%. Exits 1 if a goal is missed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from tactful.engine.reply_eval import evaluate, format_report, load_examples  # noqa: E402

HELDOUT = REPO_ROOT / "tests" / "heldout" / "offer_replies.yml"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=HELDOUT)
    parser.add_argument("--errors", action="store_true", help="list every misclassified reply")
    args = parser.parse_args()
    examples = load_examples(args.file)
    started = time.perf_counter()
    report = evaluate(examples)
    elapsed = time.perf_counter() - started
    print(f"{len(examples)} held-out replies from {args.file}")
    print(format_report(report))
    print(f"\nclassified in {elapsed * 1000:.0f} ms ({elapsed / len(examples) * 1e6:.0f} us each)")
    if args.errors and report.errors:
        print("\nmisses:")
        for text, truth, result in report.errors:
            print(f"  {truth:>16} -> {result.kind:<16} {text!r}  {result.cues}")
    return 0 if all(report.goals_met().values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
