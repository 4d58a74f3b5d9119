import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findingsAnswer, modelFinding, startModelServer, type ModelServer } from '../../../support/modelServer';

// The loopback model server is used by the unit tests, the VS Code integration tests and the
// benchmarks; these tests pin its HTTP behaviour with plain fetch, independent of the openai SDK.

async function post(url: string, body: unknown): Promise<Response> {
  return fetch(`${url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('startModelServer', () => {
  let server: ModelServer;
  afterEach(async () => {
    await server.close();
  });

  it('listens on 127.0.0.1 and lists its models', async () => {
    server = await startModelServer({ models: ['a', 'b'] });
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const response = await fetch(`${server.url}/models`);
    assert.equal(response.status, 200);
    assert.deepEqual(
      ((await response.json()) as { data: { id: string }[] }).data.map((m) => m.id),
      ['a', 'b'],
    );
  });

  it('answers with no findings by default and records what it received', async () => {
    server = await startModelServer();
    const response = await post(`${server.url}`, {
      model: 'm',
      messages: [
        { role: 'system', content: 'persona' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'part one ' },
            { type: 'text', text: 'part two' },
          ],
        },
        { role: 'user', content: 'second' },
      ],
    });
    const json = (await response.json()) as {
      choices: { message: { content: string }; finish_reason: string }[];
      usage: { prompt_tokens: number };
    };
    assert.deepEqual(JSON.parse(json.choices[0].message.content).findings, []);
    assert.equal(json.choices[0].finish_reason, 'stop');
    assert.ok(json.usage.prompt_tokens > 0);
    const [recorded] = server.chatRequests();
    assert.equal(recorded.system, 'persona');
    assert.equal(recorded.user, 'part one part two\n\nsecond');
    assert.equal(recorded.headers['content-type'], 'application/json');
  });

  it('streams server-sent events with a usage chunk only when asked, ending with [DONE]', async () => {
    server = await startModelServer({ handler: () => ({ ...findingsAnswer([modelFinding()]), chunkSize: 8 }) });
    const read = async (withUsage: boolean): Promise<string[]> => {
      const response = await post(server.url, {
        model: 'm',
        messages: [],
        stream: true,
        ...(withUsage ? { stream_options: { include_usage: true } } : {}),
      });
      assert.equal(response.headers.get('content-type'), 'text/event-stream');
      return (await response.text())
        .split('\n\n')
        .filter((e) => e !== '')
        .map((e) => e.replace(/^data: /, ''));
    };
    const events = await read(true);
    assert.equal(events[events.length - 1], '[DONE]');
    const chunks = events.slice(0, -1).map(
      (e) =>
        JSON.parse(e) as {
          choices: { delta: { content?: string }; finish_reason: string | null }[];
          usage?: unknown;
        },
    );
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    assert.equal(JSON.parse(text).findings.length, 1);
    assert.ok(chunks[chunks.length - 1].usage, 'the last chunk carries usage');
    assert.equal(chunks[chunks.length - 2].choices[0].finish_reason, 'stop');
    const withoutUsage = (await read(false)).slice(0, -1).map((e) => JSON.parse(e) as { usage?: unknown });
    assert.ok(withoutUsage.every((c) => c.usage === undefined));
  });

  it('answers scripted errors with their status, headers and an OpenAI-shaped body', async () => {
    server = await startModelServer({ handler: () => ({ status: 429, headers: { 'retry-after': '2' } }) });
    const response = await post(server.url, { model: 'm', messages: [] });
    assert.equal(response.status, 429);
    assert.equal(response.headers.get('retry-after'), '2');
    assert.match(((await response.json()) as { error: { message: string } }).error.message, /scripted error 429/);
  });

  it('rejects only the listed response formats', async () => {
    server = await startModelServer({ handler: () => ({ rejectFormats: ['json_schema'] }) });
    const schema = await post(server.url, {
      model: 'm',
      messages: [],
      response_format: { type: 'json_schema', json_schema: { name: 'x', schema: {} } },
    });
    assert.equal(schema.status, 400);
    assert.match(
      ((await schema.json()) as { error: { message: string } }).error.message,
      /'response_format' of type 'json_schema' is not supported/,
    );
    const object = await post(server.url, { model: 'm', messages: [], response_format: { type: 'json_object' } });
    assert.equal(object.status, 200);
  });

  it('answers 400 for a body that is not JSON, 404 for unknown routes, 500 when the handler throws', async () => {
    server = await startModelServer({
      handler: () => {
        throw new Error('script bug');
      },
    });
    const bad = await post(server.url, '{not json');
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /could not parse the JSON body/);
    const unknown = await fetch(`${server.url}/embeddings`, { method: 'POST', body: '{}' });
    assert.equal(unknown.status, 404);
    const failing = await post(server.url, { model: 'm', messages: [] });
    assert.equal(failing.status, 500);
    assert.match(await failing.text(), /model server handler failed: script bug/);
  });

  it('closes promptly even with a hung request open', async () => {
    server = await startModelServer({ handler: () => ({ hang: true }) });
    const pending = post(server.url, { model: 'm', messages: [] }).then(
      () => 'answered',
      () => 'connection closed',
    );
    while (server.chatRequests().length === 0) await new Promise((r) => setTimeout(r, 10));
    const started = Date.now();
    await server.close();
    assert.ok(Date.now() - started < 5_000, 'a hung request must not hold the server open');
    assert.equal(await pending, 'connection closed');
    server = await startModelServer(); // for afterEach
  });
});

describe('modelServerMain (command line)', () => {
  const main = path.join(__dirname, '..', '..', '..', 'support', 'modelServerMain.ts');
  let child: ChildProcess | undefined;
  afterEach(() => {
    if (child && child.exitCode === null) child.kill('SIGTERM');
    child = undefined;
  });

  function run(args: string[]): { firstLine: Promise<string>; exit: Promise<{ code: number | null; stderr: string }> } {
    child = spawn(process.execPath, ['-r', 'tsx/cjs', main, ...args], {
      cwd: path.join(__dirname, '..', '..', '..', '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const proc = child;
    const firstLine = new Promise<string>((resolve, reject) => {
      proc.stdout?.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes('\n')) resolve(stdout.split('\n')[0]);
      });
      proc.on('exit', () => reject(new Error(`exited before printing a URL: ${stderr}`)));
    });
    proc.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const exit = new Promise<{ code: number | null; stderr: string }>((resolve) =>
      proc.on('exit', (code) => resolve({ code, stderr })),
    );
    firstLine.catch(() => undefined);
    return { firstLine, exit };
  }

  it('serves the findings from a script file and prints its URL', async function () {
    this.timeout(20_000);
    const script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'model-server-')), 'findings.json');
    fs.writeFileSync(
      script,
      JSON.stringify({ summary: 'From the script.', findings: [modelFinding({ title: 'Scripted' })] }),
    );
    const { firstLine, exit } = run(['--script', script]);
    const url = await firstLine;
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const response = await post(url, { model: 'm', messages: [] });
    const content = ((await response.json()) as { choices: { message: { content: string } }[] }).choices[0].message
      .content;
    assert.deepEqual(
      JSON.parse(content).findings.map((f: { title: string }) => f.title),
      ['Scripted'],
    );
    child?.kill('SIGTERM');
    assert.equal((await exit).code, 0);
  });

  it('fails with a message naming the file when the script is unreadable', async function () {
    this.timeout(20_000);
    const { exit } = run(['--script', '/nonexistent/findings.json']);
    const { code, stderr } = await exit;
    assert.equal(code, 2);
    assert.match(stderr, /cannot read the script \/nonexistent\/findings\.json/);
  });
});
