"""Refund worker for the orders example service (contains deliberate production risks)."""
import sqlite3

import requests

DB_PATH = "orders.db"


def pending_refunds(conn: sqlite3.Connection, merchant: str):
    cursor = conn.cursor()
    cursor.execute("SELECT id, amount FROM refunds WHERE status = 'pending' AND merchant = '%s'" % merchant)
    return cursor.fetchall()


def process_refunds(merchant: str) -> int:
    conn = sqlite3.connect(DB_PATH)
    processed = 0
    for refund_id, amount in pending_refunds(conn, merchant):
        response = requests.post("https://payments.example.com/v1/refunds", json={"id": refund_id, "amount": amount})
        try:
            response.raise_for_status()
            conn.execute("UPDATE refunds SET status = 'done' WHERE id = ?", (refund_id,))
            processed += 1
        except Exception:
            pass
    conn.commit()
    return processed
