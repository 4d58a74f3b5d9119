#!/usr/bin/env node
// The GitHub Action's review step (action.yml runs it; test/unit/ci/reviewPr.test.ts runs it end to end).
// Reviews the pull request's changes against the merge base with its base branch, writes SARIF (for
// code scanning), optionally rdjson (for reviewdog) and annotations (workflow commands), and reports
// the review's exit code as the step output `exit-code` so the upload steps still run before the job
// fails. Any failure of its own exits non-zero: CI never passes because the review did not run.
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const env = process.env;
const input = (name, fallback = '') => {
  const value = env[`INPUT_${name.toUpperCase().replace(/-/g, '_')}`];
  return value === undefined || value.trim() === '' ? fallback : value.trim();
};
const flag = (name, fallback) => {
  const value = input(name, String(fallback)).toLowerCase();
  if (value !== 'true' && value !== 'false') fail(`input ${name} must be true or false, not "${value}"`);
  return value === 'true';
};

function fail(message) {
  process.stderr.write(`backend-review action: ${message}\n`);
  process.exit(2);
}

function git(args) {
  return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

function hasCommit(ref) {
  return spawnSync('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { stdio: 'ignore' }).status === 0;
}

/** The merge base of HEAD with the pull request's base branch (fetched if the checkout lacks it). */
function mergeBase() {
  const baseRef = input('base', env.GITHUB_BASE_REF ? `origin/${env.GITHUB_BASE_REF}` : '');
  if (baseRef === '') return undefined;
  if (!hasCommit(baseRef)) {
    const branch = baseRef.replace(/^origin\//, '');
    const fetched = spawnSync(
      'git',
      ['fetch', '--no-tags', 'origin', `+refs/heads/${branch}:refs/remotes/origin/${branch}`],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    if (fetched.status !== 0 || !hasCommit(baseRef))
      fail(`the base "${baseRef}" is not in the checkout and could not be fetched`);
  }
  try {
    return git(['merge-base', baseRef, 'HEAD']);
  } catch {
    fail(`no merge base between ${baseRef} and HEAD: check out with fetch-depth: 0 (actions/checkout)`);
  }
}

const actionRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// BACKEND_REVIEW_CLI: the command that runs the CLI, as a JSON array (the tests run it from source).
const cli = env.BACKEND_REVIEW_CLI
  ? JSON.parse(env.BACKEND_REVIEW_CLI)
  : [process.execPath, path.join(actionRoot, 'dist/cli.js')];

const failOn = input('fail-on', 'high');
const sarif = input('sarif-file', 'backend-review.sarif');
const rdjson = flag('reviewdog', false) ? input('rdjson-file', 'backend-review.rdjson') : '';
const annotations = flag('annotations', true);
const extra = input('args').split(/\s+/).filter(Boolean);
if (flag('offline', false)) extra.push('--offline');

const base = mergeBase();
const what = base ? ['--diff', base] : input('paths', '.').split(/\s+/).filter(Boolean);

function review(args, options = {}) {
  const run = spawnSync(cli[0], [...cli.slice(1), 'review', ...what, ...extra, ...args], {
    stdio: ['ignore', options.stdout ?? 'inherit', 'inherit'],
    encoding: 'utf8',
    env,
  });
  if (run.error) fail(`could not run the CLI (${run.error.message})`);
  return run;
}

// The first run decides the exit code; the others are answered from the review cache.
const main = review(['--format', 'sarif', '--output', sarif, '--fail-on', failOn]);
const code = main.status ?? 2;
if (code === 0 || code === 1) {
  if (rdjson) {
    const run = review(['--format', 'rdjson', '--output', rdjson]);
    if (run.status !== 0) fail(`the rdjson run exited ${run.status}`);
  }
  if (annotations) {
    const run = review(['--format', 'github'], { stdout: 'pipe' });
    if (run.status !== 0) fail(`the annotations run exited ${run.status}`);
    process.stdout.write(run.stdout);
  }
}
if (env.GITHUB_OUTPUT) {
  appendFileSync(
    env.GITHUB_OUTPUT,
    `exit-code=${code}\nsarif-file=${sarif}\n${rdjson ? `rdjson-file=${rdjson}\n` : ''}`,
  );
}
process.stderr.write(
  `backend-review action: review exited ${code} (${code === 0 ? 'no finding at or above ' + failOn : code === 1 ? 'findings at or above ' + failOn : 'the review failed'})\n`,
);
// Without GITHUB_OUTPUT (a local run) the exit code is the review's own.
process.exit(env.GITHUB_OUTPUT ? 0 : code);
