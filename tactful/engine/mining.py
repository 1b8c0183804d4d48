"""Co-purchase rule mining: "people who buy X often add Y".

Counts come from one sparse product: with B the basket x item 0/1 matrix (items
de-duplicated within a basket), ``B.T @ B`` holds on its diagonal how many baskets
contain each item and off it how many contain each pair. For a rule X -> Y over N
baskets:

    support    = n(X and Y) / N
    confidence = n(X and Y) / n(X)
    lift       = confidence / (n(Y) / N)

Lift > 1 means Y is bought with X more often than on its own (docs/architecture.md, "Eligibility").
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from tactful.engine.codes import NON_PRODUCT_CODES, is_non_product
from tactful.engine.model import CoPurchaseRule

__all__ = [
    "NON_PRODUCT_CODES",
    "is_non_product",
    "CoPurchaseRule",
    "MiningStats",
    "basket_matrix",
    "matrix_stats",
    "mine_copurchase",
    "mine_matrix",
]


@dataclass(frozen=True)
class MiningStats:
    baskets: int
    items: int
    # Item pairs over all baskets after de-duplication: sum of k*(k-1)/2.
    pairs: int


def basket_matrix(
    baskets: Iterable[Sequence[str]], exclude: Collection[str] = ()
) -> tuple[sparse.csr_matrix, list[str]]:
    """The basket x item 0/1 CSR matrix and the item code of each column."""
    index: dict[str, int] = {}
    columns: list[int] = []
    indptr = [0]
    for basket in baskets:
        # dict.fromkeys de-duplicates and keeps order (cheaper than a set here).
        for code in dict.fromkeys(basket):
            if code in exclude:
                continue
            columns.append(index.setdefault(code, len(index)))
        indptr.append(len(columns))
    data = np.ones(len(columns), dtype=np.int32)
    matrix = sparse.csr_matrix(
        (data, np.asarray(columns, dtype=np.int32), np.asarray(indptr, dtype=np.int64)),
        shape=(len(indptr) - 1, len(index)),
    )
    return matrix, list(index)


def mine_matrix(
    matrix: sparse.csr_matrix,
    items: Sequence[str],
    min_support: float,
    min_confidence: float,
    min_lift: float,
) -> list[CoPurchaseRule]:
    n_baskets = matrix.shape[0]
    if n_baskets == 0 or not items:
        return []
    item_counts = np.asarray(matrix.sum(axis=0)).ravel().astype(np.float64)
    # Pairs below min support can never pass, and an item below it has no such pair:
    # dropping rare items first makes the product much smaller.
    min_count = max(1.0, min_support * n_baskets)
    keep = np.flatnonzero(item_counts >= min_count)
    reduced = matrix[:, keep]
    co = (reduced.T @ reduced).tocoo()
    mask = (co.row != co.col) & (co.data >= min_count)
    rows, cols, both = co.row[mask], co.col[mask], co.data[mask].astype(np.float64)
    count_x = item_counts[keep][rows]
    count_y = item_counts[keep][cols]
    support = both / n_baskets
    confidence = both / count_x
    lift = confidence / (count_y / n_baskets)
    good = (confidence >= min_confidence) & (lift >= min_lift) & (lift > 1.0)
    names = [items[i] for i in keep]
    # Ties go by item code, so the order never depends on the order baskets
    # were read in (the job streams them by order id; files come as they are).
    rank = {name: position for position, name in enumerate(sorted(names))}
    codes = np.asarray([rank[name] for name in names], dtype=np.int64)
    order = np.lexsort((codes[cols[good]], codes[rows[good]], -confidence[good], -lift[good]))
    sel_rows, sel_cols = rows[good][order], cols[good][order]
    sel_support, sel_conf, sel_lift = support[good][order], confidence[good][order], lift[good][order]
    return [
        CoPurchaseRule(
            antecedent=names[r],
            consequent=names[c],
            support=float(s),
            confidence=float(cf),
            lift=float(lf),
        )
        for r, c, s, cf, lf in zip(
            sel_rows.tolist(),
            sel_cols.tolist(),
            sel_support.tolist(),
            sel_conf.tolist(),
            sel_lift.tolist(),
            strict=True,
        )
    ]


def mine_copurchase(
    baskets: Iterable[Sequence[str]],
    min_support: float,
    min_confidence: float,
    min_lift: float,
    *,
    exclude: Collection[str] = (),
) -> list[CoPurchaseRule]:
    """Rules X -> Y, strongest lift first (ties: higher confidence, then X and Y by code)."""
    matrix, items = basket_matrix(baskets, exclude)
    return mine_matrix(matrix, items, min_support, min_confidence, min_lift)


def matrix_stats(matrix: sparse.csr_matrix) -> MiningStats:
    sizes = np.diff(matrix.indptr).astype(np.int64)
    return MiningStats(
        baskets=int(matrix.shape[0]),
        items=int(matrix.shape[1]),
        pairs=int((sizes * (sizes - 1) // 2).sum()),
    )
