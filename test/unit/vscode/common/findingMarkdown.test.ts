import * as assert from 'node:assert/strict';
import { findingMarkdown } from '../../../../src/vscode/common/findingMarkdown';
import type { ShownFinding } from '../../../../src/vscode/common/sameProblem';

const finding: ShownFinding = {
  id: '0:review/reliability:4',
  title: 'Retry loop without a bound_[1]',
  severity: 'high',
  category: 'reliability',
  startLine: 4,
  endLine: 9,
  quote: 'while (true) {',
  message: 'The loop calls `fetchRates()` until it succeeds.',
  suggestion: 'Stop after `3` attempts.',
  fix: { startLine: 4, endLine: 4, replacement: 'for (let i = 0; i < 3; i++) {' },
  confidence: 0.9,
  file: 'src/rates.ts',
  ruleId: 'review/reliability',
  origin: 'model',
  source: 'Backend Reviewer · Pragmatic',
  reviewedFixHash: null,
  dismissal: { ruleId: 'review/reliability', file: 'src/rates.ts', code: 'while (true) {' },
  related: [{ file: 'src/rates.ts', startLine: 30, endLine: 30, quote: 'while (true) {' }],
  mergedFrom: [],
};

describe('vscode/findingMarkdown', () => {
  it("renders title, severity, source and the rule link, then the model's Markdown as it wrote it", () => {
    const text = findingMarkdown(finding, 'command:backendReviewer.showRuleHelp?x');
    const lines = text.split('\n');
    assert.equal(
      lines[0],
      '**Retry loop without a bound\\_\\[1\\]** · high · Backend Reviewer · Pragmatic · [review/reliability](command:backendReviewer.showRuleHelp?x)',
    );
    assert.ok(lines.includes('The loop calls `fetchRates()` until it succeeds.'), 'backticks kept for rendering');
    assert.ok(lines.includes('**Suggestion:** Stop after `3` attempts.'));
    assert.ok(lines.some((l) => /suggested fix is offered/.test(l)));
    assert.ok(lines.includes('Also at line 30.'));
  });

  it('names the other source of a merged pair and a non-production role', () => {
    const text = findingMarkdown(
      {
        ...finding,
        fix: null,
        role: 'test',
        source: 'Backend Reviewer · offline',
        mergedFrom: [{ ...finding, source: 'Backend Reviewer · Pragmatic' }],
      },
      'command:x',
    );
    assert.match(text.split('\n')[0], / · in test code · /);
    assert.ok(!/suggested fix/.test(text));
    assert.match(text, /Reported by Backend Reviewer · offline and Backend Reviewer · Pragmatic\./);
  });
});
