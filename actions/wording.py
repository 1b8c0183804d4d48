"""Wording shared by the actions, and the check for text that is code rather than words."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal

from tactful.services.support import RETURN_WINDOW_DAYS, OrderDetails, sentence_name
from tactful.services.views import OrderView

SIGN_IN_NEEDED = (
    "I can look that up once you're signed in. Please sign in to your account"
    " (or link it in this chat) and ask me again."
)
DIDNT_GET_IT = (
    "Sorry, I didn't quite get that. I can help with order status, deliveries, returns,"
    " cancellations, products, your cart, shipping and payments."
)
STATUS_WORDS = {
    "placed": "is being prepared",
    "shipped": "is on its way",
    "delivered": "was delivered",
    "cancelled": "was cancelled",
    "returned": "was returned",
}
# A subscription is "delivered" the moment it starts.
SUBSCRIPTION_STATUS_WORDS = {"delivered": "started"}
MAX_ITEMS = 3

# Text that reads as code, not as a customer's words: SQL, markup, template or
# path injection. The NLU model may still give such text a support intent with
# confidence, so the actions that read a customer's orders check it first.
_CODE_PATTERNS = (
    r"\bselect\s+(?:\*|[\w.]+(?:\s*,\s*[\w.]+)*)\s+from\s+\w+",
    r"\b(?:drop|alter|truncate)\s+table\b",
    r"\bdelete\s+from\s+\w+",
    r"\binsert\s+into\s+\w+",
    r"\bupdate\s+\w+\s+set\s+\w+\s*=",
    r"\bunion\s+(?:all\s+)?select\b",
    r"--\s*$|/\*",
    r"['\"]\s*;",
    r"\bor\s+['\"]?\w*['\"]?\s*=\s*['\"]?\w*['\"]?\s*(?:--|$)",
    r"<\s*/?\s*(?:script|img|iframe|svg)\b",
    r"\{\{.*\}\}|\$\{.*\}",
    r"\.\./|\\x[0-9a-f]{2}",
)
_CODE = re.compile("|".join(f"(?:{pattern})" for pattern in _CODE_PATTERNS), re.IGNORECASE)


def looks_like_code(text: str) -> bool:
    return bool(_CODE.search(text))


def money(amount: Decimal) -> str:
    return f"£{amount:.2f}"


def day(value: datetime | None) -> str:
    return value.strftime("%d %b %Y").lstrip("0") if value else "unknown"


def order_items(order: OrderView) -> str:
    """The order's items as they read inside parentheses: short names, at most three."""
    if isinstance(order, OrderDetails) and order.short_items:
        lines = order.short_items
    else:
        lines = tuple((sentence_name(name), qty) for name, qty in order.items)
    subscription = isinstance(order, OrderDetails) and order.subscription
    shown = ", ".join(name if subscription else f"{qty} × {name}" for name, qty in lines[:MAX_ITEMS])
    more = f" and {len(lines) - MAX_ITEMS} more" if len(lines) > MAX_ITEMS else ""
    return shown + more


def describe_order(order: OrderView) -> str:
    subscription = isinstance(order, OrderDetails) and order.subscription
    if subscription:
        status = SUBSCRIPTION_STATUS_WORDS.get(order.status, STATUS_WORDS.get(order.status, order.status))
        sentence = f"Order {order.id} ({order_items(order)}) is a subscription that {status}"
        if order.status == "delivered":
            sentence += f" on {day(order.delivered_at or order.placed_at)}"
        return sentence + "."
    sentence = f"Order {order.id} ({order_items(order)}) {STATUS_WORDS.get(order.status, order.status)}"
    if order.status == "delivered" and order.delivered_at:
        sentence += f" on {day(order.delivered_at)}"
    elif order.status == "shipped" and order.expected_delivery:
        if order.late:
            sentence += f"; it was expected on {day(order.expected_delivery)} and is running late"
        else:
            sentence += f", expected by {day(order.expected_delivery)}"
    elif order.status == "placed":
        sentence = f"Order {order.id} ({order_items(order)}) was placed on {day(order.placed_at)} and is being prepared"
    return sentence + "."


def already(order: OrderView) -> str:
    """Why an order can't be cancelled any more, in words that fit its status."""
    if order.status == "shipped":
        return f"Order {order.id} has already shipped, so it can't be cancelled. You can return it once it arrives."
    if order.status == "delivered":
        return (
            f"Order {order.id} was delivered on {day(order.delivered_at or order.placed_at)}, so it can't be"
            f" cancelled. You can return it within {RETURN_WINDOW_DAYS} days of delivery: just say"
            ' "return my order".'
        )
    if order.status in ("cancelled", "returned"):
        return f"Order {order.id} can't be cancelled: it {STATUS_WORDS[order.status]} already."
    return f"Order {order.id} can't be cancelled any more."
