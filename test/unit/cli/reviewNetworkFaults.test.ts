import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runCliCaptured, type CliRun } from '../../support/runCliCaptured';
import { modelFinding } from '../../support/modelServer';
import {
  LAST_CHUNK,
  httpHead,
  sseChunk,
  startRawHttpServer,
  streamThen,
  writeForever,
  type RawHttpServer,
  type RawPlay,
} from '../../support/rawHttpServer';

/**
 * Issue 14 at the CLI: answers that are too large and streams cut before their end fail the part
 * (exit 3 with --fail-on, the endpoint named), and a flag-looking --diff base is refused. The model
 * is a raw TCP server on loopback that plays each fault.
 */
function workspace(files: Record<string, string>, git = false): string {
  const root = mkdtempSync(join(tmpdir(), 'review-net-faults-'));
  if (git) execFileSync('git', ['init', '-q', root]);
  else mkdirSync(join(root, '.git'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

interface JsonReport {
  findings: { file: string; title: string; origin: string }[];
  skipped: { file: string; reason: string; failed?: boolean }[];
}

const FINDING_JSON = JSON.stringify({
  summary: 's',
  findings: [modelFinding({ title: 'Kept finding', severity: 'high', quote: 'export const' })],
});
/** A complete streamed answer: content, finish_reason, [DONE], the last chunk. */
const goodStream: RawPlay = streamThen([sseChunk(FINDING_JSON, 'stop'), 'data: [DONE]\n\n'], (s) => s.end(LAST_CHUNK));
/** A stream that ends properly at the HTTP level but never says the answer is complete. */
const cutStream: RawPlay = streamThen([sseChunk('{"summary":"s","findings":[]}')], (s) => s.end(LAST_CHUNK));

describe('review command: bounded answers and cut streams (issue 14)', function () {
  this.timeout(20_000);
  let server: RawHttpServer;
  let env: NodeJS.ProcessEnv;
  const review = (args: string[], cwd: string): Promise<CliRun> =>
    runCliCaptured(['review', ...args, '--no-cache'], { cwd, env });

  beforeEach(async () => {
    server = await startRawHttpServer();
    env = {
      BACKEND_REVIEW_MODEL: 'm',
      OPENAI_BASE_URL: server.url,
      XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'review-net-faults-cache-')),
    };
  });
  afterEach(() => server.close());

  it('refuses a 400 MB answer unread: exit 3, naming the endpoint and the cap', async () => {
    server.setPlay((socket) => {
      socket.write(httpHead('200 OK', { 'content-type': 'application/json', 'content-length': 400 * 1024 * 1024 }));
      writeForever(socket, Buffer.alloc(64 * 1024, 0x20));
    });
    const root = workspace({ 'a.ts': 'export const a = 1;\n' });
    const run = await review(['a.ts', '--fail-on', 'info'], root);
    assert.equal(run.code, 3, run.stderr);
    assert.match(
      run.stderr,
      /the endpoint at http:\/\/127\.0\.0\.1:\d+\/v1 sent an answer body over 17 MiB; it was not read further and not used/,
    );
    assert.match(run.stderr, /backend-review review: not reviewed: a\.ts\n/);
  });

  it('retries a stream cut before its end and keeps the finding of the complete answer', async () => {
    let requests = 0;
    server.setPlay((socket, raw) => (++requests === 1 ? cutStream : goodStream)(socket, raw));
    const root = workspace({ 'a.ts': 'export const a = 1;\n' });
    const run = await review(['a.ts', '--fail-on', 'high', '--format', 'json'], root);
    assert.equal(run.code, 1, run.stderr);
    assert.equal(requests, 2);
    const report = JSON.parse(run.stdout) as JsonReport;
    assert.deepEqual(
      report.findings.filter((f) => f.origin === 'model').map((f) => f.title),
      ['Kept finding'],
    );
    assert.match(
      run.stderr,
      /The connection to http:\/\/127\.0\.0\.1:\d+\/v1 ended before the answer was complete \(the stream stopped with no finish_reason and no \[DONE\]\)/,
    );
  });

  it('fails closed on a part whose stream is always cut: listed as skipped (failed), exit 3 with --fail-on', async () => {
    server.setPlay((socket, raw) => (raw.includes('cut.ts') ? cutStream : goodStream)(socket, raw));
    const root = workspace({ 'cut.ts': 'export const c = 1;\n', 'ok.ts': 'export const o = 1;\n' });
    const run = await review(['.', '--fail-on', 'high', '--format', 'json', '--deadline-ms', '1500'], root);
    assert.equal(run.code, 3, run.stderr);
    const report = JSON.parse(run.stdout) as JsonReport;
    assert.ok(report.findings.some((f) => f.file === 'ok.ts' && f.title === 'Kept finding'));
    const cut = report.skipped.find((s) => s.file === 'cut.ts');
    assert.ok(cut?.failed, JSON.stringify(report.skipped));
    assert.match(run.stderr, /the review is incomplete, 1 part could not be reviewed: cut\.ts/);
    assert.match(run.stderr, /ended before the answer was complete/);
  });
});

describe('review --diff with a flag-looking base (issue 14)', () => {
  const git = (cwd: string, ...args: string[]): void => {
    execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd });
  };
  function repository(): string {
    const root = workspace({ 'a.ts': 'export const a = 1;\n' }, true);
    git(root, 'add', '.');
    git(root, 'commit', '-qm', 'one');
    writeFileSync(join(root, 'a.ts'), 'export const a = 1;\nexport const b = 2;\n');
    return root;
  }

  it('refuses --diff=--output=FILE with exit 2, naming --diff, and writes nothing', async () => {
    const root = repository();
    const run = await runCliCaptured(['review', '--diff=--output=report.json', '--offline'], { cwd: root, env: {} });
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /--diff: "--output=report\.json" looks like a flag, not a base revision/);
    assert.ok(!existsSync(join(root, 'report.json')));
  });

  it('reads --diff --output=FILE as a diff against HEAD written to FILE (--diff alone means HEAD)', async () => {
    const root = repository();
    const run = await runCliCaptured(['review', '--diff', '--output=report.json', '--offline', '--format', 'json'], {
      cwd: root,
      env: {},
    });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, '');
    const report = JSON.parse(readFileSync(join(root, 'report.json'), 'utf8')) as {
      complete: boolean;
      files: { path: string }[];
    };
    assert.equal(report.complete, true);
    assert.deepEqual(
      report.files.map((f) => f.path),
      ['a.ts'],
    );
  });
});

describe('review of a folder holding special files (issue 14)', () => {
  it('lists a named pipe and a socket as skipped, naming their kind, and reviews the rest without waiting', async function () {
    if (process.platform === 'win32') this.skip();
    const root = workspace({ 'ok.ts': 'export const o = 1;\n' });
    assert.equal(spawnSync('mkfifo', [join(root, 'pipe.ts')]).status, 0, 'mkfifo failed');
    const socketServer = net.createServer().listen(join(root, 'sock.ts'));
    await new Promise((resolve) => socketServer.once('listening', resolve));
    try {
      const run = await runCliCaptured(['review', '.', '--offline', '--format', 'json', '--fail-on', 'info'], {
        cwd: root,
        env: {},
      });
      assert.equal(run.code, 0, run.stderr);
      const report = JSON.parse(run.stdout) as JsonReport & { files: { path: string }[] };
      assert.deepEqual(
        report.files.map((f) => f.path),
        ['ok.ts'],
      );
      const reasons = Object.fromEntries(report.skipped.map((s) => [s.file, s]));
      assert.equal(reasons['pipe.ts']?.reason, 'named pipe (FIFO), not a regular file: not reviewed');
      assert.equal(reasons['sock.ts']?.reason, 'socket, not a regular file: not reviewed');
      assert.ok(!reasons['pipe.ts'].failed && !reasons['sock.ts'].failed, 'left out by policy, not failed');
    } finally {
      socketServer.close();
    }
  });
});

describe('review of code over the size cap (issue 14): fails closed alike in --staged, --diff and folders', () => {
  const big = (line: string): string => line.repeat(Math.ceil((600 * 1024) / line.length));
  function repository(): string {
    const root = workspace({ 'base.ts': 'export const base = 1;\n' }, true);
    execFileSync(
      'git',
      ['-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', 'init', '--allow-empty'],
      {
        cwd: root,
      },
    );
    writeFileSync(join(root, 'huge.ts'), big('export const x = 1;\n'));
    writeFileSync(join(root, 'data.json'), big('{"k": 1}\n'));
    execFileSync('git', ['add', 'huge.ts', 'data.json'], { cwd: root });
    return root;
  }

  for (const mode of [['--staged'], ['--diff'], ['.']]) {
    it(`${mode[0]}: names the code file and the cap, exit 3 with --fail-on; data over the cap is left out by policy`, async () => {
      const root = repository();
      const run = await runCliCaptured(['review', ...mode, '--offline', '--format', 'json', '--fail-on', 'info'], {
        cwd: root,
        env: {},
      });
      assert.equal(run.code, 3, run.stderr);
      const report = JSON.parse(run.stdout) as JsonReport;
      const parts = Object.fromEntries(report.skipped.map((s) => [s.file, s]));
      assert.equal(
        parts['huge.ts']?.reason,
        'larger than the 512 KiB size cap (600 KiB): code not reviewed (exclude it from reviews if it is generated)',
      );
      assert.equal(parts['huge.ts'].failed, true);
      assert.equal(parts['data.json']?.reason, 'larger than the 512 KiB size cap (600 KiB): not reviewed');
      assert.equal(parts['data.json'].failed, undefined);
      assert.match(
        run.stderr,
        /the review is incomplete, 1 part could not be reviewed: huge\.ts: larger than the 512 KiB size cap/,
      );

      if (mode[0] !== '--staged') return;
      const partial = await runCliCaptured(
        ['review', ...mode, '--offline', '--format', 'json', '--fail-on', 'info', '--allow-partial'],
        { cwd: root, env: {} },
      );
      assert.equal(partial.code, 0, partial.stderr);
    });
  }

  it('--staged with only the huge file says nothing was reviewed besides the part it could not review', async () => {
    const root = repository();
    execFileSync('git', ['rm', '-q', '--cached', 'data.json'], { cwd: root });
    const run = await runCliCaptured(['review', '--staged', '--offline', '--fail-on', 'info'], { cwd: root, env: {} });
    assert.equal(run.code, 3, run.stderr);
    assert.match(
      run.stderr,
      /nothing was reviewed: the diff has no reviewable changes besides 1 part that could not be reviewed/,
    );
    assert.match(run.stderr, /huge\.ts: larger than the 512 KiB size cap \(600 KiB\)/);
  });
});
