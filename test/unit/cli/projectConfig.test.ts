import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runCliCaptured, type CliRun } from '../../support/runCliCaptured';
import { findingsAnswer, modelFinding, startModelServer } from '../../support/modelServer';

// Assembled at run time so the repository holds no credential-shaped literal.
const FAKE_GITHUB_TOKEN = 'ghp_' + 'R7bXk2eC39HqLyjWDarjtT1zdp7dcQ7bXk2a';
const SERVICE_PY = [
  'import requests',
  `API_TOKEN = '${FAKE_GITHUB_TOKEN}'`,
  'def load(u):',
  '    return requests.get(u)',
  '',
].join('\n');

function project(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'review-project-'));
  mkdirSync(join(root, '.git'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

interface JsonReport {
  findings: Array<{ file: string; ruleId: string; severity: string; role?: string; origin: string }>;
  files: Array<{ path: string; role: string }>;
}

async function reviewJson(args: string[], cwd: string): Promise<{ run: CliRun; report: JsonReport }> {
  const run = await runCliCaptured(['review', ...args, '--offline', '--format', 'json'], { cwd, env: {}, tty: false });
  assert.equal(run.code, 0, run.stderr);
  return { run, report: JSON.parse(run.stdout) as JsonReport };
}

// Sorted: the report orders findings by severity, these tests are about which ones are there.
const summary = (report: JsonReport): string[] =>
  report.findings.map((f) => `${f.file} ${f.ruleId} ${f.severity} ${f.role}`).sort();

describe('review command: file roles and the project configuration file', function () {
  this.timeout(30_000);

  it('lists every file with its role, and keeps production-risk rules out of tests unless --include-tests', async () => {
    const root = project({
      'app/load.py': SERVICE_PY,
      'tests/test_load.py': SERVICE_PY,
      'scripts/sync.py': SERVICE_PY,
    });
    const { report } = await reviewJson(['.'], root);
    assert.deepEqual(report.files, [
      { path: 'app/load.py', role: 'production' },
      { path: 'scripts/sync.py', role: 'script' },
      { path: 'tests/test_load.py', role: 'test' },
    ]);
    assert.deepEqual(summary(report), [
      'app/load.py hardcoded-secret high production',
      'app/load.py http-no-timeout medium production',
      'scripts/sync.py hardcoded-secret high script',
      'scripts/sync.py http-no-timeout medium script',
      'tests/test_load.py hardcoded-secret high test',
    ]);
    const included = await reviewJson(['.', '--include-tests'], root);
    assert.ok(summary(included.report).includes('tests/test_load.py http-no-timeout medium test'));
  });

  it('puts the role in SARIF results', async () => {
    const root = project({ 'tests/test_load.py': SERVICE_PY });
    const run = await runCliCaptured(['review', '.', '--offline', '--format', 'sarif'], {
      cwd: root,
      env: {},
      tty: false,
    });
    const results = JSON.parse(run.stdout).runs[0].results as Array<{ ruleId: string; properties: { role: string } }>;
    assert.deepEqual(
      results.map((r) => `${r.ruleId} ${r.properties.role}`),
      ['hardcoded-secret test'],
    );
  });

  it('reads the nearest .backend-review.json up to the repository root; --rule and --exclude add to it', async () => {
    const root = project({
      'svc/app/load.py': SERVICE_PY,
      'svc/legacy/old.py': SERVICE_PY,
      'svc/qa/check_load.py': SERVICE_PY,
      '.backend-review.json': JSON.stringify({
        exclude: ['legacy'],
        rules: { 'hardcoded-secret': 'low' },
        rolePatterns: { test: ['**/qa/**'] },
        roles: { test: { rules: { 'http-no-timeout': 'info', 'hardcoded-secret': 'off' } } },
      }),
    });
    const { run, report } = await reviewJson(['.'], join(root, 'svc'));
    assert.match(run.stderr, /1 file left out by \.\.\/\.backend-review\.json\./);
    assert.deepEqual(summary(report), [
      'app/load.py hardcoded-secret low production',
      'app/load.py http-no-timeout medium production',
      'qa/check_load.py http-no-timeout info test',
    ]);
    const flags = await reviewJson(['svc', '--rule', 'http-no-timeout=off', '--exclude', 'svc/qa/**'], root);
    assert.match(flags.run.stderr, /2 files left out by \.backend-review\.json and --exclude\./);
    assert.deepEqual(summary(flags.report), ['svc/app/load.py hardcoded-secret low production']);
  });

  it('--config FILE is read instead; include limits the review', async () => {
    const root = project({
      'app/load.py': SERVICE_PY,
      'tools/x.py': SERVICE_PY,
      '.backend-review.json': JSON.stringify({ rules: { 'http-no-timeout': 'off' } }),
      'ci/review.json': JSON.stringify({ include: ['app/**'] }),
    });
    const { report } = await reviewJson(['.', '--config', 'ci/review.json'], root);
    assert.deepEqual(summary(report), [
      'app/load.py hardcoded-secret high production',
      'app/load.py http-no-timeout medium production',
    ]);
  });

  it('a broken configuration file is a usage error (exit 2) naming the file and the field', async () => {
    const root = project({
      'app/load.py': SERVICE_PY,
      '.backend-review.json': JSON.stringify({ exclude: 'legacy', rules: { 'http-no-timeout': 'loud' } }),
    });
    const run = await runCliCaptured(['review', '.', '--offline'], { cwd: root, env: {}, tty: false });
    assert.equal(run.code, 2);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /the project configuration has 2 errors:/);
    assert.match(run.stderr, /\.backend-review\.json: exclude: .*array/);
    assert.match(run.stderr, /\.backend-review\.json: rules\.http-no-timeout: .*expected one of/);
    const missing = await runCliCaptured(['review', '.', '--offline', '--config', 'nope.json'], {
      cwd: root,
      env: {},
      tty: false,
    });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--config nope\.json: no such file/);
    const emptyGlob = await runCliCaptured(['review', '.', '--offline', '--exclude', ' '], {
      cwd: root,
      env: {},
      tty: false,
    });
    assert.equal(emptyGlob.code, 2);
    assert.match(emptyGlob.stderr, /--exclude needs a glob/);
  });

  it('model findings carry their file’s role too', async () => {
    const server = await startModelServer({
      handler: () =>
        findingsAnswer([modelFinding({ title: 'no timeout', startLine: 4, endLine: 4, quote: 'requests.get(u)' })]),
    });
    try {
      const root = project({ 'tests/test_load.py': SERVICE_PY });
      const cache = mkdtempSync(join(tmpdir(), 'review-cache-'));
      const run = await runCliCaptured(['review', '.', '--format', 'json', '--no-cache'], {
        cwd: root,
        env: { BACKEND_REVIEW_MODEL: 'test-model', OPENAI_BASE_URL: server.url, XDG_CACHE_HOME: cache },
        tty: false,
      });
      assert.equal(run.code, 0, run.stderr);
      const report = JSON.parse(run.stdout) as JsonReport;
      assert.deepEqual(report.findings.map((f) => `${f.origin} ${f.role}`).sort(), ['model test', 'offline test']);
    } finally {
      await server.close();
    }
  });

  it("gives a library's release folder the vendored role, and one of its modules over the cap leaves the review complete", async () => {
    const release = 'public/plugins/viewer-5.2.133';
    const root = project({
      'app/load.py': SERVICE_PY,
      // The same module in a copied release of a library, and another of its modules over the size cap.
      [`${release}/tools/load.py`]: SERVICE_PY,
      [`${release}/web/viewer.mjs`]: 'export const page = 1;\n'.repeat(Math.ceil((600 * 1024) / 23)),
      // Near-miss: a folder whose version has no library's name is the project's own.
      'app/v1.2.0/load.py': SERVICE_PY,
    });
    const run = await runCliCaptured(['review', '.', '--offline', '--format', 'json', '--fail-on', 'high'], {
      cwd: root,
      env: {},
      tty: false,
    });
    const report = JSON.parse(run.stdout) as JsonReport & { complete: boolean };
    assert.deepEqual(report.files, [
      { path: 'app/load.py', role: 'production' },
      { path: 'app/v1.2.0/load.py', role: 'production' },
      { path: `${release}/tools/load.py`, role: 'vendored' },
    ]);
    // The credential is reported anywhere; the missing timeout only in the project's own code.
    assert.deepEqual(summary(report), [
      'app/load.py hardcoded-secret high production',
      'app/load.py http-no-timeout medium production',
      'app/v1.2.0/load.py hardcoded-secret high production',
      'app/v1.2.0/load.py http-no-timeout medium production',
      `${release}/tools/load.py hardcoded-secret high vendored`,
    ]);
    assert.equal(report.complete, true, run.stderr);
    assert.doesNotMatch(run.stderr, /incomplete/);
  });

  it('a package.json that cannot be read makes the review incomplete, naming it; the files are still checked', async () => {
    const root = project({ 'app/load.py': SERVICE_PY });
    symlinkSync('loop-b', join(root, 'loop-a'));
    symlinkSync('loop-a', join(root, 'loop-b'));
    symlinkSync('../loop-a', join(root, 'app/package.json'));
    const run = await runCliCaptured(['review', '.', '--offline', '--format', 'json', '--fail-on', 'high'], {
      cwd: root,
      env: {},
      tty: false,
    });
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /incomplete.*app\/package\.json: symlink loop/);
    const report = JSON.parse(run.stdout) as JsonReport & {
      skipped: Array<{ file: string; reason: string; failed?: boolean }>;
    };
    assert.deepEqual(summary(report), [
      'app/load.py hardcoded-secret high production',
      'app/load.py http-no-timeout medium production',
    ]);
    const named = report.skipped.filter((part) => part.failed === true);
    assert.deepEqual(
      named.map((part) => part.file),
      ['app/package.json'],
    );
    assert.match(named[0].reason, /^symlink loop: .*decided without it$/);
  });
});
