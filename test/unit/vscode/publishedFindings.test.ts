import * as assert from 'node:assert/strict';
import type { ReviewFinding } from '../../../src/core/findings';
import {
  applyLineEdits, diagnosticLevel, explainQuery, FindingStore, fixApplies, isShown, keepOnPublish, linesText, planFixes,
  replacementText, sourceLabel, toPublished,
} from '../../../src/vscode/publishedFindings';
import { InMemoryKeyValueStore } from '../../../src/vscode/state';

const text = ['line 1', 'const a = fetch(u);', 'line 3', 'line 4', 'line 5'].join('\n');

function finding(overrides: Partial<ReviewFinding> = {}): ReviewFinding {
  return {
    title: 'No timeout', severity: 'high', category: 'reliability', startLine: 2, endLine: 2, quote: 'fetch(u)',
    message: 'fetch without a timeout', suggestion: 'pass a signal', fix: { startLine: 2, endLine: 2, replacement: 'const a = fetch(u, { signal });\n' },
    confidence: 0.9, file: 'src/a.ts', ruleId: 'review/reliability', origin: 'model', ...overrides,
  };
}

describe('vscode/publishedFindings', () => {
  it('maps severities to diagnostic levels and filters by minimum severity', () => {
    assert.deepEqual(['critical', 'high', 'medium', 'low', 'info'].map((s) => diagnosticLevel(s as never)), ['error', 'error', 'warning', 'information', 'hint']);
    assert.equal(isShown(finding({ severity: 'low' }), 'medium'), false);
    assert.equal(isShown(finding({ severity: 'medium' }), 'medium'), true);
    assert.equal(isShown(finding({ severity: 'critical' }), 'high'), true);
  });

  it('names the reviewer and the mode in the source', () => {
    assert.equal(sourceLabel('pragmatic'), 'Backend Reviewer · Pragmatic');
    assert.equal(sourceLabel('backendpe'), 'Backend Reviewer · BackendPE');
    assert.equal(sourceLabel('offline'), 'Backend Reviewer · offline');
  });

  it('remembers the reviewed text of the fix range and the dismissal subject', () => {
    const [published] = toPublished([finding(), finding({ origin: 'offline', ruleId: 'http-no-timeout', quote: '' , fix: null })], { text, relativePath: 'src/a.ts', mode: 'backendpe' });
    assert.equal(published.reviewedFixText, 'const a = fetch(u);');
    assert.equal(published.source, 'Backend Reviewer · BackendPE');
    assert.deepEqual(published.dismissal, { ruleId: 'review/reliability', file: 'src/a.ts', code: 'fetch(u)' });
    const offline = toPublished([finding({ origin: 'offline', ruleId: 'http-no-timeout', quote: '', fix: null })], { text, relativePath: 'src/a.ts', mode: 'pragmatic' })[0];
    assert.equal(offline.source, 'Backend Reviewer · offline');
    assert.equal(offline.dismissal.code, 'const a = fetch(u);', 'an empty quote falls back to the lines');
  });

  it('offers a fix only while the text in its range is what was reviewed', () => {
    const [published] = toPublished([finding()], { text, relativePath: 'src/a.ts', mode: 'pragmatic' });
    assert.equal(fixApplies(published, text), true);
    assert.equal(fixApplies(published, text.replace('fetch(u)', 'fetch(v)')), false);
    assert.equal(fixApplies({ ...published, fix: null }, text), false);
    assert.equal(linesText(text, 4, 9), null);
  });

  it('plans all fixes without overlaps, the more severe winning, skipping changed code', () => {
    const findings = toPublished([
      finding({ severity: 'medium', fix: { startLine: 2, endLine: 3, replacement: 'A' } }),
      finding({ severity: 'critical', fix: { startLine: 3, endLine: 3, replacement: 'B\n' } }),
      finding({ severity: 'low', fix: { startLine: 5, endLine: 5, replacement: 'C' } }),
      finding({ severity: 'low', fix: null }),
    ], { text, relativePath: 'src/a.ts', mode: 'pragmatic' });
    const changed = text.replace('line 5', 'line five');
    const plan = planFixes(findings, changed);
    assert.deepEqual(plan.edits.map((e) => [e.startLine, e.replacement]), [[3, 'B']]);
    assert.deepEqual(plan.skipped.map((s) => s.reason).sort(), ['it overlaps a more severe fix', 'the code changed since the review']);
    const all = planFixes(findings, text);
    assert.equal(applyLineEdits(text, all.edits), ['line 1', 'const a = fetch(u);', 'B', 'line 4', 'C'].join('\n'));
    assert.equal(replacementText('x\r\n'), 'x');
  });

  it('keeps findings outside the replaced part on publish', () => {
    const [model] = toPublished([finding()], { text, relativePath: 'src/a.ts', mode: 'pragmatic' });
    const offline = { ...model, origin: 'offline' as const };
    assert.equal(keepOnPublish(model, 'all'), false);
    assert.equal(keepOnPublish(model, 'offline'), true);
    assert.equal(keepOnPublish(offline, 'offline'), false);
    assert.equal(keepOnPublish(model, { startLine: 1, endLine: 2 }), false);
    assert.equal(keepOnPublish(model, { startLine: 3, endLine: 9 }), true);
  });

  it('builds the chat query for Explain', () => {
    const [published] = toPublished([finding()], { text, relativePath: 'src/a.ts', mode: 'pragmatic' });
    assert.equal(explainQuery(published, 'principal'), '@principal /explain No timeout [review/reliability, high] at src/a.ts:2: fetch without a timeout\nCode: fetch(u)');
  });

  describe('FindingStore', () => {
    it('restores findings only while the text is unchanged', async () => {
      const store = new FindingStore(new InMemoryKeyValueStore());
      const published = toPublished([finding()], { text, relativePath: 'src/a.ts', mode: 'pragmatic' });
      await store.save('file:///a.ts', text, published);
      assert.deepEqual(store.load('file:///a.ts', text), published);
      assert.equal(store.load('file:///a.ts', `${text}\n`), undefined);
      assert.deepEqual(store.uris(), ['file:///a.ts']);
      await store.save('file:///a.ts', text, []);
      assert.equal(store.load('file:///a.ts', text), undefined);
    });

    it('keeps only the most recent files', async () => {
      let now = 0;
      const store = new FindingStore(new InMemoryKeyValueStore(), 2, () => ++now);
      const published = toPublished([finding()], { text, relativePath: 'src/a.ts', mode: 'pragmatic' });
      for (const name of ['a', 'b', 'c']) await store.save(`file:///${name}.ts`, text, published);
      assert.deepEqual(store.uris().sort(), ['file:///b.ts', 'file:///c.ts']);
      await store.clear();
      assert.deepEqual(store.uris(), []);
    });
  });
});
