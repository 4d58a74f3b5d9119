import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  OFFLINE_RULES,
  ruleHelpUri,
  runOfflineChecks,
  supportedLanguage,
  wasmFiles,
} from '../../../../src/core/offline';
import { applyFix, check, hits, hitsAs } from './helpers';

const risky = [
  'export async function load(url: string) {', // 1
  '  const a = await fetch(url);', // 2
  '  // backend-review-ignore http-no-timeout', // 3
  '  const b = await fetch(url);', // 4
  '  // backend-review-ignore silent-catch, sql-injection', // 5
  '  const c = await fetch(url);', // 6
  '  // backend-review-ignore', // 7
  '  const d = await fetch(url);', // 8
  '  return [a, b, c, d];', // 9
  '}', // 10
].join('\n');

describe('offline checks: engine', () => {
  it('fills every field of a finding', async () => {
    const [finding] = await check('src/a.ts', 'const x = 1;\nawait fetch(url);\n');
    assert.deepEqual(finding, {
      title: 'Outbound HTTP request without a timeout',
      severity: 'medium',
      category: 'reliability',
      startLine: 2,
      endLine: 2,
      startColumn: 7,
      endColumn: 17,
      quote: 'fetch(url)',
      message: finding.message,
      suggestion: finding.suggestion,
      fix: { startLine: 2, endLine: 2, replacement: 'await fetch(url, { signal: AbortSignal.timeout(10_000) });' },
      confidence: 1,
      file: 'src/a.ts',
      ruleId: 'http-no-timeout',
      origin: 'offline',
      role: 'production',
    });
    assert.match(finding.message, /timeout/);
    assert.match(finding.suggestion, /AbortSignal/);
  });

  it('counts columns in UTF-16 code units after non-ASCII text', async () => {
    const [finding] = await check('src/a.ts', 'const s = "héllo 👋"; await fetch(url);');
    assert.equal(finding.quote, 'fetch(url)');
    assert.equal(finding.startColumn, 'const s = "héllo 👋"; await '.length + 1);
  });

  it('honours suppression comments on the line above: one id, a list, or all', async () => {
    assert.deepEqual(await hits('src/a.ts', risky), ['2 http-no-timeout', '6 http-no-timeout']);
    assert.deepEqual(
      await hits(
        'app.py',
        '# backend-review-ignore http-no-timeout -- internal health check\nrequests.get(u)\nrequests.get(u)\n',
      ),
      ['3 http-no-timeout'],
    );
  });

  it('keeps only findings inside a selection', async () => {
    const findings = await runOfflineChecks(
      { path: 'src/a.ts', text: risky, range: { startLine: 5, endLine: 9 } },
      { mode: 'pragmatic' },
    );
    assert.deepEqual(
      findings.map((f) => f.startLine),
      [6],
    );
  });

  it('keeps only findings touching changed lines in a diff review', async () => {
    const findings = await runOfflineChecks(
      { path: 'src/a.ts', text: risky, changedLines: [1, 6, 9] },
      { mode: 'pragmatic' },
    );
    assert.deepEqual(
      findings.map((f) => f.startLine),
      [6],
    );
    assert.deepEqual(
      await runOfflineChecks({ path: 'src/a.ts', text: risky, changedLines: [] }, { mode: 'pragmatic' }),
      [],
    );
  });

  it('applies per-rule on/off and severity overrides', async () => {
    const text = 'await fetch(url);\ntry { x(); } catch {}\n';
    assert.deepEqual(
      await hits('a.ts', text, { mode: 'backendpe', rules: { 'http-no-timeout': { enabled: false } } }),
      ['2 silent-catch'],
    );
    // silent-catch reports in BackendPE only (five blind rounds: 2 of 125 wanted in an editor).
    assert.deepEqual(await hits('a.ts', text, { mode: 'pragmatic' }), ['1 http-no-timeout']);
    const [finding] = await check('a.ts', text, {
      mode: 'pragmatic',
      rules: { 'http-no-timeout': { severity: 'critical' } },
    });
    assert.equal(finding.severity, 'critical');
  });

  it('runs blocking-call-in-async for TS/JS only in BackendPE mode, and for Python in every mode', async () => {
    const js =
      "import { readFileSync } from 'node:fs';\nexport async function handler(path: string) {\n  return readFileSync(path, 'utf8');\n}\n";
    assert.deepEqual(await hits('src/files.ts', js, { mode: 'pragmatic' }), []);
    assert.deepEqual(await hits('src/files.ts', js, { mode: 'backendpe' }), ['3 blocking-call-in-async']);
    const py = 'import time\n\n\nasync def poll():\n    time.sleep(5)\n';
    assert.deepEqual(await hits('app/poll.py', py, { mode: 'pragmatic' }), ['5 blocking-call-in-async']);
    assert.deepEqual(await hits('app/poll.py', py, { mode: 'backendpe' }), ['5 blocking-call-in-async']);
  });

  it('runs explicit-any only in BackendPE mode', async () => {
    const text = 'export function f(x: any): any[] { return <any>x; }';
    assert.deepEqual(await hits('a.ts', text, { mode: 'pragmatic' }), []);
    assert.deepEqual(await hits('a.ts', text, { mode: 'backendpe' }), [
      '1 explicit-any',
      '1 explicit-any',
      '1 explicit-any',
    ]);
  });

  it('returns [] for languages it does not cover', async () => {
    assert.deepEqual(await check('README.md', 'fetch(url)'), []);
    assert.deepEqual(await check('main.rs', 'fn main() {}'), []);
  });

  it('still reports from the parts of a broken file that parse, and never throws', async () => {
    const broken = 'export function ok() {\n  return fetch(url);\n}\nfunction broken( {\n  const x = ;\n';
    assert.deepEqual(await hits('a.ts', broken), ['2 http-no-timeout']);
    assert.deepEqual(await hits('a.py', 'def f(:\n    pass\n\nrequests.get(u)\n'), ['4 http-no-timeout']);
    const binaryish = String.fromCharCode(
      ...Array.from({ length: 2000 }, (_, i) => (i * 7919) % 65536).filter((c) => c < 0xd800 || c > 0xdfff),
    );
    for (const path of ['a.ts', 'a.py', 'a.go', 'a.tsx', 'a.js'])
      assert.ok(Array.isArray(await check(path, binaryish)));
  });

  it('follows generated code with 20,000-term concatenations and deep nesting without overflowing the stack', async () => {
    const terms = Array.from({ length: 20_000 }, (_, i) => `x${i}`).join(' + ');
    // Lines this long read as minified code (vendored), where the rule would not report: the role is given.
    const hits = (path: string, text: string) => hitsAs('production', path, text);
    assert.deepEqual(await hits('a.ts', `db.query("SELECT * FROM t WHERE a = " + ${terms});`), ['1 sql-injection']);
    assert.deepEqual(await hits('a.py', `cursor.execute("SELECT * FROM t WHERE a = " + ${terms})`), [
      '1 sql-injection',
    ]);
    assert.deepEqual(
      await hits('a.go', `package m\nfunc f() {\n\tdb.Query("SELECT * FROM t WHERE a = " + ${terms})\n}`),
      ['3 sql-injection'],
    );
    assert.deepEqual(await hits('a.ts', `const x = ${'['.repeat(5000)}${']'.repeat(5000)};\nfetch(u);`), [
      '2 http-no-timeout',
    ]);
  });

  it('handles CRLF line endings: same lines, fixes without a stray carriage return', async () => {
    const text = 'import requests\r\nr = requests.get(u)\r\nprint(r)\r\n';
    const [finding] = await check('a.py', text);
    assert.equal(finding.startLine, 2);
    assert.deepEqual(finding.fix, { startLine: 2, endLine: 2, replacement: 'r = requests.get(u, timeout=10)' });
  });

  it('knows which languages it covers', () => {
    assert.equal(supportedLanguage('typescriptreact'), 'tsx');
    assert.equal(supportedLanguage('src/app.tsx'), 'tsx');
    assert.equal(supportedLanguage('lib/x.mjs'), 'javascript');
    assert.equal(supportedLanguage('python'), 'python');
    assert.equal(supportedLanguage('cmd/main.go'), 'go');
    assert.equal(supportedLanguage('rust'), undefined);
    assert.equal(supportedLanguage('dir.v2/Makefile'), undefined);
  });

  it('describes every rule with a help page and a stable link', () => {
    assert.equal(OFFLINE_RULES.length, 13);
    for (const rule of OFFLINE_RULES) {
      assert.match(rule.helpText, new RegExp(`^# ${rule.id}:`));
      assert.match(rule.helpText, /## Why it hurts in production/);
      assert.match(rule.helpText, /## How to fix/);
      assert.equal(ruleHelpUri(rule.id), `docs/rules/${rule.id}.md`);
    }
  });
});

describe('offline checks: quick fixes', () => {
  const cases: Array<{ path: string; before: string; after: string }> = [
    {
      path: 'a.ts',
      before: 'const r = await fetch(url);',
      after: 'const r = await fetch(url, { signal: AbortSignal.timeout(10_000) });',
    },
    {
      path: 'a.ts',
      before: 'const r = await fetch(url, {});',
      after: 'const r = await fetch(url, { signal: AbortSignal.timeout(10_000) });',
    },
    {
      path: 'a.ts',
      before: 'const r = await fetch(url, {\n  method: "POST",\n});',
      after: 'const r = await fetch(url, { signal: AbortSignal.timeout(10_000),\n  method: "POST",\n});',
    },
    { path: 'a.ts', before: 'await axios.post(u, body);', after: 'await axios.post(u, body, { timeout: 10_000 });' },
    { path: 'a.py', before: 'r = requests.get(u, params=p)', after: 'r = requests.get(u, params=p, timeout=10)' },
    { path: 'a.py', before: 'r = requests.get(\n    u,\n)', after: 'r = requests.get(\n    u, timeout=10\n)' },
    { path: 'a.py', before: 'r = requests.get(u, verify=False, timeout=3)', after: 'r = requests.get(u, timeout=3)' },
    { path: 'a.py', before: 'r = requests.get(u, timeout=3, verify=False)', after: 'r = requests.get(u, timeout=3)' },
    {
      path: 'a.go',
      before: 'package m\n\nimport (\n\t"net/http"\n\t"time"\n)\n\nvar c = &http.Client{}',
      after: 'package m\n\nimport (\n\t"net/http"\n\t"time"\n)\n\nvar c = &http.Client{Timeout: 10 * time.Second}',
    },
    {
      path: 'a.go',
      before: 'package m\n\nimport (\n\t"net/http"\n\t"time"\n)\n\nvar c = &http.Client{Transport: t}',
      after:
        'package m\n\nimport (\n\t"net/http"\n\t"time"\n)\n\nvar c = &http.Client{Timeout: 10 * time.Second, Transport: t}',
    },
  ];
  for (const c of cases) {
    it(`${c.path}: ${c.before.split('\n').pop()}`, async () => {
      const findings = (await check(c.path, c.before)).filter((f) => f.fix);
      assert.equal(findings.length, 1, `one fixable finding in ${c.before}`);
      const fixed = applyFix(c.before, findings[0].fix!);
      assert.equal(fixed, c.after);
      const remaining = (await check(c.path, fixed)).filter((f) => f.ruleId === findings[0].ruleId);
      assert.deepEqual(remaining, [], 'the fix removes the finding');
    });
  }

  it('offers no Timeout fix when the Go file does not import time (it would not compile)', async () => {
    const [finding] = await check('a.go', 'package m\n\nimport "net/http"\n\nvar c = &http.Client{}');
    assert.equal(finding.ruleId, 'http-no-timeout');
    assert.equal(finding.fix, null);
  });
});

describe('offline checks: grammar files', () => {
  it('scripts/build.mjs copies exactly the .wasm files the loader needs into dist/grammars', () => {
    const build = fs.readFileSync(path.join(__dirname, '../../../../scripts/build.mjs'), 'utf8');
    const listed = /const GRAMMAR_WASM = \[([^\]]*)\]/
      .exec(build)?.[1]
      .match(/'[^']+'/g)
      ?.map((name) => name.slice(1, -1));
    assert.deepEqual(listed?.sort(), wasmFiles().sort());
  });
});
