import * as assert from 'node:assert/strict';
import { applyLineEdits, fixApplies, planFixes, replacementText } from '../../../../src/vscode/common/fixPlans';
import { linesText, toPublished } from '../../../../src/vscode/common/publishedFindings';
import { finding, text } from './findingFixtures';

describe('vscode/fixPlans', () => {
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
});
