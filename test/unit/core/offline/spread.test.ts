import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { runOfflineChecksWithSymbols } from '../../../../src/core/offline';
import { spreadOfflineChecks, type SpreadChecks } from '../../../../src/core/offline/spread';
import { offlineFixtureUnits, WORKER_EXEC_ARGV, WORKER_SOURCE } from '../../../support/offlineWorkerSource';

const WORKER = WORKER_SOURCE;
const EXEC_ARGV = WORKER_EXEC_ARGV;
const fixtureUnits = offlineFixtureUnits;

describe('core/offline/spread', function () {
  this.timeout(60_000);
  let spread: SpreadChecks | undefined;
  afterEach(async () => {
    await spread?.close();
    spread = undefined;
  });

  it('the main thread and a worker share the files; findings and symbols as checked inline', async () => {
    const units = fixtureUnits();
    const config = { mode: 'backendpe' as const };
    spread = spreadOfflineChecks(units, config, { workerFile: WORKER, workers: 1, execArgv: EXEC_ARGV });
    // As the engine asks: one file after the other, in order.
    for (const unit of units) {
      const expected = await runOfflineChecksWithSymbols(unit, config);
      assert.deepEqual(await spread.findings(unit), expected.findings, unit.path);
      for (const [index, finding] of expected.findings.entries())
        assert.equal(spread.knownSymbol(unit.path, finding.startLine), expected.symbols![index], unit.path);
    }
    const { mainThread, workers } = spread.checked();
    assert.equal(mainThread + workers, units.length, 'each file checked once');
    assert.ok(mainThread > 0 && workers > 0, `both sides checked files: main ${mainThread}, worker ${workers}`);
  });

  it('with no workers every file is checked on the main thread', async () => {
    const units = fixtureUnits().slice(0, 3);
    spread = spreadOfflineChecks(units, { mode: 'pragmatic' }, { workerFile: WORKER, workers: 0 });
    for (const unit of units) await spread.findings(unit);
    assert.deepEqual(spread.checked(), { mainThread: 3, workers: 0 });
  });

  it('a worker that cannot start fails the files it took with a message naming the worker file', async () => {
    const units = fixtureUnits();
    const missing = join(__dirname, 'no-such-worker.js');
    spread = spreadOfflineChecks(units, { mode: 'pragmatic' }, { workerFile: missing, workers: 1 });
    const last = units[units.length - 1];
    await assert.rejects(spread.findings(last), (error: Error) => error.message.includes(missing));
  });
});
