"""Stock table access."""
from sqlalchemy import text

from .db import Session


def upsert_stock(session: Session, sku: str, quantity: int) -> None:
    """Sets the quantity of a sku, creating the row when it is new."""
    session.execute(
        text(
            "INSERT INTO stock (sku, quantity) VALUES (:sku, :quantity)"
            " ON CONFLICT (sku) DO UPDATE SET quantity = excluded.quantity"
        ),
        {"sku": sku, "quantity": quantity},
    )
    session.commit()
