"""The sticky holdout group."""

from __future__ import annotations

from tactful.engine.holdout import holdout_bucket, in_holdout


def test_membership_is_sticky() -> None:
    ids = [f"C{i:05d}" for i in range(200)]
    first = [in_holdout(c, "salt", 0.1) for c in ids]
    assert first == [in_holdout(c, "salt", 0.1) for c in ids]


def test_about_ten_percent_are_held_out() -> None:
    ids = [f"cust-{i}" for i in range(20000)]
    share = sum(in_holdout(c, "tactful", 0.10) for c in ids) / len(ids)
    assert 0.09 < share < 0.11


def test_salt_reshuffles_the_group() -> None:
    ids = [f"cust-{i}" for i in range(2000)]
    a = {c for c in ids if in_holdout(c, "one", 0.1)}
    b = {c for c in ids if in_holdout(c, "two", 0.1)}
    assert a != b
    assert len(a & b) < len(a) / 3


def test_share_bounds() -> None:
    ids = [f"x{i}" for i in range(500)]
    assert not any(in_holdout(c, "s", 0.0) for c in ids)
    assert all(in_holdout(c, "s", 1.0) for c in ids)


def test_growing_the_share_keeps_existing_members() -> None:
    ids = [f"x{i}" for i in range(2000)]
    small = {c for c in ids if in_holdout(c, "s", 0.05)}
    large = {c for c in ids if in_holdout(c, "s", 0.10)}
    assert small <= large


def test_bucket_range() -> None:
    assert all(0 <= holdout_bucket(f"c{i}", "s") < 10000 for i in range(100))
