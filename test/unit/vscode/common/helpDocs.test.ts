import * as assert from 'node:assert/strict';
import { CATEGORIES } from '../../../../src/core/findings';
import { OFFLINE_RULES } from '../../../../src/core/offline';
import { CATEGORY_HELP, helpDocument, helpPath } from '../../../../src/vscode/common/helpDocs';

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
