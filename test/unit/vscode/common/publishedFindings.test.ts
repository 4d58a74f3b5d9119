import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { ReviewFinding } from '../../../../src/core/findings';
import {
  applyLineEdits,
  changedRanges,
  contentHash,
  diagnosticLevel,
  explainQuery,
  FindingStore,
  fixApplies,
  folderNameInPaths,
  isShown,
  keepOnClose,
  keepOnPublish,
  linesText,
  planFixes,
  replacementText,
  restoreFromDisk,
  sourceLabel,
  toPublished,
} from '../../../../src/vscode/common/publishedFindings';
import { InMemoryKeyValueStore } from '../../../../src/vscode/common/state';

const text = ['line 1', 'const a = fetch(u);', 'line 3', 'line 4', 'line 5'].join('\n');

function finding(overrides: Partial<ReviewFinding> = {}): ReviewFinding {
  return {
    title: 'No timeout',
    severity: 'high',
    category: 'reliability',
    startLine: 2,
    endLine: 2,
    quote: 'fetch(u)',
    message: 'fetch without a timeout',
    suggestion: 'pass a signal',
    fix: { startLine: 2, endLine: 2, replacement: 'const a = fetch(u, { signal });\n' },
    confidence: 0.9,
    file: 'src/a.ts',
    ruleId: 'review/reliability',
    origin: 'model',
    ...overrides,
  };
}

describe('vscode/publishedFindings', () => {
  it('maps severities to diagnostic levels and filters by minimum severity', () => {
    assert.deepEqual(
      ['critical', 'high', 'medium', 'low', 'info'].map((s) => diagnosticLevel(s as never)),
      ['error', 'error', 'warning', 'information', 'hint'],
    );
    assert.equal(isShown(finding({ severity: 'low' }), 'medium'), false);
    assert.equal(isShown(finding({ severity: 'medium' }), 'medium'), true);
    assert.equal(isShown(finding({ severity: 'critical' }), 'high'), true);
  });

  it('names the reviewer and the mode in the source', () => {
    assert.equal(sourceLabel('pragmatic'), 'Backend Reviewer · Pragmatic');
    assert.equal(sourceLabel('backendpe'), 'Backend Reviewer · BackendPE');
    assert.equal(sourceLabel('offline'), 'Backend Reviewer · offline');
  });

  it("remembers a hash of the fix range's reviewed text (not the text) and the dismissal subject", () => {
    const [published] = toPublished(
      [finding(), finding({ origin: 'offline', ruleId: 'http-no-timeout', quote: '', fix: null })],
      { text, relativePath: 'src/a.ts', mode: 'backendpe' },
    );
    assert.equal(published.reviewedFixHash, createHash('sha256').update('const a = fetch(u);').digest('hex'));
    assert.ok(!JSON.stringify(published).includes('const a = fetch(u);'), 'the reviewed lines themselves are not kept');
    assert.equal(published.source, 'Backend Reviewer · BackendPE');
    assert.deepEqual(published.dismissal, { ruleId: 'review/reliability', file: 'src/a.ts', code: 'fetch(u)' });
    const offline = toPublished([finding({ origin: 'offline', ruleId: 'http-no-timeout', quote: '', fix: null })], {
      text,
      relativePath: 'src/a.ts',
      mode: 'pragmatic',
    })[0];
    assert.equal(offline.source, 'Backend Reviewer · offline');
    assert.equal(offline.dismissal.code, 'const a = fetch(u);', 'an empty quote falls back to the lines');
  });

  it('offers a fix only while the text in its range is what was reviewed', () => {
    const [published] = toPublished([finding()], { text, relativePath: 'src/a.ts', mode: 'pragmatic' });
    assert.equal(fixApplies(published, text), true);
    assert.equal(fixApplies(published, text.replace('fetch(u)', 'fetch(v)')), false);
    assert.equal(fixApplies({ ...published, fix: null }, text), false);
    // A finding stored by an older version carries the lines, not their hash: its fix is not offered.
    const legacy = {
      ...published,
      reviewedFixHash: undefined,
      reviewedFixText: 'const a = fetch(u);',
    } as unknown as typeof published;
    assert.equal(fixApplies(legacy, text), false);
    assert.equal(linesText(text, 4, 9), null);
  });

  it('plans all fixes without overlaps, the more severe winning, skipping changed code', () => {
    const findings = toPublished(
      [
        finding({ severity: 'medium', fix: { startLine: 2, endLine: 3, replacement: 'A' } }),
        finding({ severity: 'critical', fix: { startLine: 3, endLine: 3, replacement: 'B\n' } }),
        finding({ severity: 'low', fix: { startLine: 5, endLine: 5, replacement: 'C' } }),
        finding({ severity: 'low', fix: null }),
      ],
      { text, relativePath: 'src/a.ts', mode: 'pragmatic' },
    );
    const changed = text.replace('line 5', 'line five');
    const plan = planFixes(findings, changed);
    assert.deepEqual(
      plan.edits.map((e) => [e.startLine, e.replacement]),
      [[3, 'B']],
    );
    assert.deepEqual(plan.skipped.map((s) => s.reason).sort(), [
      'it overlaps a more severe fix',
      'the code changed since the review',
    ]);
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

  it('a diff review replaces model findings near changed lines and offline findings on them only', () => {
    // Changed lines 5, 6 and 20, slack 3: model findings in 2-9 and 17-23 are replaced.
    assert.deepEqual(changedRanges([20, 5, 6], 3), [
      { startLine: 2, endLine: 9 },
      { startLine: 17, endLine: 23 },
    ]);
    assert.deepEqual(changedRanges([1, 2, 4], 0), [
      { startLine: 1, endLine: 2 },
      { startLine: 4, endLine: 4 },
    ]);
    const replace = { ranges: changedRanges([5, 6, 20], 3), offlineRanges: changedRanges([5, 6, 20], 0) };
    const [model] = toPublished([finding()], { text, relativePath: 'src/a.ts', mode: 'pragmatic' });
    const at = (line: number, origin: 'model' | 'offline') => ({ ...model, origin, startLine: line, endLine: line });
    assert.equal(keepOnPublish(at(8, 'model'), replace), false, 'within slack of line 6');
    assert.equal(keepOnPublish(at(12, 'model'), replace), true, 'far from every change');
    assert.equal(keepOnPublish(at(8, 'offline'), replace), true, 'offline checks of a diff report changed lines only');
    assert.equal(keepOnPublish(at(6, 'offline'), replace), false);
    assert.equal(keepOnPublish({ ...at(18, 'offline'), endLine: 21 }, replace), false, 'spans a changed line');
  });

  it('builds the chat query for Explain', () => {
    const [published] = toPublished([finding()], { text, relativePath: 'src/a.ts', mode: 'pragmatic' });
    assert.equal(
      explainQuery(published, 'principal'),
      '@principal /explain No timeout [review/reliability, high] at src/a.ts:2: fetch without a timeout\nCode: fetch(u)',
    );
  });

  describe('secrets in findings', () => {
    const secretText = ['line 1', 'const password = "hunter2-prod-Secret";', 'line 3'].join('\n');
    const secretFinding = (overrides: Partial<ReviewFinding> = {}): ReviewFinding =>
      finding({
        title: 'Credential written in the source',
        ruleId: 'hardcoded-secret',
        origin: 'offline',
        category: 'security',
        quote: 'const password = "hunter2-prod-Secret"',
        message: '`password` is set to a literal credential.',
        fix: null,
        ...overrides,
      });

    it('redacts the quote and the dismissal code of published findings', () => {
      const [published] = toPublished([secretFinding()], {
        text: secretText,
        relativePath: 'src/db.ts',
        mode: 'pragmatic',
      });
      assert.equal(published.quote, 'const password = "‹redacted:value-of-password›"');
      assert.equal(published.dismissal.code, 'const password = "‹redacted:value-of-password›"');
      const [fromLines] = toPublished([secretFinding({ quote: '' })], {
        text: secretText,
        relativePath: 'src/db.ts',
        mode: 'pragmatic',
      });
      assert.equal(fromLines.dismissal.code, 'const password = "‹redacted:value-of-password›";');
    });

    it('keeps secrets out of the Explain query, also for findings stored before quotes were redacted', () => {
      const [published] = toPublished([secretFinding()], {
        text: secretText,
        relativePath: 'src/db.ts',
        mode: 'pragmatic',
      });
      assert.ok(!explainQuery(published, 'principal').includes('hunter2'), explainQuery(published, 'principal'));
      const stored = { ...published, quote: 'const password = "hunter2-prod-Secret"' };
      const query = explainQuery(stored, 'principal');
      assert.ok(!query.includes('hunter2'), query);
      assert.match(query, /Code: const password = "‹redacted:value-of-password›"$/);
    });

    it('keeps secrets out of what the store writes to workspaceState', async () => {
      const state = new InMemoryKeyValueStore();
      const store = new FindingStore(state);
      const fixText = 'const apiKey = "abc123-real-key";';
      const published = toPublished(
        [
          secretFinding({
            quote: '',
            startLine: 1,
            endLine: 1,
            fix: { startLine: 1, endLine: 1, replacement: 'const apiKey = process.env.API_KEY;' },
          }),
        ],
        { text: fixText, relativePath: 'src/db.ts', mode: 'pragmatic' },
      );
      await store.save('file:///db.ts', fixText, published);
      const written = JSON.stringify(state.keys().map((key) => state.get(key)));
      assert.ok(!written.includes('abc123-real-key'), written);
      assert.equal(fixApplies(store.load('file:///db.ts', fixText)![0], fixText), true);
    });

    it('removes entries an older version stored with the reviewed lines', async () => {
      const state = new InMemoryKeyValueStore();
      await state.update('backendReviewer.findings.v1:file:///old.ts', {
        hash: 'x',
        savedAt: 1,
        findings: [{ reviewedFixText: 'const password = "hunter2";' }],
      });
      await new FindingStore(state).save(
        'file:///a.ts',
        text,
        toPublished([finding()], { text, relativePath: 'src/a.ts', mode: 'pragmatic' }),
      );
      assert.deepEqual(
        state.keys().filter((key) => key.includes('findings.v1')),
        [],
      );
    });
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

  describe('restoring stored findings against the disk', () => {
    async function storeWith(): Promise<FindingStore> {
      const store = new FindingStore(new InMemoryKeyValueStore());
      await store.save(
        'file:///a.ts',
        text,
        toPublished([finding()], { text, relativePath: 'src/a.ts', mode: 'pragmatic' }),
      );
      return store;
    }

    it('restores them when the disk text is the stored one and no editor holds other text', async () => {
      const store = await storeWith();
      const decision = restoreFromDisk(store, 'file:///a.ts', text, { shown: false, openText: undefined });
      assert.equal(decision.action, 'restore');
      assert.equal(decision.action === 'restore' && decision.findings.length, 1);
      assert.equal(restoreFromDisk(store, 'file:///a.ts', text, { shown: false, openText: text }).action, 'restore');
    });

    it('skips a file open with unsaved edits, keeping the stored findings for the disk text', async () => {
      const store = await storeWith();
      assert.deepEqual(restoreFromDisk(store, 'file:///a.ts', text, { shown: false, openText: `// edited\n${text}` }), {
        action: 'skip',
      });
      assert.ok(store.load('file:///a.ts', text));
    });

    it('skips a file whose findings were published while the disk was read', async () => {
      assert.deepEqual(restoreFromDisk(await storeWith(), 'file:///a.ts', text, { shown: true, openText: undefined }), {
        action: 'skip',
      });
    });

    it('removes them when the disk text changed', async () => {
      assert.deepEqual(
        restoreFromDisk(await storeWith(), 'file:///a.ts', `${text}\n// more`, { shown: false, openText: undefined }),
        { action: 'remove' },
      );
    });
  });

  describe('keepOnClose', () => {
    it('keeps findings that belong to the text on disk', () => {
      assert.equal(keepOnClose(contentHash(text), text), true);
    });

    it('drops findings that followed unsaved edits, belong to other text, or whose file is gone', () => {
      assert.equal(keepOnClose(null, text), false);
      assert.equal(keepOnClose(contentHash(`${text}\nunsaved`), text), false);
      assert.equal(keepOnClose(contentHash(text), undefined), false);
    });
  });

  describe('folderNameInPaths', () => {
    it('prefixes paths with the folder name only in a multi-root workspace, so same-named files keep separate findings and dismissals', () => {
      assert.equal(folderNameInPaths(0), false);
      assert.equal(folderNameInPaths(1), false);
      assert.equal(folderNameInPaths(2), true);
    });
  });
});
