import { strict as assert } from 'node:assert';
import {
  claimedMissing,
  contradictingEvidence,
  enclosingMatters,
  type MissingThing,
  statementRange,
  withholdContradicted,
} from '../../../../src/core/review/absence';

/** Claims of absence that the code shown contradicts: read what is claimed missing, look for it where it would be. */
function claim(title: string, startLine: number, message = 'See the quoted code.') {
  return { title, message, startLine, origin: 'model' };
}

const everything = [{ startLine: 1, endLine: 10_000 }];

const shipping = [
  "import { pool } from './db';",
  '',
  'export async function quote(orderId: string): Promise<number> {',
  '  const response = await fetch(`${RATES_URL}/quote`, {',
  "    method: 'POST',",
  '    body: JSON.stringify({ orderId }),',
  '    signal: AbortSignal.timeout(3_000),',
  '  });',
  '  return (await response.json()).cents;',
  '}',
  '',
  'export async function track(id: string): Promise<string> {',
  '  const response = await fetch(`${TRACKING_URL}/${id}`);',
  '  return (await response.json()).status;',
  '}',
  '',
  'export async function markShipped(orderId: string, carrier: string): Promise<void> {',
  '  const client = await pool.connect();',
  '  try {',
  "    await client.query('BEGIN');",
  "    await client.query('UPDATE orders SET shipped = true WHERE id = $1', [orderId]);",
  "    await client.query('INSERT INTO shipments (order_id, carrier) VALUES ($1, $2)', [orderId, carrier]);",
  "    await client.query('COMMIT');",
  '  } catch (error) {',
  "    await client.query('ROLLBACK');",
  '    throw error;',
  '  } finally {',
  '    client.release();',
  '  }',
  '}',
  '',
].join('\n');

const ts = { path: 'src/shipping.ts', language: 'typescript', text: shipping };

const goStore = [
  'package store',
  '',
  'func Balances(ctx context.Context, db *sql.DB) (map[string]int64, error) {',
  '\tctx, cancel := context.WithTimeout(ctx, 2*time.Second)',
  '\tdefer cancel()',
  '\trows, err := db.QueryContext(ctx, "SELECT id, cents FROM accounts")',
  '\tif err != nil {',
  '\t\treturn nil, err',
  '\t}',
  '\tdefer rows.Close()',
  '\tout := map[string]int64{}',
  '\tfor rows.Next() {',
  '\t\tvar id string',
  '\t\tvar cents int64',
  '\t\tif err := rows.Scan(&id, &cents); err != nil {',
  '\t\t\treturn nil, err',
  '\t\t}',
  '\t\tout[id] = cents',
  '\t}',
  '\treturn out, rows.Err()',
  '}',
  '',
  'func Owners(db *sql.DB) (*sql.Rows, error) {',
  '\trows, err := db.Query("SELECT owner FROM accounts")',
  '\treturn rows, err',
  '}',
  '',
].join('\n');

const go = { path: 'store/balances.go', language: 'go', text: goStore };

const pySync = [
  'import requests',
  '',
  'def fetch_rates(base):',
  '    return requests.get(f"{base}/rates", timeout=None).json()',
  '',
  'def fetch_fees(base):',
  '    return requests.get(f"{base}/fees", timeout=(3, 10)).json()',
  '',
  'def export(path, rows):',
  '    with open(path, "w") as out:',
  '        out.write(rows)',
  '',
].join('\n');

const py = { path: 'billing/rates.py', language: 'python', text: pySync };

describe('absence: findings saying something is missing that the code shown has', () => {
  it('reads what a title or first sentence says is missing, and nothing from other claims', () => {
    assert.deepEqual(claimedMissing(claim('HTTP call without a timeout', 1)), ['timeout']);
    assert.deepEqual(claimedMissing(claim('No timeout on the outbound request', 1)), ['timeout']);
    assert.deepEqual(claimedMissing(claim('Missing request timeout', 1)), ['timeout']);
    assert.deepEqual(claimedMissing(claim('rows is never closed: each call leaks a connection', 1)), ['close']);
    assert.deepEqual(claimedMissing(claim('Pool client not released', 1)), ['close']);
    assert.deepEqual(claimedMissing(claim('Writes are not in a transaction', 1)), ['transaction']);
    assert.deepEqual(claimedMissing(claim('Read, check, then write without a lock or transaction', 1)), [
      'lock',
      'transaction',
    ]);
    assert.deepEqual(claimedMissing(claim('Risky call', 1, 'The request has no timeout. It can hang.')), ['timeout']);
    // Claims it cannot check, or that are not about absence: the finding stays as it is.
    assert.equal(claimedMissing(claim('No timeout or retry around the call', 1)), undefined);
    assert.equal(claimedMissing(claim('No error handling when the timeout fires', 1)), undefined);
    assert.equal(claimedMissing(claim('Retried POST without an idempotency key', 1)), undefined);
    assert.equal(claimedMissing(claim('Timeout of 300 s is too long', 1)), undefined);
    assert.equal(claimedMissing(claim('Connection not released on the error path', 1)), undefined);
    assert.equal(claimedMissing(claim('rows not closed when Scan fails', 1)), undefined);
    assert.equal(claimedMissing(claim('SQL injection: id interpolated into the query', 1)), undefined);
  });

  it('looks up the function around a claim only where it can change the answer', () => {
    const lines = [
      'async function a(id) {',
      '  const signal = AbortSignal.timeout(3_000);',
      '  const res = await fetch(url, { signal });',
      '  const rows = await db.query("SELECT 1");',
      '  await fetch(other);',
      '  rows.close();',
      '}',
      'async function b() {',
      '  await db.query("UPDATE t SET n = 1");',
      '}',
    ];
    const all = (): boolean => true;
    const cases: [MissingThing[], number, boolean][] = [
      [['timeout'], 3, true], // a deadline variable passed to the call: found only inside the same function
      [['timeout'], 5, false], // nothing earlier is passed to this call: missing whatever the function
      [['close'], 4, true], // rows.close() follows: found only if the same function holds it
      [['close'], 5, false], // the statement opens nothing and calls nothing on an object
      [['transaction'], 9, false], // no transaction begun anywhere up to here
      [['timeout', 'close'], 5, false],
    ];
    for (const [claims, at, matters] of cases) {
      assert.equal(enclosingMatters(claims, lines, at, all), matters, `${claims.join('+')} at line ${at}`);
      if (!matters) {
        // The answer is the same with any function around the line, or none.
        const none = contradictingEvidence(claims, lines, at, undefined, all);
        for (const enclosing of [
          { startLine: 1, endLine: 7 },
          { startLine: at, endLine: 10 },
        ])
          assert.deepEqual(contradictingEvidence(claims, lines, at, enclosing, all), none);
      }
    }
    // What is not shown cannot be found: the deadline variable on a line not shown does not count.
    assert.equal(
      enclosingMatters(['timeout'], lines, 3, (line) => line !== 2),
      false,
    );
  });

  it('a statement runs until its brackets close', () => {
    const lines = shipping.split('\n');
    assert.deepEqual(statementRange(lines, 4), { startLine: 4, endLine: 8 });
    assert.deepEqual(statementRange(lines, 13), { startLine: 13, endLine: 13 });
  });

  it('withholds "no timeout" when the call carries one in its options, and keeps it on the call without', async () => {
    const wrong = claim('Outbound HTTP call without a timeout', 4);
    const right = claim('Outbound HTTP call without a timeout', 13);
    const { kept, withheld } = await withholdContradicted([wrong, right], ts, everything);
    assert.deepEqual(kept, [right]);
    assert.equal(withheld.length, 1);
    assert.equal(withheld[0].finding, wrong);
    assert.deepEqual(withheld[0].evidence, [
      { thing: 'timeout', line: 7, text: 'signal: AbortSignal.timeout(3_000),' },
    ]);
  });

  it('withholds "not released" and "no transaction" when the function releases the client and begins one', async () => {
    const release = claim('Pool client is never released', 18);
    const transaction = claim('The two writes are not in a transaction', 21);
    const lockToo = claim('Update without a lock or transaction', 21);
    // On a call that assigns nothing, the claim is about the object called: `client` is released in the finally.
    const onQuery = claim('The connection is never released', 22);
    const { kept, withheld } = await withholdContradicted([release, transaction, lockToo, onQuery], ts, everything);
    assert.deepEqual(
      withheld.map((w) => [w.finding.title, w.evidence.map((e) => e.line)]),
      [
        ['Pool client is never released', [28]],
        ['The two writes are not in a transaction', [20]],
        ['The connection is never released', [28]],
      ],
    );
    assert.deepEqual(kept, [lockToo], 'no lock is taken: half of the claim holds, so the finding stays');
  });

  it('Go: a deadline context passed to the query and a deferred Close contradict the claims; another function is not evidence', async () => {
    const timeout = claim('Database query without a timeout', 6);
    const closed = claim('rows is never closed', 6);
    const owners = claim('Query without a timeout', 24);
    const ownersRows = claim('rows not closed', 24);
    const { kept, withheld } = await withholdContradicted([timeout, closed, owners, ownersRows], go, everything);
    assert.deepEqual(
      withheld.map((w) => [w.finding.title, w.evidence.map((e) => e.line)]),
      [
        ['Database query without a timeout', [4]],
        ['rows is never closed', [10]],
      ],
    );
    assert.deepEqual(kept, [owners, ownersRows]);
  });

  it('Python: timeout=None is no timeout; a with block closes what it opens', async () => {
    const none = claim('requests call without a timeout', 4);
    const tuple = claim('requests call without a timeout', 7);
    const file = claim('File handle never closed', 10);
    const { kept, withheld } = await withholdContradicted([none, tuple, file], py, everything);
    assert.deepEqual(kept, [none]);
    assert.deepEqual(
      withheld.map((w) => w.finding.startLine),
      [7, 10],
    );
  });

  it('only the lines the model was shown count as evidence, and offline findings are never touched', async () => {
    const wrong = claim('Outbound HTTP call without a timeout', 4);
    const notShown = await withholdContradicted([wrong], ts, [{ startLine: 3, endLine: 6 }]);
    assert.deepEqual(notShown.kept, [wrong]);
    const offline = { ...wrong, origin: 'offline' };
    assert.deepEqual((await withholdContradicted([offline], ts, everything)).kept, [offline]);
  });
});
