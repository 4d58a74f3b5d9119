import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runOfflineChecks } from '../../../../src/core/offline';
import { expectedFindings, LABELED_ROOT } from './labeledSet';

/**
 * The general patterns behind the false alarms and misses measured on public Python and Go
 * services (issue 12), in fixtures written for this test: every `expect:` line must be reported with
 * exactly its rules and no other line may be (the near-misses, commented as such).
 */
const FILES = ['python/real_patterns.py', 'go/real_patterns.go'];

describe('offline checks: Python and Go patterns measured on real code (issue 12)', () => {
  for (const file of FILES) {
    it(`${file}: exactly the marked findings`, async () => {
      const text = fs.readFileSync(path.join(LABELED_ROOT, file), 'utf8');
      const findings = await runOfflineChecks({ path: `src/${path.basename(file)}`, text }, { mode: 'backendpe' });
      const actual = findings.map((f) => `${f.startLine} ${f.ruleId}`).sort();
      const expected = expectedFindings(text)
        .map((e) => `${e.line} ${e.ruleId}`)
        .sort();
      assert.ok(expected.length > 0, `${file} marks no positive`);
      assert.deepEqual(actual, expected);
    });
  }
});
