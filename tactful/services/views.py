"""Plain read models the services hand to the actions (no ORM objects leak)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True)
class OrderView:
    id: str
    status: str
    placed_at: datetime
    shipped_at: datetime | None
    delivered_at: datetime | None
    expected_delivery: datetime | None
    items: tuple[tuple[str, int], ...]
    total: Decimal
    late: bool


@dataclass(frozen=True)
class ProductView:
    sku: str
    name: str
    category: str
    price: Decimal
    stock: int
    description: str | None
    includes: str | None
    upgrade_to: str | None
    compatible_with: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class CartLineView:
    sku: str
    name: str
    quantity: int
    unit_price: Decimal

    @property
    def line_total(self) -> Decimal:
        return self.unit_price * self.quantity


@dataclass(frozen=True)
class CartView:
    cart_id: str | None
    lines: tuple[CartLineView, ...]

    @property
    def total(self) -> Decimal:
        return sum((line.line_total for line in self.lines), Decimal("0"))

    @property
    def is_empty(self) -> bool:
        return not self.lines
