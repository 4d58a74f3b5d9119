import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { backendSource } from '../../../../bench/generate';
import { runOfflineChecks } from '../../../../src/core/offline';
import { OfflineRunner } from '../../../../src/core/offline/runner';

const WORKER = join(__dirname, '../../../../src/core/offline/worker.ts');
const EXEC_ARGV = ['--require', 'tsx/cjs'];
const CONFIG = { mode: 'backendpe' as const };

describe('core/offline/runner', function () {
  this.timeout(60_000);
  const runners: OfflineRunner[] = [];
  const runner = (options: Partial<ConstructorParameters<typeof OfflineRunner>[0]> & { warnings?: string[] }): OfflineRunner => {
    const created = new OfflineRunner({ workerFile: WORKER, threads: 2, execArgv: EXEC_ARGV, warn: (message) => options.warnings?.push(message), ...options });
    runners.push(created);
    return created;
  };
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((created) => created.close()));
  });

  it('checks small files inline and large ones on worker threads, with the same findings', async () => {
    const offline = runner({});
    const small = { path: 'src/a.ts', text: 'await fetch(url);\n' };
    const large = { path: 'src/orders.ts', text: backendSource('typescript', 6_000, 5) };
    assert.equal(offline.splits(small), false);
    assert.equal(offline.splits(large), true);
    assert.deepEqual(await offline.check(small, CONFIG), await runOfflineChecks(small, CONFIG));
    assert.equal(offline.workersRunning, false, 'a small file starts no workers');
    assert.deepEqual(await offline.check(large, CONFIG), await runOfflineChecks(large, CONFIG));
    assert.equal(offline.workersRunning, true);
  });

  it('checks everything inline with one thread or without the worker script', () => {
    const large = { path: 'src/orders.ts', text: backendSource('typescript', 6_000, 6) };
    assert.equal(runner({ threads: 1 }).splits(large), false);
    assert.equal(runner({ workerFile: join(__dirname, 'no-such-worker.js') }).splits(large), false);
  });

  it('warns, naming the file, and checks inline when the workers fail', async () => {
    const dir = fs.mkdtempSync(join(os.tmpdir(), 'offline-runner-'));
    const broken = join(dir, 'broken-worker.js');
    fs.writeFileSync(broken, "throw new Error('worker could not load its grammars');\n");
    const warnings: string[] = [];
    const offline = runner({ workerFile: broken, execArgv: [], warnings });
    const large = { path: 'src/orders.ts', text: backendSource('typescript', 6_000, 7) };
    const findings = await offline.check(large, CONFIG);
    assert.deepEqual(findings, await runOfflineChecks(large, CONFIG));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /^Offline checks on worker threads failed, checking src\/orders\.ts on the main thread instead: src\/orders\.ts: the offline checks worker failed: worker could not load its grammars/);
    assert.equal(offline.workersRunning, false, 'the broken pool is dropped');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stops idle workers and starts them again for the next large file', async () => {
    const offline = runner({ idleMs: 50 });
    const large = { path: 'src/orders.ts', text: backendSource('typescript', 6_000, 8) };
    await offline.check(large, CONFIG);
    assert.equal(offline.workersRunning, true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(offline.workersRunning, false);
    assert.deepEqual(await offline.check(large, CONFIG), await runOfflineChecks(large, CONFIG));
    assert.equal(offline.workersRunning, true);
  });
});
