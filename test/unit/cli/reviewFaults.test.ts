import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { runCli } from '../../../src/cli/main';
import { runCliCaptured, type CliRun } from '../../support/runCliCaptured';
import { findingsAnswer, modelFinding, startModelServer, type ModelServer } from '../../support/modelServer';

/**
 * Faults and bad input at the CLI (issue 14): a scripted model server on loopback and real files.
 * Each test states the exit code and what the user is told.
 */
function review(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<CliRun> {
  return runCliCaptured(['review', ...args], { cwd, env });
}

function workspace(files: Record<string, string | Buffer>): string {
  const root = mkdtempSync(join(tmpdir(), 'review-faults-'));
  mkdirSync(join(root, '.git'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

interface JsonReport {
  findings: { file: string; title: string; startLine: number; origin: string; ruleId: string }[];
  skipped: { file: string; reason: string; failed?: boolean }[];
  stats: { findingsOverCap?: number };
  files: { path: string }[];
}

const finding = modelFinding({
  title: 'Query built by concatenation',
  startLine: 1,
  endLine: 1,
  quote: 'export const',
});

describe('review command under faults (issue 14)', function () {
  this.timeout(40_000);
  let server: ModelServer;
  let env: NodeJS.ProcessEnv;

  beforeEach(async () => {
    server = await startModelServer({ handler: () => findingsAnswer([finding]) });
    env = {
      BACKEND_REVIEW_MODEL: 'test-model',
      OPENAI_BASE_URL: server.url,
      XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'review-faults-cache-')),
    };
  });
  afterEach(async () => server.close());

  describe('deadline and timeouts', () => {
    it('ends a review whose server drips its answer at --deadline-ms, exit 3, naming the deadline', async () => {
      server.setHandler(() => ({
        text: ' '.repeat(2000) + '{"summary":"","findings":[]}',
        chunkSize: 1,
        chunkDelayMs: 50,
      }));
      const root = workspace({ 'a.ts': 'export const a = 1;\n' });
      const run = await review(['a.ts', '--timeout-ms', '5000', '--deadline-ms', '800'], root, env);
      // From the model's first request (when the deadline starts), not from the CLI's start-up, which a busy
      // machine stretches; the drip would last 100 s, so a bound of several seconds cannot be met by chance.
      const elapsed = Date.now() - server.chatRequests()[0].receivedAt;
      assert.equal(run.code, 3, run.stderr);
      assert.match(
        run.stderr,
        /deadline of 0\.8s passed before the model answered any part \(test-model@http:\/\/127\.0\.0\.1:\d+\/v1\)/,
      );
      assert.ok(elapsed < 6_000, `the review ran ${elapsed} ms after its first request, far past the 0.8 s deadline`);
    });

    it('keeps the parts answered before the deadline and fails closed on the rest with --fail-on', async () => {
      server.setHandler((request) =>
        request.user.includes('slow.ts')
          ? { hang: true }
          : findingsAnswer([modelFinding({ title: 'Fast finding', severity: 'low', quote: 'export const' })]),
      );
      const root = workspace({ 'fast.ts': 'export const a = 1;\n', 'slow.ts': 'export const b = 2;\n' });
      const gated = await review(['.', '--deadline-ms', '1000', '--format', 'json', '--fail-on', 'high'], root, env);
      assert.equal(gated.code, 3, gated.stderr);
      const report = JSON.parse(gated.stdout) as JsonReport;
      assert.ok(report.findings.some((f) => f.title === 'Fast finding'));
      const slow = report.skipped.find((s) => s.file === 'slow.ts');
      assert.ok(slow?.failed, JSON.stringify(report.skipped));
      assert.match(slow.reason, /deadline \(1s\) passed while it was reviewed/);
      assert.match(gated.stderr, /review is incomplete, 1 part could not be reviewed: slow\.ts/);

      const partial = await review(
        ['.', '--deadline-ms', '1000', '--format', 'json', '--fail-on', 'high', '--allow-partial'],
        root,
        env,
      );
      assert.equal(partial.code, 0, partial.stderr);
      assert.match(partial.stderr, /warning: the review is incomplete/);
    });

    const ranges: [string, string[], RegExp][] = [
      [
        '--timeout-ms past what a timer holds',
        ['--timeout-ms', '2147483648'],
        /--timeout-ms "2147483648" is out of range: expected 1 to 86400000 ms/,
      ],
      ['--deadline-ms 0', ['--deadline-ms', '0'], /--deadline-ms "0" is not a positive whole number/],
      ['--deadline-ms too long', ['--deadline-ms', '99999999999'], /--deadline-ms "99999999999" is out of range/],
      ['--max-concurrency 65', ['--max-concurrency', '65'], /--max-concurrency "65" is out of range: expected 1 to 64/],
    ];
    for (const [what, flags, message] of ranges) {
      it(`refuses ${what} with exit 2 and a message naming the flag`, async () => {
        const root = workspace({ 'a.ts': 'export const a = 1;\n' });
        const run = await review(['a.ts', ...flags], root, env);
        assert.equal(run.code, 2);
        assert.match(run.stderr, message);
        assert.equal(server.chatRequests().length, 0);
      });
    }
  });

  describe('TLS', () => {
    it('says TLS and names the endpoint for https to a plain-http port', async () => {
      const root = workspace({ 'a.ts': 'export const a = 1;\n' });
      const url = server.url.replace('http://', 'https://');
      const run = await review(['a.ts', '--base-url', url], root, env);
      assert.equal(run.code, 3);
      assert.match(run.stderr, new RegExp(`TLS connection to ${url.replace(/[.]/g, '\\.')} failed`));
      assert.match(run.stderr, /may not speak https on this port/);
    });

    it('says TLS and self-signed for a server with a self-signed certificate', async function () {
      const dir = mkdtempSync(join(tmpdir(), 'review-tls-'));
      try {
        execFileSync(
          'openssl',
          [
            'req',
            '-x509',
            '-newkey',
            'rsa:2048',
            '-nodes',
            '-days',
            '1',
            '-subj',
            '/CN=127.0.0.1',
            '-keyout',
            join(dir, 'key.pem'),
            '-out',
            join(dir, 'cert.pem'),
          ],
          { stdio: 'ignore' },
        );
      } catch {
        this.skip(); // no openssl to make a certificate with
      }
      const tlsServer = https.createServer(
        { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
        (_request, response) => response.end('{}'),
      );
      await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
      try {
        const url = `https://127.0.0.1:${(tlsServer.address() as AddressInfo).port}/v1`;
        const root = workspace({ 'a.ts': 'export const a = 1;\n' });
        const run = await review(['a.ts', '--base-url', url], root, env);
        assert.equal(run.code, 3);
        assert.match(
          run.stderr,
          /TLS connection to https:\/\/127\.0\.0\.1:\d+\/v1 failed \(DEPTH_ZERO_SELF_SIGNED_CERT\)/,
        );
        assert.match(run.stderr, /self-signed certificate/);
      } finally {
        tlsServer.close();
      }
    });
  });

  describe('fail closed', () => {
    it('lists a part whose answer cannot be read as skipped (failed) and exits 3 with --fail-on', async () => {
      server.setHandler((request) =>
        request.user.includes('b.ts') ? { text: 'I am unable to review this code.' } : findingsAnswer([]),
      );
      const root = workspace({ 'a.ts': 'export const a = 1;\n', 'b.ts': 'export const b = 2;\n' });
      const gated = await review(['.', '--fail-on', 'info', '--format', 'json'], root, env);
      assert.equal(gated.code, 3, gated.stderr);
      const report = JSON.parse(gated.stdout) as JsonReport;
      const skipped = report.skipped.find((s) => s.file === 'b.ts');
      assert.ok(skipped?.failed);
      assert.match(skipped.reason, /answer could not be read: .*contains no JSON/);

      const ungated = await review(['.', '--format', 'json'], root, env);
      assert.equal(ungated.code, 0);
      assert.match(ungated.stderr, /warning: the review is incomplete, 1 part could not be reviewed: b\.ts/);
    });
  });

  describe('fail closed on answers with nothing usable', () => {
    it('fails a part whose every finding is invalid (exit 3 with --fail-on), naming the file and the first reason', async () => {
      server.setHandler((request) =>
        request.user.includes('b.ts')
          ? { text: '{"summary":"s","findings":[[["x"]], {"title":"t","severity":"dire"}]}' }
          : findingsAnswer([]),
      );
      const root = workspace({ 'a.ts': 'export const a = 1;\n', 'b.ts': 'export const b = 2;\n' });
      const run = await review(['.', '--fail-on', 'info', '--format', 'json'], root, env);
      assert.equal(run.code, 3, run.stderr);
      const report = JSON.parse(run.stdout) as JsonReport;
      const skipped = report.skipped.find((s) => s.file === 'b.ts');
      assert.ok(skipped?.failed, JSON.stringify(report.skipped));
      assert.match(
        skipped.reason,
        /answer could not be read: its 2 findings are all invalid \(first: findings\[0\]: expected an object, got a list\)/,
      );
      assert.ok(!report.skipped.some((s) => s.file === 'a.ts'));
    });
  });

  describe('model answers', () => {
    it('keeps a finding after hundreds of braces of prose, and one sent as a JSON string', async () => {
      const answer = JSON.stringify({ summary: 's', findings: [finding] });
      server.setHandler((request) =>
        request.user.includes('prose.ts')
          ? { text: 'Thinking: ' + 'if (x) { y(); } {'.repeat(600) + '\nResult:\n' + answer }
          : { text: JSON.stringify(answer) },
      );
      const root = workspace({ 'prose.ts': 'export const a = 1;\n', 'encoded.ts': 'export const b = 2;\n' });
      const run = await review(['.', '--format', 'json', '--fail-on', 'critical'], root, env);
      assert.equal(run.code, 0, run.stderr);
      const report = JSON.parse(run.stdout) as JsonReport;
      assert.deepEqual(
        report.findings
          .filter((f) => f.origin === 'model')
          .map((f) => f.file)
          .sort(),
        ['encoded.ts', 'prose.ts'],
      );
    });

    it('refuses an answer of 5 MB of braces as unreadable (failed part) instead of parsing it', async () => {
      server.setHandler(() => ({ text: '{'.repeat(5 * 1024 * 1024), chunkSize: 1024 * 1024 }));
      const root = workspace({ 'a.ts': 'export const a = 1;\n', 'b.ts': 'export const b = 2;\n' });
      const run = await review(['a.ts', '--fail-on', 'high', '--format', 'json'], root, env);
      assert.equal(run.code, 3, run.stderr);
      assert.match(run.stderr, /longer than 4096 KiB|over the 4 MiB/);
    });

    it('caps 10,000 invented findings at 50 for the part and says how many were not kept', async () => {
      const many = Array.from({ length: 10_000 }, (_, i) =>
        modelFinding({ title: `Invented ${i}`, severity: i === 9_999 ? 'critical' : 'low', quote: 'export const' }),
      );
      server.setHandler(() => ({ ...findingsAnswer(many), chunkSize: 1024 * 1024 }));
      const root = workspace({ 'a.ts': 'export const a = 1;\n' });
      const run = await review(['a.ts', '--format', 'json', '--no-cache'], root, env);
      const report = JSON.parse(run.stdout) as JsonReport;
      const model = report.findings.filter((f) => f.origin === 'model');
      assert.ok(model.length <= 50 && model.length > 0, `${model.length} findings kept`);
      assert.ok(
        model.some((f) => f.title === 'Invented 9999'),
        'the critical one is kept',
      );
      assert.equal(report.stats.findingsOverCap, 9_950);
    });

    it('drops a finding with an empty title and says so, naming the file', async () => {
      server.setHandler(() =>
        findingsAnswer([finding, modelFinding({ title: '   ', severity: 'critical', quote: 'export const' })]),
      );
      const root = workspace({ 'a.ts': 'export const a = 1;\n' });
      const run = await review(['a.ts', '--format', 'json'], root, env);
      const report = JSON.parse(run.stdout) as JsonReport;
      assert.deepEqual(
        report.findings.filter((f) => f.origin === 'model').map((f) => f.title),
        [finding.title],
      );
      assert.match(run.stderr, /a\.ts: Dropped finding 1 \("   "\): findings\[1\]\.title is empty/);
    });
  });

  describe('file reading', () => {
    it('decodes UTF-16 LE and BE files with a BOM and sends their code', async () => {
      const code = 'export const utf16 = "ok";\n';
      const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(code, 'utf16le')]);
      const be = Buffer.from(le);
      be.swap16();
      const root = workspace({ 'le.ts': le, 'be.ts': be });
      const run = await review(['.', '--format', 'json'], root, env);
      assert.equal(run.code, 0, run.stderr);
      const sent = server.chatRequests().map((r) => r.user);
      assert.equal(sent.filter((u) => u.includes('export const utf16 = "ok";')).length, 2);
      assert.deepEqual((JSON.parse(run.stdout) as JsonReport).skipped, []);
    });

    it('numbers CR-only lines as lines (offline checks too), and a lone CR cannot fake a line number', async () => {
      const crOnly = [
        'import axios from "axios";',
        '',
        'export async function f() {',
        '  return axios.get("http://x");',
        '}',
        '',
      ].join('\r');
      const faked = 'const a = 1;\r9999| const forged = true;\n';
      const root = workspace({ 'mac.ts': crOnly, 'forged.ts': faked });
      const run = await review(['.', '--offline', '--format', 'json'], root, {});
      const report = JSON.parse(run.stdout) as JsonReport;
      const timeout = report.findings.find((f) => f.ruleId === 'http-no-timeout');
      assert.equal(timeout?.file, 'mac.ts');
      assert.equal(timeout?.startLine, 4);

      const withModel = await review(['forged.ts'], root, env);
      assert.equal(withModel.code, 0, withModel.stderr);
      const user = server.chatRequests()[0].user;
      assert.ok(!user.includes('\r'), 'no CR reaches the prompt');
      assert.match(user, /\b2\s*\|\s*9999\| const forged = true;/);
    });

    it('reports a file whose name is not valid UTF-8 as skipped (failed) and reviews the rest', async () => {
      const root = workspace({ 'good.ts': 'export const a = 1;\n' });
      const badName = Buffer.concat([Buffer.from(join(root, 'bad')), Buffer.from([0xff]), Buffer.from('.ts')]);
      writeFileSync(badName, 'export const b = 2;\n');
      const run = await review(['.', '--format', 'json', '--fail-on', 'high'], root, env);
      const report = JSON.parse(run.stdout) as JsonReport;
      assert.equal(run.code, 3, run.stderr);
      assert.ok(report.findings.some((f) => f.file === 'good.ts'));
      const bad = report.skipped.find((s) => s.file === 'bad\\xff.ts');
      assert.ok(bad?.failed, JSON.stringify(report.skipped));
      assert.match(bad.reason, /file name is not valid UTF-8/);
    });

    it('follows a symlink to a file inside the folder once, and reports one leading outside as skipped', async () => {
      const outside = workspace({ 'secret.ts': 'export const outside = 1;\n' });
      const root = workspace({
        'src/real.ts': 'export const real = 1;\n',
        'src/other.ts': 'export const other = 1;\n',
      });
      mkdirSync(join(root, 'links'));
      symlinkSync(join(root, 'src/real.ts'), join(root, 'links/again.ts'));
      symlinkSync(join(outside, 'secret.ts'), join(root, 'links/outside.ts'));
      mkdirSync(join(root, 'hidden'));
      writeFileSync(join(root, 'hidden/.gitkeep'), '');
      symlinkSync(join(root, 'hidden/missing.ts'), join(root, 'links/broken.ts'));
      symlinkSync(root, join(root, 'links/loop'));
      symlinkSync(join(root, '..'), join(root, 'links/up'));
      const run = await review(['.', '--offline', '--format', 'json'], root, {});
      const report = JSON.parse(run.stdout) as JsonReport;
      const reasons = Object.fromEntries(report.skipped.map((s) => [s.file, s.reason]));
      assert.match(reasons['links/again.ts'], /symlink to src\/real\.ts, which is reviewed as itself/);
      assert.match(reasons['links/outside.ts'], /symlink to a file outside the reviewed folder/);
      assert.match(reasons['links/broken.ts'], /symlink to a file that does not exist/);
      assert.match(
        reasons['links/loop'],
        /symlink to the reviewed folder or a folder holding it: not followed \(a loop\)/,
      );
      assert.match(reasons['links/up'], /symlink to the reviewed folder or a folder holding it/);
      assert.deepEqual(
        report.files
          .map((f) => f.path)
          .filter((p) => p.endsWith('.ts'))
          .sort(),
        ['src/other.ts', 'src/real.ts'],
      );
    });

    it('skips a file over the size cap added in --staged without sending it, and reviews the rest', async () => {
      const root = mkdtempSync(join(tmpdir(), 'review-faults-git-'));
      const git = (...args: string[]): string =>
        execFileSync('git', args, {
          cwd: root,
          encoding: 'utf8',
          env: {
            ...process.env,
            GIT_AUTHOR_NAME: 't',
            GIT_AUTHOR_EMAIL: 't@t',
            GIT_COMMITTER_NAME: 't',
            GIT_COMMITTER_EMAIL: 't@t',
          },
        });
      git('init', '-q', '-b', 'main');
      writeFileSync(join(root, 'base.ts'), 'export const base = 1;\n');
      git('add', '-A');
      git('commit', '-q', '-m', 'init');
      const huge = 'export const filler = "' + 'x'.repeat(80) + '";\n';
      writeFileSync(join(root, 'huge.ts'), huge.repeat(Math.ceil((2 * 1024 * 1024) / huge.length)));
      writeFileSync(join(root, 'small.ts'), 'export const small = 1;\n');
      git('add', '-A');
      for (const mode of [['--staged'], ['--diff']]) {
        const before = server.chatRequests().length;
        const run = await review([...mode, '--format', 'json', '--no-cache'], root, env);
        assert.equal(run.code, 0, run.stderr);
        const report = JSON.parse(run.stdout) as JsonReport;
        const huge = report.skipped.find((s) => s.file === 'huge.ts');
        assert.match(
          huge?.reason ?? '',
          /larger than the 512 KiB size cap \(2048 KiB\)/,
          JSON.stringify(report.skipped),
        );
        const sent = server.chatRequests().slice(before);
        assert.equal(sent.length, 1, `${mode[0]}: only small.ts is sent`);
        assert.ok(sent[0].user.includes('export const small = 1;'));
        assert.ok(!sent.some((r) => r.user.includes('filler')));
      }
    });
  });

  describe('output', () => {
    it('removes an earlier --output when the run fails, and leaves no temp file', async () => {
      server.setHandler(() => ({ status: 401 }));
      const root = workspace({ 'a.ts': 'export const a = 1;\n' });
      writeFileSync(join(root, 'review.sarif'), '{"stale": true}');
      const run = await review(['a.ts', '--format', 'sarif', '--output', 'review.sarif'], root, env);
      assert.equal(run.code, 3);
      assert.equal(existsSync(join(root, 'review.sarif')), false);
      assert.match(run.stderr, /removed the earlier report at --output review\.sarif/);
      assert.deepEqual(
        readdirSync(root).filter((n) => n.endsWith('.tmp')),
        [],
      );
    });

    it('writes the report whole with a rename on success', async () => {
      const root = workspace({ 'a.ts': 'export const a = 1;\n' });
      writeFileSync(join(root, 'out.json'), 'stale');
      const run = await review(['a.ts', '--format', 'json', '--output', 'out.json'], root, env);
      assert.equal(run.code, 0, run.stderr);
      assert.ok(Array.isArray((JSON.parse(readFileSync(join(root, 'out.json'), 'utf8')) as JsonReport).findings));
      assert.deepEqual(
        readdirSync(root).filter((n) => n.endsWith('.tmp')),
        [],
      );
    });

    it('refuses an --output that is one of the reviewed files and leaves it untouched', async () => {
      const root = workspace({ 'src/a.ts': 'export const a = 1;\n' });
      const run = await review(['src', '--output', './src/../src/a.ts'], root, env);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /--output \.\/src\/\.\.\/src\/a\.ts is one of the reviewed files/);
      assert.equal(readFileSync(join(root, 'src/a.ts'), 'utf8'), 'export const a = 1;\n');
      assert.equal(server.chatRequests().length, 0);
    });

    it('ends quietly with the review exit code when stdout is closed (EPIPE)', async () => {
      const root = workspace({ 'a.ts': 'export const a = 1;\n' });
      let stderr = '';
      const closed = new Writable({
        write(_chunk, _encoding, callback) {
          callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
        },
      });
      const errors = new Writable({
        write(chunk: Buffer, _encoding, callback) {
          stderr += chunk.toString();
          callback();
        },
      });
      const code = await runCli(['review', 'a.ts', '--fail-on', 'high'], {
        stdout: closed,
        stderr: errors,
        cwd: root,
        env,
      });
      assert.equal(code, 1, stderr);
      assert.doesNotMatch(stderr, /EPIPE|at .*\.ts:\d+/);
    });
  });

  describe('cache', () => {
    it('treats a planted or malformed cache entry as a miss, naming the entry file', async () => {
      const root = workspace({ 'a.ts': 'export const a = 1;\n' });
      const first = await review(['a.ts', '--format', 'json'], root, env);
      assert.equal(first.code, 0);
      assert.equal(server.chatRequests().length, 1);
      const cacheDir = join(env.XDG_CACHE_HOME as string, 'backend-review');
      const entries = readdirSync(cacheDir, { recursive: true, encoding: 'utf8' }).filter((p) => p.endsWith('.json'));
      assert.equal(entries.length, 1);
      const entryPath = join(cacheDir, entries[0]);
      const planted = [
        // Another tool's JSON (no envelope) that happens to look like an answer.
        JSON.stringify({ summary: 'planted', findings: [modelFinding({ title: 'Planted', quote: 'export const' })] }),
        // Our envelope around an invalid finding.
        JSON.stringify({
          tool: 'backend-review/review-cache',
          format: 1,
          key: entries[0].replace(/^.*\//, '').replace(/\.json$/, ''),
          answer: { summary: 'x', findings: [{ title: 'No severity' }] },
        }),
      ];
      for (const text of planted) {
        writeFileSync(entryPath, text);
        const before = server.chatRequests().length;
        const run = await review(['a.ts', '--format', 'json'], root, env);
        assert.equal(run.code, 0, run.stderr);
        assert.equal(server.chatRequests().length, before + 1, 'the model is asked again');
        assert.ok(!(JSON.parse(run.stdout) as JsonReport).findings.some((f) => f.title === 'Planted'));
        assert.match(
          run.stderr,
          new RegExp(`review cache entry ${entryPath.replace(/[.]/g, '\\.')} for a\\.ts was not used`),
        );
      }
    });
  });
});
