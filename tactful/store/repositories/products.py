from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tactful.store.models import Product, ProductCompatibility


class ProductRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, sku: str) -> Product | None:
        product: Product | None = self._session.get(Product, sku)
        return product

    def offerable(self) -> Sequence[Product]:
        products: Sequence[Product] = self._session.scalars(
            select(Product).where(Product.offerable.is_(True))
        ).all()
        return products

    def all(self) -> Sequence[Product]:
        products: Sequence[Product] = self._session.scalars(select(Product)).all()
        return products

    def compatibility_pairs(self) -> Sequence[tuple[str, str]]:
        rows = self._session.execute(
            select(ProductCompatibility.sku, ProductCompatibility.compatible_sku)
        ).all()
        return [(row[0], row[1]) for row in rows]

    def find_by_name(self, text: str, limit: int = 5) -> Sequence[Product]:
        pattern = f"%{text.strip().lower()}%"
        products: Sequence[Product] = self._session.scalars(
            select(Product)
            .where(Product.offerable.is_(True))
            .where(
                (func.lower(Product.name).like(pattern)) | (func.lower(Product.sku) == text.strip().lower())
            )
            .order_by(Product.name)
            .limit(limit)
        ).all()
        return products
