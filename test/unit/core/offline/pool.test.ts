import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { backendSource } from '../../../../bench/generate';
import { runOfflineChecks, runOfflineChecksWithSymbols } from '../../../../src/core/offline';
import { createOfflinePool, type OfflinePool } from '../../../../src/core/offline/pool';
import { offlineFixtureUnits, WORKER_EXEC_ARGV, WORKER_SOURCE } from '../../../support/offlineWorkerSource';

const WORKER = WORKER_SOURCE;
const EXEC_ARGV = WORKER_EXEC_ARGV;
const fixtureUnits = offlineFixtureUnits;

describe('core/offline/pool', function () {
  this.timeout(60_000);
  let pool: OfflinePool | undefined;
  afterEach(async () => {
    await pool?.close();
    pool = undefined;
  });

  it('finds on two worker threads exactly what the checks find inline, file by file', async () => {
    const units = fixtureUnits();
    const config = { mode: 'backendpe' as const, rules: { 'explicit-any': { enabled: false } } };
    pool = createOfflinePool({ workerFile: WORKER, size: 2, execArgv: EXEC_ARGV });
    const fromPool = await Promise.all(units.map((unit) => pool!.check(unit, config)));
    // The config reaches the workers: the rule turned off there is reported without the override.
    const everyRule = (await Promise.all(units.map((unit) => runOfflineChecks(unit, { mode: 'backendpe' })))).flat();
    assert.ok(
      everyRule.some((finding) => finding.ruleId === 'explicit-any'),
      'the fixtures should have explicit-any findings in backendpe mode',
    );
    assert.ok(
      !fromPool.flat().some((finding) => finding.ruleId === 'explicit-any'),
      'a worker ignored the rule override',
    );
    for (const [index, unit] of units.entries()) {
      const inline = await runOfflineChecks(unit, config);
      assert.ok(inline.length > 0, `${unit.path}: the labeled fixture should have offline findings`);
      assert.deepEqual(fromPool[index], inline, `${unit.path}: the worker's findings differ from the inline ones`);
    }
  });

  it("hands back each finding's enclosing symbol from the worker's tree, as an inline check does", async () => {
    const units = fixtureUnits();
    const config = { mode: 'backendpe' as const };
    pool = createOfflinePool({ workerFile: WORKER, size: 2, execArgv: EXEC_ARGV });
    const fromPool = await Promise.all(units.map((unit) => pool!.checkWithSymbols(unit, config)));
    for (const [index, unit] of units.entries()) {
      const inline = await runOfflineChecksWithSymbols(unit, config);
      assert.equal(inline.symbols?.length, inline.findings.length, unit.path);
      assert.deepEqual(fromPool[index], inline, unit.path);
    }
    assert.ok(fromPool.some((checked) => checked.symbols?.some((symbol) => symbol !== '')));
  });

  it('checks a large file in one part per worker and finds exactly what one inline check finds', async () => {
    const unit = { path: 'src/orders.ts', text: backendSource('typescript', 6_000, 4) };
    const config = { mode: 'backendpe' as const };
    pool = createOfflinePool({ workerFile: WORKER, size: 2, execArgv: EXEC_ARGV });
    const [inParts, inline] = await Promise.all([pool.checkInParts(unit, config), runOfflineChecks(unit, config)]);
    assert.ok(inline.length > 300, `the generated file should have many findings (${inline.length})`);
    assert.equal(inParts.split, true);
    assert.deepEqual(inParts.findings, inline);
  });

  it('rejects the pending checks, naming the file and the worker, when the worker cannot start', async () => {
    pool = createOfflinePool({ workerFile: join(__dirname, 'no-such-worker.js'), size: 1 });
    await assert.rejects(
      pool.check({ path: 'src/app.ts', text: 'const a = 1;\n' }, { mode: 'pragmatic' }),
      (error: Error) => {
        assert.match(error.message, /^src\/app\.ts: the offline checks worker failed: .*no-such-worker\.js/);
        return true;
      },
    );
  });

  it('rejects checks still pending or sent after close, naming the file', async () => {
    pool = createOfflinePool({ workerFile: WORKER, size: 1, execArgv: EXEC_ARGV });
    const pending = pool.check(
      { path: 'src/slow.ts', text: 'export const a = 1;\n'.repeat(2000) },
      { mode: 'pragmatic' },
    );
    const rejected = assert.rejects(
      pending,
      /^OfflineWorkerError: src\/slow\.ts: the offline checks worker was stopped before it answered$/,
    );
    await pool.close();
    await rejected;
    await assert.rejects(
      pool.check({ path: 'src/late.ts', text: 'x' }, { mode: 'pragmatic' }),
      /^OfflineWorkerError: src\/late\.ts: the offline checks pool is closed$/,
    );
  });

  it('refuses a pool without workers', () => {
    assert.throws(
      () => createOfflinePool({ workerFile: WORKER, size: 0 }),
      /offline pool size must be a positive whole number, got 0/,
    );
  });
});
