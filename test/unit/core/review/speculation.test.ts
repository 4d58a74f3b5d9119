import { strict as assert } from 'node:assert';
import type { ReviewFinding } from '../../../../src/core/findings';
import {
  claimsUnhandled,
  errorsHandledAt,
  lineNamed,
  risesToCaller,
  unfoundedReason,
  withholdSpeculation,
} from '../../../../src/core/review/speculation';

function finding(overrides: Partial<ReviewFinding> = {}): ReviewFinding {
  return {
    title: 'Refund can exceed the amount paid',
    severity: 'high',
    category: 'correctness',
    startLine: 2,
    endLine: 2,
    quote: 'const total = order.total;',
    message: 'The amount is not compared with what is left.',
    suggestion: 'Compare it.',
    fix: null,
    confidence: 0.8,
    file: 'src/refund.ts',
    ruleId: 'review/correctness',
    origin: 'model',
    ...overrides,
  };
}

describe('speculation: findings that rest on nothing the code shows', () => {
  it('generic advice that names no code is unfounded; advice naming code, or a mechanism, is not', () => {
    const generic = (title: string, message = 'Input should be validated before it is used.') =>
      unfoundedReason(finding({ title, message, category: 'security' }), 'backendpe');
    assert.equal(generic('Consider adding input validation'), 'generic');
    assert.equal(generic('Missing error handling.'), 'generic');
    assert.equal(generic('Add logging to this function'), 'generic');
    assert.equal(generic('Ensure proper input validation for the request data'), 'generic');
    assert.equal(generic('Validate the input'), 'generic');
    // A thing that is not a generic practice, code in backticks, or a name of the quoted statement: kept.
    assert.equal(generic('Consider adding a timeout to the pricing call'), undefined);
    assert.equal(generic('Missing validation', '`order.total` may be negative.'), undefined);
    assert.equal(generic('Missing validation', 'Values could be out of range.'), 'generic');
    assert.equal(generic('Consider adding input validation', 'order can be null here.'), undefined);
    assert.equal(generic('Missing validation of the refund amount: a negative amount credits the customer'), undefined);
    assert.equal(
      unfoundedReason(finding({ title: 'Missing error handling', origin: 'offline' }), 'pragmatic'),
      undefined,
    );
  });

  it('a claim about what unseen callers may do is unfounded; a consequence for callers is not', () => {
    const said = (title: string, message = 'See the code.') =>
      unfoundedReason(finding({ title, message }), 'pragmatic');
    assert.equal(said('Callers might not handle errors from this function'), 'unseen');
    assert.equal(said('Unchecked amount', 'If the caller passes a negative amount, the refund credits it.'), 'unseen');
    assert.equal(said('This may be called concurrently from several requests'), 'unseen');
    assert.equal(said('A failed refund is reported as successful: callers cannot tell'), undefined);
    assert.equal(said('Retried POST without an idempotency key can charge twice'), undefined);
  });

  it('style is unfounded in Pragmatic only, and only in maintainability', () => {
    const style = finding({
      title: 'Magic number should be a named constant',
      category: 'maintainability',
      message: '`order.total` hides a constant.',
    });
    assert.equal(unfoundedReason(style, 'pragmatic'), 'style');
    assert.equal(unfoundedReason(style, 'backendpe'), undefined);
    assert.equal(unfoundedReason({ ...style, category: 'correctness' }, 'pragmatic'), undefined);
    // BackendPE keeps style that says which name or number it means, not a remark that could be anywhere.
    const vague = (title: string, quote: string, message = 'This makes the code harder to read and maintain.') =>
      unfoundedReason(finding({ title, quote, message, category: 'maintainability' }), 'backendpe');
    assert.equal(vague('Variable name is not descriptive', 'const d = rows.filter(isOpen);'), 'generic');
    assert.equal(vague('Magic number should be a named constant', 'const limit = 1000;'), 'generic');
    assert.equal(
      vague('Magic number should be a named constant', 'const limit = 1000;', '1000 has no name.'),
      undefined,
    );
    assert.equal(
      vague('Variable name is not descriptive', 'const d = rows.filter(isOpen);', '`d` says nothing.'),
      undefined,
    );
    assert.equal(
      vague('Variable name is not descriptive', 'const rows = fetchRows();', 'rows holds orders.'),
      undefined,
    );
    // A number the statement does not hold, or a one-digit one, names nothing.
    assert.equal(
      vague('Magic number should be a named constant', 'const limit = 1000;', 'Use 100 instead.'),
      'generic',
    );
    assert.equal(
      unfoundedReason(finding({ title: 'Duplicated retry loop', category: 'maintainability' }), 'pragmatic'),
      undefined,
    );
  });

  it('reads claims that errors are not handled', () => {
    assert.ok(claimsUnhandled(finding({ title: 'Errors from this call are not handled' })));
    assert.ok(claimsUnhandled(finding({ title: 'Unhandled promise rejection' })));
    assert.ok(claimsUnhandled(finding({ title: 'Query', message: 'No error handling around the query.' })));
    assert.ok(!claimsUnhandled(finding({ title: "The commit's error is ignored" })));
    assert.ok(!claimsUnhandled(finding({ title: 'Errors are swallowed by the empty catch' })));
  });

  it('a claim of unhandled errors naming nothing is how exception languages are written, not in Go or for a lost promise', () => {
    const claim = (
      quote: string,
      message = 'If this call fails, the request may crash.',
      title = 'Errors from this call are not handled',
    ) => finding({ title, quote, message, category: 'reliability' });
    const py = claim('rows = session.execute(');
    assert.ok(risesToCaller(py, 'python'));
    assert.ok(!risesToCaller(py, 'go'), 'Go returns errors as values a statement must check');
    assert.ok(!risesToCaller(py, undefined));
    assert.ok(
      !risesToCaller(claim('rows = session.execute(', '`session.execute` raises on a lost connection.'), 'python'),
    );
    assert.ok(!risesToCaller(claim('rows = session.execute(', 'session fails and the job stops.'), 'python'));
    assert.ok(!risesToCaller(claim('pool.submit(sync_all)', 'The background task dies silently.'), 'python'));
    assert.ok(risesToCaller(claim('const rows = await db.query(sql);'), 'typescript'));
    assert.ok(
      !risesToCaller(claim('notify(user);'), 'typescript'),
      'a call neither awaited nor returned may lose its rejection',
    );
    assert.ok(
      !risesToCaller(claim('const rows = await db.query(sql);', 'The promise rejection is lost.'), 'typescript'),
    );
    assert.ok(!risesToCaller(finding({ title: 'Refund can exceed the amount paid', quote: 'x = 1' }), 'python'));
  });

  it('finds the line that handles a statement’s errors: a try whose catch does something, a Go err check', () => {
    const ts = [
      'export async function f(db) {', // 1
      '  try {', // 2
      "    const r = await db.query('SELECT 1');", // 3
      '    return r.rows;', // 4
      '  } catch (error) {', // 5
      "    logger.warn({ error }, 'failed');", // 6
      '    throw error;', // 7
      '  }', // 8
      '}', // 9
      'export async function g(db) {', // 10
      '  try {', // 11
      "    await db.query('SELECT 2');", // 12
      '  } catch {', // 13
      '    // ignore', // 14
      '  }', // 15
      "  await db.query('SELECT 3');", // 16
      '}', // 17
      '',
    ];
    assert.equal(errorsHandledAt(ts, 3), 5);
    assert.equal(errorsHandledAt(ts, 12), undefined, 'an empty catch handles nothing');
    assert.equal(errorsHandledAt(ts, 16), undefined, 'outside any try');
    const go = [
      'func (l *Ledger) Apply(ctx context.Context) error {', // 1
      '\tif _, err := l.db.ExecContext(ctx, "UPDATE a SET n = n + 1"); err != nil {', // 2
      '\t\treturn fmt.Errorf("apply: %w", err)', // 3
      '\t}', // 4
      '\trows, err := l.db.QueryContext(ctx, "SELECT n FROM a")', // 5
      '\tif err != nil {', // 6
      '\t\treturn err', // 7
      '\t}', // 8
      '\tdefer rows.Close()', // 9
      '\ttx.Commit()', // 10
      '\treturn nil', // 11
      '}', // 12
      '',
    ];
    assert.equal(errorsHandledAt(go, 2), 2);
    assert.equal(errorsHandledAt(go, 5), 6);
    assert.equal(errorsHandledAt(go, 10), undefined);
    const py = [
      'def f(session):', // 1
      '    try:', // 2
      '        rows = session.execute(q)', // 3
      '    except Exception:', // 4
      '        pass', // 5
      '    try:', // 6
      '        rows = session.execute(q)', // 7
      '    except SQLAlchemyError as e:', // 8
      '        log.warning("query failed: %s", e)', // 9
      '        raise', // 10
      '',
    ];
    assert.equal(errorsHandledAt(py, 3), undefined, '`except: pass` handles nothing');
    assert.equal(errorsHandledAt(py, 7), 8);
  });

  it('reads nested blocks inside a try, stops at a function, and counts only a `.catch` of the statement’s own chain', () => {
    const ts = [
      'export async function f(db, items) {', // 1
      '  try {', // 2
      '    if (items.length > 0) {', // 3
      "      await db.query('SELECT 1');", // 4
      '    }', // 5
      '    items.forEach(async (item) => {', // 6
      "      await db.query('SELECT 2');", // 7
      '    });', // 8
      '  } catch (error) {', // 9
      "    await db.query('ROLLBACK');", // 10
      '    throw error;', // 11
      '  }', // 12
      '  React.useEffect(() => {', // 13
      '    void load().catch(() => undefined);', // 14
      '    search(q)', // 15
      '      .then(show)', // 16
      '      .catch((err) => report(err));', // 17
      '  }, [q]);', // 18
      '  await save(x).catch(() => {});', // 19
      '  await send(x).then(done).catch((err) => {', // 20
      '    report(err);', // 21
      '  });', // 22
      '}', // 23
      '',
    ];
    assert.equal(errorsHandledAt(ts, 4), 9, 'in an if inside the try');
    assert.equal(errorsHandledAt(ts, 7), undefined, 'in a callback: called later, outside the try');
    assert.equal(errorsHandledAt(ts, 10), undefined, 'in the catch itself');
    assert.equal(errorsHandledAt(ts, 13), undefined, 'a .catch inside the callback it passes is not its own');
    assert.equal(errorsHandledAt(ts, 15), 15);
    assert.equal(errorsHandledAt(ts, 19), undefined, 'an empty catch handles nothing');
    assert.equal(errorsHandledAt(ts, 20), 20);
  });

  it('moves a finding onto the one shown line that holds the code it names in backticks', () => {
    const lines = [
      'func (l *Ledger) Apply(ctx context.Context, t Transfer) error {', // 1
      '\ttx, err := l.db.BeginTx(ctx, nil)', // 2
      '\tif err != nil {', // 3
      '\t\treturn err', // 4
      '\t}', // 5
      '\ttx.Commit()', // 6
      '\treturn nil', // 7
      '}', // 8
      '',
    ];
    const all = [{ startLine: 1, endLine: 9 }];
    const at = (line: number, message: string) =>
      lineNamed({ title: 'Commit error ignored', message, startLine: line, endLine: line }, lines, all);
    assert.equal(at(1, '`tx.Commit()`: the error is ignored.'), 6);
    assert.equal(at(6, '`tx.Commit()`: the error is ignored.'), undefined, 'already there');
    assert.equal(at(1, '`return err` hides the cause.'), 4);
    assert.equal(at(1, 'The `err` is ignored.'), undefined, 'spans under 6 characters say too little');
    assert.equal(at(2, '`return` and `tx.Commit()`'), undefined, 'code on several lines: the finding stays');
    assert.equal(
      lineNamed({ title: 't', message: '`tx.Commit()`', startLine: 1, endLine: 1 }, lines, [
        { startLine: 1, endLine: 5 },
      ]),
      undefined,
      'not shown',
    );
  });

  it('withholdSpeculation: moves, then withholds, says handled, and re-rates style in BackendPE', () => {
    const text = [
      'export async function refund(db, id) {', // 1
      '  try {', // 2
      "    await db.query('UPDATE orders SET state = 1 WHERE id = $1', [id]);", // 3
      '  } catch (error) {', // 4
      '    throw new RefundError(error);', // 5
      '  }', // 6
      '  const limit = 1000;', // 7
      '}', // 8
      '',
    ].join('\n');
    const shown = [{ startLine: 1, endLine: 9 }];
    const findings = [
      finding({
        title: 'Consider adding input validation',
        startLine: 1,
        endLine: 1,
        quote: 'export async function refund(db, id) {',
        message: 'Inputs should be validated.',
      }),
      finding({
        title: 'Errors from this call are not handled',
        category: 'reliability',
        startLine: 3,
        endLine: 3,
        quote: "await db.query('UPDATE orders SET state = 1 WHERE id = $1', [id]);",
        message: 'It may crash.',
      }),
      finding({
        title: 'Magic number should be a named constant',
        category: 'maintainability',
        startLine: 7,
        endLine: 7,
        quote: 'const limit = 1000;',
        message: '1000 is hard to read.',
      }),
      finding({
        title: 'State written without a check',
        startLine: 1,
        endLine: 1,
        quote: 'export async function refund(db, id) {',
        message: "`db.query('UPDATE orders SET state = 1` runs for any id.",
      }),
      finding({ title: 'Missing error handling', origin: 'offline', startLine: 3, endLine: 3 }),
    ];
    const pragmatic = withholdSpeculation(findings, text, shown, 'pragmatic');
    assert.deepEqual(
      pragmatic.withheld.map((w) => [w.finding.startLine, w.why]),
      [
        [1, 'generic'],
        [7, 'style'],
      ],
    );
    assert.deepEqual(
      pragmatic.handled.map((h) => [h.finding.startLine, h.line]),
      [[3, 4]],
    );
    assert.deepEqual(
      pragmatic.moved.map((m) => [m.from, m.finding.startLine]),
      [[1, 3]],
    );
    assert.deepEqual(
      pragmatic.kept.map((f) => [f.title, f.startLine, f.origin]),
      [
        ['State written without a check', 3, 'model'],
        ['Missing error handling', 3, 'offline'],
      ],
    );
    assert.equal(pragmatic.kept[0].quote, "await db.query('UPDATE orders SET state = 1 WHERE id = $1', [id]);");
    const backendpe = withholdSpeculation(findings, text, shown, 'backendpe');
    assert.deepEqual(
      backendpe.reRated.map((f) => [f.startLine, f.severity]),
      [[7, 'low']],
    );
    assert.ok(backendpe.kept.some((f) => f.startLine === 7 && f.severity === 'low'));
  });

  it('withholdSpeculation: an unhandled-errors claim outside any try rises to the caller in Python, is kept in Go', () => {
    const py = [
      'def movements(session, sku):',
      '    rows = session.execute(QUERY, {"sku": sku}).all()',
      '    return rows',
      '',
    ].join('\n');
    const claim = finding({
      title: 'Errors from this call are not handled',
      category: 'reliability',
      startLine: 2,
      endLine: 2,
      quote: 'rows = session.execute(QUERY, {"sku": sku}).all()',
      message: 'If this call fails, the request may crash.',
      file: 'app/reports.py',
    });
    const shown = [{ startLine: 1, endLine: 4 }];
    const python = withholdSpeculation([claim], py, shown, 'backendpe', 'python');
    assert.deepEqual(
      python.withheld.map((w) => w.why),
      ['propagates'],
    );
    assert.equal(python.kept.length, 0);
    const go = withholdSpeculation([claim], py, shown, 'backendpe', 'go');
    assert.equal(go.kept.length, 1);
    assert.equal(withholdSpeculation([claim], py, shown, 'backendpe').kept.length, 1);
  });
});
