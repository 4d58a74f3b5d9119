import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Pool } from 'pg';

export interface WebhookEvent {
  id: string;
  type: string;
  data: { orderId: string; status: string };
}

/** Checks the provider's signature over the raw body before anything is parsed. */
export function verifySignature(rawBody: Buffer, header: string | undefined, secret: string): boolean {
  if (!header) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  const given = Buffer.from(header, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Applies a payment event once: the event id is recorded in the same transaction as the status
 * change, so a redelivered event is a no-op.
 */
export async function applyEvent(db: Pool, event: WebhookEvent): Promise<'applied' | 'duplicate'> {
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    const seen = await client.query(
      'INSERT INTO webhook_events (id) VALUES ($1) ON CONFLICT (id) DO NOTHING RETURNING id',
      [event.id],
    );
    if (seen.rowCount === 0) {
      await client.query('ROLLBACK');
      return 'duplicate';
    }
    await client.query('UPDATE orders SET payment_status = $1 WHERE id = $2', [event.data.status, event.data.orderId]);
    await client.query('COMMIT');
    return 'applied';
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}
