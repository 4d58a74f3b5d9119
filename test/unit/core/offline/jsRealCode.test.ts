import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hits } from './helpers';
import { expectedFindings } from './labeledSet';

/**
 * TypeScript/JavaScript shapes measured on public backend code (issue 12), in files of our own
 * marked like the labeled set (`// expect: <id>`): each file must give exactly the findings its
 * markers name, so one false alarm on a near-miss or one lost positive fails. They sit outside the
 * labeled set's folders, which also feed the benchmark's generated files.
 */
const FILES = [
  'integrations.ts',
  'webhooks.ts',
  'authTokens.js',
  'reports.ts',
  'seedCatalog.ts',
  'lifecycle.ts',
  'commands.js',
];
const DIR = path.join(__dirname, '../../../fixtures/offline/real-shapes/typescript');

describe('offline checks: TS/JS shapes from real code (issue 12)', () => {
  for (const name of FILES) {
    it(`${name}: exactly the marked findings`, async () => {
      const text = fs.readFileSync(path.join(DIR, name), 'utf8');
      const expected = expectedFindings(text)
        .map((e) => `${e.line} ${e.ruleId}`)
        .sort();
      const found = (await hits(`typescript/${name}`, text)).filter((hit) => !hit.endsWith(' explicit-any')).sort();
      assert.deepEqual(found, expected);
    });
  }
});
