import * as assert from 'node:assert/strict';
import { parseRuleOverrides } from '../../../../src/core/offline';

describe('offline checks: --rule overrides', () => {
  it('parses on, off and severities; later specs win', () => {
    assert.deepEqual(
      parseRuleOverrides(['silent-catch=off', 'sql-injection=critical', 'explicit-any=on', 'silent-catch=low']),
      {
        'silent-catch': { enabled: true, severity: 'low' },
        'sql-injection': { enabled: true, severity: 'critical' },
        'explicit-any': { enabled: true },
      },
    );
    assert.deepEqual(parseRuleOverrides([]), {});
  });

  it('names the bad spec', () => {
    assert.throws(() => parseRuleOverrides(['silent-catch']), /--rule "silent-catch": expected ID=off\|on\|critical/);
    assert.throws(
      () => parseRuleOverrides(['no-such-rule=off']),
      /--rule "no-such-rule=off": unknown rule "no-such-rule"/,
    );
    assert.throws(
      () => parseRuleOverrides(['silent-catch=loud']),
      /--rule "silent-catch=loud": "loud" is not off, on or a severity/,
    );
  });
});
