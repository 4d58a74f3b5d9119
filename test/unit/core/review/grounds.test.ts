import { strict as assert } from 'node:assert';
import { claimedMechanism, withholdUngrounded } from '../../../../src/core/review/grounds';

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

  it('keeps every claim in a language without a grammar', async () => {
    assert.deepEqual(await withheldLines('a.rb', "require 'x'\n", [f('Race on shared state', 'concurrency', 1)]), []);
  });
});
