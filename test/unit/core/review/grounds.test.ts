import { strict as assert } from 'node:assert';
import {
  atomicStatement,
  claimedMechanism,
  statementHoldsNoState,
  withholdUngrounded,
} from '../../../../src/core/review/grounds';

type F = { title: string; message: string; category: string; startLine: number; origin?: string };
const f = (title: string, category: string, startLine: number, origin = 'model'): F => ({
  title,
  message: `${title}.`,
  category,
  startLine,
  origin,
});

async function withheldLines(path: string, text: string, findings: F[], shown?: [number, number]) {
  const lines = text.split('\n').length;
  const segments = [{ startLine: shown?.[0] ?? 1, endLine: shown?.[1] ?? lines }];
  const out = await withholdUngrounded(findings, { path, text }, segments);
  return out.withheld.map((w) => [w.finding.startLine, w.mechanism]);
}

describe('grounds: claims whose mechanism the quoted code lacks', () => {
  it('reads which mechanism a finding claims, from its words and category', () => {
    assert.equal(claimedMechanism(f('Possible race condition on shared state', 'concurrency', 1)), 'race');
    assert.equal(claimedMechanism(f('Lost update under concurrent refunds', 'data-integrity', 1)), 'race');
    assert.equal(claimedMechanism(f('SQL injection in the lookup', 'security', 1)), 'injection');
    assert.equal(claimedMechanism(f('One query per item (N+1)', 'performance', 1)), 'per-item');
    assert.equal(claimedMechanism(f('Returning with the mutex held deadlocks', 'concurrency', 1)), undefined);
    assert.equal(
      claimedMechanism({
        title: 'Race on the balance',
        message: 'A slow upstream holds the request.',
        category: 'concurrency',
      }),
      'race',
    );
    assert.equal(claimedMechanism(f('Missing index on the lookup', 'performance', 1)), undefined);
    assert.equal(claimedMechanism(f('Injection of the clock makes this testable', 'maintainability', 1)), undefined);
  });

  it('Python: a race on an import, a constant or a pure helper, an injection in a bound query, an N+1 outside a loop', async () => {
    const py = [
      'from .db import Session', // 1
      'PAGE = 50', // 2
      'CACHE = {}', // 3
      '', // 4
      'def clamp(n: int) -> int:', // 5
      '    return max(1, min(n, PAGE))', // 6
      '', // 7
      'def total(session: Session) -> int:', // 8
      '    return session.execute(text("SELECT SUM(q) FROM stock WHERE sku = :sku"), {"sku": 1}).scalar_one()', // 9
      '', // 10
      'def find(session, name):', // 11
      '    return session.execute(f"SELECT * FROM users WHERE name = \'{name}\'")', // 12
      '', // 13
      'def remember(key, value):', // 14
      '    CACHE[key] = value', // 15
      '', // 16
      'def levels(session, skus):', // 17
      '    return [session.get(Stock, s) for s in skus]', // 18
      '',
    ].join('\n');
    const findings = [
      f('Race condition on shared state', 'concurrency', 1),
      f('Race condition on shared state', 'concurrency', 2),
      f('Not thread-safe: concurrent writers', 'concurrency', 3),
      f('Race condition on shared state', 'concurrency', 6),
      f('SQL injection in the total', 'security', 9),
      f('N+1: one query per sku', 'performance', 9),
      f('SQL injection through the name', 'security', 12),
      f('Race condition on the cache', 'concurrency', 15),
      f('One lookup per sku (N+1)', 'performance', 18),
      f('Race condition on shared state', 'concurrency', 1, 'offline'),
    ];
    assert.deepEqual(await withheldLines('app/stock.py', py, findings), [
      [1, 'race'],
      [2, 'race'],
      [6, 'race'],
      [9, 'injection'],
      [9, 'per-item'],
    ]);
    // A function not wholly shown keeps the claim: the rest of it may hold the state or the loop.
    assert.deepEqual(
      await withheldLines('app/stock.py', py, [f('N+1: one query per sku', 'performance', 9)], [9, 19]),
      [],
    );
  });

  it('Go and TypeScript: imports, interfaces and struct state, a loop callback', async () => {
    const go = [
      'package store', // 1
      '', // 2
      'import "database/sql"', // 3
      '', // 4
      'type Reader interface {', // 5
      '\tGet(id string) string', // 6
      '}', // 7
      '', // 8
      'type Cache struct {', // 9
      '\tentries map[string]string', // 10
      '}', // 11
      '',
    ].join('\n');
    assert.deepEqual(
      await withheldLines('store/cache.go', go, [
        f('Data race on shared state', 'concurrency', 3),
        f('Data race on shared state', 'concurrency', 6),
        f('Concurrent map writes without a lock', 'concurrency', 10),
      ]),
      [
        [3, 'race'],
        [6, 'race'],
      ],
    );
    const ts = [
      'export interface Item {', // 1
      '  id: string;', // 2
      '}', // 3
      'export async function load(db: Db, items: Item[]) {', // 4
      '  return Promise.all(', // 5
      '    items.map(async (item) => {', // 6
      "      return db.query('SELECT * FROM items WHERE id = $1', [item.id]);", // 7
      '    }),', // 8
      '  );', // 9
      '}', // 10
      '',
    ].join('\n');
    assert.deepEqual(
      await withheldLines('src/load.ts', ts, [
        f('Race condition on shared state', 'concurrency', 2),
        f('One query per item (N+1)', 'performance', 7),
      ]),
      [[2, 'race']],
    );
  });

  it('a race needs a write that may be shared, not behind a lock taken before it', async () => {
    const py = [
      'def page(session, limit):', // 1
      '    limit = max(1, limit)', // 2
      '    rows = session.execute(text("SELECT id FROM t LIMIT :l"), {"l": limit}).all()', // 3
      '    out = {}', // 4
      '    out["rows"] = rows', // 5
      '    return out', // 6
      '', // 7
      'def take(session, sku, n):', // 8
      '    stock = session.get(Stock, sku)', // 9
      '    stock.quantity -= n', // 10
      '', // 11
      'def take_locked(session, sku, n):', // 12
      '    stock = session.query(Stock).with_for_update().get(sku)', // 13
      '    stock.quantity -= n', // 14
      '',
    ].join('\n');
    assert.deepEqual(
      await withheldLines('app/page.py', py, [
        f('Race condition on shared state', 'concurrency', 3),
        f('Two concurrent takes can oversell', 'concurrency', 10),
        f('Two concurrent takes can oversell', 'concurrency', 14),
      ]),
      [
        [3, 'race'],
        [14, 'race'],
      ],
    );
  });

  it('a race claim on one atomic SQL statement with no read before it: an upsert, a relative update', async () => {
    const go = [
      'package ledger', // 1
      '', // 2
      'func (l *Ledger) Apply(ctx context.Context, t Transfer) error {', // 3
      '\ttx, err := l.db.BeginTx(ctx, nil)', // 4
      '\tif _, err := tx.ExecContext(ctx, "UPDATE accounts SET cents = cents - $1 WHERE id = $2", t.Cents, t.From); err != nil {', // 5
      '\t\treturn err', // 6
      '\t}', // 7
      '\t_, err = tx.ExecContext(ctx, "UPDATE accounts SET cents = $1 WHERE id = $2", t.Cents, t.To)', // 8
      '\treturn tx.Commit()', // 9
      '}', // 10
      '', // 11
      'func (l *Ledger) Take(ctx context.Context, id string, n int64) error {', // 12
      '\tvar left int64', // 13
      '\tl.db.QueryRowContext(ctx, "SELECT cents FROM accounts WHERE id = $1", id).Scan(&left)', // 14
      '\tif left < n {', // 15
      '\t\treturn errLow', // 16
      '\t}', // 17
      '\t_, err := l.db.ExecContext(ctx, "UPDATE accounts SET cents = cents - $1 WHERE id = $2", n, id)', // 18
      '\treturn err', // 19
      '}', // 20
      '',
    ].join('\n');
    assert.deepEqual(
      await withheldLines('ledger/apply.go', go, [
        f('Data race: concurrent transfers interleave', 'concurrency', 5),
        // An absolute write is no atomic step: kept.
        f('Lost update on the balance', 'data-integrity', 8),
        // A read before the relative update: check, then act; kept.
        f('Concurrent takes can overdraw the account', 'concurrency', 18),
      ]),
      [[5, 'race']],
    );
    const ts = [
      'export async function applyEvent(db: Pool, id: string) {', // 1
      '  const client = await db.connect();', // 2
      "  await client.query('BEGIN');", // 3
      '  const seen = await client.query(', // 4
      "    'INSERT INTO events (id) VALUES ($1) ON CONFLICT (id) DO NOTHING RETURNING id',", // 5
      '    [id],', // 6
      '  );', // 7
      "  await client.query('COMMIT');", // 8
      '  return seen.rowCount;', // 9
      '}', // 10
      '',
    ].join('\n');
    assert.deepEqual(
      await withheldLines('src/events.ts', ts, [f('Two deliveries can race on this event', 'concurrency', 4)]),
      [[4, 'race']],
    );
    assert.ok(atomicStatement("'INSERT OR IGNORE INTO seen (id) VALUES (?)'"));
    assert.ok(atomicStatement('"UPDATE stock SET quantity = quantity - :n, updated = updated + 1 WHERE sku = :sku"'));
    assert.ok(!atomicStatement('"UPDATE stock SET quantity = quantity - :n, updated = now() WHERE sku = :sku"'));
    assert.ok(!atomicStatement("'INSERT INTO refunds (order_id) VALUES ($1)'"));
  });

  it("writes through a handler's own request or response are that request's, not shared state", async () => {
    const go = [
      'package api', // 1
      '', // 2
      'func Health(db *sql.DB) http.Handler {', // 3
      '\treturn http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {', // 4
      '\t\tbody := map[string]string{"db": "ok"}', // 5
      '\t\tif err := db.PingContext(r.Context()); err != nil {', // 6
      '\t\t\tbody["db"] = "down"', // 7
      '\t\t}', // 8
      '\t\tw.Header().Set("Content-Type", "application/json")', // 9
      '\t\tw.WriteHeader(http.StatusOK)', // 10
      '\t\t_ = json.NewEncoder(w).Encode(body)', // 11
      '\t})', // 12
      '}', // 13
      '', // 14
      'func (s *Server) Count(w http.ResponseWriter, r *http.Request) {', // 15
      '\ts.hits[r.URL.Path]++', // 16
      '\tw.WriteHeader(http.StatusOK)', // 17
      '}', // 18
      '', // 19
      'func (a *API) Callback(w http.ResponseWriter, r *http.Request) {', // 20
      '\tsession, ok := a.popPendingSession(r.URL.Query().Get("state"))', // 21
      '\tif !ok {', // 22
      '\t\thttp.Error(w, "unknown state", http.StatusBadRequest)', // 23
      '\t\treturn', // 24
      '\t}', // 25
      '\tw.Header().Set("Location", session.Next)', // 26
      '}', // 27
      '',
    ].join('\n');
    assert.deepEqual(
      await withheldLines('api/health.go', go, [
        f('Data race on the response', 'concurrency', 11),
        f('Data race: concurrent requests update hits', 'concurrency', 16),
        f('Data race: two callbacks pop one session', 'concurrency', 21),
      ]),
      [[11, 'race']],
    );
    const ts = [
      "app.get('/me', (req, res) => {", // 1
      '  res.locals.user = req.user;', // 2
      '  res.status(200).json({ ok: true });', // 3
      '});', // 4
      "app.get('/count', (req, res) => {", // 5
      '  counts[req.path] = (counts[req.path] ?? 0) + 1;', // 6
      '  res.json(counts);', // 7
      '});', // 8
      'const register = catchAsync(async (req, res) => {', // 9
      '  const user = await userService.createUser(req.body);', // 10
      '  res.status(201).send({ user });', // 11
      '});', // 12
      'const getUser = catchAsync(async (req, res) => {', // 13
      '  const user = await userService.getUserById(req.params.userId);', // 14
      "  if (!user) throw new ApiError(404, 'User not found');", // 15
      '  res.send(user);', // 16
      '});', // 17
      '',
    ].join('\n');
    assert.deepEqual(
      await withheldLines('src/app.js', ts, [
        f('Race condition on shared state', 'concurrency', 3),
        f('Race condition on shared state', 'concurrency', 7),
        // A handler that delegates its writes to a service may still race: kept.
        f('Race condition on shared state', 'concurrency', 11),
        f('Race condition on shared state', 'concurrency', 16),
      ]),
      [
        [3, 'race'],
        [16, 'race'],
      ],
    );
  });

  it('lists the race claims kept in one function as one group: the read and the write of one check-then-act', async () => {
    const ts = [
      'export async function refund(db: Pool, id: string, cents: number) {', // 1
      "  const order = await db.query('SELECT refunded FROM orders WHERE id = $1', [id]);", // 2
      '  const refunded = order.rows[0].refunded;', // 3
      "  await db.query('UPDATE orders SET refunded = $1 WHERE id = $2', [refunded + cents, id]);", // 4
      '}', // 5
      'export async function cancel(db: Pool, id: string) {', // 6
      "  await db.query('UPDATE orders SET state = $1 WHERE id = $2', ['cancelled', id]);", // 7
      '}', // 8
      '',
    ].join('\n');
    const findings = [
      f('Lost update: concurrent refunds', 'data-integrity', 4),
      f('Data race: concurrent requests interleave', 'concurrency', 2),
      f('Race between cancel and refund', 'concurrency', 7),
    ];
    const out = await withholdUngrounded(findings, { path: 'src/refund.ts', text: ts }, [{ startLine: 1, endLine: 9 }]);
    assert.deepEqual(out.withheld, []);
    assert.deepEqual(
      out.sameRace.map((group) => group.map((x) => x.startLine)),
      [[4, 2]],
    );
  });

  it('a race claim on a statement that holds no state: a BEGIN or ROLLBACK, a return of literals', async () => {
    assert.ok(statementHoldsNoState("await client.query('ROLLBACK');"));
    assert.ok(statementHoldsNoState('client.query("BEGIN")'));
    assert.ok(statementHoldsNoState("return { ok: false, error: 'order not found' };"));
    assert.ok(statementHoldsNoState('return [1, 2, "x"]'));
    assert.ok(!statementHoldsNoState("await client.query('COMMIT');"), 'a commit publishes the writes before it');
    assert.ok(!statementHoldsNoState('return { ok: true, refundId: inserted.rows[0].id };'));
    assert.ok(!statementHoldsNoState('return `${a}`;'));
    assert.ok(!statementHoldsNoState("await client.query('UPDATE t SET n = 1');"));
    const ts = [
      'export async function apply(db: Pool, id: string) {', // 1
      "  await db.query('BEGIN');", // 2
      "  const row = await db.query('SELECT n FROM t WHERE id = $1', [id]);", // 3
      '  if (!row.rowCount) {', // 4
      "    await db.query('ROLLBACK');", // 5
      "    return { ok: false, error: 'missing' };", // 6
      '  }', // 7
      "  await db.query('UPDATE t SET n = $1 WHERE id = $2', [row.rows[0].n + 1, id]);", // 8
      "  await db.query('COMMIT');", // 9
      '}', // 10
      '',
    ].join('\n');
    assert.deepEqual(
      await withheldLines('src/apply.ts', ts, [
        f('Not thread-safe', 'concurrency', 5),
        f('Race on shared state', 'concurrency', 6),
        f('Lost update under concurrent calls', 'concurrency', 8),
      ]),
      [
        [5, 'race'],
        [6, 'race'],
      ],
    );
  });

  it('keeps every claim in a language without a grammar', async () => {
    assert.deepEqual(await withheldLines('a.rb', "require 'x'\n", [f('Race on shared state', 'concurrency', 1)]), []);
  });
});
