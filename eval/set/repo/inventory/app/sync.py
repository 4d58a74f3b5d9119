"""Pulls stock levels from the supplier into our stock table."""
import logging

import httpx

from .db import Session
from .repo import upsert_stock

log = logging.getLogger(__name__)

SUPPLIER_URL = "https://supplier.example.com/api"


def _normalise_sku(raw: str) -> str:
    """Supplier skus are upper case with dashes; ours are lower case without."""
    return raw.strip().lower().replace("-", "")


def _is_discontinued(entry: dict) -> bool:
    return entry.get("status") == "discontinued"


def sync_sku(session: Session, client: httpx.Client, sku: str) -> int:
    """Fetches one sku from the supplier and stores its level."""
    resp = client.get(f"{SUPPLIER_URL}/stock/{sku}", timeout=5)
    entry = resp.json()
    available = int(entry.get("available", 0))
    if _is_discontinued(entry):
        return 0
    upsert_stock(session, _normalise_sku(entry["sku"]), available)
    return available
