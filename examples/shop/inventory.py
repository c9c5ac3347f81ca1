"""Stock levels per product."""

from __future__ import annotations

from collections import defaultdict

from models import Product


class OutOfStock(Exception):
    pass


class Inventory:
    def __init__(self) -> None:
        self.stock: dict[str, int] = defaultdict(int)
        self.products: dict[str, Product] = {}

    def add(self, product: Product, quantity: int = 1) -> None:
        self.products[product.sku] = product
        self.stock[product.sku] += quantity

    def remove(self, product: Product, quantity: int = 1) -> None:
        if self.stock[product.sku] < quantity:
            raise OutOfStock(product.sku)
        self.stock[product.sku] -= quantity

    def available(self, product: Product) -> int:
        return self.stock[product.sku]

    def find(self, sku: str) -> Product | None:
        return self.products.get(sku)
