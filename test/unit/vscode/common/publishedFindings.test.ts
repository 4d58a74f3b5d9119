import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  changedRanges,
  diagnosticLevel,
  explainQuery,
  folderNameInPaths,
  isShown,
  keepOnPublish,
  sourceLabel,
  toPublished,
} from '../../../../src/vscode/common/publishedFindings';
import { finding, secretFinding, secretText, text } from './findingFixtures';

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
    const confirmed = toPublished(
      [finding({ origin: 'offline', ruleId: 'http-no-timeout', quote: '', fix: null, confirmedByModel: true })],
      { text, relativePath: 'src/a.ts', mode: 'pragmatic' },
    )[0];
    assert.equal(confirmed.source, 'Backend Reviewer · offline + Pragmatic', 'the model reported it too');
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
  });

  describe('folderNameInPaths', () => {
    it('prefixes paths with the folder name only in a multi-root workspace, so same-named files keep separate findings and dismissals', () => {
      assert.equal(folderNameInPaths(0), false);
      assert.equal(folderNameInPaths(1), false);
      assert.equal(folderNameInPaths(2), true);
    });
  });
});
