"""Read-only stock reports."""
from dataclasses import dataclass

from sqlalchemy import text

from .db import Session

MAX_PAGE_SIZE = 200


@dataclass(frozen=True)
class Page:
    items: list
    next_cursor: str | None


def movements(session: Session, sku: str, cursor: str | None, limit: int = 50) -> Page:
    """Stock movements of one sku, oldest first, by keyset pagination on the movement id."""
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    rows = session.execute(
        text(
            "SELECT id, delta, created_at FROM movements"
            " WHERE sku = :sku AND id > :after ORDER BY id LIMIT :limit"
        ),
        {"sku": sku, "after": cursor or "", "limit": limit + 1},
    ).all()
    has_more = len(rows) > limit
    items = [dict(row._mapping) for row in rows[:limit]]
    return Page(items=items, next_cursor=items[-1]["id"] if has_more else None)


def total_on_hand(session: Session) -> int:
    """Sum of every sku's quantity."""
    value = session.execute(text("SELECT COALESCE(SUM(quantity), 0) FROM stock")).scalar_one()
    return int(value)
