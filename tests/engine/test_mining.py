"""Co-purchase mining: hand-computed counts, a brute-force check, the real data."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest

from tactful.engine.mining import (
    NON_PRODUCT_CODES,
    basket_matrix,
    is_non_product,
    matrix_stats,
    mine_copurchase,
)
from tactful.services.baskets import read_baskets

# N = 5 baskets; the duplicate A in the last one must count once.
#   n(A)=4 n(B)=4 n(C)=2 n(D)=1; n(AB)=3 n(AC)=2 n(BC)=1 n(BD)=1
TINY = [["A", "B", "C"], ["A", "B"], ["A", "C"], ["B", "D"], ["A", "B", "A"]]

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
BASKETS_FILE = DATA / "online_retail_baskets.csv"


def _as_dict(rules):  # type: ignore[no-untyped-def]
    return {(r.antecedent, r.consequent): (r.support, r.confidence, r.lift) for r in rules}


def test_tiny_baskets_by_hand() -> None:
    rules = _as_dict(mine_copurchase(TINY, min_support=0.3, min_confidence=0.5, min_lift=1.01))
    # A->C: support 2/5, confidence 2/4, lift 0.5 / (2/5) = 1.25
    # C->A: support 2/5, confidence 2/2, lift 1.0 / (4/5) = 1.25
    # A->B has lift 0.75 / 0.8 < 1: never a rule. D is below min support.
    assert rules.keys() == {("A", "C"), ("C", "A")}
    assert rules[("A", "C")] == pytest.approx((0.4, 0.5, 1.25))
    assert rules[("C", "A")] == pytest.approx((0.4, 1.0, 1.25))


def test_tiny_baskets_lower_thresholds() -> None:
    rules = mine_copurchase(TINY, min_support=0.2, min_confidence=0.2, min_lift=1.01)
    found = _as_dict(rules)
    assert found.keys() == {("A", "C"), ("C", "A"), ("D", "B"), ("B", "D")}
    assert found[("B", "D")] == pytest.approx((0.2, 0.25, 1.25))
    assert found[("D", "B")] == pytest.approx((0.2, 1.0, 1.25))
    # Strongest lift first, then higher confidence.
    keys = [(-r.lift, -r.confidence) for r in rules]
    assert keys == sorted(keys)


def test_lift_must_exceed_one_even_if_min_lift_is_lower() -> None:
    rules = mine_copurchase(TINY, min_support=0.1, min_confidence=0.0, min_lift=0.0)
    assert all(r.lift > 1.0 for r in rules)
    assert ("A", "B") not in _as_dict(rules)


def test_stats_count_distinct_items_per_basket() -> None:
    matrix, items = basket_matrix(TINY)
    stats = matrix_stats(matrix)
    assert (stats.baskets, stats.items, stats.pairs) == (5, 4, 3 + 1 + 1 + 1 + 1)
    assert sorted(items) == ["A", "B", "C", "D"]


def test_excluded_codes_are_ignored() -> None:
    baskets = [["A", "POST"], ["A", "POST"], ["B"]]
    rules = mine_copurchase(baskets, 0.1, 0.1, 1.01, exclude=NON_PRODUCT_CODES)
    assert all("POST" not in (r.antecedent, r.consequent) for r in rules)
    assert is_non_product("POST") and is_non_product("gift_0001_20") and not is_non_product("85123A")


def test_empty_input() -> None:
    assert mine_copurchase([], 0.1, 0.1, 1.5) == []


def _brute_force(baskets, min_support, min_confidence, min_lift):  # type: ignore[no-untyped-def]
    sets = [set(b) for b in baskets]
    n = len(sets)
    items = sorted(set().union(*sets))
    count = {i: sum(i in s for s in sets) for i in items}
    rules = {}
    for x, y in itertools.permutations(items, 2):
        both = sum(x in s and y in s for s in sets)
        support, confidence = both / n, both / count[x]
        lift = confidence / (count[y] / n)
        if both and support >= min_support and confidence >= min_confidence and lift >= min_lift and lift > 1:
            rules[(x, y)] = (support, confidence, lift)
    return rules


def test_matches_a_brute_force_count_on_random_baskets() -> None:
    rng = random.Random(3)
    items = [f"I{i}" for i in range(12)]
    baskets = [rng.choices(items, weights=range(1, 13), k=rng.randint(1, 6)) for _ in range(300)]
    fast = _as_dict(mine_copurchase(baskets, 0.02, 0.1, 1.05))
    slow = _brute_force(baskets, 0.02, 0.1, 1.05)
    assert fast.keys() == slow.keys()
    for key, values in slow.items():
        assert fast[key] == pytest.approx(values)


def test_reader_skips_blank_lines_and_spaces(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_text("A, B\n\nC\n", encoding="utf-8")
    assert read_baskets(path) == [["A", "B"], ["C"]]


def test_real_baskets_mine_to_rules_within_the_thresholds() -> None:
    # Its speed (goal: under 5 s) is measured by bench/bench_mining.py.
    if not BASKETS_FILE.exists():
        pytest.skip(f"real data not found: {BASKETS_FILE} (needs ../shared/data next to the repo)")
    baskets = read_baskets(BASKETS_FILE)
    rules = mine_copurchase(baskets, min_support=0.005, min_confidence=0.3, min_lift=1.5)
    assert len(baskets) == 25900
    matrix, items = basket_matrix(baskets)
    stats = matrix_stats(matrix)
    assert stats.items == 4070
    assert stats.pairs > 25_000_000
    assert rules and all(r.lift >= 1.5 and r.confidence >= 0.3 and r.support >= 0.005 for r in rules)
