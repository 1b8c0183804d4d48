from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tactful.store.models import Cart, CartItem


class CartRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, cart_id: str) -> Cart | None:
        cart: Cart | None = self._session.get(Cart, cart_id)
        return cart

    def for_customer(self, customer_id: str) -> Cart | None:
        cart: Cart | None = self._session.scalars(
            select(Cart).where(Cart.customer_id == customer_id).order_by(Cart.updated_at.desc())
        ).first()
        return cart

    def get_or_create_for_customer(self, customer_id: str, now: datetime) -> Cart:
        cart = self.for_customer(customer_id)
        if cart is None:
            cart = Cart(id=f"cart-{customer_id}", customer_id=customer_id, updated_at=now)
            self._session.add(cart)
            self._session.flush()
        return cart

    def set_quantity(self, cart: Cart, sku: str, quantity: int, now: datetime) -> None:
        item = self._session.get(CartItem, (cart.id, sku))
        if quantity <= 0:
            if item is not None:
                self._session.delete(item)
        elif item is None:
            self._session.add(CartItem(cart_id=cart.id, sku=sku, quantity=quantity))
        else:
            item.quantity = quantity
        cart.updated_at = now
        self._session.flush()
        self._session.refresh(cart)
