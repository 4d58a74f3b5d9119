import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { terminalSafe } from '../../../src/core/output/terminal';
import { findingsAnswer, modelFinding, startModelServer, type ModelServer } from '../../support/modelServer';
import { runCliCaptured } from '../../support/runCliCaptured';

/** Characters that must never reach a terminal raw from untrusted text. */
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

// Assembled at run time: the repository holds no key-shaped literal.
const KEY = 'sk-' + 'proj' + 'TESTKEYabcdefghijklmnopqrstuvwxyz0123';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

function workspace(): string {
  const root = mkdtempSync(join(tmpdir(), 'terminal-safety-'));
  mkdirSync(join(root, '.git'));
  writeFileSync(
    join(root, 'service.ts'),
    [
      'export async function getOrder(db: Db, id: string) {',
      '  return db.query("SELECT * FROM orders WHERE id = " + id);',
      '}',
      '',
    ].join('\n'),
  );
  return root;
}

describe('nothing raw reaches a terminal, and the key is never printed', function () {
  this.timeout(30_000);

  describe('terminalSafe', () => {
    it('shows escape sequences, C1 controls, BiDi overrides, NUL and backspace as visible escapes', () => {
      assert.equal(terminalSafe('a\u001b[2Jb'), 'a\\x1b[2Jb');
      assert.equal(
        terminalSafe('\u001b]8;;https://evil.example\u0007link\u001b]8;;\u0007'),
        '\\x1b]8;;https://evil.example\\x07link\\x1b]8;;\\x07',
      );
      assert.equal(terminalSafe('x\u009b31m'), 'x\\x9b31m');
      assert.equal(terminalSafe('if (isAdmin\u202e ⁦)'), 'if (isAdmin\\u202e \\u2066)');
      assert.equal(terminalSafe('a\u0000b\u0008c\u007f'), 'a\\x00b\\x08c\\x7f');
    });

    it('keeps tabs and newlines, turns CRLF into a newline and shows a lone carriage return', () => {
      assert.equal(terminalSafe('a\tb\nc\r\nd'), 'a\tb\nc\nd');
      assert.equal(terminalSafe('progress\rfake'), 'progress\\x0dfake');
      assert.equal(terminalSafe('plain text, ünïcode 漢字'), 'plain text, ünïcode 漢字');
    });
  });

  describe('the CLI', () => {
    let server: ModelServer | undefined;
    let raw: Server | undefined;
    afterEach(async () => {
      await server?.close();
      server = undefined;
      await new Promise<void>((resolve) => (raw ? raw.close(() => resolve()) : resolve()));
      raw = undefined;
    });

    it('neutralises model text in text output and keeps it exact in JSON', async () => {
      const hostile = 'SQL \u001b[2J\u001b]0;pwned\u0007 built \u202eby\u202c concatenation\u0000';
      server = await startModelServer({
        handler: () =>
          findingsAnswer(
            [
              modelFinding({
                title: hostile,
                message: 'Clear \u001b[H\u001b[2J the screen \u009b31m',
                startLine: 2,
                endLine: 2,
                quote: 'db.query("SELECT * FROM orders WHERE id = " + id)',
              }),
            ],
            'Summary \u001b[31mred\u001b[0m',
          ),
      });
      const cwd = workspace();
      const env = {
        BACKEND_REVIEW_MODEL: 'test-model',
        OPENAI_BASE_URL: server.url,
        XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'terminal-cache-')),
      };
      const text = await runCliCaptured(['review', 'service.ts', '--no-cache'], { cwd, env });
      assert.ok(text.stdout.includes('\\x1b[2J'), text.stdout);
      assert.ok(text.stdout.includes('\\u202eby'), text.stdout);
      assert.doesNotMatch(text.stdout, RAW_CONTROL);
      assert.doesNotMatch(text.stderr, RAW_CONTROL);
      const json = await runCliCaptured(['review', 'service.ts', '--no-cache', '--format', 'json'], { cwd, env });
      const report = JSON.parse(json.stdout) as { findings: Array<{ title: string; origin: string }> };
      assert.ok(
        report.findings.some((finding) => finding.title === hostile),
        'JSON keeps the model text exactly as it came',
      );
    });

    it('reviews a changed file whose name holds escape sequences under its real name, shown escaped', async () => {
      // Git quotes such a name in the diff ("b/ev\033]0;t\007il.ts"); it was reviewed under the quoted
      // spelling, from the hunks alone. Now: the real file, its name exact in JSON and escaped on screen.
      const root = mkdtempSync(join(tmpdir(), 'terminal-names-'));
      const git = (...args: string[]): string =>
        execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@e', '-c', 'commit.gpgsign=false', ...args], {
          cwd: root,
          encoding: 'utf8',
        });
      const name = 'src/ev\u001b]0;pwned\u0007il\u202e.ts';
      const lines = Array.from({ length: 30 }, (_, i) => `export const v${i} = ${i};`);
      mkdirSync(join(root, 'src'));
      git('init', '-q', '-b', 'main');
      writeFileSync(join(root, name), lines.join('\n') + '\n');
      git('add', '-A');
      git('commit', '-q', '-m', 'base');
      lines[19] = 'export const v19 = await fetch(process.env.URL!);';
      writeFileSync(join(root, name), lines.join('\n') + '\n');
      server = await startModelServer({
        handler: () => findingsAnswer([modelFinding({ startLine: 20, endLine: 20, quote: 'fetch(process.env.URL!)' })]),
      });
      const env = {
        BACKEND_REVIEW_MODEL: 'test-model',
        OPENAI_BASE_URL: server.url,
        XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'terminal-cache-')),
      };
      const json = await runCliCaptured(['review', '--diff', '--format', 'json'], { cwd: root, env });
      assert.equal(json.code, 0, json.stderr);
      const report = JSON.parse(json.stdout) as { findings: { file: string }[] };
      assert.ok(report.findings.length > 0, json.stdout);
      assert.deepEqual(new Set(report.findings.map((f) => f.file)), new Set([name]), 'the real name, exact');
      const [request] = server.chatRequests();
      assert.ok(request.user.includes('File: src/ev\\u001b]0;pwned\\u0007il'), 'the name, escaped, in the prompt');
      assert.match(
        request.user,
        /^14 +\| export const v13 = 13;$/m,
        'read from the file: the hunk holds lines 17-23 only',
      );
      const text = await runCliCaptured(['review', '--diff'], { cwd: root, env });
      assert.ok(text.stdout.includes('src/ev\\x1b]0;pwned\\x07il\\u202e.ts:20'), text.stdout);
      assert.doesNotMatch(text.stdout, RAW_CONTROL);
      assert.doesNotMatch(text.stderr, RAW_CONTROL);
    });

    it("neutralises a server's error message on stderr and never prints the key in it", async () => {
      server = await startModelServer({
        handler: () => ({
          status: 400,
          body: { error: { message: `bad request \u001b[2J\u001b]0;title\u0007 for key ${KEY}` } },
        }),
      });
      const run = await runCliCaptured(['review', 'service.ts', '--no-cache'], {
        cwd: workspace(),
        env: {
          BACKEND_REVIEW_MODEL: 'test-model',
          OPENAI_BASE_URL: server.url,
          OPENAI_API_KEY: KEY,
          XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'terminal-cache-')),
        },
      });
      assert.match(run.stderr, /bad request/);
      assert.doesNotMatch(run.stderr, RAW_CONTROL);
      assert.ok(!run.stderr.includes(KEY) && !run.stdout.includes(KEY), run.stderr);
    });

    it('does not echo a key held in an invalid base URL', async () => {
      const run = await runCliCaptured(
        ['review', 'service.ts', '--model', 'm', '--base-url', `http://exa mple.test/v1?api-key=${KEY}`],
        { cwd: workspace(), env: {} },
      );
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /not a valid URL/);
      assert.ok(!run.stderr.includes(KEY) && !run.stderr.includes(KEY.slice(8)), run.stderr);
    });

    it("masks the key a server echoes into the model's answer: reports, stderr and the cache hold none of it", async () => {
      // An echoing proxy or hostile server puts the key it was sent into the answer: once inside a
      // finding (a valid answer), once as an answer that is not JSON (quoted in the parse error).
      const sentKey = (request: { headers: Record<string, unknown> }): string =>
        String(request.headers.authorization ?? '').replace(/^Bearer /, '');
      server = await startModelServer({
        handler: (request, index) =>
          index % 2 === 0
            ? findingsAnswer(
                [
                  modelFinding({
                    title: `Query built by concatenation (key ${sentKey(request)})`,
                    startLine: 2,
                    endLine: 2,
                    quote: 'db.query("SELECT * FROM orders WHERE id = " + id)',
                    message: `The key ${sentKey(request)} was sent with this request.`,
                  }),
                ],
                `summary with ${sentKey(request)}`,
              )
            : { text: `not json: ${sentKey(request)}` },
      });
      const cache = mkdtempSync(join(tmpdir(), 'terminal-cache-'));
      const root = workspace();
      writeFileSync(join(root, 'other.ts'), 'export const other = (a: number) => a + 1;\n');
      const env = {
        BACKEND_REVIEW_MODEL: 'test-model',
        OPENAI_BASE_URL: server.url,
        OPENAI_API_KEY: KEY,
        XDG_CACHE_HOME: cache,
      };
      const outputs: string[] = [];
      for (const format of ['text', 'json', 'sarif']) {
        const run = await runCliCaptured(
          ['review', 'service.ts', 'other.ts', '--max-concurrency', '1', '--format', format],
          {
            cwd: root,
            env,
          },
        );
        outputs.push(run.stdout, run.stderr);
        if (format === 'json') {
          const report = JSON.parse(run.stdout) as { findings: { title: string; message: string }[] };
          assert.ok(
            report.findings.some((f) => f.message === 'The key *** was sent with this request.'),
            run.stdout,
          );
        }
      }
      assert.ok(
        server.chatRequests().every((r) => r.headers.authorization === `Bearer ${KEY}`),
        'the key was sent',
      );
      assert.match(outputs.join('\n'), /not json: \*\*\*/, 'the parse error quotes the answer, masked');
      for (const text of outputs) assert.ok(!text.includes(KEY), text);
      for (const file of filesUnder(cache)) assert.ok(!readFileSync(file, 'utf8').includes(KEY), file);
    });

    it("routes the SDK's report of a malformed stream chunk through the scrubbed log, named or not", async () => {
      // A server that streams a chunk the SDK cannot parse, echoing the key and escape sequences in it,
      // once under an SSE event name the SDK would print with console.error, once without.
      raw = createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write(`event: thread.run\ndata: {not json \u001b[2J ${KEY}\n\n`);
          res.end(`data: {also not json \u001b]0;t\u0007 ${KEY}\n\n`);
        });
      });
      await new Promise<void>((resolve) => raw!.listen(0, '127.0.0.1', () => resolve()));
      const { port } = raw.address() as { port: number };
      const errors: unknown[] = [];
      const originalError = console.error;
      console.error = (...parts: unknown[]) => errors.push(parts);
      let run;
      try {
        run = await runCliCaptured(['review', 'service.ts', '--no-cache'], {
          cwd: workspace(),
          env: {
            BACKEND_REVIEW_MODEL: 'test-model',
            OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1`,
            OPENAI_API_KEY: KEY,
            XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'terminal-cache-')),
          },
        });
      } finally {
        console.error = originalError;
      }
      assert.deepEqual(errors, [], 'nothing written to the console behind our back');
      assert.ok(!run.stderr.includes(KEY) && !run.stdout.includes(KEY), run.stderr);
      assert.doesNotMatch(run.stderr, RAW_CONTROL);
    });
  });
});
