/**
 * A real OpenAI-compatible chat server on 127.0.0.1 for tests, integration tests and benchmarks.
 * It speaks HTTP the way OpenAI/vLLM/Ollama do (JSON answers, server-sent-event streams with a
 * usage chunk, OpenAI-shaped error bodies) and records every request so tests can assert on what
 * the client really sent. Dependency-free on purpose: it is bundled by esbuild for the VS Code
 * integration tests and run standalone by modelServerMain.ts.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path without the query, e.g. `/v1/chat/completions`. */
  path: string;
  /** Query string parameters (e.g. Azure's `api-version`). */
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  /** The parsed JSON body (undefined for GET or an unparsable body). */
  body: ChatCompletionBody | undefined;
  /** Texts of the system messages, joined by blank lines. */
  system: string;
  /** Texts of the user messages, joined by blank lines. */
  user: string;
  /** Date.now() when the request arrived: lets tests check retry delays. */
  receivedAt: number;
}

export interface ChatCompletionBody {
  model?: string;
  messages?: { role: string; content: unknown }[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  response_format?: { type: string; json_schema?: { name?: string; strict?: boolean; schema?: unknown } };
  [key: string]: unknown;
}

export interface ScriptedUsage {
  prompt_tokens: number;
  completion_tokens: number;
}

interface AnswerOptions {
  /** Wait this long before answering. */
  delayMs?: number;
  /** `length` makes the answer look cut off at the token limit. Default `stop`. */
  finishReason?: 'stop' | 'length';
  /** Usage to report; default an estimate (characters / 4); `null` reports none. */
  usage?: ScriptedUsage | null;
  /** Streamed answers: characters per SSE chunk (default 16) and the pause between chunks. */
  chunkSize?: number;
  chunkDelayMs?: number;
  /** Answer with one JSON body even when the request asks for a stream (servers without streaming). */
  ignoreStream?: boolean;
}

/** What the server does with one chat request. */
export type ScriptedReply =
  /** Answer with this findings JSON (streamed when the request asks). */
  | ({ findings: unknown[]; summary?: string } & AnswerOptions)
  /** Answer with this raw text (prose, fenced JSON, broken JSON...). */
  | ({ text: string } & AnswerOptions)
  /** An HTTP error: `body` defaults to an OpenAI-shaped `{ error: { message } }`. */
  | { status: number; body?: unknown; headers?: Record<string, string>; delayMs?: number }
  /** Answer 400 (OpenAI's wording) when the request's response_format type is listed; else `otherwise`. */
  | { rejectFormats: ('json_schema' | 'json_object')[]; otherwise?: ScriptedReply }
  /** Accept the request and never answer. */
  | { hang: true }
  /** Start answering (headers and, when streaming, the first part of `text`), then go silent. */
  | { stall: true; text?: string }
  /** Drop the connection without an answer (a connection reset). */
  | { reset: true };

export type ReplyHandler = (request: RecordedRequest, index: number) => ScriptedReply | Promise<ScriptedReply>;

export interface ModelServer {
  /** Base URL for an OpenAI client, e.g. `http://127.0.0.1:43121/v1`. */
  url: string;
  /** Every request received, in order (chat completions and others). */
  requests: RecordedRequest[];
  /** Chat-completion requests only, in order. */
  chatRequests(): RecordedRequest[];
  setHandler(handler: ReplyHandler): void;
  close(): Promise<void>;
}

export interface ModelServerOptions {
  handler?: ReplyHandler;
  /** Port to listen on; default 0 (any free port). */
  port?: number;
  /** Model ids listed by GET /v1/models; default `['test-model']`. */
  models?: string[];
}

/** A reply with these findings (and summary) as the model's JSON answer. */
export function findingsAnswer(
  findings: unknown[],
  summary = findings.length === 0 ? 'No problems worth raising.' : `${findings.length} finding(s).`,
): ScriptedReply {
  return { findings, summary };
}

/** The default handler: a clean review with no findings. */
export const noFindingsHandler: ReplyHandler = () => findingsAnswer([]);

/** A complete, valid finding for scripts; override what the test cares about. */
export function modelFinding(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: 'Outbound HTTP call without a timeout',
    severity: 'high',
    category: 'reliability',
    startLine: 1,
    endLine: 1,
    quote: '',
    message: 'A hung upstream holds this request and its connection until the client gives up.',
    suggestion: 'Give the call a deadline (AbortSignal.timeout) and handle the timeout.',
    fix: null,
    confidence: 0.8,
    ...overrides,
  };
}

function messageText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part) =>
        part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string'
          ? (part as { text: string }).text
          : '',
      )
      .join('');
  }
  return '';
}

const estimateTokens = (text: string): number => Math.ceil(text.length / 4);

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function startModelServer(options: ModelServerOptions = {}): Promise<ModelServer> {
  let handler: ReplyHandler = options.handler ?? noFindingsHandler;
  const models = options.models ?? ['test-model'];
  const requests: RecordedRequest[] = [];
  let chatIndex = 0;
  let completionId = 0;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void respond(req, res, Buffer.concat(chunks).toString('utf8')).catch((error: unknown) => {
        // A handler bug must not hang the client: answer 500 with the reason if still possible.
        if (!res.headersSent)
          sendError(res, 500, `model server handler failed: ${error instanceof Error ? error.message : String(error)}`);
        else res.destroy();
      });
    });
  });

  async function respond(req: http.IncomingMessage, res: http.ServerResponse, rawBody: string): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let body: ChatCompletionBody | undefined;
    let bodyError: string | undefined;
    if (rawBody.length > 0) {
      try {
        body = JSON.parse(rawBody) as ChatCompletionBody;
      } catch (error) {
        bodyError = (error as Error).message;
      }
    }
    const messages = Array.isArray(body?.messages) ? body.messages : [];
    const textOf = (role: string): string =>
      messages
        .filter((m) => m.role === role)
        .map((m) => messageText(m.content))
        .join('\n\n');
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body,
      system: textOf('system'),
      user: textOf('user'),
      receivedAt: Date.now(),
    };
    requests.push(recorded);

    const path = url.pathname.replace(/\/+$/, '');
    if (req.method === 'GET' && path.endsWith('/models')) {
      sendJson(res, 200, {
        object: 'list',
        data: models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'model-server' })),
      });
      return;
    }
    if (req.method !== 'POST' || !path.endsWith('/chat/completions')) {
      sendError(res, 404, `no route for ${req.method} ${url.pathname}`, 'not_found');
      return;
    }
    if (bodyError !== undefined || !body) {
      sendError(res, 400, `could not parse the JSON body: ${bodyError ?? 'empty body'}`);
      return;
    }
    const reply = await handler(recorded, chatIndex++);
    await play(reply, recorded, req, res);
  }

  async function play(
    reply: ScriptedReply,
    request: RecordedRequest,
    req: http.IncomingMessage,
    res: http.ServerResponse,
  ): Promise<void> {
    const body = request.body ?? {};
    if ('rejectFormats' in reply) {
      const type = body.response_format?.type;
      if (type === 'json_schema' || type === 'json_object') {
        if (reply.rejectFormats.includes(type)) {
          sendJson(res, 400, {
            error: {
              message: `Invalid parameter: 'response_format' of type '${type}' is not supported with this model.`,
              type: 'invalid_request_error',
              param: 'response_format',
              code: null,
            },
          });
          return;
        }
      }
      await play(reply.otherwise ?? findingsAnswer([]), request, req, res);
      return;
    }
    if ('hang' in reply) return; // Left open on purpose; close() destroys it.
    if ('reset' in reply) {
      req.socket.destroy();
      return;
    }
    if ('stall' in reply) {
      const text = reply.text ?? '{"summary": "The code';
      if (body.stream) {
        res.writeHead(200, {
          'content-type': 'text/event-stream',
          'cache-control': 'no-cache',
          connection: 'keep-alive',
        });
        const id = `chatcmpl-${++completionId}`;
        res.write(sse(chunk(id, body, { role: 'assistant', content: '' }, null)));
        res.write(sse(chunk(id, body, { content: text }, null)));
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write(
          `{"id":"chatcmpl-${++completionId}","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":${JSON.stringify(text).slice(0, -1)}`,
        );
      }
      return; // Silent from here on; close() destroys it.
    }
    if (reply.delayMs) await sleep(reply.delayMs);
    if ('status' in reply) {
      const errorBody = reply.body ?? {
        error: { message: `scripted error ${reply.status}`, type: 'scripted', code: null },
      };
      const payload = typeof errorBody === 'string' ? errorBody : JSON.stringify(errorBody);
      res.writeHead(reply.status, {
        'content-type': typeof errorBody === 'string' ? 'text/plain' : 'application/json',
        ...reply.headers,
      });
      res.end(payload);
      return;
    }
    const text =
      'text' in reply ? reply.text : JSON.stringify({ summary: reply.summary ?? '', findings: reply.findings });
    const promptText = (body.messages ?? []).map((m) => messageText(m.content)).join('\n');
    const usage =
      reply.usage === null
        ? undefined
        : {
            prompt_tokens: reply.usage?.prompt_tokens ?? estimateTokens(promptText),
            completion_tokens: reply.usage?.completion_tokens ?? estimateTokens(text),
          };
    const finishReason = reply.finishReason ?? 'stop';
    const id = `chatcmpl-${++completionId}`;
    if (!body.stream || reply.ignoreStream) {
      sendJson(res, 200, {
        id,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: body.model ?? models[0],
        choices: [
          { index: 0, message: { role: 'assistant', content: text }, finish_reason: finishReason, logprobs: null },
        ],
        ...(usage ? { usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens } } : {}),
      });
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.write(sse(chunk(id, body, { role: 'assistant', content: '' }, null)));
    const size = Math.max(1, reply.chunkSize ?? 16);
    for (let at = 0; at < text.length; at += size) {
      if (res.destroyed) return;
      if (reply.chunkDelayMs) await sleep(reply.chunkDelayMs);
      res.write(sse(chunk(id, body, { content: text.slice(at, at + size) }, null)));
    }
    res.write(sse(chunk(id, body, {}, finishReason)));
    if (usage && body.stream_options?.include_usage) {
      res.write(
        sse({
          id,
          object: 'chat.completion.chunk',
          created: Math.floor(Date.now() / 1000),
          model: body.model ?? models[0],
          choices: [],
          usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
        }),
      );
    }
    res.end('data: [DONE]\n\n');
  }

  function chunk(
    id: string,
    body: ChatCompletionBody,
    delta: Record<string, unknown>,
    finishReason: string | null,
  ): Record<string, unknown> {
    return {
      id,
      object: 'chat.completion.chunk',
      created: Math.floor(Date.now() / 1000),
      model: body.model ?? models[0],
      choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }],
    };
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    chatRequests: () => requests.filter((r) => r.path.endsWith('/chat/completions')),
    setHandler(next: ReplyHandler) {
      handler = next;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Hung and stalled answers keep their sockets open; close() would wait for them forever.
        server.closeAllConnections();
      }),
  };
}

function sse(data: unknown): string {
  return `data: ${JSON.stringify(data)}\n\n`;
}

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  const payload = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}

function sendError(res: http.ServerResponse, status: number, message: string, code: string | null = null): void {
  sendJson(res, status, { error: { message, type: 'invalid_request_error', param: null, code } });
}
