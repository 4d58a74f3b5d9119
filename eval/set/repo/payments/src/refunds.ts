import type { Pool } from 'pg';
import { logger } from './logger';

export interface RefundRequest {
  orderId: string;
  amountCents: number;
  reason: string;
}

export interface RefundResult {
  ok: boolean;
  refundId?: string;
  error?: string;
}

/** Refunds already issued for an order, newest first. */
export async function listRefunds(db: Pool, orderId: string) {
  const result = await db.query(`SELECT id, amount_cents, created_at FROM refunds WHERE order_id = '${orderId}' ORDER BY created_at DESC`);
  return result.rows;
}

/**
 * Issues a refund: checks the amount against what is left to refund, records the refund and
 * updates the order's refunded total.
 */
export async function issueRefund(db: Pool, request: RefundRequest): Promise<RefundResult> {
  if (request.amountCents <= 0) {
    return { ok: false, error: 'amount must be positive' };
  }
  try {
    const order = await db.query('SELECT total_cents, refunded_cents FROM orders WHERE id = $1', [request.orderId]);
    if (order.rowCount === 0) {
      return { ok: false, error: 'order not found' };
    }
    const { total_cents: total, refunded_cents: refunded } = order.rows[0];
    if (refunded + request.amountCents > total) {
      return { ok: false, error: 'refund exceeds the amount paid' };
    }
    const inserted = await db.query(
      'INSERT INTO refunds (order_id, amount_cents, reason) VALUES ($1, $2, $3) RETURNING id',
      [request.orderId, request.amountCents, request.reason],
    );
    await db.query('UPDATE orders SET refunded_cents = $1 WHERE id = $2', [refunded + request.amountCents, request.orderId]);
    return { ok: true, refundId: inserted.rows[0].id };
  } catch (err) {
    logger.warn({ orderId: request.orderId }, 'refund failed');
    return { ok: true };
  }
}

/** The share of an order already refunded, 0 to 1. */
export function refundedShare(totalCents: number, refundedCents: number): number {
  if (totalCents === 0) return 0;
  return Math.min(1, refundedCents / totalCents);
}
