"""A shopping cart that checks stock and applies customer discounts."""

from __future__ import annotations

from decimal import Decimal

from inventory import Inventory, OutOfStock
from models import Customer, LineItem, Product


class Cart:
    def __init__(self, inventory: Inventory, customer: Customer) -> None:
        self.inventory = inventory
        self.customer = customer
        self.items: dict[str, LineItem] = {}

    def add(self, product: Product, quantity: int = 1) -> None:
        if self.inventory.available(product) < quantity:
            raise OutOfStock(product.sku)
        item = self.items.setdefault(product.sku, LineItem(product, 0))
        item.quantity += quantity

    def remove(self, product: Product, quantity: int = 1) -> None:
        item = self.items[product.sku]
        item.quantity -= quantity
        if item.quantity <= 0:
            del self.items[product.sku]

    def subtotal(self) -> Decimal:
        return sum((item.total for item in self.items.values()), Decimal("0"))

    def discount(self) -> Decimal:
        return sum(
            (self.customer.discount_for(item.product) * item.quantity for item in self.items.values()),
            Decimal("0"),
        )

    def total(self) -> Decimal:
        return self.subtotal() - self.discount()

    def checkout(self) -> Decimal:
        for item in self.items.values():
            self.inventory.remove(item.product, item.quantity)
        total = self.total()
        self.items.clear()
        return total
