import { strict as assert } from 'node:assert';
import type { ReviewResult } from '../../../../src/core/findings';
import { runOfflineChecks } from '../../../../src/core/offline';
import { formatJson } from '../../../../src/core/output/json';
import { findingFingerprint } from '../../../../src/core/fingerprint';
import { formatSarif } from '../../../../src/core/output/sarif';
import { formatText } from '../../../../src/core/output/text';
import { redactSecretLiteral } from '../../../../src/core/review/redact';

// Assembled at run time so the repository holds no scannable literal.
const password = 'hunter2-' + 'prod-Secret';
const awsKey = 'AKIA' + 'Q3VZ7T2XKM5RWN4H';
const source = `const password = "${password}";\nconst aws = '${awsKey}';\nexport function f() { return 1; }\n`;

async function offlineResult(): Promise<ReviewResult> {
  const findings = await runOfflineChecks({ path: 'src/db.ts', text: source }, { mode: 'pragmatic' });
  return {
    summary: '',
    findings,
    skipped: [],
    notes: [],
    stats: { requests: 0, cachedChunks: 0, promptTokens: 0, completionTokens: 0, durationMs: 0 },
  };
}

describe('hardcoded-secret quotes carry no secret', () => {
  it('offline findings quote the literal with a placeholder, keeping its quotes', async () => {
    const secrets = (await offlineResult()).findings.filter((f) => f.ruleId === 'hardcoded-secret');
    assert.deepEqual(
      secrets.map((f) => [f.startLine, f.quote]),
      [
        [1, '"‹redacted:hardcoded-secret›"'],
        [2, "'‹redacted:hardcoded-secret›'"],
      ],
    );
  });

  it('no CLI output format writes the secret', async () => {
    const result = await offlineResult();
    assert.ok(result.findings.length >= 2);
    const meta = { persona: 'p', mode: 'pragmatic' as const, model: null, toolVersion: '0.0.0' };
    for (const [format, output] of [
      ['json', formatJson(result, meta)],
      ['sarif', formatSarif(result, meta)],
      ['text', formatText(result, { color: false })],
    ]) {
      assert.ok(!output.includes(password) && !output.includes(awsKey), `${format} output holds a secret:\n${output}`);
    }
  });

  it('two redacted secrets in one file keep distinct SARIF fingerprints', async () => {
    const text = `const password = "${password}";\nconst apiToken = "${password}-2";\n`;
    const findings = (await runOfflineChecks({ path: 'src/db.ts', text }, { mode: 'pragmatic' })).filter(
      (f) => f.ruleId === 'hardcoded-secret',
    );
    assert.equal(findings.length, 2);
    assert.equal(findings[0].quote, findings[1].quote, 'the quotes look alike once redacted');
    assert.notEqual(findingFingerprint(findings[0]), findingFingerprint(findings[1]));
  });

  it('redactSecretLiteral keeps prefixes, quotes and line count', () => {
    assert.equal(redactSecretLiteral('f"abc{x}"'), 'f"‹redacted:hardcoded-secret›"');
    assert.equal(redactSecretLiteral('`line1\nline2`'), '`‹redacted:hardcoded-secret›\n`');
    assert.equal(redactSecretLiteral('"""a"""'), '"""‹redacted:hardcoded-secret›"""');
    assert.equal(redactSecretLiteral('bare'), '‹redacted:hardcoded-secret›');
  });
});
