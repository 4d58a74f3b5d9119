import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { backendSource } from '../../../../bench/generate';
import { runOfflineChecks } from '../../../../src/core/offline';
import { OfflineRunner } from '../../../../src/core/offline/runner';

const WORKER = join(__dirname, '../../../../src/core/offline/worker.ts');
const OFFLINE_INDEX = join(__dirname, '../../../../src/core/offline/index.ts');
const EXEC_ARGV = ['--require', 'tsx/cjs'];
const CONFIG = { mode: 'backendpe' as const };

/**
 * A worker script for the tests: answers like the real one (from the TypeScript sources), running
 * `beforeReply` (to log the job) and `afterReply` (to stop) around its answer, or answers every job
 * with an error instead.
 */
function stubWorker(dir: string, behaviour: { beforeReply?: string; afterReply?: string; fail?: string }): string {
  const file = join(dir, `worker-${Math.random().toString(36).slice(2)}.js`);
  fs.writeFileSync(
    file,
    `
const { parentPort } = require('node:worker_threads');
const { runOfflineCheckPart, wholeFilePart } = require(${JSON.stringify(OFFLINE_INDEX)});
parentPort.on('message', async (job) => {
  ${behaviour.fail ? `parentPort.postMessage({ id: job.id, error: ${JSON.stringify(behaviour.fail)} }); return;` : ''}
  const result = await runOfflineCheckPart(job.unit, job.config, job.part ?? wholeFilePart(job.unit.text));
  ${behaviour.beforeReply ?? ''}
  parentPort.postMessage({ id: job.id, ...result });
  ${behaviour.afterReply ?? ''}
});
`,
  );
  return file;
}

describe('core/offline/runner', function () {
  this.timeout(60_000);
  const runners: OfflineRunner[] = [];
  let dir: string;
  const runner = (
    options: Partial<ConstructorParameters<typeof OfflineRunner>[0]> & { warnings?: string[] },
  ): OfflineRunner => {
    const created = new OfflineRunner({
      workerFile: WORKER,
      threads: 2,
      execArgv: EXEC_ARGV,
      // These tests are about the worker threads: every check is a fresh one unless a test keeps trees.
      keepTrees: false,
      warn: (message) => options.warnings?.push(message),
      ...options,
    });
    runners.push(created);
    return created;
  };
  const large = (seed: number): { path: string; text: string } => ({
    path: 'src/orders.ts',
    text: backendSource('typescript', 6_000, seed),
  });
  beforeEach(() => {
    dir = fs.mkdtempSync(join(os.tmpdir(), 'offline-runner-'));
  });
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((created) => created.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('checks small files inline and large ones on worker threads, with the same findings', async () => {
    const offline = runner({});
    const small = { path: 'src/a.ts', text: 'await fetch(url);\n' };
    const unit = large(5);
    assert.equal(offline.splits(small), false);
    assert.equal(offline.splits(unit), true);
    assert.deepEqual(await offline.check(small, CONFIG), await runOfflineChecks(small, CONFIG));
    assert.equal(offline.workersRunning, false, 'a small file starts no workers');
    assert.deepEqual(await offline.check(unit, CONFIG), await runOfflineChecks(unit, CONFIG));
    assert.equal(offline.workersRunning, true);
  });

  it('checks everything inline with one thread or without the worker script', () => {
    const unit = large(6);
    assert.equal(runner({ threads: 1 }).splits(unit), false);
    assert.equal(runner({ workerFile: join(dir, 'no-such-worker.js') }).splits(unit), false);
  });

  it('warns, naming the file, and checks inline when the workers fail to load; after two failures in a row it stays inline', async () => {
    const broken = join(dir, 'broken-worker.js');
    fs.writeFileSync(broken, "throw new Error('worker could not load its grammars');\n");
    const warnings: string[] = [];
    const offline = runner({ workerFile: broken, execArgv: [], warnings });
    const unit = large(7);
    const inline = await runOfflineChecks(unit, CONFIG);
    assert.deepEqual(await offline.check(unit, CONFIG), inline);
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0],
      /^Offline checks on worker threads failed, checking src\/orders\.ts on the main thread instead: src\/orders\.ts: the offline checks worker failed: worker could not load its grammars/,
    );
    assert.equal(offline.workersRunning, false, 'the broken pool is dropped');
    assert.deepEqual(await offline.check(unit, CONFIG), inline);
    assert.equal(warnings.length, 2);
    assert.match(
      warnings[1],
      /^Offline checks run on the main thread from now on: the worker threads failed twice in a row: /,
    );
    assert.equal(offline.splits(unit), false);
    assert.deepEqual(await offline.check(unit, CONFIG), inline);
    assert.equal(warnings.length, 2, 'no more warnings');
  });

  it('warns once and checks inline from then on when the workers cannot even start (bad options)', async () => {
    const warnings: string[] = [];
    const offline = runner({ execArgv: ['--no-such-node-flag'], warnings });
    const unit = large(10);
    assert.deepEqual(await offline.check(unit, CONFIG), await runOfflineChecks(unit, CONFIG));
    assert.equal(offline.splits(unit), false);
    assert.deepEqual(await offline.check(unit, CONFIG), await runOfflineChecks(unit, CONFIG));
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0],
      /^Offline checks run on the main thread from now on: the offline checks worker threads could not start: /,
    );
  });

  it('replaces a pool whose worker stopped between checks, without a warning', async () => {
    const warnings: string[] = [];
    const offline = runner({
      workerFile: stubWorker(dir, { afterReply: 'setTimeout(() => process.exit(3), 20);' }),
      execArgv: EXEC_ARGV,
      warnings,
    });
    const unit = large(11);
    const inline = await runOfflineChecks(unit, CONFIG);
    assert.deepEqual(await offline.check(unit, CONFIG), inline);
    await new Promise((resolve) => setTimeout(resolve, 300)); // both workers have exited
    assert.deepEqual(await offline.check(unit, CONFIG), inline);
    assert.deepEqual(warnings, []);
  });

  it('lets a check finish on a pool that another check replaced because one of its workers stopped', async () => {
    const warnings: string[] = [];
    // The worker that gets the first part answers and stops; the other answers the second part late.
    const stopped = join(dir, 'stopped');
    const workerFile = stubWorker(dir, {
      beforeReply: `if (job.part.own.start > 0 && !require('node:fs').existsSync(${JSON.stringify(stopped)})) await new Promise((resolve) => setTimeout(resolve, 1_500));`,
      afterReply: `if (job.part.own.start === 0) process.exit(3);`,
    });
    const offline = runner({ workerFile, execArgv: EXEC_ARGV, warnings });
    const first = large(15);
    const second = { ...large(16), path: 'src/other.ts' };
    const firstCheck = offline.check(first, CONFIG);
    // Wait until the first part is answered and its worker is gone, while the second part still runs.
    const api = offline as unknown as { pool?: { healthy: boolean } };
    for (let waited = 0; api.pool?.healthy !== false; waited += 20) {
      assert.ok(waited < 10_000, 'the stub worker never stopped');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    fs.writeFileSync(stopped, '');
    const secondCheck = offline.check(second, CONFIG);
    assert.deepEqual(await firstCheck, await runOfflineChecks(first, CONFIG));
    assert.deepEqual(await secondCheck, await runOfflineChecks(second, CONFIG));
    assert.deepEqual(warnings, []);
  });

  it('passes on an error of the check itself, without blaming or dropping the workers', async () => {
    const warnings: string[] = [];
    const offline = runner({
      workerFile: stubWorker(dir, { fail: 'a rule failed on this file' }),
      execArgv: EXEC_ARGV,
      warnings,
    });
    await assert.rejects(offline.check(large(12), CONFIG), /^Error: src\/orders\.ts: a rule failed on this file$/);
    assert.deepEqual(warnings, []);
    assert.equal(offline.workersRunning, true);
  });

  it('checks a file that fell back to a whole-file check whole next time, and splits it again once it parses', async () => {
    const log = join(dir, 'jobs.log');
    const offline = runner({
      workerFile: stubWorker(dir, {
        beforeReply: `require('node:fs').appendFileSync(${JSON.stringify(log)}, (job.part.included.length > 0 ? 'part' : 'whole') + '\\n');`,
      }),
      execArgv: EXEC_ARGV,
    });
    const clean = large(13);
    const lines = clean.text.split('\n');
    lines[4_800] += ' )(';
    const broken = { path: clean.path, text: lines.join('\n') };
    const jobs = (): string[] => fs.readFileSync(log, 'utf8').trim().split('\n').sort();
    assert.deepEqual(await offline.check(broken, CONFIG), await runOfflineChecks(broken, CONFIG));
    assert.deepEqual(jobs(), ['part', 'part', 'whole']);
    fs.writeFileSync(log, '');
    await offline.check(broken, CONFIG);
    assert.deepEqual(jobs(), ['whole'], 'no parts for a file known not to split');
    fs.writeFileSync(log, '');
    await offline.check(clean, CONFIG);
    assert.deepEqual(jobs(), ['whole'], 'the fixed file is checked whole once more, and parses');
    fs.writeFileSync(log, '');
    assert.deepEqual(await offline.check(clean, CONFIG), await runOfflineChecks(clean, CONFIG));
    assert.deepEqual(jobs(), ['part', 'part']);
  });

  it('runs checks inline after close, quietly finishing one that was running', async () => {
    const warnings: string[] = [];
    const offline = runner({ warnings });
    const unit = large(14);
    const running = offline.check(unit, CONFIG);
    await offline.close();
    assert.deepEqual(await running, await runOfflineChecks(unit, CONFIG));
    assert.deepEqual(await offline.check(unit, CONFIG), await runOfflineChecks(unit, CONFIG));
    assert.equal(offline.workersRunning, false, 'no workers start after close');
    assert.deepEqual(warnings, []);
  });

  it("keeps a document's tree after its first check (in parts) and re-checks an edit with the same findings", async () => {
    const log = join(dir, 'jobs.log');
    const offline = runner({
      keepTrees: true,
      workerFile: stubWorker(dir, {
        beforeReply: `require('node:fs').appendFileSync(${JSON.stringify(log)}, 'job\\n');`,
      }),
    });
    const unit = large(17);
    assert.deepEqual(await offline.check(unit, CONFIG), await runOfflineChecks(unit, CONFIG));
    assert.equal(fs.readFileSync(log, 'utf8'), 'job\njob\n', 'the first check runs in two parts on the workers');
    assert.equal(offline.keptTrees, 1);
    const lines = unit.text.split('\n');
    lines.splice(3_000, 0, '  await fetch(url);');
    const edited = { ...unit, text: lines.join('\n') };
    assert.deepEqual(await offline.check(edited, CONFIG), await runOfflineChecks(edited, CONFIG));
    assert.equal(fs.readFileSync(log, 'utf8'), 'job\njob\n', 'the re-check uses the kept tree, not the workers');
    const small = { path: 'src/small.ts', text: 'export async function f(url: string) {\n  return fetch(url);\n}\n' };
    assert.deepEqual(await offline.check(small, CONFIG), await runOfflineChecks(small, CONFIG));
    assert.equal(offline.keptTrees, 2);
    offline.forget(unit.path);
    offline.forget(small.path);
    assert.equal(offline.keptTrees, 0);
  });

  it('stops idle workers and starts them again for the next large file', async () => {
    const offline = runner({ idleMs: 50 });
    const unit = large(8);
    await offline.check(unit, CONFIG);
    assert.equal(offline.workersRunning, true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(offline.workersRunning, false);
    assert.deepEqual(await offline.check(unit, CONFIG), await runOfflineChecks(unit, CONFIG));
    assert.equal(offline.workersRunning, true);
  });
});
