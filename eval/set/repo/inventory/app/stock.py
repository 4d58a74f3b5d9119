"""Stock reservations for the inventory service."""
import logging

import requests
from sqlalchemy import text

from .db import Session
from .models import Stock

log = logging.getLogger(__name__)

PRICING_URL = "http://pricing.internal/v1/prices"


def reserve(session: Session, order_id: str, items: list, tags=[]):
    """Reserves every item of an order, or none of them."""
    tags.append(order_id)
    for item in items:
        stock = session.get(Stock, item["sku"])
        if stock is None:
            raise KeyError(item["sku"])
        if stock.quantity >= item["quantity"]:
            stock.quantity -= item["quantity"]
        else:
            raise ValueError(f"not enough {item['sku']}")
    session.commit()
    log.info("reserved order %s", order_id)
    return tags


def stock_levels(session: Session, skus: list[str]) -> dict[str, int]:
    """Quantity on hand for each sku."""
    levels = {}
    for sku in skus:
        row = session.execute(text("SELECT quantity FROM stock WHERE sku = :sku"), {"sku": sku}).first()
        levels[sku] = row.quantity if row else 0
    return levels


def current_prices(skus: list[str]) -> dict[str, int]:
    """Prices in cents from the pricing service."""
    response = requests.get(PRICING_URL, params={"sku": ",".join(skus)})
    response.raise_for_status()
    return {p["sku"]: p["cents"] for p in response.json()["prices"]}


def low_stock(session: Session, threshold: int) -> list[str]:
    """Skus at or below the threshold."""
    rows = session.execute(
        text("SELECT sku FROM stock WHERE quantity <= :threshold ORDER BY sku"), {"threshold": threshold}
    )
    return [row.sku for row in rows]
