import { strict as assert } from 'node:assert';
import type { ReviewFinding } from '../../../src/core/findings';
import type { LabeledBug, LabeledSet } from '../../../src/core/eval/labeledSet';
import {
  bugsDetected,
  lineAccuracy,
  offlineDuplicates,
  scoreContext,
  scoreFindings,
  ungatedFindings,
  unusableFixes,
} from '../../../src/core/eval/score';

const bug = (id: string, line: number, categories: LabeledBug['categories'] = ['security']): LabeledBug => ({
  id,
  file: 'a.ts',
  startLine: line,
  endLine: line,
  quote: 'q',
  categories,
  severity: 'high',
  title: id,
  review: 'files',
});

const found = (overrides: Partial<ReviewFinding>): ReviewFinding => ({
  title: 't',
  severity: 'high',
  category: 'security',
  startLine: 10,
  endLine: 10,
  quote: '',
  message: '',
  suggestion: '',
  fix: null,
  confidence: 0.9,
  file: 'a.ts',
  ruleId: 'review/security',
  origin: 'model',
  ...overrides,
});

describe('eval scoring', () => {
  const bugs = [bug('sql', 10), bug('race', 30, ['concurrency'])];

  it('a finding detects a bug in its file and category starting within 3 lines, or by a related location', () => {
    assert.deepEqual(
      bugsDetected(found({ startLine: 13, endLine: 13 }), bugs).map((b) => b.id),
      ['sql'],
    );
    assert.deepEqual(bugsDetected(found({ startLine: 14, endLine: 14 }), bugs), []);
    assert.deepEqual(bugsDetected(found({ category: 'performance' }), bugs), []);
    assert.deepEqual(bugsDetected(found({ file: 'b.ts' }), bugs), []);
    // A finding spanning 5-40 is about line 5, not about every bug in its span.
    assert.deepEqual(bugsDetected(found({ startLine: 5, endLine: 40, category: 'concurrency' }), bugs), []);
    const grouped = found({
      category: 'concurrency',
      startLine: 50,
      endLine: 50,
      related: [{ file: 'a.ts', startLine: 30, endLine: 30, quote: '' }],
    });
    assert.deepEqual(
      bugsDetected(grouped, bugs).map((b) => b.id),
      ['race'],
    );
  });

  it('precision, recall and line accuracy', () => {
    const score = scoreFindings(
      [found({}), found({ startLine: 12, endLine: 12 }), found({ startLine: 60, endLine: 60 })],
      bugs,
    );
    assert.equal(score.truePositives, 2);
    assert.equal(score.precision, 2 / 3);
    assert.equal(score.recall, 0.5);
    assert.equal(scoreFindings([], bugs).precision, null);
    assert.equal(lineAccuracy([found({}), found({ startLine: 12, endLine: 12 })], bugs), 0.5);
  });

  it('counts fixes that carry line numbers or change nothing, against the real file', () => {
    const files = new Map([['a.ts', 'one\ntwo\nthree\n']]);
    const fix = (replacement: string) => found({ fix: { startLine: 2, endLine: 2, replacement } });
    assert.equal(unusableFixes([fix('2 | TWO'), fix('two  '), fix('TWO'), found({})], files), 2);
  });

  it('counts model findings about a bug an offline finding is about too', () => {
    const offline = found({ origin: 'offline', ruleId: 'sql-injection' });
    assert.equal(offlineDuplicates([offline, found({ startLine: 11, endLine: 11 })], bugs), 1);
    assert.equal(offlineDuplicates([offline, found({ startLine: 30, endLine: 30, category: 'concurrency' })], bugs), 0);
  });

  it('the ungated answers: every parsed finding, moved onto its quote when the file has it', () => {
    const files = new Map([['a.ts', 'a\nb\nconst q = sql + input;\n']]);
    const answer = JSON.stringify({
      summary: '',
      findings: [
        {
          title: 'x',
          severity: 'high',
          category: 'security',
          startLine: 1,
          endLine: 1,
          quote: 'const q = sql + input;',
          message: '',
          suggestion: '',
          fix: null,
          confidence: 0.1,
        },
        {
          title: 'y',
          severity: 'low',
          category: 'security',
          startLine: 2,
          endLine: 2,
          quote: 'invented()',
          message: '',
          suggestion: '',
          fix: null,
          confidence: 0.9,
        },
      ],
    });
    const out = ungatedFindings(
      [{ kind: 'review', system: '', user: 'File: a.ts\n', answer: JSON.stringify(answer) }],
      [],
      files,
    );
    assert.deepEqual(out.map((f) => f.startLine).sort(), [2, 3]);
  });

  it('context: removed lines and callee definitions found in the prompts of their file; the instruction share', () => {
    const set = {
      files: new Map([['a.ts', 'kept line here\nfunction helper() {\n']]),
      callees: [
        { file: 'a.ts', name: 'helper', definedIn: 'a.ts', definition: 'function helper() {', sameFile: true },
        { file: 'a.ts', name: 'load', definedIn: 'b.ts', definition: 'function load() {', sameFile: false },
      ],
    } as unknown as LabeledSet;
    const user = [
      'File: a.ts',
      'removed: timeout: 10_000,',
      '```code-0123456789ab',
      '1 | function helper() {',
      '```',
    ].join('\n');
    const context = scoreContext(
      [{ kind: 'review', system: 'S'.repeat(50), user, answer: '' }],
      set,
      new Map([['a.ts', ['  timeout: 10_000,', '}', 'kept line here', 'retries: 3,']]]),
    );
    assert.equal(context.removedLines, 2);
    assert.equal(context.removedLinesSent, 0.5);
    assert.equal(context.sameFileCalleesSent, 1);
    assert.equal(context.crossFileCalleesSent, 0);
    const code = '1 | function helper() {\n'.length;
    assert.equal(context.instructionShare, (50 + user.length - code) / (50 + user.length));
  });
});
