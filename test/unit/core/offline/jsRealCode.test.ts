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
  // Round 9: numbers by type, values checked against a fixed list, text made from constant lists; text through andWhereRaw/orWhereRaw and `+` still reported (8).
  'typedSplices.ts',
  // Review of 245340e: a `number` a framework fills from the request with no pipe, or one given an assertion, is still text (2).
  'typedRequestSplices.ts',
  // Round 9: fan-outs over ids refused above a cap, a private helper's ids given by this file's calls, one person's roles; uncapped and query-fed lists still reported (2).
  'cappedFanOuts.ts',
  // Round 9: @slack/web-api WebClient and AI SDK model calls without a deadline; with `timeout`/`abortSignal`, options from elsewhere, and the project's own namesakes silent (4).
  'sdkClients.ts',
  'localClients.ts',
  // Round 9: bcrypt compareSync/hashSync and crypto pbkdf2Sync/scryptSync in async code (BackendPE); async forms, sync helpers and namesakes silent; a sync array-method callback counts as its async caller (5).
  'passwordHashing.ts',
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
  'beanQueries.js',
  'repositoryLoops.ts',
  'failureReplies.js',
  'backgroundJobs.ts',
  'queryHelpers.js',
  'fanOutShapes.ts',
  'dialectSql.js',
  'loopsThatAreNotN1.js',
  'requestClients.js',
  'kindDispatch.ts',
  'catalogSync.js',
  'prismaWalks.ts',
  'bulkRecords.ts',
  'shippedFiles.ts',
  'releaseSteps.js',
  'fanOutOrigins.ts',
  'ownRequests.ts',
  'messageIds.ts',
  'pageRequests.ts',
  'serverLoads.ts',
  'growthOrigins.ts',
  // Column names, highlighter classes, route templates and a guard refusing a sample value under secret-like names; camelCase weak keys still reported (5).
  'secretNamesAndClasses.ts',
  'ownedLists.ts',
  'googleClients.ts',
  'googleClientsBounded.ts',
  'cleanupBeforeThrow.ts',
  'handlerLists.ts',
  'batchedLookups.ts',
  // Session 14, round 8: stand-ins under secret names and label tables keyed by field; real keys, words that are a passphrase and a password checked against words still reported (7).
  'credentialPlaceholders.ts',
  // Session 15 (round 9): markers, hashes, resource plurals, schema examples, hand-made formats, own classes' fields (5); TLS opt-in branches (3).
  'credentialShapes.ts',
  'tlsOptIns.ts',
  // A browser told to accept any certificate (Playwright, Puppeteer, Chromium's switch), not under an opt-in (5).
  'browserCertificates.ts',
  // Round 8: axios instances and fetch wrappers without a timeout, a font beside the module (4).
  'clientInstances.ts',
  // Round 8: a fan-out over a document's pages is not one page of results (1).
  'documentPages.ts',
  // Round 8: statements mapped into a batch transaction's list are one batch (1).
  'batchedTransactions.ts',
  // Session 15: client packages with no default timeout (got, ofetch, needle, superagent) against ky's 10 s and requests or instances that set one (6).
  'clientPackages.ts',
  // got imported by name (`import { got } from 'got'`, got 12+) (1).
  'namedGot.ts',
  // Session 15: a loop over tenancy containers (spaces, workspaces, organisations, teams) grows only inside a growing loop (3).
  'tenancyLoops.ts',
  // Session 15: ky's 10 s default turned off with `timeout: false` (2).
  'kyTimeouts.ts',
  // Session 15: a walk of one tree (a function calling itself per child, a lookup per ancestor of one path) (2).
  'treeWalks.ts',
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

  it('reports a query run through a function of the file at the call, with the query as a related location', async () => {
    const text = fs.readFileSync(path.join(DIR, 'queryHelpers.js'), 'utf8');
    const findings = (await check('typescript/queryHelpers.js', text)).filter((f) => f.ruleId === 'query-in-loop');
    const viaMethod = findings.find((f) => f.startLine === 34);
    assert.ok(viaMethod, 'the call of this.childStatus in the loop is reported');
    assert.deepEqual(
      viaMethod.related?.map((r) => r.startLine),
      [7],
    );
    assert.match(viaMethod.message, /runs a query \(`R\.findOne`/);
    // Two functions deep: beatSummary → lastBeat → R.findOne.
    assert.deepEqual(
      findings.find((f) => f.startLine === 44)?.related?.map((r) => r.startLine),
      [7],
    );
    // Two such calls in one loop: one finding, the query and the second call related.
    const grouped = findings.find((f) => f.startLine === 71);
    assert.deepEqual(
      grouped?.related?.map((r) => r.startLine),
      [7, 72],
    );
    assert.match(grouped.message, /So does 1 more call in the same loop \(`lastBeat`\)/);
  });

  it("reports a loop's queries once, at the first, with the others as related locations", async () => {
    const text = fs.readFileSync(path.join(DIR, 'beanQueries.js'), 'utf8');
    const finding = (await check('typescript/beanQueries.js', text)).find(
      (f) => f.ruleId === 'query-in-loop' && f.startLine === 31,
    );
    assert.deepEqual(
      finding?.related?.map((r) => r.startLine),
      [34, 35],
    );
    assert.match(finding.message, /So do 2 more calls in the same loop \(`R\.store`, `R\.exec`\)/);
  });

  it('reports fan-outs over one collection in one function once, and swallowed rejections of one function once', async () => {
    const fanOut = fs.readFileSync(path.join(DIR, 'fanOutShapes.ts'), 'utf8');
    const grouped = (await check('typescript/fanOutShapes.ts', fanOut)).find(
      (f) => f.ruleId === 'unbounded-concurrency' && f.startLine === 62,
    );
    assert.deepEqual(
      grouped?.related?.map((r) => r.startLine),
      [63, 64, 65],
    );
    assert.match(grouped.message, /3 more fan-outs over the same collection/);
    const jobs = fs.readFileSync(path.join(DIR, 'backgroundJobs.ts'), 'utf8');
    const swallowed = (await check('typescript/backgroundJobs.ts', jobs)).find(
      (f) => f.ruleId === 'silent-catch' && f.startLine === 68,
    );
    assert.deepEqual(
      swallowed?.related?.map((r) => r.startLine),
      [69, 71],
    );
    assert.match(swallowed.message, /2 more `\.catch\(\(\) => \{\}\)` in this function/);
  });

  it('judges a key reported where an option uses it by its literal: a generated-looking key in a test is kept, a chosen word is not', async () => {
    const text = (value: string) =>
      `const seed = '${value}';\nit('sets up 2fa', () => {\n  const code = totp.generate({ secret: seed });\n});\n`;
    assert.deepEqual(await hitsAs('test', 'test/twofa.test.js', text('Rk2Vq8Lz5Tx1Wm7Yb4Nc9Dh3Fj6Gp0Sa')), [
      '3 hardcoded-secret',
    ]);
    assert.deepEqual(await hitsAs('test', 'test/twofa.test.js', text('my-test-seed')), []);
    // Session 11: a seed in base32 capitals is a one-time-password seed, a test's own (juice-shop, securedrop).
    assert.deepEqual(await hitsAs('test', 'test/twofa.test.js', text('JBSWY3DPEHPK3PXP7QZ2MRYGI52TKJ4H')), []);
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
