import * as assert from 'node:assert/strict';
import { rejection } from '../../../support/providerRejection';
import { InMemoryLogger } from '../../../support/inMemoryLogger';
import {
  OpenAICompatibleProvider,
  createProviderFromEnv,
  estimateJoinedTokens,
  estimateTokens,
  type OpenAICompatibleOptions,
} from '../../../../src/core/providers/openaiCompatible';
import type { ChatRequest, RetryNotice } from '../../../../src/core/providers/provider';
import { FINDINGS_JSON_SCHEMA, FINDINGS_SCHEMA_NAME } from '../../../../src/core/review/outputContract';
import {
  findingsAnswer,
  modelFinding,
  startModelServer,
  type ModelServer,
  type ReplyHandler,
} from '../../../support/modelServer';

const SECRET_KEY = 'sk-test-9f8e7d6c5b4a39281706f5e4d3c2b1a0';

const request = (overrides: Partial<ChatRequest> = {}): ChatRequest => ({
  messages: [
    { role: 'system', content: 'You are a principal backend engineer. Mode: pragmatic.' },
    { role: 'user', content: '12 | await fetch(url)\n13 | return res.json()\nRespond in JSON.' },
  ],
  jsonSchema: { name: FINDINGS_SCHEMA_NAME, schema: FINDINGS_JSON_SCHEMA },
  ...overrides,
});

/** Each test gets its own server (so its own port, so no remembered endpoint quirks leak between tests). */
let server: ModelServer;
async function serve(handler: ReplyHandler): Promise<ModelServer> {
  server = await startModelServer({ handler });
  return server;
}

function provider(options: Partial<OpenAICompatibleOptions> = {}): OpenAICompatibleProvider {
  return new OpenAICompatibleProvider({
    baseUrl: server.url,
    model: 'test-model',
    retryBaseDelayMs: 5,
    maxRetryDelayMs: 20,
    ...options,
  });
}

const oneFinding = [modelFinding({ startLine: 12, endLine: 12, quote: 'await fetch(url)' })];

describe('token estimates', () => {
  it('estimates the tokens of messages joined by line breaks without joining them', () => {
    for (const texts of [[], [''], ['a'], ['abc', 'd'], ['ab', '', 'cdefg', 'h'], ['x'.repeat(80_001), 'y'.repeat(7)]])
      assert.equal(
        estimateJoinedTokens(texts),
        estimateTokens(texts.join('\n')),
        JSON.stringify(texts.map((t) => t.length)),
      );
  });
});

describe('OpenAICompatibleProvider (real openai client against a local server)', () => {
  afterEach(async () => {
    await server.close();
  });

  it('streams the answer over SSE, calling onText as chunks arrive, and reports usage', async () => {
    await serve(() => ({
      ...findingsAnswer(oneFinding, 'One problem.'),
      chunkSize: 10,
      usage: { prompt_tokens: 321, completion_tokens: 45 },
    }));
    const pieces: string[] = [];
    const response = await provider().complete(request({ onText: (t) => pieces.push(t) }));
    assert.ok(pieces.length > 5, `expected several streamed pieces, got ${pieces.length}`);
    assert.equal(pieces.join(''), response.text);
    assert.deepEqual(JSON.parse(response.text), { summary: 'One problem.', findings: oneFinding });
    assert.deepEqual(response.usage, { promptTokens: 321, completionTokens: 45 });
    assert.equal(response.format, 'json_schema');
    assert.equal(response.truncated, false);

    const [received] = server.chatRequests();
    assert.equal(received.body?.stream, true);
    assert.deepEqual(received.body?.stream_options, { include_usage: true });
    assert.equal(received.body?.model, 'test-model');
    assert.deepEqual(received.body?.response_format, {
      type: 'json_schema',
      json_schema: { name: FINDINGS_SCHEMA_NAME, strict: true, schema: FINDINGS_JSON_SCHEMA },
    });
    assert.equal(received.system, 'You are a principal backend engineer. Mode: pragmatic.');
    assert.equal(received.user, '12 | await fetch(url)\n13 | return res.json()\nRespond in JSON.');
  });

  it('works without streaming too, and calls onText once with the whole answer', async () => {
    await serve(() => findingsAnswer(oneFinding));
    const pieces: string[] = [];
    const response = await provider({ stream: false }).complete(request({ onText: (t) => pieces.push(t) }));
    assert.deepEqual(pieces, [response.text]);
    assert.equal(JSON.parse(response.text).findings.length, 1);
    assert.equal(server.chatRequests()[0].body?.stream, false);
  });

  it('reads a whole JSON answer from a server that ignores the stream request', async () => {
    await serve(() => ({
      ...findingsAnswer(oneFinding),
      ignoreStream: true,
      usage: { prompt_tokens: 7, completion_tokens: 9 },
    }));
    const pieces: string[] = [];
    const response = await provider().complete(request({ onText: (t) => pieces.push(t) }));
    assert.equal(server.chatRequests()[0].body?.stream, true);
    assert.equal(JSON.parse(response.text).findings.length, 1);
    assert.deepEqual(pieces, [response.text]);
    assert.deepEqual(response.usage, { promptTokens: 7, completionTokens: 9 });
    assert.equal(response.truncated, false);
  });

  it('estimates usage (characters / 4) when the endpoint reports none', async () => {
    await serve(() => ({ text: '{"summary":"ok","findings":[]}', usage: null }));
    const req = request();
    const response = await provider().complete(req);
    assert.equal(response.usage.completionTokens, estimateTokens('{"summary":"ok","findings":[]}'));
    assert.equal(response.usage.promptTokens, estimateTokens(req.messages.map((m) => m.content).join('\n')));
  });

  it('marks an answer cut off at the length limit as truncated', async () => {
    await serve(() => ({ text: '{"summary":"x","findings":[{"title":"a"', finishReason: 'length' }));
    assert.equal((await provider().complete(request())).truncated, true);
    assert.equal((await provider({ stream: false }).complete(request())).truncated, true);
  });

  it('sends no Authorization header when no key is configured, and a bearer token when one is', async () => {
    await serve(() => findingsAnswer([]));
    await provider().complete(request());
    await provider({ apiKey: SECRET_KEY }).complete(request());
    const [keyless, keyed] = server.chatRequests();
    assert.equal(keyless.headers.authorization, undefined);
    assert.equal(keyless.headers['api-key'], undefined);
    assert.equal(keyed.headers.authorization, `Bearer ${SECRET_KEY}`);
  });

  it('keeps credentials the caller put in defaultHeaders (e.g. a proxy token)', async () => {
    await serve(() => findingsAnswer([]));
    await provider({ defaultHeaders: { Authorization: 'Basic cHJveHk6dG9rZW4=', 'X-Team': 'backend' } }).complete(
      request(),
    );
    const [received] = server.chatRequests();
    assert.equal(received.headers.authorization, 'Basic cHJveHk6dG9rZW4=');
    assert.equal(received.headers['x-team'], 'backend');
    await provider({ defaultHeaders: { 'api-key': 'gateway-key' } }).complete(request());
    const keyOnly = server.chatRequests()[1];
    assert.equal(keyOnly.headers['api-key'], 'gateway-key');
    assert.equal(keyOnly.headers.authorization, undefined, 'no placeholder bearer token is sent');
  });

  it('talks to an Azure deployment URL: api-key header, api-version query, deployment path', async () => {
    await serve(() => findingsAnswer([]));
    const base = server.url.replace(/\/v1$/, '');
    const azure = new OpenAICompatibleProvider({
      baseUrl: `${base}/openai/deployments/my-gpt4o?api-version=2024-10-21`,
      model: 'my-gpt4o',
      apiKey: SECRET_KEY,
    });
    await azure.complete(request());
    const [received] = server.requests;
    assert.equal(received.path, '/openai/deployments/my-gpt4o/chat/completions');
    assert.equal(received.query['api-version'], '2024-10-21');
    assert.equal(received.headers['api-key'], SECRET_KEY);
    assert.equal(received.headers.authorization, undefined);
    assert.ok(!azure.id.includes('api-version'), azure.id);
  });

  describe('errors', () => {
    it('401: says the key was refused and what to do, without the key (even when the server echoes it)', async () => {
      await serve(() => ({
        status: 401,
        body: { error: { message: `Incorrect API key provided: ${SECRET_KEY}`, type: 'invalid_request_error' } },
      }));
      const logger = new InMemoryLogger();
      const error = await rejection(provider({ apiKey: SECRET_KEY, logger }).complete(request()));
      assert.equal(error.kind, 'auth');
      assert.equal(error.status, 401);
      assert.match(
        error.message,
        new RegExp(
          `the endpoint at ${server.url.replace(/[.]/g, '\\.')} answered 401: the key was refused\\. Set OPENAI_API_KEY`,
        ),
      );
      assert.ok(!error.message.includes(SECRET_KEY));
      assert.ok(!error.stack?.includes(SECRET_KEY));
      assert.ok(logger.messages().every((m) => !m.includes(SECRET_KEY)));
      assert.equal(server.chatRequests().length, 1, 'a refused key is not retried');
      // The editor words its own advice from these facts (settings and commands instead of CLI variables).
      assert.equal(error.facts.reason, 'key-refused');
      assert.equal(error.facts.problem, `the endpoint at ${server.url} answered 401: the key was refused.`);
      assert.ok(!error.facts.problem?.includes('OPENAI_API_KEY'));
    });

    it('a 200 page that is no chat completion (a base URL without /v1, a proxy login) names the endpoint and the fix, unretried', async () => {
      const page = '<!doctype html><html><body>Sign in to continue</body></html>';
      for (const stream of [true, false]) {
        await serve(() => ({ status: 200, body: page, headers: { 'content-type': 'text/html; charset=utf-8' } }));
        const error = await rejection(provider({ stream }).complete(request()));
        assert.equal(error.kind, 'failed', `stream ${stream}`);
        assert.match(
          error.message,
          /answered 200 with text\/html, not a chat completion: check the base URL \(OpenAI-compatible servers usually end in \/v1/,
        );
        assert.equal(server.chatRequests().length, 1, `not retried (stream ${stream})`);
        await server.close();
      }
      // Plain text with not one event in it: the same, whatever the content type says.
      await serve(() => ({ status: 200, body: 'It works!', headers: { 'content-type': 'text/plain' } }));
      const error = await rejection(provider().complete(request()));
      assert.match(error.message, /answered 200 with text\/plain, not a chat completion/);
      assert.equal(server.chatRequests().length, 1);
    });

    it('404: names the model and how to fix the setting', async () => {
      await serve(() => ({
        status: 404,
        body: {
          error: { message: 'The model `nope` does not exist', type: 'invalid_request_error', code: 'model_not_found' },
        },
      }));
      const error = await rejection(provider({ model: 'nope' }).complete(request()));
      assert.equal(error.kind, 'rejected');
      assert.match(error.message, /answered 404 \(The model `nope` does not exist\): the model "nope"/);
      assert.match(error.message, /BACKEND_REVIEW_MODEL or --model/);
      assert.equal(error.facts.reason, 'model-not-found');
      assert.ok(!/BACKEND_REVIEW_MODEL|--model/.test(error.facts.problem ?? ''), error.facts.problem);
      assert.match(error.facts.problem ?? '', /the model "nope" or the chat API was not found\.$/);
    });

    it("shows the explanation from error bodies in other servers' shapes (vLLM, Ollama, plain text)", async () => {
      const bodies: unknown[] = [
        {
          object: 'error',
          message: "This model's maximum context length is 8192 tokens",
          type: 'BadRequestError',
          code: 400,
        },
        { error: 'model "llama9" not found, try pulling it first' },
        'upstream exploded',
      ];
      await serve((_req, i) => ({ status: i === 2 ? 418 : 400, body: bodies[i] }));
      const tooLong = await rejection(provider().complete(request()));
      assert.match(tooLong.message, /maximum context length is 8192 tokens.*lower maxInputTokens/);
      const ollama = await rejection(provider().complete(request()));
      assert.match(ollama.message, /model "llama9" not found/);
      const teapot = await rejection(provider().complete(request()));
      assert.match(teapot.message, /answered 418: upstream exploded/);
    });

    it('could not connect: says so and asks whether the server runs', async () => {
      await serve(() => findingsAnswer([]));
      const url = server.url;
      await server.close();
      const error = await rejection(new OpenAICompatibleProvider({ baseUrl: url, model: 'm' }).complete(request()));
      assert.equal(error.kind, 'unreachable');
      assert.match(
        error.message,
        /Could not connect to http:\/\/127\.0\.0\.1:\d+\/v1 \(ECONNREFUSED\): is the server running/,
      );
      assert.equal(error.facts.reason, 'connection-refused');
      assert.match(
        error.facts.problem ?? '',
        /^Could not connect to http:\/\/127\.0\.0\.1:\d+\/v1 \(ECONNREFUSED\)\.$/,
      );
      server = await startModelServer(); // so afterEach has something to close
    });
  });

  describe('retries', () => {
    it('retries a 500 and succeeds', async () => {
      await serve((_req, i) => (i === 0 ? { status: 500 } : findingsAnswer(oneFinding)));
      const logger = new InMemoryLogger();
      const response = await provider({ logger }).complete(request());
      assert.equal(JSON.parse(response.text).findings.length, 1);
      assert.equal(server.chatRequests().length, 2);
      assert.ok(
        logger.messages('warn').some((m) => /answered 500.*Retrying in \d+ms \(retry 1 of 3\)/.test(m)),
        logger.messages().join('\n'),
      );
    });

    it('honours retry-after on a 429 (the second request waits at least that long)', async () => {
      await serve((_req, i) => (i === 0 ? { status: 429, headers: { 'retry-after': '1' } } : findingsAnswer([])));
      await provider({ retryBaseDelayMs: 1, maxRetryDelayMs: 1 }).complete(request());
      const [first, second] = server.chatRequests();
      const gap = second.receivedAt - first.receivedAt;
      assert.ok(gap >= 950, `expected >= ~1000ms between attempts, got ${gap}ms`);
    });

    it('honours retry-after-ms', async () => {
      await serve((_req, i) => (i === 0 ? { status: 503, headers: { 'retry-after-ms': '250' } } : findingsAnswer([])));
      await provider({ retryBaseDelayMs: 1, maxRetryDelayMs: 1 }).complete(request());
      const [first, second] = server.chatRequests();
      assert.ok(second.receivedAt - first.receivedAt >= 240, `gap ${second.receivedAt - first.receivedAt}ms`);
    });

    it('does not wait for a retry-after beyond the cap: fails at once and says when to retry', async () => {
      await serve(() => ({ status: 429, headers: { 'retry-after': '120' } }));
      const started = Date.now();
      const error = await rejection(provider({ maxRetryAfterMs: 5_000 }).complete(request()));
      // Bounds are far from the behaviour they tell apart (a 120 s wait), so a loaded machine cannot fail them.
      assert.ok(Date.now() - started < 8_000);
      assert.equal(server.chatRequests().length, 1);
      assert.match(
        error.message,
        /answered 429.*asked to wait 120s before retrying, longer than the 5s this tool waits/,
      );
    });

    it('gives up after maxRetries with backoff, reporting the last status', async () => {
      await serve(() => ({ status: 503, body: { error: { message: 'overloaded' } } }));
      const notices: RetryNotice[] = [];
      const error = await rejection(
        provider({ maxRetries: 2 }).complete({ ...request(), onRetry: (notice) => notices.push(notice) }),
      );
      assert.equal(server.chatRequests().length, 3);
      assert.equal(error.kind, 'failed');
      assert.equal(error.status, 503);
      assert.match(error.message, /answered 503 \(overloaded\)/);
      assert.deepEqual(error.facts, { reason: 'server-error', retries: 2 });
      // Each retry is announced before it is made, naming what failed.
      assert.deepEqual(
        notices.map(({ retry, of, after }) => ({ retry, of, after })),
        [
          { retry: 1, of: 2, after: '503' },
          { retry: 2, of: 2, after: '503' },
        ],
      );
      assert.ok(notices.every((n) => n.delayMs >= 0));
    });

    it('retries 408 and 409 as well', async () => {
      await serve((_req, i) => (i === 0 ? { status: 408 } : i === 1 ? { status: 409 } : findingsAnswer([])));
      await provider().complete(request());
      assert.equal(server.chatRequests().length, 3);
    });

    it('does not retry a plain 400', async () => {
      await serve(() => ({ status: 400, body: { error: { message: 'messages: field required' } } }));
      const error = await rejection(provider().complete(request()));
      assert.equal(server.chatRequests().length, 1);
      assert.equal(error.kind, 'rejected');
    });

    it('retries a connection reset', async () => {
      await serve((_req, i) => (i === 0 ? { reset: true } : findingsAnswer(oneFinding)));
      const response = await provider().complete(request());
      assert.equal(JSON.parse(response.text).findings.length, 1);
      assert.equal(server.chatRequests().length, 2);
    });

    it('backs off exponentially when the server gives no retry-after', async () => {
      await serve((_req, i) => (i < 3 ? { status: 502 } : findingsAnswer([])));
      await provider({ retryBaseDelayMs: 100, maxRetryDelayMs: 10_000 }).complete(request());
      const times = server.chatRequests().map((r) => r.receivedAt);
      const gaps = times.slice(1).map((t, i) => t - times[i]);
      // Delays are 100, 200, 400ms minus up to 25% jitter.
      assert.ok(gaps[0] >= 70, `gaps ${gaps}`);
      assert.ok(gaps[1] >= 145, `gaps ${gaps}`);
      assert.ok(gaps[2] >= 295, `gaps ${gaps}`);
    });
  });

  describe('timeouts and cancellation', () => {
    it('ends a request that never answers at the configured timeout', async () => {
      await serve(() => ({ hang: true }));
      const started = Date.now();
      const error = await rejection(provider({ timeoutMs: 300 }).complete(request()));
      const elapsed = Date.now() - started;
      assert.equal(error.kind, 'timeout');
      assert.match(error.message, /did not answer within 0\.3s \(timeout\)\. Raise the timeout/);
      assert.ok(elapsed >= 280 && elapsed < 8_000, `elapsed ${elapsed}ms`);
      assert.equal(server.chatRequests().length, 1, 'a timed-out request is not retried');
    });

    it('ends a non-streamed answer that stops half-way', async () => {
      await serve(() => ({ stall: true }));
      const error = await rejection(provider({ timeoutMs: 300, stream: false }).complete(request()));
      assert.equal(error.kind, 'timeout');
    });

    it('ends a stream that stalls after its first chunks', async () => {
      await serve(() => ({ stall: true, text: '{"summary": "The handler' }));
      const pieces: string[] = [];
      const error = await rejection(provider({ timeoutMs: 300 }).complete(request({ onText: (t) => pieces.push(t) })));
      assert.equal(error.kind, 'timeout');
      assert.match(error.message, /stopped sending its answer for 0\.3s/);
      assert.equal(pieces.join(''), '{"summary": "The handler');
    });

    it('lets a slow but steady stream run longer than the timeout', async () => {
      // A gap between chunks 20 times shorter than the timeout, so a busy machine's pauses cannot look like a stall.
      await serve(() => ({ ...findingsAnswer([]), chunkSize: 1, chunkDelayMs: 50 }));
      const started = Date.now();
      const response = await provider({ timeoutMs: 1_000 }).complete(request());
      assert.ok(Date.now() - started > 1_000, 'the stream should have lasted longer than one timeout');
      assert.deepEqual(JSON.parse(response.text).findings, []);
    });

    it('stops promptly when the AbortSignal fires mid-request', async () => {
      await serve(() => ({ hang: true }));
      const controller = new AbortController();
      const started = Date.now();
      setTimeout(() => controller.abort(), 100);
      const error = await rejection(provider({ timeoutMs: 60_000 }).complete(request({ signal: controller.signal })));
      assert.equal(error.kind, 'cancelled');
      assert.ok(Date.now() - started < 8_000, `took ${Date.now() - started}ms`);
    });

    it('stops promptly when cancelled mid-stream', async () => {
      await serve(() => ({ stall: true }));
      const controller = new AbortController();
      const error = await rejection(
        provider({ timeoutMs: 10_000 }).complete(
          request({ signal: controller.signal, onText: () => controller.abort() }),
        ),
      );
      assert.equal(error.kind, 'cancelled');
    });

    it('stops promptly when cancelled while waiting to retry', async () => {
      await serve(() => ({ status: 429, headers: { 'retry-after': '30' } }));
      const controller = new AbortController();
      const started = Date.now();
      setTimeout(() => controller.abort(), 150);
      const error = await rejection(provider().complete(request({ signal: controller.signal })));
      assert.equal(error.kind, 'cancelled');
      assert.ok(Date.now() - started < 8_000);
      assert.equal(server.chatRequests().length, 1);
    });

    it('does not send anything when already cancelled', async () => {
      await serve(() => findingsAnswer([]));
      const controller = new AbortController();
      controller.abort();
      const error = await rejection(provider().complete(request({ signal: controller.signal })));
      assert.equal(error.kind, 'cancelled');
      assert.equal(server.chatRequests().length, 0);
    });
  });

  describe('response_format fallback', () => {
    it('falls back from json_schema to json_object and remembers it for the endpoint', async () => {
      await serve(() => ({ rejectFormats: ['json_schema'], otherwise: findingsAnswer(oneFinding) }));
      const logger = new InMemoryLogger();
      const first = await provider({ model: 'fallback-a', logger }).complete(request());
      assert.equal(first.format, 'json_object');
      assert.equal(JSON.parse(first.text).findings.length, 1);
      assert.deepEqual(
        server.chatRequests().map((r) => r.body?.response_format?.type),
        ['json_schema', 'json_object'],
      );
      assert.ok(
        logger
          .messages('warn')
          .some((m) => /rejected response_format json_schema.*falling back to json_object/.test(m)),
      );

      // A new provider for the same endpoint and model goes straight to json_object.
      const second = await provider({ model: 'fallback-a' }).complete(request());
      assert.equal(second.format, 'json_object');
      assert.deepEqual(
        server.chatRequests().map((r) => r.body?.response_format?.type),
        ['json_schema', 'json_object', 'json_object'],
      );

      // Another model on the same server is a different endpoint: it tries json_schema first.
      await provider({ model: 'fallback-b' }).complete(request());
      assert.equal(server.chatRequests()[3].body?.response_format?.type, 'json_schema');
    });

    it('falls back to plain instructions when json_object is rejected too, and remembers that', async () => {
      await serve(() => ({ rejectFormats: ['json_schema', 'json_object'], otherwise: findingsAnswer([]) }));
      const response = await provider({ model: 'text-only' }).complete(request());
      assert.equal(response.format, 'text');
      const sent = server.chatRequests();
      assert.deepEqual(
        sent.map((r) => r.body?.response_format?.type),
        ['json_schema', 'json_object', undefined],
      );
      assert.match(sent[2].user, /Answer with the JSON object only/);
      assert.ok(!sent[0].user.includes('Answer with the JSON object only'));

      await provider({ model: 'text-only' }).complete(request());
      assert.equal(server.chatRequests().length, 4);
      assert.equal(server.chatRequests()[3].body?.response_format, undefined);
    });

    it('starts at json_object when the request has no schema', async () => {
      await serve(() => findingsAnswer([]));
      const response = await provider().complete(request({ jsonSchema: undefined }));
      assert.equal(response.format, 'json_object');
      assert.deepEqual(server.chatRequests()[0].body?.response_format, { type: 'json_object' });
    });

    it('streams without stream_options when the endpoint rejects them, estimating usage', async () => {
      await serve((req) =>
        req.body?.stream_options
          ? { status: 400, body: { error: { message: 'Unrecognized request argument supplied: stream_options' } } }
          : findingsAnswer([]),
      );
      const response = await provider({ model: 'old-server' }).complete(request());
      assert.equal(response.format, 'json_schema');
      assert.ok(response.usage.promptTokens > 0);
      assert.equal(server.chatRequests().length, 2);
    });
  });

  describe('options', () => {
    it('has an id naming model and endpoint, a default input budget and a token estimate', async () => {
      await serve(() => findingsAnswer([]));
      const p = provider();
      assert.equal(p.id, `openai-compatible:test-model@${server.url}`);
      assert.equal(p.modelName, 'test-model');
      assert.equal(p.maxInputTokens, 32_000);
      assert.equal(p.countTokens('a'.repeat(400)), 100);
      assert.equal(provider({ maxInputTokens: 8000 }).maxInputTokens, 8000);
    });

    it('rejects bad option values naming the option', async () => {
      await serve(() => findingsAnswer([]));
      assert.throws(() => provider({ timeoutMs: -5 }), /timeoutMs must be a positive whole number, got -5/);
      assert.throws(() => provider({ maxRetries: 1.5 }), /maxRetries must be a non-negative whole number/);
      assert.throws(() => provider({ model: ' ' }), /model is empty/);
      assert.throws(
        () => new OpenAICompatibleProvider({ baseUrl: 'not a url', model: 'm' }),
        /"not a url" is not a valid URL/,
      );
      assert.throws(
        () => new OpenAICompatibleProvider({ baseUrl: 'ftp://host/v1', model: 'm' }),
        /must start with http:\/\/ or https:\/\//,
      );
    });

    it('never shows URL credentials in the id or messages', async () => {
      await serve(() => ({ status: 500 }));
      const withCredentials = server.url.replace('http://', 'http://user:hunter2@');
      const p = new OpenAICompatibleProvider({ baseUrl: withCredentials, model: 'm', maxRetries: 0 });
      assert.ok(!p.id.includes('hunter2'));
      const error = await rejection(p.complete(request()));
      assert.ok(!error.message.includes('hunter2'), error.message);
    });
  });
});

describe('createProviderFromEnv', () => {
  it('returns undefined when no model is configured', () => {
    assert.equal(createProviderFromEnv({}), undefined);
    assert.equal(createProviderFromEnv({ BACKEND_REVIEW_MODEL: '  ', OPENAI_API_KEY: SECRET_KEY }), undefined);
  });

  it('reads model, base URL and key from the environment, flags taking precedence', () => {
    const fromEnv = createProviderFromEnv({ BACKEND_REVIEW_MODEL: 'gpt-4o-mini' });
    assert.equal(fromEnv?.id, 'openai-compatible:gpt-4o-mini@https://api.openai.com/v1');
    const local = createProviderFromEnv(
      { BACKEND_REVIEW_MODEL: 'a', OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1' },
      { model: 'llama3.1' },
    );
    assert.equal(local?.id, 'openai-compatible:llama3.1@http://127.0.0.1:11434/v1');
    const flagged = createProviderFromEnv(
      { OPENAI_BASE_URL: 'http://a.invalid/v1' },
      { model: 'm', baseUrl: 'http://127.0.0.1:1234/v1' },
    );
    assert.equal(flagged?.id, 'openai-compatible:m@http://127.0.0.1:1234/v1');
  });

  it('throws a clear error for an invalid URL, naming where it came from', () => {
    assert.throws(
      () => createProviderFromEnv({ BACKEND_REVIEW_MODEL: 'm', OPENAI_BASE_URL: 'localhost:11434' }),
      /must start with http:\/\/ or https:\/\/.*\(from OPENAI_BASE_URL\)/,
    );
    assert.throws(
      () => createProviderFromEnv({ BACKEND_REVIEW_MODEL: 'm' }, { baseUrl: '::nope' }),
      /not a valid URL.*\(from --base-url\)/,
    );
    // No model configured: the endpoint is still checked, so a typo is reported rather than ignored.
    assert.throws(() => createProviderFromEnv({ OPENAI_BASE_URL: 'garbage' }), /\(from OPENAI_BASE_URL\)/);
    assert.throws(() => createProviderFromEnv({}, { baseUrl: 'notaurl' }), /\(from --base-url\)/);
  });

  it('uses the key from OPENAI_API_KEY against a live endpoint', async () => {
    const local = await startModelServer();
    try {
      const p = createProviderFromEnv({
        BACKEND_REVIEW_MODEL: 'm',
        OPENAI_BASE_URL: local.url,
        OPENAI_API_KEY: SECRET_KEY,
      });
      await p?.complete(request());
      assert.equal(local.chatRequests()[0].headers.authorization, `Bearer ${SECRET_KEY}`);
    } finally {
      await local.close();
    }
  });
});
