"""Answering a question about an open offer from the catalog; the choice stays open.

"What is it?", "how much again?", "does it fit my camera?": the customer gets
what the item is, its price, and whether it fits what they own, and then the
same two choices again (docs/architecture.md, "Consent").
"""

from __future__ import annotations

from typing import Any

from actions import runtime
from actions.product_text import describe_product
from actions.replies import Reply
from actions.turn import Turn
from tactful.services import support
from tactful.services.aio import run_blocking
from tactful.services.views import ProductView

ACCEPT_PAYLOAD = "/accept_offer"
DECLINE_PAYLOAD = "/decline_offer"


def _fit_line(product: ProductView, owned: set[str], by_sku: dict[str, ProductView]) -> str | None:
    """Which of the customer's own products the offered item works with, if the catalog says."""
    fits = sorted(
        by_sku[sku].name
        for sku in owned
        if sku in by_sku and (sku in product.compatible_with or product.sku in by_sku[sku].compatible_with)
    )
    if fits:
        return f"It works with your {', '.join(fits)}."
    if product.compatible_with:
        return "It isn't listed as compatible with anything you've bought from us, so please check before adding it."
    return None


async def answer_offer_question(turn: Turn, pending: dict[str, Any], reply: Reply) -> None:
    products = await run_blocking(support.catalog_products, runtime.new_uow)
    by_sku = {product.sku: product for product in products}
    product = by_sku.get(str(pending.get("target_sku")))
    lines: list[str] = []
    if product is None:
        lines.append(f"It's the {pending.get('target_name')}, for {pending.get('final_price')}.")
    else:
        lines.append(describe_product(product))
        if turn.customer_id is not None:
            owned = await run_blocking(support.owned_skus, runtime.new_uow, turn.customer_id)
            fit = _fit_line(product, owned, by_sku)
            if fit:
                lines.append(fit)
    lines.append(str(pending.get("reason") or "").strip())
    reply.choices(
        " ".join(line for line in lines if line),
        [
            (str(pending.get("accept_label") or "Yes, add it"), ACCEPT_PAYLOAD),
            (str(pending.get("decline_label") or "No thanks"), DECLINE_PAYLOAD),
        ],
    )
