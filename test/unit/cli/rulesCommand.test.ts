import * as assert from 'node:assert/strict';
import { runCliCaptured, type CliRun } from '../../support/runCliCaptured';
import { OFFLINE_RULES } from '../../../src/core/offline';

function rules(...args: string[]): Promise<CliRun> {
  return runCliCaptured(['rules', ...args]);
}

describe('cli/rules', () => {
  it('lists every rule with id, severity, category, languages and title', async () => {
    const { code, stdout } = await rules();
    assert.equal(code, 0);
    const lines = stdout.trimEnd().split('\n');
    assert.match(lines[0], /^ID\s+SEVERITY\s+CATEGORY\s+LANGUAGES\s+TITLE$/);
    assert.equal(lines.length, OFFLINE_RULES.length + 1);
    assert.match(
      stdout,
      /^http-no-timeout\s+medium\s+reliability\s+ts\/js,python,go\s+Outbound HTTP request without a timeout$/m,
    );
    assert.match(stdout, /^explicit-any\s+low\s+maintainability\s+ts\/js,go\s+.*\(backendpe mode only\)$/m);
    assert.match(stdout, /^blocking-call-in-async\s+.*\(ts\/js: backendpe mode only\)$/m);
  });

  it("prints one rule's explanation page", async () => {
    const { code, stdout } = await rules('sql-injection');
    assert.equal(code, 0);
    assert.match(stdout, /^# sql-injection: /);
    assert.match(stdout, /## Why it hurts in production/);
  });

  it('speaks JSON', async () => {
    const list = JSON.parse((await rules('--json')).stdout) as Array<{ id: string; helpUri: string }>;
    assert.deepEqual(
      list.map((rule) => rule.id),
      OFFLINE_RULES.map((rule) => rule.id),
    );
    assert.equal(list[0].helpUri, `docs/rules/${list[0].id}.md`);
    const one = JSON.parse((await rules('silent-catch', '--json')).stdout) as {
      id: string;
      helpText: string;
      severity: string;
    };
    assert.equal(one.id, 'silent-catch');
    const blocking = JSON.parse((await rules('blocking-call-in-async', '--json')).stdout) as {
      modesByLanguage?: Record<string, string[]>;
    };
    assert.deepEqual(blocking.modesByLanguage, { js: ['backendpe'] });
    assert.equal(one.severity, 'medium');
    assert.match(one.helpText, /^# silent-catch/);
  });

  it('exits 2 with one line for an unknown id or bad usage', async () => {
    const unknown = await rules('no-such-rule');
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stdout, '');
    assert.equal(
      unknown.stderr,
      'backend-review rules: unknown rule "no-such-rule"; run `backend-review rules` for the list\n',
    );
    const extra = await rules('silent-catch', 'sql-injection');
    assert.equal(extra.code, 2);
    assert.match(extra.stderr, /unexpected argument "sql-injection"/);
    assert.equal((await rules('--bogus')).code, 2);
  });
});
