import type { Pool } from 'pg';

/** Records a provider charge against an order; a charge id is recorded once. */
export async function recordCharge(db: Pool, orderId: string, chargeId: string, status: string): Promise<void> {
  await db.query(
    'INSERT INTO charges (id, order_id, status) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET status = $3',
    [chargeId, orderId, status],
  );
}
