import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync, mkdirSync, cpSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundledEvalSetDir, loadLabeledSet } from '../../../src/core/eval/labeledSet';
import { runCliCaptured } from '../../support/runCliCaptured';
import { startModelServer, type ModelServer } from '../../support/modelServer';
import { scriptedEvalHandler } from '../../support/scriptedReviewer';

/** `backend-review eval` against the scripted model server standing in for a user's endpoint. */
describe('eval command', function () {
  this.timeout(60_000);
  let server: ModelServer;

  beforeEach(async () => {
    server = await startModelServer({ handler: scriptedEvalHandler(await loadLabeledSet(bundledEvalSetDir())) });
  });
  afterEach(async () => {
    await server.close();
  });

  it('prints one table with a column per persona and mode, and sends the set to the endpoint', async () => {
    const run = await runCliCaptured([
      'eval',
      '--model',
      'my-model',
      '--base-url',
      server.url,
      '--persona',
      'pragmatic',
      '--persona',
      'backendpe',
      '--mode',
      'pragmatic',
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Eval of my-model on 17 seeded bugs/);
    const header = run.stdout.split('\n').find((l) => l.includes('target'));
    assert.ok(header);
    assert.match(header, /pragmatic\s+backendpe\/pragmatic\s+target/);
    assert.match(run.stdout, /^delivered precision\s+\d\.\d\d\s+\d\.\d\d/m);
    const chats = server.chatRequests();
    assert.ok(chats.length >= 2 * 9, `${chats.length} requests`);
    assert.ok(chats.every((r) => r.body?.model === 'my-model'));
    assert.ok(chats.some((r) => r.user.includes('File: payments/src/refunds.ts')));
    assert.ok(chats.some((r) => /lines [\d, -]+ were added or modified/.test(r.user)));
  });

  it('--format json gives the figures per run; --verify adds verification requests', async () => {
    const run = await runCliCaptured(
      [
        'eval',
        '--base-url',
        server.url,
        '--persona',
        'backendpe',
        '--mode',
        'backendpe',
        '--verify',
        '--format',
        'json',
      ],
      { env: { BACKEND_REVIEW_MODEL: 'env-model' } },
    );
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as {
      model: string;
      bugs: number;
      runs: { label: string; verify: boolean; precision: number; recall: number; verifyRequests: number }[];
    };
    assert.equal(report.model, 'env-model');
    assert.equal(report.bugs, 17);
    assert.equal(report.runs.length, 1);
    assert.equal(report.runs[0].label, 'backendpe');
    assert.equal(report.runs[0].verify, true);
    assert.ok(report.runs[0].verifyRequests > 0);
    assert.ok(server.chatRequests().some((r) => r.system.startsWith('# Task: verify')));
    assert.ok(report.runs[0].precision > 0 && report.runs[0].recall > 0);
  });

  it('runs every bundled persona in both modes by default', async () => {
    const run = await runCliCaptured(['eval', '--model', 'm', '--base-url', server.url, '--format', 'json']);
    assert.equal(run.code, 0, run.stderr);
    const labels = (JSON.parse(run.stdout) as { runs: { label: string }[] }).runs.map((r) => r.label).sort();
    assert.deepEqual(labels, [
      'backendpe',
      'backendpe/pragmatic',
      'data-integrity/backendpe',
      'data-integrity/pragmatic',
      'pragmatic',
      'pragmatic/backendpe',
    ]);
  });

  it('usage errors name the flag and exit 2; an unreachable endpoint exits 3 naming it', async () => {
    const noModel = await runCliCaptured(['eval', '--base-url', server.url]);
    assert.equal(noModel.code, 2);
    assert.match(noModel.stderr, /--model is required/);
    const badMode = await runCliCaptured(['eval', '--model', 'm', '--base-url', server.url, '--mode', 'strict']);
    assert.equal(badMode.code, 2);
    assert.match(badMode.stderr, /--mode "strict" is not one of backendpe, pragmatic/);
    const badFloor = await runCliCaptured([
      'eval',
      '--model',
      'm',
      '--base-url',
      server.url,
      '--persona',
      'pragmatic',
      '--mode',
      'pragmatic',
      '--min-confidence',
      '2',
    ]);
    assert.equal(badFloor.code, 2);
    assert.match(badFloor.stderr, /--min-confidence "2" is not a number from 0 to 1/);
    const unknownPersona = await runCliCaptured([
      'eval',
      '--model',
      'm',
      '--base-url',
      server.url,
      '--persona',
      'nobody',
    ]);
    assert.equal(unknownPersona.code, 2);
    assert.match(unknownPersona.stderr, /--persona "nobody" is not a known persona/);
    const url = server.url;
    await server.close();
    const down = await runCliCaptured([
      'eval',
      '--model',
      'm',
      '--base-url',
      url,
      '--persona',
      'pragmatic',
      '--mode',
      'pragmatic',
      '--timeout-ms',
      '2000',
    ]);
    assert.equal(down.code, 3, down.stderr);
    assert.match(down.stderr, /127\.0\.0\.1/);
    server = await startModelServer();
  });

  it('--set reads a labeled set of the user’s own and names the file and label that are wrong', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eval-set-'));
    cpSync(bundledEvalSetDir(), dir, { recursive: true });
    const labels = JSON.parse(readFileSync(join(dir, 'labels.json'), 'utf8')) as { bugs: { quote: string }[] };
    labels.bugs[0].quote = 'this text is on no line';
    writeFileSync(join(dir, 'labels.json'), JSON.stringify(labels));
    const run = await runCliCaptured(['eval', '--model', 'm', '--base-url', server.url, '--set', dir]);
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /labels\.json: bug "ts-refund-sql-injection": its quote is on no line of payments\/src\/refunds\.ts/,
    );
    mkdirSync(join(dir, 'empty'));
    const missing = await runCliCaptured([
      'eval',
      '--model',
      'm',
      '--base-url',
      server.url,
      '--set',
      join(dir, 'empty'),
    ]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--set .*empty.*labels\.json/);
  });

  it('--help documents the command and exits 0', async () => {
    const run = await runCliCaptured(['eval', '--help']);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /backend-review eval --model NAME/);
    assert.match(run.stdout, /Exit codes: 0/);
  });
});
