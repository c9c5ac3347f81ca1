"""A tiny shop: products, line items and customers."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    price: Decimal
    tags: tuple[str, ...] = ()


@dataclass
class LineItem:
    product: Product
    quantity: int = 1

    @property
    def total(self) -> Decimal:
        return self.product.price * self.quantity


@dataclass
class Customer:
    email: str
    name: str
    discounts: dict[str, Decimal] = field(default_factory=dict)

    def discount_for(self, product: Product) -> Decimal:
        return self.discounts.get(product.sku, Decimal("0"))
