import * as assert from 'node:assert/strict';
import { CATEGORIES } from '../../../../src/core/findings';
import { OFFLINE_RULES } from '../../../../src/core/offline';
import {
  CATEGORY_HELP,
  findingExplanation,
  findingHelpPath,
  findingIdOf,
  helpDocument,
  helpPath,
} from '../../../../src/vscode/common/helpDocs';

describe('vscode/helpDocs', () => {
  it('has an explanation for every category', () => {
    assert.deepEqual(Object.keys(CATEGORY_HELP).sort(), [...CATEGORIES].sort());
  });

  it('serves a category page for model findings and a rule page for offline rules', () => {
    assert.equal(helpPath('review/security'), '/review/security.md');
    assert.match(helpDocument(helpPath('review/security'), OFFLINE_RULES), /^# Security \(review\/security\)/);
    const rule = OFFLINE_RULES[0];
    const page = helpDocument(helpPath(rule.id), OFFLINE_RULES);
    assert.ok(page.startsWith(`# ${rule.title} (${rule.id})`));
    assert.ok(page.includes(rule.helpText.trim().slice(0, 40)));
    assert.ok(page.includes('backendReviewer.offlineChecks.rules'));
  });

  it('answers unknown ids with a page that lists the known ones', () => {
    assert.match(helpDocument('/review/vibes.md', OFFLINE_RULES), /Unknown category "vibes"[\s\S]*security/);
    assert.match(
      helpDocument('/rules/nope.md', OFFLINE_RULES),
      new RegExp(`Unknown rule "nope"[\\s\\S]*${OFFLINE_RULES[0].id}`),
    );
    assert.match(helpDocument('/elsewhere', []), /Not found/);
  });
});

describe('vscode/helpDocs: one finding explained', () => {
  it('says what is wrong here, what to do, the code and the fix, then the category page', () => {
    const text = findingExplanation(
      {
        title: 'Refund can exceed\nthe order',
        severity: 'high',
        ruleId: 'review/correctness',
        category: 'correctness',
        file: 'src/refunds.ts',
        startLine: 12,
        endLine: 12,
        quote: 'if (amount > order.total) throw new Error("too much");',
        message: 'Earlier refunds are not subtracted.',
        suggestion: 'Compare with `order.total - order.refunded`.',
        fix: { startLine: 12, endLine: 12, replacement: '```\nif (amount > order.total - order.refunded) throw e;' },
        source: 'Backend Reviewer · Pragmatic',
      },
      [],
    );
    const lines = text.split('\n');
    assert.equal(lines[0], '# Refund can exceed the order');
    assert.equal(lines[2], 'high · review/correctness · src/refunds.ts, line 12 · Backend Reviewer · Pragmatic');
    assert.ok(text.includes('## What is wrong here\n\nEarlier refunds are not subtracted.'));
    assert.ok(text.includes('## What to do\n\nCompare with `order.total - order.refunded`.'));
    assert.ok(
      text.includes('## Suggested fix (replaces lines 12-12)\n\n````\n```\nif (amount'),
      'a fence the fix cannot close',
    );
    assert.ok(text.includes('## About Correctness (review/correctness)'));
    assert.equal(findingIdOf(findingHelpPath('3:review/correctness:12:abc')), '3:review/correctness:12:abc');
    assert.equal(findingIdOf('/review/correctness.md'), undefined);
  });
});
