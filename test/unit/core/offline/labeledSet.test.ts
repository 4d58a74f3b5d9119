import * as assert from 'node:assert/strict';
import { expectedFindings, formatScore, scoreLanguage } from './labeledSet';

const PRECISION_TARGET = 0.95;
const RECALL_TARGET = 0.85;

describe('offline checks: labeled set', () => {
  it('reads expect markers in both comment styles', () => {
    assert.deepEqual(
      expectedFindings('a()\nb() // expect: silent-catch, sql-injection\nc()  # expect: http-no-timeout\n'),
      [
        { line: 2, ruleId: 'silent-catch' },
        { line: 2, ruleId: 'sql-injection' },
        { line: 3, ruleId: 'http-no-timeout' },
      ],
    );
  });

  for (const language of ['typescript', 'python', 'go']) {
    it(`${language}: precision >= ${PRECISION_TARGET} and recall >= ${RECALL_TARGET}`, async () => {
      const score = await scoreLanguage(language);
      console.log(formatScore(score));
      assert.ok(
        score.tp >= 25,
        `${language}: the labeled set should have dozens of positives, has ${score.tp + score.fn}`,
      );
      assert.ok(
        score.precision >= PRECISION_TARGET,
        `${language} precision ${score.precision.toFixed(3)} < ${PRECISION_TARGET}\n${score.mistakes.join('\n')}`,
      );
      assert.ok(
        score.recall >= RECALL_TARGET,
        `${language} recall ${score.recall.toFixed(3)} < ${RECALL_TARGET}\n${score.mistakes.join('\n')}`,
      );
    });
  }
});
