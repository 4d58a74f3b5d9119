// Orders API handlers: an example service that ships with Backend Principal Reviewer.
// It contains real, common production risks on purpose; run
//   node dist/cli.js review examples/orders-service --offline
// to see them reported. The credential below is fake and has never been valid.
import { Pool } from 'pg';

const db = new Pool({ connectionString: process.env.DATABASE_URL });

const paymentsApiKey = "sk_live_4f8Qz1OrdersSvcKey7Tq2";

export interface OrderLine {
  sku: string;
  quantity: number;
}

export async function findOrdersByCustomer(customerId: string) {
  // Built by concatenation: customerId comes straight from the request path.
  const result = await db.query("SELECT * FROM orders WHERE customer_id = '" + customerId + "'");
  return result.rows;
}

export async function loadOrderLines(orderIds: string[]) {
  const lines: OrderLine[] = [];
  for (const id of orderIds) {
    const result = await db.query('SELECT sku, quantity FROM order_lines WHERE order_id = $1', [id]);
    lines.push(...result.rows);
  }
  return lines;
}

export async function chargeCustomer(orderId: string, amountCents: number) {
  const response = await fetch('https://payments.example.com/v1/charges', {
    method: 'POST',
    headers: { Authorization: `Bearer ${paymentsApiKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ orderId, amountCents }),
  });
  return response.json();
}

export async function notifyWarehouses(orderId: string, warehouseUrls: string[]) {
  await Promise.all(warehouseUrls.map((url) => fetch(`${url}/orders/${orderId}`, { method: 'POST' })));
}

export async function cancelOrder(orderId: string) {
  try {
    await db.query('UPDATE orders SET status = $1 WHERE id = $2', ['cancelled', orderId]);
    await fetch(`https://inventory.example.com/release/${orderId}`, { method: 'POST' });
  } catch (error) {
  }
}
