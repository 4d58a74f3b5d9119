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

/** Charges the customer and records the charge; retries when the provider is busy. */
export async function charge(db: Pool, input: ChargeInput): Promise<string> {
  let response: Response | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    response = await fetch(`${PROVIDER_URL}/charges`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-attempt': String(attempt) },
      body: buildChargeBody(input),
    });
    if (response.status !== 503) break;
  }
  const payload = (await response!.json()) as { id: string; status: string };
  await recordCharge(db, input.orderId, payload.id, isCaptured(payload.status) ? 'captured' : payload.status);
  return payload.id;
}
