"""Product descriptions in sentences, shared by catalog answers and offer questions."""

from __future__ import annotations

from actions.wording import money
from tactful.services.views import ProductView


def describe_product(product: ProductView) -> str:
    stock = "in stock" if product.stock > 0 else "currently out of stock"
    text = f"The {product.name} costs {money(product.price)} and is {stock}."
    if product.description:
        text += f" {product.description.strip()}"
    if product.includes:
        text += f" In the box: {product.includes.strip().rstrip('.')}."
    return text
