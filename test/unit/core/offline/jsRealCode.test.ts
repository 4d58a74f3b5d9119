import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { check, hits, hitsAs } from './helpers';
import { runOfflineChecks } from '../../../../src/core/offline';
import type { UnitFacts } from '../../../../src/core/review/types';
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
  'shellRunners.js',
  'queryBuilders.ts',
  'transportTrust.ts',
  'configDefaults.ts',
  'strategyKeys.js',
  'validatedSql.ts',
  'fallbacks.ts',
  'fanOut.ts',
  'authFlows.ts',
  'browserAutomation.ts',
  'scheduledSql.ts',
  'startupHooks.ts',
  'cleanupSteps.ts',
  'connectorFanOut.ts',
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

  it('nestHttpClients.ts: HttpService calls without a timeout when the module beside imports HttpModule as it is (3)', async () => {
    const text = fs.readFileSync(path.join(DIR, 'nestHttpClients.ts'), 'utf8');
    const found = async (facts?: UnitFacts): Promise<string[]> =>
      (
        await runOfflineChecks(
          { path: 'src/rates/rates.service.ts', text, ...(facts ? { facts } : {}) },
          { mode: 'backendpe' },
        )
      )
        .map((f) => `${f.startLine} ${f.ruleId}`)
        .filter((hit) => !hit.endsWith(' explicit-any'))
        .sort();
    const expected = expectedFindings(text)
      .map((e) => `${e.line} ${e.ruleId}`)
      .sort();
    assert.equal(expected.length, 3);
    assert.deepEqual(await found({ nestHttpModule: 'default' }), expected);
    // The module registers options (a timeout among them or not visible here), or no module was seen.
    assert.deepEqual(await found({ nestHttpModule: 'configured' }), []);
    assert.deepEqual(await found(), []);
    // Defaults set on the client in the file itself.
    const withDefaults = text.replace('  ) {}', '  ) {\n    this.http.axiosRef.defaults.timeout = 5000;\n  }');
    const findings = await runOfflineChecks(
      { path: 'src/rates/rates.service.ts', text: withDefaults, facts: { nestHttpModule: 'default' } },
      { mode: 'backendpe' },
    );
    assert.deepEqual(
      findings.filter((f) => f.ruleId === 'http-no-timeout'),
      [],
    );
  });

  it("reports a function's empty catches once, at the first, with the others as related locations", async () => {
    const text = fs.readFileSync(path.join(DIR, 'fallbacks.ts'), 'utf8');
    const findings = (await check('typescript/fallbacks.ts', text)).filter((f) => f.ruleId === 'silent-catch');
    const grouped = findings.find((f) => f.startLine === 122);
    assert.ok(grouped, 'the first empty catch of closeAccount is reported');
    assert.deepEqual(
      grouped.related?.map((r) => r.startLine),
      [129],
    );
    assert.match(grouped.message, /1 more empty catch in this function drops errors the same way/);
    assert.equal(findings.find((f) => f.startLine === 37)?.related, undefined, 'a lone one has no related');
  });

  it('judges a key reported where an option uses it by its literal: a generated-looking key in a test is kept, a chosen word is not', async () => {
    const text = (value: string) =>
      `const seed = '${value}';\nit('sets up 2fa', () => {\n  const code = totp.generate({ secret: seed });\n});\n`;
    assert.deepEqual(await hitsAs('test', 'test/twofa.test.js', text('JBSWY3DPEHPK3PXP7QZ2MRYGI52TKJ4H')), [
      '3 hardcoded-secret',
    ]);
    assert.deepEqual(await hitsAs('test', 'test/twofa.test.js', text('my-test-seed')), []);
  });

  it('looks each spliced variable up in one index of its scope: hundreds of names and queries in one file', async () => {
    // Sized to stay fast; 20,000 names measured linear outside the tests (docs/offline.md).
    const count = 500;
    const names = Array.from({ length: count }, (_, i) => `v${i}`);
    // Every spliced name holds fixed text: nothing to report, but each is looked up.
    const declared = names.map((name) => `let ${name} = 'x';`).join('\n');
    const spliced = `db.query(\`SELECT * FROM t WHERE a = '${names.map((name) => `\${${name}}`).join('')}'\`);`;
    assert.deepEqual(await hitsAs('production', 'src/gen.ts', `${declared}\n${spliced}\n`), []);
    const queries = names.map((name) => `db.query("SELECT * FROM t WHERE a = '" + ${name} + "'");`).join('\n');
    assert.equal((await hitsAs('production', 'src/gen.ts', `${declared}\n${queries}\n`)).length, 0);
    const inputs = names.map((name) => `let ${name} = req.query.${name};`).join('\n');
    assert.equal((await hitsAs('production', 'src/gen.ts', `${inputs}\n${queries}\n`)).length, count);
  });
});
