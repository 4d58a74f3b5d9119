import type { Pool } from 'pg';
import { recordCharge } from './chargeStore';

const PROVIDER_URL = process.env.PAYMENT_PROVIDER_URL ?? 'https://payments.example.com/v1';

export interface ChargeInput {
  orderId: string;
  amountCents: number;
  currency: string;
  idempotencyKey: string;
}

/** The provider's request body: amounts in minor units, the order as metadata. */
export function buildChargeBody(input: ChargeInput): string {
  return JSON.stringify({
    amount: input.amountCents,
    currency: input.currency.toLowerCase(),
    metadata: { order_id: input.orderId },
  });
}

/** Whether a provider status means the card was charged. */
export function isCaptured(status: string): boolean {
  return status === 'succeeded' || status === 'captured';
}

/** Charges the customer once per idempotency key and records the charge. */
export async function charge(db: Pool, input: ChargeInput): Promise<string> {
  const response = await fetch(`${PROVIDER_URL}/charges`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': input.idempotencyKey },
    body: buildChargeBody(input),
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) {
    throw new Error(`charge failed with ${response.status}`);
  }
  const payload = (await response.json()) as { id: string; status: string };
  await recordCharge(db, input.orderId, payload.id, payload.status);
  return payload.id;
}
