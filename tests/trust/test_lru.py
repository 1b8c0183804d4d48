"""BoundedLRU: what a process keeps between messages is bounded by its weight."""

from __future__ import annotations

from tactful.channels.lru import BoundedLRU


def test_the_least_recently_used_go_first_by_weight() -> None:
    kept: BoundedLRU[str, str] = BoundedLRU(6, len)
    kept.put("a", "xx")
    kept.put("b", "xx")
    kept.put("c", "xx")
    assert kept.get("a") == "xx"  # now the most recent
    kept.put("d", "xxx")  # 9 > 6: "b" then "c" go
    assert [kept.get(key) for key in "abcd"] == ["xx", None, None, "xxx"]


def test_a_value_heavier_than_everything_is_not_kept_and_pushes_nothing_out() -> None:
    kept: BoundedLRU[str, str] = BoundedLRU(4, len)
    kept.put("a", "xx")
    kept.put("big", "xxxxx")
    assert kept.get("big") is None and kept.get("a") == "xx"


def test_replacing_and_popping_keep_the_weight_right() -> None:
    kept: BoundedLRU[str, str] = BoundedLRU(4, len)
    kept.put("a", "xxx")
    kept.put("a", "x")  # replaced: weighs 1 now
    kept.put("b", "xxx")
    assert kept.get("a") == "x" and kept.get("b") == "xxx"
    assert kept.pop("b") == "xxx" and kept.pop("b") is None
    kept.put("c", "xxx")
    assert kept.get("a") == "x" and kept.get("c") == "xxx"
