import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Ajv from 'ajv-draft-04';
import Ajv7 from 'ajv';
import addFormats from 'ajv-formats';
import type * as Sarif from 'sarif';

const REPO_ROOT = resolve(__dirname, '../../..');
const SCRIPT = join(REPO_ROOT, 'scripts/ci/review-pr.mjs');
// The CLI from source, as the action runs dist/cli.js (the unit tests do not need a build).
const CLI = JSON.stringify([process.execPath, '-r', require.resolve('tsx/cjs'), join(REPO_ROOT, 'src/cli/main.ts')]);

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@e',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@e',
    },
  });
}

const base = [
  "import { db } from './db';",
  '',
  'export async function getOrder(id: string) {',
  '  const rows = await db.query("SELECT * FROM orders WHERE id = " + id);',
  '  return rows[0];',
  '}',
  '',
].join('\n');

/** An "origin" with main, and a clone on a pull request branch that adds one function. */
function pullRequest(added: string): string {
  const origin = mkdtempSync(join(tmpdir(), 'action-origin-'));
  git(origin, 'init', '-q', '-b', 'main');
  writeFileSync(join(origin, 'orders.ts'), base);
  git(origin, 'add', '-A');
  git(origin, 'commit', '-q', '-m', 'base');
  const work = mkdtempSync(join(tmpdir(), 'action-work-'));
  git(work, 'clone', '-q', origin, '.');
  git(work, 'checkout', '-q', '-b', 'feature');
  writeFileSync(join(work, 'orders.ts'), base + added);
  git(work, 'commit', '-q', '-am', 'feature');
  // Main moves on after the branch: the review must use the merge base, not main's tip.
  writeFileSync(join(origin, 'other.ts'), 'export async function x(u: string) {\n  return fetch(u);\n}\n');
  git(origin, 'add', '-A');
  git(origin, 'commit', '-q', '-m', 'later on main');
  git(work, 'fetch', '-q', 'origin');
  return work;
}

function runAction(cwd: string, inputs: Record<string, string>, withOutput = true) {
  const output = join(cwd, '..', `gh-output-${Date.now()}-${Math.random()}`);
  const run = spawnSync(process.execPath, [SCRIPT], {
    cwd,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      XDG_CACHE_HOME: join(cwd, '.cache'),
      BACKEND_REVIEW_CLI: CLI,
      GITHUB_BASE_REF: 'main',
      ...(withOutput ? { GITHUB_OUTPUT: output } : {}),
      ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase().replace(/-/g, '_')}`, v])),
    },
  });
  const outputs = existsSync(output)
    ? Object.fromEntries(
        readFileSync(output, 'utf8')
          .trim()
          .split('\n')
          .map((line) => line.split('=') as [string, string]),
      )
    : {};
  return { ...run, outputs };
}

describe('GitHub Action script (scripts/ci/review-pr.mjs)', function () {
  this.timeout(120000);
  const sarifSchema = JSON.parse(readFileSync(join(REPO_ROOT, 'test/fixtures/sarif-schema-2.1.0.json'), 'utf8'));
  const rdjsonSchema = JSON.parse(readFileSync(join(REPO_ROOT, 'test/fixtures/ci-formats/rdjson.schema.json'), 'utf8'));

  it('reviews only the pull request against its merge base; SARIF, rdjson and annotations; exit code as output', () => {
    const work = pullRequest(
      '\nexport async function findUser(name: string) {\n  return db.query("SELECT * FROM users WHERE name = \'" + name + "\'");\n}\n',
    );
    const run = runAction(work, { offline: 'true', 'fail-on': 'high', reviewdog: 'true' });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.outputs['exit-code'], '1', 'a critical finding is at or above high');
    const log = JSON.parse(readFileSync(join(work, run.outputs['sarif-file']), 'utf8')) as Sarif.Log;
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats(ajv);
    assert.ok(ajv.validate(sarifSchema, log), JSON.stringify(ajv.errors));
    const lines = (log.runs[0].results ?? []).map((r) => r.locations?.[0].physicalLocation?.region?.startLine);
    assert.deepEqual(lines, [9], "only the added function: not line 4 (unchanged), not main's later file");
    const rdjson = JSON.parse(readFileSync(join(work, run.outputs['rdjson-file']), 'utf8'));
    const ajv7 = new Ajv7({ strict: false });
    addFormats(ajv7);
    assert.ok(ajv7.validate(rdjsonSchema, rdjson), JSON.stringify(ajv7.errors));
    assert.match(run.stdout, /^::error file=orders\.ts,line=9,/m, 'annotation on the added line');
    assert.match(run.stderr, /review exited 1 \(findings at or above high\)/);
  });

  it('passes below the threshold, fetches a base the checkout lacks, and exits with the review code locally', () => {
    const work = pullRequest('\nexport async function ping(u: string) {\n  return fetch(u);\n}\n');
    git(work, 'update-ref', '-d', 'refs/remotes/origin/main');
    const run = runAction(work, { offline: 'true', 'fail-on': 'high', annotations: 'false' });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.outputs['exit-code'], '0', 'a medium finding is below high');
    assert.equal(run.stdout, '', 'no annotations when turned off');
    const strict = runAction(work, { offline: 'true', 'fail-on': 'medium', annotations: 'false' }, false);
    assert.equal(strict.status, 1, 'without GITHUB_OUTPUT the script exits with the review code');
  });

  it('fails closed: a bad input or a missing base is exit 2 with a message', () => {
    const work = pullRequest('\n');
    const bad = runAction(work, { offline: 'maybe' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /input offline must be true or false/);
    const missing = runAction(work, { offline: 'true', base: 'origin/no-such-branch' });
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /the base "origin\/no-such-branch" is not in the checkout and could not be fetched/);
    const usage = runAction(work, { offline: 'true', 'fail-on': 'severe' });
    assert.equal(usage.outputs['exit-code'], '2', 'a CLI usage error is reported as exit code 2, which fails the job');
  });
});
