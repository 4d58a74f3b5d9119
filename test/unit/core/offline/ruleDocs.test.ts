import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OFFLINE_RULES, ruleHelpUri } from '../../../../src/core/offline';

const REPO_ROOT = path.join(__dirname, '../../../..');

// docs/rules/<id>.md are the explanation pages linked from diagnostics; OFFLINE_RULES[].helpText is
// the same text bundled into the CLI and extension. Regenerate the pages with UPDATE_RULE_DOCS=1.
describe('offline checks: rule pages in docs/rules', () => {
  if (process.env.UPDATE_RULE_DOCS === '1') {
    fs.mkdirSync(path.join(REPO_ROOT, 'docs/rules'), { recursive: true });
    for (const rule of OFFLINE_RULES) fs.writeFileSync(path.join(REPO_ROOT, ruleHelpUri(rule.id)), rule.helpText);
  }

  for (const rule of OFFLINE_RULES) {
    it(`${ruleHelpUri(rule.id)} matches the bundled help text`, () => {
      const file = path.join(REPO_ROOT, ruleHelpUri(rule.id));
      assert.ok(fs.existsSync(file), `${ruleHelpUri(rule.id)} is missing (run the tests with UPDATE_RULE_DOCS=1)`);
      assert.equal(
        fs.readFileSync(file, 'utf8'),
        rule.helpText,
        `${ruleHelpUri(rule.id)} differs from OFFLINE_RULES (run the tests with UPDATE_RULE_DOCS=1)`,
      );
    });
  }

  it('has no page for a rule that does not exist', () => {
    const pages = fs
      .readdirSync(path.join(REPO_ROOT, 'docs/rules'))
      .filter((name) => name.endsWith('.md'))
      .map((name) => name.slice(0, -3))
      .sort();
    assert.deepEqual(pages, OFFLINE_RULES.map((rule) => rule.id).sort());
  });
});
