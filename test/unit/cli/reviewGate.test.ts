import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CATEGORIES } from '../../../src/core/findings';
import { runCliCaptured } from '../../support/runCliCaptured';
import { findingsAnswer, modelFinding, startModelServer, type ModelServer } from '../../support/modelServer';

/** The noise gate end to end: what a noisy model answers, what the user is shown and what is counted. */
function workspace(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'review-gate-'));
  mkdirSync(join(root, '.git'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

const handlers = [
  'export async function listOrders(db: Db, customer: string) {',
  "  return db.query(`SELECT * FROM orders WHERE customer = '${customer}'`);",
  '}',
  '',
  'export async function listRefunds(db: Db, order: string) {',
  "  return db.query(`SELECT * FROM refunds WHERE order_id = '${order}'`);",
  '}',
  '',
  'export async function listNotes(db: Db, order: string) {',
  "  return db.query(`SELECT * FROM notes WHERE order_id = '${order}'`);",
  '}',
  '',
  'export function total(items: { price: number }[]) {',
  '  return items.reduce((sum, item) => sum + item.price, 0);',
  '}',
  '',
].join('\n');

function injection(line: number, table: string, column: string, variable: string): Record<string, unknown> {
  return modelFinding({
    title: 'SQL injection: query built from user input',
    severity: 'critical',
    category: 'security',
    startLine: line,
    endLine: line,
    quote: `SELECT * FROM ${table} WHERE ${column} = '\${${variable}}'`,
    confidence: 0.9,
  });
}

describe('review command: the noise gate', function () {
  this.timeout(30_000);
  let server: ModelServer;
  let env: NodeJS.ProcessEnv;

  beforeEach(async () => {
    server = await startModelServer({
      handler: () =>
        findingsAnswer([
          {
            ...injection(2, 'orders', 'customer', 'customer'),
            // The prompt's numbering copied into the fix: repaired, not written into the code.
            fix: {
              startLine: 2,
              endLine: 2,
              replacement: "2 |   return db.query('SELECT * FROM orders WHERE customer = $1', [customer]);",
            },
          },
          injection(6, 'refunds', 'order_id', 'order'),
          injection(10, 'notes', 'order_id', 'order'),
          modelFinding({
            title: 'Floating point money',
            severity: 'medium',
            category: 'correctness',
            startLine: 14,
            endLine: 14,
            quote: 'sum + item.price',
            confidence: 0.3,
          }),
          modelFinding({
            title: 'Unbounded retry loop',
            severity: 'high',
            category: 'reliability',
            startLine: 13,
            endLine: 13,
            quote: 'while (true) { await retry(); }',
            confidence: 0.95,
          }),
          modelFinding({
            title: 'Reduce without initial type',
            severity: 'low',
            category: 'maintainability',
            startLine: 14,
            endLine: 14,
            quote: 'items.reduce((sum, item) => sum + item.price, 0)',
            confidence: 0.8,
            // Replaces the line with itself: nothing to apply.
            fix: {
              startLine: 14,
              endLine: 14,
              replacement: '  return items.reduce((sum, item) => sum + item.price, 0);',
            },
          }),
        ]),
    });
    env = {
      BACKEND_REVIEW_MODEL: 'test-model',
      OPENAI_BASE_URL: server.url,
      XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'review-gate-cache-')),
    };
  });
  afterEach(async () => server.close());

  it('withholds invented quotes and low-confidence findings, repairs prefixed fixes, drops no-op fixes, groups repeats', async () => {
    const root = workspace({ 'src/orders.ts': handlers });
    const run = await runCliCaptured(['review', 'src/orders.ts', '--format', 'json', '--rule', 'sql-injection=off'], {
      cwd: root,
      env,
    });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(server.chatRequests().length, 1);
    const report = JSON.parse(run.stdout);
    const model = report.findings.filter((f: { origin: string }) => f.origin === 'model');
    assert.deepEqual(
      model.map((f: { title: string; startLine: number }) => [f.title, f.startLine]),
      [
        ['SQL injection: query built from user input', 2],
        ['Reduce without initial type', 14],
      ],
      'the invented retry loop and the 0.3-confidence finding are not shown; the three injections are one finding',
    );
    const [sql, reduce] = model;
    assert.deepEqual(
      sql.related.map((r: { startLine: number }) => r.startLine),
      [6, 10],
    );
    assert.match(sql.message, /also at lines 6, 10/);
    assert.equal(
      sql.fix.replacement,
      "  return db.query('SELECT * FROM orders WHERE customer = $1', [customer]);",
      'line-number prefix removed',
    );
    assert.equal(reduce.fix, null, 'a fix that changes nothing is dropped');
    assert.deepEqual(report.stats.withheld, {
      unanchored: 1,
      lowConfidence: 1,
      overCap: 0,
      grouped: 2,
      offlineDuplicates: 0,
      fixesDropped: 1,
      fixesRepaired: 1,
    });
  });

  it('prints the withheld counts and related places in text, relatedLocations in SARIF', async () => {
    const root = workspace({ 'src/orders.ts': handlers });
    const text = await runCliCaptured(['review', 'src/orders.ts', '--rule', 'sql-injection=off'], { cwd: root, env });
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^ {4}also at src\/orders\.ts:6:\d+$/m);
    assert.match(
      text.stdout,
      /note: model findings not shown: 1 whose quoted code is not in the reviewed code \(see the log\); 1 below the confidence floor of 0\.6; 2 repeated elsewhere/,
    );
    assert.doesNotMatch(text.stdout, /Unbounded retry loop|Floating point money/);

    const sarif = await runCliCaptured(
      ['review', 'src/orders.ts', '--format', 'sarif', '--rule', 'sql-injection=off'],
      {
        cwd: root,
        env,
      },
    );
    const results = JSON.parse(sarif.stdout).runs[0].results;
    const grouped = results.find((r: { ruleId: string }) => r.ruleId === 'review/security');
    assert.deepEqual(
      grouped.relatedLocations.map(
        (l: { physicalLocation: { region: { startLine: number } } }) => l.physicalLocation.region.startLine,
      ),
      [6, 10],
    );
  });

  it('--min-confidence moves the floor and rejects values outside 0..1', async () => {
    const root = workspace({ 'src/orders.ts': handlers });
    const low = await runCliCaptured(
      ['review', 'src/orders.ts', '--format', 'json', '--min-confidence', '0.2', '--rule', 'sql-injection=off'],
      { cwd: root, env },
    );
    assert.equal(low.code, 0, low.stderr);
    const titles = JSON.parse(low.stdout).findings.map((f: { title: string }) => f.title);
    assert.ok(titles.includes('Floating point money'), titles.join(', '));

    const bad = await runCliCaptured(['review', 'src/orders.ts', '--min-confidence', '1.5'], { cwd: root, env });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--min-confidence "1\.5" is not a number from 0 to 1/);
  });

  it('caps the findings of a part, most severe first, and counts the rest', async () => {
    const lines = Array.from({ length: 30 }, (_, i) => `export const value${i} = compute(${i});`);
    server.setHandler(() =>
      findingsAnswer(
        lines.map((line, i) =>
          modelFinding({
            title: `value${i} concern`,
            category: CATEGORIES[i % CATEGORIES.length],
            severity: i === 29 ? 'critical' : 'low',
            startLine: i + 1,
            endLine: i + 1,
            quote: line,
            confidence: 0.9,
          }),
        ),
      ),
    );
    const root = workspace({ 'values.ts': lines.join('\n') + '\n' });
    const run = await runCliCaptured(['review', 'values.ts', '--format', 'json'], { cwd: root, env });
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    const model = report.findings.filter((f: { origin: string }) => f.origin === 'model');
    assert.equal(model.length, 8, 'pragmatic keeps 8 per part');
    assert.equal(model[0].severity, 'critical', 'the most severe is kept and listed first');
    assert.equal(report.stats.withheld.overCap, 22);
  });

  it("caps each mode's findings per review and applies each mode's own confidence floor, counting the rest", async () => {
    const names = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet'];
    const files = ['a', 'b', 'c', 'd'].map((f) => `${f}.ts`);
    const source = (file: string) => names.map((n, i) => `export const ${n}_${file[0]} = compute(${i});`);
    server.setHandler((request) => {
      const file = files.find((f) => request.user.includes(`File: ${f}`)) ?? 'a.ts';
      const lines = source(file);
      const findings = lines.map((line, i) =>
        modelFinding({
          title: `${names[i]}_${file[0]} concern`,
          category: 'correctness',
          severity: 'medium',
          startLine: i + 1,
          endLine: i + 1,
          quote: line,
          confidence: 0.9,
        }),
      );
      // Between the two modes' floors (0.6 Pragmatic, 0.5 BackendPE).
      if (file === 'a.ts')
        findings.push(
          modelFinding({
            title: 'compute may overflow',
            category: 'reliability',
            severity: 'low',
            startLine: 1,
            endLine: 1,
            quote: 'compute(0)',
            confidence: 0.55,
          }),
        );
      return findingsAnswer(findings);
    });
    const root = workspace(Object.fromEntries(files.map((f) => [f, source(f).join('\n') + '\n'])));
    const modelFindings = (stdout: string) =>
      (JSON.parse(stdout) as { findings: { origin: string; title: string }[] }).findings.filter(
        (f) => f.origin === 'model',
      );

    const pragmatic = await runCliCaptured(['review', ...files, '--format', 'json'], { cwd: root, env });
    assert.equal(pragmatic.code, 0, pragmatic.stderr);
    assert.equal(server.chatRequests().length, 4, 'one request per file');
    const kept = modelFindings(pragmatic.stdout);
    assert.equal(kept.length, 30, 'Pragmatic keeps 8 per part and 30 per review');
    assert.ok(!kept.some((f) => f.title === 'compute may overflow'), 'below Pragmatic’s floor of 0.6');
    const withheld = JSON.parse(pragmatic.stdout).stats.withheld;
    assert.deepEqual([withheld.overCap, withheld.lowConfidence], [4 * 2 + 2, 1]);

    const backendpe = await runCliCaptured(['review', ...files, '--mode', 'backendpe', '--format', 'json'], {
      cwd: root,
      env,
    });
    assert.equal(backendpe.code, 0, backendpe.stderr);
    const all = modelFindings(backendpe.stdout);
    assert.equal(all.length, 41, 'BackendPE keeps 15 per part and 60 per review: all 41');
    assert.ok(
      all.some((f) => f.title === 'compute may overflow'),
      'above BackendPE’s floor of 0.5',
    );
    assert.equal(JSON.parse(backendpe.stdout).stats.withheld?.overCap ?? 0, 0, 'nothing over the cap');
  });

  it('withholds a claim that something is missing when the code shown has it, and counts it', async () => {
    const source = [
      'export async function rates(base: string): Promise<unknown> {',
      '  const response = await fetch(`${base}/rates`, {',
      "    headers: { accept: 'application/json' },",
      '    signal: AbortSignal.timeout(2_000),',
      '  });',
      '  return response.json();',
      '}',
      '',
      'export async function fees(base: string): Promise<unknown> {',
      '  const response = await fetch(`${base}/fees`);',
      '  return response.json();',
      '}',
      '',
    ].join('\n');
    const noTimeout = (line: number, quote: string) =>
      modelFinding({
        title: 'Outbound call without a timeout',
        severity: 'high',
        category: 'reliability',
        startLine: line,
        endLine: line,
        quote,
        confidence: 0.85,
      });
    server.setHandler(() =>
      findingsAnswer([
        noTimeout(2, 'const response = await fetch(`${base}/rates`, {'),
        noTimeout(10, 'const response = await fetch(`${base}/fees`);'),
      ]),
    );
    const root = workspace({ 'src/rates.ts': source });
    const run = await runCliCaptured(['review', 'src/rates.ts', '--format', 'json', '--rule', 'http-no-timeout=off'], {
      cwd: root,
      env,
    });
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.deepEqual(
      report.findings.map((f: { title: string; startLine: number }) => [f.title, f.startLine]),
      [['Outbound call without a timeout', 10]],
      'the call whose options carry a timeout is not said to lack one',
    );
    assert.equal(report.stats.withheld.contradicted, 1);
    assert.ok(
      report.notes.some((n: string) => /1 saying something is missing that the code shown has/.test(n)),
      report.notes.join('\n'),
    );
  });
  it('withholds a race, an injection or an N+1 the quoted code cannot have, keeps the ones it can, and says so', async () => {
    const source = [
      "import type { Pool } from 'pg';",
      '',
      'export interface Order {',
      '  id: string;',
      '  cents: number;',
      '}',
      '',
      'export function totalCents(orders: Order[]): number {',
      '  let sum = 0;',
      '  for (const order of orders) sum = sum + order.cents;',
      '  return sum;',
      '}',
      '',
      'export async function byId(db: Pool, id: string) {',
      "  const { rows } = await db.query('SELECT * FROM orders WHERE id = $1', [id]);",
      '  return rows[0];',
      '}',
      '',
      'export async function byCustomer(db: Pool, customer: string) {',
      '  const { rows } = await db.query(`SELECT * FROM orders WHERE customer = ${customer}`);',
      '  return rows;',
      '}',
      '',
      'export async function refund(db: Pool, ids: string[]) {',
      '  for (const id of ids) {',
      "    const { rows } = await db.query('SELECT paid FROM orders WHERE id = $1', [id]);",
      "    await db.query('UPDATE orders SET refunded = $1 WHERE id = $2', [rows[0].paid, id]);",
      '  }',
      '}',
      '',
    ].join('\n');
    const claim = (title: string, category: string, line: number, quote: string) =>
      modelFinding({ title, severity: 'high', category, startLine: line, endLine: line, quote, confidence: 0.8 });
    server.setHandler(() =>
      findingsAnswer([
        claim('Possible race condition on shared state', 'concurrency', 4, 'id: string;'),
        claim(
          'Not thread-safe: concurrent callers share this sum',
          'concurrency',
          10,
          'for (const order of orders) sum = sum + order.cents;',
        ),
        claim(
          'SQL injection through the id',
          'security',
          15,
          "const { rows } = await db.query('SELECT * FROM orders WHERE id = $1', [id]);",
        ),
        claim(
          'N+1: one query per order',
          'performance',
          15,
          "const { rows } = await db.query('SELECT * FROM orders WHERE id = $1', [id]);",
        ),
        claim(
          'SQL injection: the customer is interpolated into the query',
          'security',
          20,
          'const { rows } = await db.query(`SELECT * FROM orders WHERE customer = ${customer}`);',
        ),
        claim(
          'One query per id (N+1)',
          'performance',
          26,
          "const { rows } = await db.query('SELECT paid FROM orders WHERE id = $1', [id]);",
        ),
        claim(
          'Lost update: two concurrent refunds read the same paid amount',
          'data-integrity',
          27,
          "await db.query('UPDATE orders SET refunded = $1 WHERE id = $2', [rows[0].paid, id]);",
        ),
      ]),
    );
    const root = workspace({ 'src/orders.ts': source });
    const run = await runCliCaptured(
      ['review', 'src/orders.ts', '--format', 'json', '--rule', 'query-in-loop=off', '--rule', 'sql-injection=off'],
      { cwd: root, env },
    );
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.deepEqual(report.findings.map((f: { title: string; startLine: number }) => [f.startLine, f.title]).sort(), [
      [20, 'SQL injection: the customer is interpolated into the query'],
      [26, 'One query per id (N+1)'],
      [27, 'Lost update: two concurrent refunds read the same paid amount'],
    ]);
    assert.equal(report.stats.withheld.ungrounded, 4);
    assert.ok(
      report.notes.some((n: string) =>
        /4 claiming a race, an injection or an N\+1 the quoted code cannot have/.test(n),
      ),
      report.notes.join('\n'),
    );
  });
});

describe('review command: offline and model findings together', function () {
  this.timeout(30_000);
  let server: ModelServer;

  afterEach(async () => server.close());

  it('tells the model what the offline checks reported and merges a repeat of it into one finding', async () => {
    const rate = [
      'export async function getRate(code: string) {',
      '  const res = await fetch(`https://rates.example.com/${code}`);',
      '  return res.json();',
      '}',
      '',
    ].join('\n');
    server = await startModelServer({
      handler: () =>
        findingsAnswer([
          modelFinding({
            title: 'fetch has no timeout',
            severity: 'high',
            category: 'reliability',
            startLine: 2,
            endLine: 2,
            quote: 'await fetch(`https://rates.example.com/${code}`)',
            confidence: 0.9,
          }),
          modelFinding({
            title: 'Response status not checked before parsing',
            severity: 'medium',
            category: 'correctness',
            startLine: 3,
            endLine: 3,
            quote: 'return res.json();',
            confidence: 0.85,
          }),
        ]),
    });
    const root = workspace({ 'rate.ts': rate });
    const run = await runCliCaptured(['review', 'rate.ts', '--format', 'json'], {
      cwd: root,
      env: {
        BACKEND_REVIEW_MODEL: 'test-model',
        OPENAI_BASE_URL: server.url,
        XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'review-gate-cache-')),
      },
    });
    assert.equal(run.code, 0, run.stderr);
    const [request] = server.chatRequests();
    assert.match(
      request.user,
      /Already reported by the offline checks \(do not report these again[^\n]*\n- line 2: \[http-no-timeout\] Outbound HTTP request without a timeout/,
    );
    const report = JSON.parse(run.stdout);
    const atLine2 = report.findings.filter((f: { startLine: number }) => f.startLine === 2);
    assert.equal(atLine2.length, 1, JSON.stringify(report.findings, null, 1));
    assert.deepEqual(
      [atLine2[0].origin, atLine2[0].ruleId, atLine2[0].severity],
      ['offline', 'http-no-timeout', 'high'],
      'one finding: the offline one, at the more severe of the two severities',
    );
    assert.equal(atLine2[0].confirmedByModel, true, 'the report says the model found it too');
    assert.ok(report.findings.some((f: { title: string }) => f.title === 'Response status not checked before parsing'));
    assert.equal(report.stats.withheld.offlineDuplicates, 1);
  });
});
