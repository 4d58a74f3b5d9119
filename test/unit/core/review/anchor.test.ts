import * as assert from 'node:assert/strict';
import type { ModelFinding } from '../../../../src/core/findings';
import { InMemoryLogger } from '../../../support/inMemoryLogger';
import { anchorFindings } from '../../../../src/core/review/anchor';

// 30 lines; the interesting code sits at known line numbers.
const fileLines = [
  "import express from 'express';", //  1
  "import { db } from './db';", //  2
  '', //  3
  'const app = express();', //  4
  '', //  5
  "app.get('/users/:id', async (req, res) => {", //  6
  '  const user = await db.query(', //  7
  "    'SELECT * FROM users WHERE id = ' + req.params.id,", //  8
  '  );', //  9
  '  res.json(user);', // 10
  '});', // 11
  '', // 12
  ...Array.from({ length: 12 }, (_, i) => `// filler ${i + 13}`), // 13..24
  "app.post('/orders', async (req, res) => {", // 25
  '  const order = await fetch(PAYMENTS_URL);', // 26
  '  res.json(await order.json());', // 27
  '});', // 28
  '', // 29
  'app.listen(3000);', // 30
];
const fileText = fileLines.join('\n') + '\n';

function finding(overrides: Partial<ModelFinding> = {}): ModelFinding {
  return {
    title: 'SQL built from request input',
    severity: 'critical',
    category: 'security',
    startLine: 8,
    endLine: 8,
    quote: "'SELECT * FROM users WHERE id = ' + req.params.id",
    message: 'Injection.',
    suggestion: 'Use a parameterised query.',
    fix: null,
    confidence: 0.9,
    ...overrides,
  };
}

describe('anchorFindings', () => {
  it('keeps a finding whose quote is at the cited lines, with columns from the quote', () => {
    const { kept, dropped } = anchorFindings([finding()], fileText);
    assert.deepEqual(dropped, []);
    assert.equal(kept.length, 1);
    assert.equal(kept[0].anchored, 'exact');
    assert.equal(kept[0].startLine, 8);
    assert.equal(kept[0].endLine, 8);
    assert.equal(kept[0].startColumn, 5);
    assert.equal(kept[0].endColumn, fileLines[7].length); // exclusive end just after `id`: the trailing comma is not quoted
    assert.equal(kept[0].confidence, 0.9);
  });

  it('moves a finding whose quote is a few lines away', () => {
    const { kept } = anchorFindings([finding({ startLine: 5, endLine: 5 })], fileText);
    assert.equal(kept[0].anchored, 'moved');
    assert.equal(kept[0].startLine, 8);
    assert.equal(kept[0].endLine, 8);
    assert.equal(kept[0].startColumn, 5);
  });

  it('moves a finding whose quote is far away (outside the nearby window)', () => {
    const f = finding({
      title: 'no timeout',
      startLine: 3,
      endLine: 3,
      quote: 'await fetch(PAYMENTS_URL)',
      severity: 'high',
      category: 'reliability',
    });
    const { kept } = anchorFindings([f], fileText, { searchWindow: 5 });
    assert.equal(kept[0].anchored, 'moved');
    assert.equal(kept[0].startLine, 26);
    assert.equal(kept[0].startColumn, fileLines[25].indexOf('await') + 1);
    assert.equal(kept[0].endColumn, fileLines[25].indexOf(';') + 1);
  });

  it('matches quotes with different whitespace and across lines', () => {
    const quote = "const user = await db.query(\n 'SELECT * FROM users WHERE id = '   +   req.params.id,\n);";
    const { kept } = anchorFindings([finding({ startLine: 7, endLine: 9, quote })], fileText);
    assert.equal(kept[0].anchored, 'exact');
    assert.deepEqual([kept[0].startLine, kept[0].endLine, kept[0].startColumn, kept[0].endColumn], [7, 9, 3, 5]);
  });

  it('moves a multi-line quote cited at the wrong lines onto its real lines', () => {
    const quote = "app.post('/orders', async (req, res) => {\n  const order = await fetch(PAYMENTS_URL);";
    const { kept } = anchorFindings([finding({ startLine: 2, endLine: 3, quote })], fileText);
    assert.equal(kept[0].anchored, 'moved');
    assert.deepEqual([kept[0].startLine, kept[0].endLine], [25, 26]);
  });

  it('reads quotes that carry the prompt line numbers or diff markers, and quotes shortened with "..."', () => {
    const numbered = finding({
      startLine: 7,
      endLine: 8,
      quote: "7 |   const user = await db.query(\n8 |     'SELECT * FROM users WHERE id = ' + req.params.id,",
    });
    const diffMarked = finding({ startLine: 26, endLine: 26, quote: '+  const order = await fetch(PAYMENTS_URL);' });
    const elided = finding({ startLine: 6, endLine: 11, quote: "app.get('/users/:id', ... res.json(user);" });
    const { kept, dropped } = anchorFindings([numbered, diffMarked, elided], fileText);
    assert.deepEqual(dropped, []);
    assert.deepEqual(
      kept.map((k) => [k.anchored, k.startLine, k.endLine]),
      [
        ['exact', 7, 8],
        ['exact', 26, 26],
        ['exact', 6, 11],
      ],
    );
  });

  it('picks the occurrence nearest to the cited lines when the quote appears twice', () => {
    const { kept } = anchorFindings([finding({ startLine: 24, endLine: 24, quote: '});' })], fileText);
    assert.equal(kept[0].startLine, 28);
  });

  it('drops a finding whose quote is nowhere in the reviewed code, marked unanchored and logged', () => {
    const logger = new InMemoryLogger();
    const { kept, dropped } = anchorFindings(
      [finding({ quote: 'this code does not exist', fix: { startLine: 8, endLine: 8, replacement: 'x' } })],
      fileText,
      { logger },
    );
    assert.deepEqual(kept, []);
    assert.equal(dropped.length, 1);
    assert.equal(dropped[0].unanchored, true);
    assert.match(dropped[0].reason, /quote was not found in the reviewed code \(cited lines 8-8\)/);
    assert.ok(
      logger.messages('warn').some((m) => /Dropped finding/.test(m)),
      logger.messages().join('\n'),
    );
  });

  it('treats an empty quote as not found', () => {
    const { kept, dropped } = anchorFindings([finding({ quote: '  ' })], fileText);
    assert.deepEqual(kept, []);
    assert.match(dropped[0].reason, /it has no quote/);
  });

  it('drops a finding whose quote is nowhere and whose lines are outside the file', () => {
    const logger = new InMemoryLogger();
    const { kept, dropped } = anchorFindings([finding({ startLine: 80, endLine: 85, quote: 'nope' })], fileText, {
      logger,
    });
    assert.deepEqual(kept, []);
    assert.equal(dropped.length, 1);
    assert.match(dropped[0].reason, /outside the file \(30 lines\)/);
    assert.ok(logger.messages('warn').some((m) => /Dropped finding/.test(m)));
  });

  it('drops an unfound finding whose lines are outside the reviewed ranges, and searches only those ranges', () => {
    const options = { reviewedRanges: [{ startLine: 20, endLine: 30 }] };
    const { kept, dropped } = anchorFindings(
      [
        finding({ quote: 'nope' }),
        finding({ title: 'sql', startLine: 26, endLine: 26 }), // quote only exists at line 8, outside the reviewed range
      ],
      fileText,
      options,
    );
    assert.deepEqual(kept, [], 'neither quote is in the reviewed lines');
    assert.match(dropped[0].reason, /outside the reviewed lines/);
    assert.match(dropped[1].reason, /quote was not found in the reviewed code \(cited lines 26-26\)/);
  });

  it('does not anchor on code the model was not shown, even when the quote is there', () => {
    const { kept } = anchorFindings([finding({ startLine: 28, endLine: 28, quote: '});' })], fileText, {
      reviewedRanges: [{ startLine: 1, endLine: 12 }],
    });
    assert.deepEqual([kept[0].anchored, kept[0].startLine], ['moved', 11]);
  });

  it('clamps a range that runs past the end of the file', () => {
    const { kept } = anchorFindings([finding({ startLine: 30, endLine: 45, quote: 'app.listen(3000);' })], fileText);
    assert.deepEqual([kept[0].anchored, kept[0].startLine, kept[0].endLine], ['exact', 30, 30]);
    const unfound = anchorFindings([finding({ startLine: 0, endLine: 99, quote: 'nope' })], fileText);
    assert.deepEqual(unfound.kept, []);
    assert.match(unfound.dropped[0].reason, /cited lines 1-30/);
  });

  it('keeps a fix that replaces the quoted lines and moves it with the finding', () => {
    const exact = finding({
      fix: { startLine: 8, endLine: 8, replacement: "    'SELECT * FROM users WHERE id = $1', [req.params.id]," },
    });
    const moved = finding({ startLine: 4, endLine: 4, fix: { startLine: 4, endLine: 4, replacement: 'x' } });
    const { kept } = anchorFindings([exact, moved], fileText);
    assert.deepEqual(kept[0].fix, exact.fix);
    assert.equal(kept[1].anchored, 'moved');
    assert.deepEqual(kept[1].fix, { startLine: 8, endLine: 8, replacement: 'x' });
  });

  it('removes a fix whose range does not match the quoted code, keeping the finding', () => {
    const logger = new InMemoryLogger();
    const { kept } = anchorFindings(
      [
        finding({ fix: { startLine: 2, endLine: 3, replacement: 'x' } }),
        finding({
          startLine: 30,
          endLine: 30,
          quote: 'app.listen(3000);',
          fix: { startLine: 30, endLine: 31, replacement: 'x' },
        }),
      ],
      fileText,
      { logger },
    );
    assert.equal(kept.length, 2);
    assert.equal(kept[0].fix, null);
    assert.equal(kept[1].fix, null);
    const warnings = logger.messages('warn');
    assert.ok(
      warnings.some((m) => /fix for lines 2-3 removed: it does not match the quoted code at lines 8-8/.test(m)),
      warnings.join('\n'),
    );
    assert.ok(
      warnings.some((m) => /fix for lines 30-31 removed: it lies outside the file/.test(m)),
      warnings.join('\n'),
    );
  });

  it('tolerates CRLF line endings', () => {
    const { kept } = anchorFindings([finding()], fileText.replace(/\n/g, '\r\n'));
    assert.deepEqual([kept[0].anchored, kept[0].startLine, kept[0].startColumn], ['exact', 8, 5]);
  });

  describe('diff reviews', () => {
    const sql = finding(); // line 8
    const fetchFinding = finding({ title: 'fetch', startLine: 26, endLine: 26, quote: 'await fetch(PAYMENTS_URL)' });

    it('keeps only findings that touch a changed line', () => {
      const { kept, dropped } = anchorFindings([sql, fetchFinding], fileText, { changedLines: [26] });
      assert.deepEqual(
        kept.map((k) => k.title),
        ['fetch'],
      );
      assert.match(dropped[0].reason, /does not touch a changed line \(±3 lines\)/);
    });

    it('allows the configured slack around changed lines', () => {
      assert.equal(anchorFindings([sql], fileText, { changedLines: [11] }).kept.length, 1); // 3 away, default slack 3
      assert.equal(anchorFindings([sql], fileText, { changedLines: [12] }).kept.length, 0); // 4 away
      assert.equal(anchorFindings([sql], fileText, { changedLines: [12], slack: 4 }).kept.length, 1);
      assert.equal(anchorFindings([sql], fileText, { changedLines: [9], slack: 0 }).kept.length, 0);
    });

    it('filters on the anchored lines, not the cited ones', () => {
      const misplaced = finding({ startLine: 25, endLine: 25 }); // quote really at line 8
      assert.equal(anchorFindings([misplaced], fileText, { changedLines: [25] }).kept.length, 0);
      assert.equal(anchorFindings([misplaced], fileText, { changedLines: [8] }).kept.length, 1);
    });
  });

  describe('large files (small ranges get their own index, wide ones share the whole-file index)', () => {
    const bigLines = Array.from({ length: 600 }, (_, i) => `  const value${i + 1} = compute(${i + 1});`);
    bigLines[449] = '    await sendInvoice(order,';
    bigLines[450] = '      { retries: 0 });';
    const bigText = bigLines.join('\n') + '\n';
    const base: ModelFinding = {
      title: 'Retry',
      severity: 'medium',
      category: 'reliability',
      startLine: 1,
      endLine: 1,
      quote: '',
      message: 'm',
      suggestion: 's',
      fix: null,
      confidence: 0.8,
    };

    it('finds a quote far from the cited lines, across a line break, with its columns', () => {
      const [moved] = anchorFindings(
        [{ ...base, startLine: 10, endLine: 10, quote: 'await sendInvoice(order, { retries: 0 });' }],
        bigText,
      ).kept;
      assert.deepEqual(
        [moved.anchored, moved.startLine, moved.endLine, moved.startColumn, moved.endColumn],
        ['moved', 450, 451, 5, 23],
      );
    });

    it('keeps an exact quote at its cited line and a generic quote at the nearest occurrence within the reviewed range', () => {
      const result = anchorFindings(
        [
          { ...base, startLine: 300, endLine: 300, quote: 'const value300 = compute(300);' },
          { ...base, startLine: 100, endLine: 100, quote: 'value420 = compute(420)' },
        ],
        bigText,
        { reviewedRanges: [{ startLine: 50, endLine: 590 }] },
      );
      assert.deepEqual(
        result.kept.map((f) => [f.anchored, f.startLine, f.startColumn, f.endColumn]),
        [
          ['exact', 300, 3, 33],
          ['moved', 420, 9, 32],
        ],
      );
      const outside = anchorFindings(
        [{ ...base, startLine: 100, endLine: 100, quote: 'const value20 = compute(20);' }],
        bigText,
        { reviewedRanges: [{ startLine: 50, endLine: 590 }] },
      );
      assert.deepEqual(outside.kept, [], 'line 20 was not reviewed');
      assert.equal(outside.dropped[0].unanchored, true);
    });
  });
});
