"""Returns: put items back on the shelf and refund the customer. (Unfinished: the demo's file.)"""

from __future__ import annotations

from decimal import Decimal

from cart import Cart
from inventory import Inventory
from models import LineItem


def refund(cart: Cart, item: LineItem) -> Decimal:
    return item.total - cart.customer.discount_for(item.product) * item.quantity


def restock(inventory: Inventory, item: LineItem) -> None:
    inventory.add(item.product, item.quantity)


def return_item(cart: Cart, inventory: Inventory, item: LineItem) -> Decimal:
    restock(inventory, item)
    cart.remove(item.product, item.quantity)
    return refund(cart, item)


def sell(inventory: Inventory, item: LineItem) -> None:
    inventory.remove(item.product, 
