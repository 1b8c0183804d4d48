"""Find catalog products mentioned in free text.

Names come from the catalog itself, so a new product is understood without
retraining the NLU model.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from tactful.services.views import ProductView

_WORD = re.compile(r"[a-z0-9]+")
_STOPWORDS = frozenset(
    "a an the of for with and or to my your is it this that in on does do will "
    "work works fit fits how much what whats which plan monthly gb".split()
)
# Order numbers: a token of letters, digits and inner hyphens holding at least
# four digits ("536365", "C536379", "D-C004-1"); "X200" or "128GB" are products.
ORDER_TOKEN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38}[A-Za-z0-9])?")


def _tokens(text: str) -> set[str]:
    return {word for word in _WORD.findall(text.lower()) if word not in _STOPWORDS}


def _product_tokens(product: ProductView) -> set[str]:
    tokens = _tokens(product.name) | _tokens(product.sku.replace("-", " "))
    tokens.add(product.sku.lower().replace("-", ""))
    return tokens


def find_mentioned(text: str, products: Iterable[ProductView], limit: int = 2) -> list[ProductView]:
    """Products named in ``text``, best match first (at most ``limit``)."""
    words = _tokens(text)
    words |= {word.replace("-", "") for word in words}
    # Sizes like "128 GB" are the only thing telling two cards apart.
    sizes = set(re.findall(r"(\d+)\s*gb", text.lower()))
    scored: list[tuple[float, ProductView]] = []
    for product in products:
        product_words = _product_tokens(product)
        overlap = words & product_words
        if not overlap:
            continue
        score = len(overlap) / (len(product_words) ** 0.5)
        product_sizes = set(re.findall(r"(\d+)\s*gb", product.name.lower()))
        if sizes and product_sizes:
            score += 1.0 if sizes & product_sizes else -1.0
        scored.append((score, product))
    scored.sort(key=lambda pair: (-pair[0], pair[1].sku))
    return [product for score, product in scored[:limit] if score > 0]


def order_references(text: str) -> Sequence[str]:
    """Order numbers written in the message (digits, optionally one letter)."""
    return [
        token.upper() for token in ORDER_TOKEN.findall(text) if sum(char.isdigit() for char in token) >= 4
    ]
