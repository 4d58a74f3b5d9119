import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import type * as Sarif from 'sarif';
import type { ReviewFinding, ReviewResult } from '../../../../src/core/findings';
import {
  findingFingerprint,
  FINGERPRINT_KEY,
  formatJson,
  formatSarif,
  formatText,
  type ReportMeta,
} from '../../../../src/core/output';

const sqlFinding: ReviewFinding = {
  title: 'SQL built by concatenation',
  severity: 'critical',
  category: 'security',
  startLine: 18,
  endLine: 18,
  quote: 'db.query("SELECT * FROM orders WHERE id = " + id)',
  message: 'User input reaches the query text.',
  suggestion: 'Use a parameterised query.',
  fix: {
    startLine: 18,
    endLine: 18,
    replacement: '  const result = await db.query("SELECT * FROM orders WHERE id = $1", [id]);\n',
  },
  confidence: 0.9,
  file: 'src/orders.ts',
  ruleId: 'review/security',
  startColumn: 24,
  endColumn: 73,
  origin: 'model',
};
const offlineFinding: ReviewFinding = {
  title: 'Outbound HTTP request without a timeout',
  severity: 'medium',
  category: 'reliability',
  startLine: 30,
  endLine: 30,
  quote: 'fetch(url)',
  message: 'fetch has no timeout.',
  suggestion: 'Pass a signal.',
  fix: null,
  confidence: 1,
  file: 'src/my orders.ts',
  ruleId: 'http-no-timeout',
  startColumn: 9,
  endColumn: 19,
  origin: 'offline',
};
const lowFinding: ReviewFinding = {
  ...offlineFinding,
  severity: 'info',
  title: 'Consider tracing',
  category: 'observability',
  ruleId: 'review/observability',
  origin: 'model',
  startLine: 40,
  endLine: 41,
  startColumn: undefined,
  endColumn: undefined,
};

const result: ReviewResult = {
  summary: 'Two risks.',
  findings: [sqlFinding, offlineFinding, lowFinding],
  skipped: [
    { file: 'assets/logo.png', reason: 'binary file: not reviewed' },
    { file: 'src/big.ts', startLine: 10, endLine: 10, reason: 'line 10 alone is larger than the budget' },
  ],
  stats: { requests: 2, cachedChunks: 1, promptTokens: 1200, completionTokens: 300, durationMs: 1500 },
  notes: ['redacted 1 secret in 1 file before sending'],
};
const meta: ReportMeta = {
  persona: 'pragmatic',
  mode: 'pragmatic',
  model: 'test-model',
  toolVersion: '0.1.0',
  rules: [
    {
      id: 'http-no-timeout',
      category: 'reliability',
      defaultSeverity: 'medium',
      title: 'Outbound HTTP request without a timeout',
      shortDescription: 'HTTP calls need a deadline.',
      helpText: 'Pass a timeout.',
    },
  ],
};

describe('formatText', () => {
  it('prints path:line:col severity [ruleId] title, the message, skipped parts and a summary line', () => {
    const text = formatText(result, { color: false });
    const lines = text.split('\n');
    assert.equal(lines[0], 'src/orders.ts:18:24 critical [review/security] SQL built by concatenation');
    assert.equal(lines[1], '    User input reaches the query text.');
    assert.ok(lines.includes('    Fix available for line 18.'), 'a one-line fix names its line');
    assert.ok(lines.includes('src/my orders.ts:30:9 medium [http-no-timeout] Outbound HTTP request without a timeout'));
    assert.ok(lines.includes('src/my orders.ts:40:1 info [review/observability] Consider tracing'));
    assert.ok(lines.includes('skipped assets/logo.png: binary file: not reviewed'));
    assert.ok(lines.includes('skipped src/big.ts:10: line 10 alone is larger than the budget'));
    assert.ok(lines.includes('Two risks.'));
    assert.equal(
      lines[lines.length - 2],
      '3 findings (1 critical, 1 medium, 1 info) in 2 files; 2 skipped; 2 requests, 1 cached, 1200+300 tokens, 1.5s',
    );
    assert.ok(!text.includes('\u001b['), 'no colour when off');
  });
  it('lists a few files skipped for one reason and counts the rest; failed parts are always listed', () => {
    const images = Array.from({ length: 9 }, (_, index) => ({
      file: `static/img/shot${index}.png`,
      reason: 'binary file: not reviewed',
    }));
    const failed = Array.from({ length: 6 }, (_, index) => ({
      file: `src/part${index}.ts`,
      reason: 'the model request failed: timeout',
      failed: true,
    }));
    const lines = formatText(
      { ...result, skipped: [...images, ...failed, { file: 'a.ts', reason: 'other' }] },
      { color: false },
    ).split('\n');
    const skipped = lines.filter((l) => l.startsWith('skipped '));
    assert.deepEqual(skipped, [
      'skipped static/img/shot0.png: binary file: not reviewed',
      'skipped static/img/shot1.png: binary file: not reviewed',
      'skipped static/img/shot2.png: binary file: not reviewed',
      'skipped 6 more for the same reason (binary file: not reviewed); --format json lists them all',
      ...failed.map((f) => `skipped ${f.file}: the model request failed: timeout`),
      'skipped a.ts: other',
    ]);
    assert.match(lines[lines.length - 2], /; 16 skipped;/);
    // Four of one reason are all listed: a count line would save nothing.
    const four = formatText({ ...result, skipped: images.slice(0, 4) }, { color: false });
    assert.equal(four.split('\n').filter((l) => l.startsWith('skipped ')).length, 4);
  });

  it('prints the first five related places of a finding and counts the rest', () => {
    const related = Array.from({ length: 8 }, (_, index) => ({
      file: 'src/orders.ts',
      startLine: 20 + index,
      endLine: 20 + index,
      startColumn: 5,
      quote: 'db.query(q)',
    }));
    const lines = formatText({ ...result, findings: [{ ...sqlFinding, related }] }, { color: false }).split('\n');
    assert.deepEqual(
      lines.filter((line) => line.startsWith('    also at ')),
      [20, 21, 22, 23, 24].map((line) => `    also at src/orders.ts:${line}:5`),
    );
    assert.ok(lines.includes('    and 3 more places (--format json or sarif lists them)'));
  });
  it('colours severities when asked', () => {
    assert.ok(formatText(result, { color: true }).includes('\u001b[1;31mcritical\u001b[0m'));
  });
});

describe('formatJson', () => {
  it('has exactly the contract keys', () => {
    const report = JSON.parse(formatJson(result, meta));
    // `complete`, `notes` and stats.findingsOverCap were added compatibly (issue 14).
    assert.deepEqual(Object.keys(report), [
      'version',
      'persona',
      'mode',
      'model',
      'findings',
      'skipped',
      'overkill',
      'complete',
      'notes',
      'stats',
      'dismissed',
    ]);
    assert.equal(report.version, 1);
    assert.deepEqual([report.persona, report.mode, report.model], ['pragmatic', 'pragmatic', 'test-model']);
    assert.deepEqual(Object.keys(report.stats), [
      'requests',
      'cachedChunks',
      'promptTokens',
      'completionTokens',
      'durationMs',
      'findingsOverCap',
    ]);
    assert.deepEqual(report.findings[0], { ...sqlFinding, fingerprint: findingFingerprint(sqlFinding) });
    assert.deepEqual(report.dismissed, []);
    for (const key of [
      'title',
      'severity',
      'category',
      'startLine',
      'endLine',
      'quote',
      'message',
      'suggestion',
      'fix',
      'confidence',
      'file',
      'ruleId',
    ]) {
      assert.ok(key in report.findings[1], `finding has ${key}`);
    }
    assert.deepEqual(report.skipped, result.skipped);
    assert.equal(JSON.parse(formatJson(result, { ...meta, model: null })).model, null);
  });
});

describe('formatSarif', () => {
  const schema = JSON.parse(readFileSync(join(__dirname, '../../../fixtures/sarif-schema-2.1.0.json'), 'utf8'));
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  const validate = ajv.compile(schema);

  it('is valid SARIF 2.1.0 with rules, levels, regions, fixes and fingerprints', () => {
    const log = JSON.parse(formatSarif(result, meta)) as Sarif.Log;
    assert.ok(validate(log), JSON.stringify(validate.errors, null, 2));
    const run = log.runs[0];
    assert.equal(run.tool.driver.name, 'Backend Principal Reviewer');
    assert.equal(run.tool.driver.version, '0.1.0');
    assert.deepEqual(
      run.tool.driver.rules?.map((r) => r.id),
      ['review/security', 'http-no-timeout', 'review/observability'],
    );
    const offlineRule = run.tool.driver.rules?.[1];
    assert.equal(offlineRule?.shortDescription?.text, 'HTTP calls need a deadline.');
    assert.equal(offlineRule?.help?.text, 'Pass a timeout.');
    assert.equal(offlineRule?.defaultConfiguration?.level, 'warning');
    assert.equal(offlineRule?.properties?.category, 'reliability');

    const [sql, offline, info] = run.results ?? [];
    assert.deepEqual([sql.level, offline.level, info.level], ['error', 'warning', 'note']);
    assert.equal(sql.ruleIndex, 0);
    assert.deepEqual(sql.locations?.[0].physicalLocation?.region, {
      startLine: 18,
      endLine: 18,
      startColumn: 24,
      endColumn: 73,
    });
    assert.equal(offline.locations?.[0].physicalLocation?.artifactLocation?.uri, 'src/my%20orders.ts');
    assert.deepEqual(sql.fixes?.[0].artifactChanges[0].replacements[0], {
      deletedRegion: { startLine: 18, endLine: 18 },
      insertedContent: { text: '  const result = await db.query("SELECT * FROM orders WHERE id = $1", [id]);' },
    });
    assert.equal(offline.fixes, undefined);
    assert.equal(sql.partialFingerprints?.[FINGERPRINT_KEY], `${findingFingerprint(sqlFinding)}:1`);
    assert.match(
      sql.message.text ?? '',
      /^SQL built by concatenation\n\nUser input reaches the query text\.\n\nSuggestion: Use a parameterised query\.$/,
    );
    assert.equal(run.invocations?.[0].toolExecutionNotifications?.length, 2);
  });

  it('fingerprints survive line moves and whitespace changes but not a different quote', () => {
    const moved = {
      ...sqlFinding,
      startLine: 40,
      endLine: 40,
      quote: 'db.query("SELECT * FROM orders WHERE id = "   +   id)',
    };
    assert.equal(findingFingerprint(moved), findingFingerprint(sqlFinding));
    assert.notEqual(findingFingerprint({ ...sqlFinding, quote: 'other code' }), findingFingerprint(sqlFinding));
    assert.notEqual(findingFingerprint({ ...sqlFinding, file: 'src/x.ts' }), findingFingerprint(sqlFinding));
  });

  it('keeps two identical findings in one file apart with an occurrence number, in file order', () => {
    const first = { ...sqlFinding, startLine: 30, endLine: 30 };
    const second = { ...sqlFinding, startLine: 12, endLine: 12 };
    const log = JSON.parse(formatSarif({ ...result, findings: [first, second] }, meta)) as Sarif.Log;
    const prints = (log.runs[0].results ?? []).map((r) => r.partialFingerprints?.[FINGERPRINT_KEY]);
    const base = findingFingerprint(sqlFinding);
    assert.deepEqual(prints, [`${base}:2`, `${base}:1`], 'the earlier line is occurrence 1');
  });

  it('declares %SRCROOT% when the report knows the folder its paths are relative to', () => {
    const withRoot = JSON.parse(formatSarif(result, { ...meta, sourceRoot: '/work/repo/sub' })) as Sarif.Log;
    assert.ok(validate(withRoot), JSON.stringify(validate.errors, null, 2));
    assert.deepEqual(withRoot.runs[0].originalUriBaseIds, { '%SRCROOT%': { uri: 'file:///work/repo/sub/' } });
    const without = JSON.parse(formatSarif(result, meta)) as Sarif.Log;
    assert.equal(without.runs[0].originalUriBaseIds, undefined);
  });

  it('the schema check catches an invalid log (so the test above can fail)', () => {
    const log = JSON.parse(formatSarif(result, meta));
    log.runs[0].results[0].level = 'critical';
    assert.equal(validate(log), false);
  });
});
