"""Small wording helpers shared by the actions."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from tactful.services.views import OrderView

SIGN_IN_NEEDED = (
    "I can look that up once you're signed in. Please sign in to your account"
    " (or link it in this chat) and ask me again."
)
STATUS_WORDS = {
    "placed": "has been placed and is being prepared",
    "shipped": "is on its way",
    "delivered": "was delivered",
    "cancelled": "was cancelled",
    "returned": "was returned",
}


def money(amount: Decimal) -> str:
    return f"£{amount:.2f}"


def day(value: datetime | None) -> str:
    return value.strftime("%d %b %Y").lstrip("0") if value else "unknown"


def describe_order(order: OrderView) -> str:
    items = ", ".join(f"{qty} × {name.strip()}" for name, qty in order.items[:3])
    more = f" and {len(order.items) - 3} more" if len(order.items) > 3 else ""
    sentence = f"Order {order.id} ({items}{more}) {STATUS_WORDS.get(order.status, order.status)}"
    if order.status == "delivered" and order.delivered_at:
        sentence += f" on {day(order.delivered_at)}"
    elif order.status == "shipped" and order.expected_delivery:
        if order.late:
            sentence += f"; it was expected on {day(order.expected_delivery)} and is running late"
        else:
            sentence += f", expected by {day(order.expected_delivery)}"
    elif order.status == "placed":
        sentence += f" (placed {day(order.placed_at)})"
    return sentence + "."
