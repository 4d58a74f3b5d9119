import OpenAI, { APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type { ChatCompletionCreateParamsBase } from 'openai/resources/chat/completions';
import { silentLogger, type Logger } from '../log';
import {
  ProviderError,
  type ChatProvider,
  type ChatRequest,
  type ChatResponse,
  type ResponseFormatKind,
} from './provider';
import { errorMessage } from '../errorMessage';
import { boundedEventStream, cappedBody, readStart, streamEndOf, type BodyLimits } from './boundedBody';
import { maskSecrets, SecretStreamMasker, secretsToMask } from './secretScrub';

export const DEFAULT_BASE_URL = 'https://api.openai.com/v1';
export const DEFAULT_TIMEOUT_MS = 120_000;
/** The longest per-request timeout accepted: one day (setTimeout overflows past about 24.8 days). */
export const MAX_TIMEOUT_MS = 86_400_000;
export const DEFAULT_MAX_ANSWER_CHARS = 4 * 1024 * 1024;
/** A streamed answer may take this many request timeouts in all, so a long answer from a slow model still arrives. */
export const REQUEST_TOTAL_FACTOR = 4;
export const DEFAULT_MAX_RETRIES = 3;
export const DEFAULT_MAX_INPUT_TOKENS = 32_000;
export const DEFAULT_RETRY_BASE_DELAY_MS = 500;
export const DEFAULT_MAX_RETRY_DELAY_MS = 8_000;
/** A `retry-after` longer than this is not waited for: the request fails and says when to retry. */
export const DEFAULT_MAX_RETRY_AFTER_MS = 60_000;
/** Azure's deployment-style API needs an api-version; this GA version supports structured output. */
export const DEFAULT_AZURE_API_VERSION = '2024-10-21';
/** Reported prompt tokens below this share of our estimate mean the server cut the prompt. */
const TRUNCATION_RATIO = 0.5;
/** Below this estimate the gap between tokenizers is too noisy to judge. */
const TRUNCATION_MIN_PROMPT_TOKENS = 1000;
/** Of an error body only the start is shown; the rest is not read. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

export interface OpenAICompatibleOptions {
  /** e.g. `https://api.openai.com/v1`, `http://127.0.0.1:11434/v1` (Ollama), an Azure deployment URL. */
  baseUrl: string;
  model: string;
  /** Omit for endpoints that need no key: no Authorization header is sent then. */
  apiKey?: string;
  /** Per request attempt: the wait for the answer to start, and for each streamed chunk after it. */
  timeoutMs?: number;
  /**
   * The whole attempt, first byte to last, however the server paces its chunks (a slow drip cannot
   * stretch it). Default REQUEST_TOTAL_FACTOR × timeoutMs.
   */
  maxRequestMs?: number;
  /** An answer longer than this many characters is cut off and the request fails (default 4 MiB). */
  maxAnswerChars?: number;
  /** Retries after the first attempt, for 408/409/429/5xx and connection resets. */
  maxRetries?: number;
  maxInputTokens?: number;
  /** Sampling temperature; sent only when set (some endpoints reject it, most have their own default). */
  temperature?: number;
  stream?: boolean;
  logger?: Logger;
  defaultHeaders?: Record<string, string>;
  /** First backoff delay; doubled per retry, capped by maxRetryDelayMs, minus up to 25% jitter. */
  retryBaseDelayMs?: number;
  maxRetryDelayMs?: number;
  maxRetryAfterMs?: number;
}

/**
 * What an endpoint (base URL + model) was found not to accept, remembered for the process so the
 * second request goes straight to what works instead of paying for the rejection again.
 */
interface EndpointQuirks {
  format?: ResponseFormatKind;
  noStreamOptions?: boolean;
}
const endpointQuirks = new Map<string, EndpointQuirks>();

const FORMAT_ORDER: ResponseFormatKind[] = ['json_schema', 'json_object', 'text'];

/** Error codes of a dropped connection, worth retrying (unlike a refused one or an unknown host). */
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ETIMEDOUT']);
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/** Certificate problems (Node's codes for them), and TLS handshakes with something that does not speak TLS. */
const CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'HOSTNAME_MISMATCH',
]);
const TLS_HANDSHAKE_CODES = /^(?:EPROTO|ERR_SSL_\w+|ERR_TLS_\w+|ECONNRESET_TLS)$/;

const REMINDER_FOR_TEXT_FORMAT = '\n\nAnswer with the JSON object only: no prose before or after it, no code fences.';

/** ~4 characters per token: close enough for English and code with the GPT/Llama tokenizers. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** `estimateTokens(texts.join('\n'))` without building the joined text (a prompt is 80 KB and more). */
export function estimateJoinedTokens(texts: readonly string[]): number {
  return Math.ceil((texts.reduce((sum, text) => sum + text.length, 0) + Math.max(0, texts.length - 1)) / 4);
}

interface EndpointShape {
  /** Base URL handed to the SDK (no query). */
  sdkBaseUrl: string;
  query: Record<string, string>;
  azure: boolean;
  /** Shown in messages and the provider id: no credentials, no query. */
  display: string;
}

function describeEndpoint(baseUrl: string): EndpointShape {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new Error(
      `The model endpoint URL "${maskedUrlText(baseUrl)}" is not a valid URL: expected something like ${DEFAULT_BASE_URL} or http://127.0.0.1:11434/v1.`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`The model endpoint URL "${safeUrl(url)}" must start with http:// or https://.`);
  }
  const query = Object.fromEntries(url.searchParams);
  const azure =
    /\/openai\/deployments\//.test(url.pathname) ||
    'api-version' in query ||
    /\.(openai\.azure\.com|cognitiveservices\.azure\.com|services\.ai\.azure\.com)$/.test(url.hostname);
  if (azure && /\/openai\/deployments\//.test(url.pathname) && !('api-version' in query))
    query['api-version'] = DEFAULT_AZURE_API_VERSION;
  const path = url.pathname.replace(/\/+$/, '');
  return { sdkBaseUrl: `${url.protocol}//${url.host}${path}`, query, azure, display: safeUrl(url) };
}

/**
 * A URL that did not parse, as a message may show it: a query (`?api-key=…`), a fragment and
 * credentials before `@` can hold a key, so they are masked; the rest helps the user find the typo.
 */
function maskedUrlText(text: string): string {
  return text
    .replace(/[?#].*$/s, '?…')
    .replace(/^([^/]*\/\/)?[^/@]*@/, (_, scheme: string | undefined) => `${scheme ?? ''}…@`)
    .slice(0, 200);
}

function safeUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

/** An endpoint URL as logs and messages show it: no credentials, no query, no fragment. */
export function displayEndpoint(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    // Creating the provider reports the invalid URL; the log line only must not echo it (it may hold a key).
    return '(not a valid URL)';
  }
  return safeUrl(url);
}

/**
 * The provider's fetch: every body bounded (boundedBody.ts), and error bodies in the one shape the
 * SDK reads. Many OpenAI-compatible servers answer errors in their own shape (vLLM/FastAPI `{message}`
 * or `{detail}`, Ollama `{error: "text"}`, plain text); the SDK only reads `{error: {message}}`.
 */
function fetchWithReadableErrors(
  limits: BodyLimits,
  tooLarge: (what: 'answer' | 'stream' | 'line', limit: number) => Error,
): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    if (response.ok) {
      if (!response.body) return response;
      if ((response.headers.get('content-type') ?? '').includes('text/event-stream'))
        return boundedEventStream(response, limits, (what) =>
          tooLarge(what, what === 'stream' ? limits.maxStreamBytes : limits.maxBodyBytes),
        );
      const headers = new Headers(response.headers);
      const declared = Number(headers.get('content-length'));
      const body =
        Number.isFinite(declared) && declared > limits.maxBodyBytes
          ? // Refused unread: a body that errors at once (an error thrown from fetch would be retried).
            new ReadableStream<Uint8Array>({
              start(controller) {
                void response.body?.cancel().catch(() => undefined);
                controller.error(tooLarge('answer', limits.maxBodyBytes));
              },
            })
          : cappedBody(response.body, limits.maxBodyBytes, () => tooLarge('answer', limits.maxBodyBytes));
      return new Response(body, { status: response.status, statusText: response.statusText, headers });
    }
    const { text: raw, cut } = await readStart(response, limits.maxErrorBytes);
    let json: unknown;
    try {
      json = cut ? undefined : JSON.parse(raw);
    } catch {
      json = undefined;
    }
    const record = json && typeof json === 'object' ? (json as Record<string, unknown>) : undefined;
    const error = record?.error;
    const headers = new Headers(response.headers);
    headers.delete('content-length');
    headers.delete('content-encoding');
    if (error && typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string') {
      return new Response(raw, { status: response.status, statusText: response.statusText, headers });
    }
    const message =
      typeof error === 'string'
        ? error
        : typeof record?.message === 'string'
          ? record.message
          : record?.detail !== undefined
            ? typeof record.detail === 'string'
              ? record.detail
              : JSON.stringify(record.detail)
            : raw.trim() !== ''
              ? cut
                ? `${raw.trim().slice(0, 300)} … (an error body over ${kib(limits.maxErrorBytes)}, not read further)`
                : raw.trim().slice(0, 500)
              : `${response.status} ${response.statusText}`.trim();
    headers.set('content-type', 'application/json');
    return new Response(
      JSON.stringify({ error: { message, type: typeof record?.type === 'string' ? record.type : undefined } }),
      {
        status: response.status,
        statusText: response.statusText,
        headers,
      },
    );
  };
}

const kib = (bytes: number): string =>
  bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MiB` : `${Math.round(bytes / 1024)} KiB`;

function positiveInteger(
  name: string,
  value: number | undefined,
  fallback: number,
  allowZero = false,
  max = MAX_TIMEOUT_MS,
): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < (allowZero ? 0 : 1)) {
    throw new Error(
      `Provider option ${name} must be a ${allowZero ? 'non-negative' : 'positive'} whole number, got ${String(value)}.`,
    );
  }
  if (value > max) throw new Error(`Provider option ${name} must be at most ${max}, got ${String(value)}.`);
  return value;
}

/** The outcome of one failed attempt, decided once so the retry loop stays simple. */
interface Failure {
  error: ProviderError;
  retryable: boolean;
  /** Server-requested wait before the next attempt (retry-after / retry-after-ms). */
  retryAfterMs?: number;
  /** The connection error code, when there was no HTTP status. */
  code?: string;
  /** The endpoint rejected the response_format (or stream_options) we sent. */
  rejected?: 'format' | 'stream_options';
}

/**
 * Any OpenAI-compatible chat endpoint through the official `openai` SDK: OpenAI, Azure OpenAI,
 * Ollama, vLLM, LM Studio. Retries, timeouts and cancellation are done here rather than by the
 * SDK (its retries are turned off) so that `retry-after` is capped, the delays are settable in
 * tests, a stalled stream times out, and every failure becomes a ProviderError that says what to do.
 */
export class OpenAICompatibleProvider implements ChatProvider {
  readonly id: string;
  readonly modelName: string;
  readonly maxInputTokens: number;
  private readonly temperature?: number;
  /** The truncation warning is given once per provider, not once per chunk. */
  private truncationWarned = false;
  private readonly client: OpenAI;
  private readonly endpoint: EndpointShape;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly maxAnswerChars: number;
  private readonly maxRequestMs: number;
  private readonly stream: boolean;
  private readonly logger: Logger;
  private readonly retryBaseDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly apiKey: string | undefined;
  /** The key and any key-like value of the base URL's query: masked in everything that comes back out. */
  private readonly secrets: string[];
  private readonly quirksKey: string;

  constructor(options: OpenAICompatibleOptions) {
    if (!options.model || options.model.trim() === '')
      throw new Error('Provider option model is empty: name the model to use (e.g. gpt-4o-mini, llama3.1).');
    this.endpoint = describeEndpoint(options.baseUrl);
    this.modelName = options.model.trim();
    this.timeoutMs = positiveInteger('timeoutMs', options.timeoutMs, DEFAULT_TIMEOUT_MS);
    this.maxRequestMs = positiveInteger(
      'maxRequestMs',
      options.maxRequestMs,
      Math.min(2_147_483_647, this.timeoutMs * REQUEST_TOTAL_FACTOR),
      false,
      2_147_483_647,
    );
    this.maxRetries = positiveInteger('maxRetries', options.maxRetries, DEFAULT_MAX_RETRIES, true, 20);
    this.maxInputTokens = positiveInteger(
      'maxInputTokens',
      options.maxInputTokens,
      DEFAULT_MAX_INPUT_TOKENS,
      false,
      10_000_000,
    );
    this.maxAnswerChars = positiveInteger(
      'maxAnswerChars',
      options.maxAnswerChars,
      DEFAULT_MAX_ANSWER_CHARS,
      false,
      256 * 1024 * 1024,
    );
    if (options.temperature !== undefined && !(options.temperature >= 0 && options.temperature <= 2))
      throw new Error(`temperature must be a number from 0 to 2 (got ${options.temperature})`);
    this.temperature = options.temperature;
    this.retryBaseDelayMs = positiveInteger('retryBaseDelayMs', options.retryBaseDelayMs, DEFAULT_RETRY_BASE_DELAY_MS);
    this.maxRetryDelayMs = positiveInteger('maxRetryDelayMs', options.maxRetryDelayMs, DEFAULT_MAX_RETRY_DELAY_MS);
    this.maxRetryAfterMs = positiveInteger('maxRetryAfterMs', options.maxRetryAfterMs, DEFAULT_MAX_RETRY_AFTER_MS);
    this.stream = options.stream ?? true;
    this.logger = options.logger ?? silentLogger;
    this.apiKey = options.apiKey && options.apiKey.trim() !== '' ? options.apiKey.trim() : undefined;
    this.secrets = secretsToMask([
      this.apiKey,
      ...Object.entries(this.endpoint.query)
        .filter(([name]) => name !== 'api-version')
        .map(([, value]) => value),
    ]);
    this.id = `openai-compatible:${this.modelName}@${this.endpoint.display}`;
    this.quirksKey = `${this.endpoint.display}?${new URLSearchParams(this.endpoint.query).toString()}|${this.modelName}`;

    // The SDK insists on some apiKey; without a real key we give it a placeholder and remove the
    // Authorization header it would build from it, so nothing credential-like is ever sent.
    // Azure takes its key in `api-key` instead of a bearer token.
    // Credentials the caller set in defaultHeaders themselves (a proxy token) are left alone.
    const callerSets = new Set(Object.keys(options.defaultHeaders ?? {}).map((name) => name.toLowerCase()));
    const authHeaders: Record<string, string | null> = {};
    if (!callerSets.has('authorization') && (this.apiKey === undefined || this.endpoint.azure))
      authHeaders.Authorization = null;
    if (this.apiKey !== undefined && this.endpoint.azure && !callerSets.has('api-key'))
      authHeaders['api-key'] = this.apiKey;
    this.client = new OpenAI({
      apiKey: this.apiKey ?? 'no-key',
      baseURL: this.endpoint.sdkBaseUrl,
      defaultQuery: Object.keys(this.endpoint.query).length > 0 ? this.endpoint.query : undefined,
      defaultHeaders: { ...options.defaultHeaders, ...authHeaders },
      maxRetries: 0,
      timeout: this.timeoutMs,
      fetch: fetchWithReadableErrors(
        {
          maxBodyBytes: this.maxAnswerChars * 4 + 1024 * 1024,
          maxStreamBytes: this.maxAnswerChars * 16 + 1024 * 1024,
          maxErrorBytes: MAX_ERROR_BODY_BYTES,
        },
        (what, limit) => this.bodyTooLarge(what, limit),
      ),
      // The SDK's own messages (a malformed stream chunk, with the chunk) go to our log, scrubbed of
      // the key, instead of to the console; its chatter below warnings is dropped.
      logLevel: 'warn',
      logger: {
        error: (...parts: unknown[]) => this.logger.warn(`openai SDK: ${this.scrub(parts.map(String).join(' '))}`),
        warn: (...parts: unknown[]) => this.logger.warn(`openai SDK: ${this.scrub(parts.map(String).join(' '))}`),
        info: () => undefined,
        debug: () => undefined,
      },
    });
  }

  countTokens(text: string): number {
    return estimateTokens(text);
  }

  async complete(request: ChatRequest): Promise<ChatResponse> {
    const quirks = endpointQuirks.get(this.quirksKey) ?? {};
    let format: ResponseFormatKind = quirks.format ?? (request.jsonSchema ? 'json_schema' : 'json_object');
    if (format === 'json_schema' && !request.jsonSchema) format = 'json_object';
    let useStreamOptions = !quirks.noStreamOptions;
    let retry = 0;
    for (;;) {
      if (request.signal?.aborted) throw this.cancelled();
      try {
        return await this.attempt(request, format, useStreamOptions);
      } catch (caught) {
        const failure = this.classify(caught, request.signal);
        if (failure.rejected === 'format' && format !== 'text') {
          const next = FORMAT_ORDER[FORMAT_ORDER.indexOf(format) + 1];
          this.logger.warn(
            `${this.where()} rejected response_format ${format} (${failure.error.message}); falling back to ${next === 'text' ? 'plain instructions' : next}, and remembering that for this endpoint.`,
          );
          format = next;
          endpointQuirks.set(this.quirksKey, { ...endpointQuirks.get(this.quirksKey), format });
          continue;
        }
        if (failure.rejected === 'stream_options' && useStreamOptions) {
          this.logger.warn(
            `${this.where()} rejected stream_options; streaming without usage reports (token counts will be estimated).`,
          );
          useStreamOptions = false;
          endpointQuirks.set(this.quirksKey, { ...endpointQuirks.get(this.quirksKey), noStreamOptions: true });
          continue;
        }
        if (!failure.retryable) throw failure.error;
        if (retry >= this.maxRetries) throw withRetries(failure.error, retry);
        if (failure.retryAfterMs !== undefined && failure.retryAfterMs > this.maxRetryAfterMs) {
          throw new ProviderError(
            `${failure.error.message} It asked to wait ${Math.ceil(failure.retryAfterMs / 1000)}s before retrying, longer than the ${Math.ceil(this.maxRetryAfterMs / 1000)}s this tool waits: try again later.`,
            failure.error.kind,
            failure.error.status,
            { ...failure.error.facts, retries: retry },
          );
        }
        const delay = failure.retryAfterMs ?? this.backoff(retry);
        retry++;
        this.logger.warn(`${failure.error.message} Retrying in ${delay}ms (retry ${retry} of ${this.maxRetries}).`);
        request.onRetry?.({
          retry,
          of: this.maxRetries,
          after: failure.error.status !== undefined ? String(failure.error.status) : (failure.code ?? 'a failure'),
          delayMs: delay,
        });
        await this.sleep(delay, request.signal);
      }
    }
  }

  /** Exponential backoff: base × 2^retry, capped, minus up to 25% jitter so clients spread out. */
  private backoff(retry: number): number {
    const ceiling = Math.min(this.retryBaseDelayMs * 2 ** retry, this.maxRetryDelayMs);
    return Math.round(ceiling * (1 - Math.random() * 0.25));
  }

  private sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(this.cancelled());
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private async attempt(
    request: ChatRequest,
    format: ResponseFormatKind,
    useStreamOptions: boolean,
  ): Promise<ChatResponse> {
    const messages = request.messages.map((m) => ({ role: m.role, content: m.content }));
    if (format === 'text' && request.jsonSchema) {
      const lastUser = [...messages].reverse().find((m) => m.role === 'user');
      if (lastUser) lastUser.content += REMINDER_FOR_TEXT_FORMAT;
    }
    const body: ChatCompletionCreateParamsBase = { model: this.modelName, messages };
    if (this.temperature !== undefined) body.temperature = this.temperature;
    if (format === 'json_schema' && request.jsonSchema) {
      body.response_format = {
        type: 'json_schema',
        json_schema: { name: request.jsonSchema.name, strict: true, schema: request.jsonSchema.schema },
      };
    } else if (format === 'json_object') {
      body.response_format = { type: 'json_object' };
    }

    // One controller for the user's cancel and our timeout; `timedOut` tells the two apart.
    const controller = new AbortController();
    const state = { timedOut: false, stalled: false, tooLong: false, total: false };
    // `arm` restarts the wait: the request times out timeoutMs after the last call. It runs for every
    // streamed chunk (hundreds per answer), so it only notes the time; the one timer, when it fires
    // early, waits for the rest (a clearTimeout and setTimeout per chunk cost ~1 ms per answer).
    let timer: ReturnType<typeof setTimeout> | undefined;
    let armedAt = 0;
    let armedStalled = false;
    const expire = (): void => {
      const left = armedAt + this.timeoutMs - performance.now();
      if (left > 0) {
        timer = setTimeout(expire, left);
        return;
      }
      timer = undefined;
      state.timedOut = true;
      state.stalled = armedStalled;
      controller.abort();
    };
    const arm = (stalled: boolean): void => {
      armedAt = performance.now();
      armedStalled = stalled;
      timer ??= setTimeout(expire, this.timeoutMs);
    };
    // The whole attempt, however the server paces its chunks: never re-armed.
    const totalTimer = setTimeout(() => {
      state.timedOut = true;
      state.stalled = false;
      state.total = true;
      controller.abort();
    }, this.maxRequestMs);
    const onCancel = (): void => controller.abort();
    request.signal?.addEventListener('abort', onCancel, { once: true });
    arm(false);
    try {
      const promptTokens = estimateJoinedTokens(messages.map((m) => m.content));
      if (!this.stream) {
        const { data: completion, response: raw } = await this.client.chat.completions
          .create({ ...body, stream: false }, { signal: controller.signal })
          .withResponse();
        // The SDK hands back a body it cannot read as JSON as a string (a proxy's or a web server's page).
        if (typeof completion !== 'object' || completion === null) throw this.notAnAnswerError(raw);
        return this.fromCompletion(completion, format, promptTokens, request);
      }

      const { data: stream, response: raw } = await this.client.chat.completions
        .create(
          { ...body, stream: true, ...(useStreamOptions ? { stream_options: { include_usage: true } } : {}) },
          { signal: controller.signal },
        )
        .withResponse();
      const contentType = raw.headers.get('content-type') ?? '';
      if (/text\/html/i.test(contentType)) {
        void raw.body?.cancel().catch(() => undefined);
        throw this.notAnAnswerError(raw);
      }
      if (/application\/json/i.test(contentType)) {
        // Streaming is not available here: the server ignored `stream` and sent the whole answer.
        const completion = (await raw.json()) as OpenAI.ChatCompletion;
        return this.fromCompletion(completion, format, promptTokens, request);
      }
      arm(true);
      let text = '';
      let finishReason: string | null = null;
      let reportedUsage: OpenAI.CompletionUsage | undefined;
      let refusal = '';
      let chunks = 0;
      // Pieces are shown as they come: one that may begin the key waits for the next.
      const shown = new SecretStreamMasker(this.secrets);
      for await (const chunk of stream) {
        arm(true);
        chunks++;
        if (chunk.usage) reportedUsage = chunk.usage;
        const choice = chunk.choices?.[0];
        if (!choice) continue;
        const piece = choice.delta?.content;
        if (piece) {
          text += piece;
          if (text.length > this.maxAnswerChars) {
            state.tooLong = true;
            controller.abort();
            break;
          }
          const safe = shown.push(piece);
          if (safe) request.onText?.(safe);
        }
        if (choice.delta?.refusal) refusal += choice.delta.refusal;
        if (choice.finish_reason) finishReason = choice.finish_reason;
      }
      if (state.tooLong) throw this.tooLongError();
      // The SDK ends the iteration quietly when the request is aborted: find out why here.
      if (controller.signal.aborted)
        throw state.timedOut ? this.timeoutError(state.stalled, state.total) : this.cancelled();
      const rest = shown.end();
      if (rest) request.onText?.(rest);
      text = maskSecrets(text, this.secrets);
      if (refusal && !text)
        throw new ProviderError(
          `The model at ${this.endpoint.display} refused to answer: ${this.scrub(refusal)}`,
          'rejected',
        );
      if (finishReason === null) {
        // Neither a finish_reason nor `data: [DONE]`: the connection ended mid-answer (a reset the
        // stream reader took for an end, a proxy's half-close). What arrived is not the answer.
        // Not one event in a body that is not an event stream: something other than a chat server answered.
        if (chunks === 0 && !/text\/event-stream/i.test(contentType)) throw this.notAnAnswerError(raw);
        if (streamEndOf(raw)?.sawDone !== true) throw this.streamCutError();
        this.logger.warn(
          `${this.where()} ended its stream without saying the answer was complete; treating it as cut off.`,
        );
      }
      return {
        text,
        ...this.usageAndCut(reportedUsage, promptTokens, text),
        format,
        truncated: finishReason === 'length' || finishReason === null,
      };
    } catch (caught) {
      if (caught instanceof ProviderError) throw caught;
      if (state.tooLong) throw this.tooLongError();
      if (state.timedOut) throw this.timeoutError(state.stalled, state.total);
      throw caught;
    } finally {
      clearTimeout(timer);
      clearTimeout(totalTimer);
      request.signal?.removeEventListener('abort', onCancel);
    }
  }

  private fromCompletion(
    completion: OpenAI.ChatCompletion,
    format: ResponseFormatKind,
    promptTokens: number,
    request: ChatRequest,
  ): ChatResponse {
    const choice = completion.choices?.[0];
    if (!choice)
      throw new ProviderError(
        `${this.where()} answered without any choices: the server may not support chat completions for model "${this.modelName}".`,
        'failed',
      );
    if (choice.message?.refusal)
      throw new ProviderError(
        `The model at ${this.endpoint.display} refused to answer: ${this.scrub(choice.message.refusal)}`,
        'rejected',
      );
    const raw = choice.message?.content ?? '';
    if (raw.length > this.maxAnswerChars) throw this.tooLongError();
    const text = maskSecrets(raw, this.secrets);
    if (text) request.onText?.(text);
    return {
      text,
      ...this.usageAndCut(completion.usage, promptTokens, text),
      format,
      truncated: choice.finish_reason === 'length',
    };
  }

  private usageAndCut(
    reported: OpenAI.CompletionUsage | undefined | null,
    promptEstimate: number,
    text: string,
  ): Pick<ChatResponse, 'usage' | 'promptCut'> {
    if (reported && Number.isFinite(reported.prompt_tokens) && Number.isFinite(reported.completion_tokens)) {
      const cut = this.promptCut(reported.prompt_tokens, promptEstimate);
      return {
        usage: { promptTokens: reported.prompt_tokens, completionTokens: reported.completion_tokens },
        ...(cut ? { promptCut: { countedTokens: reported.prompt_tokens, sentTokens: promptEstimate } } : {}),
      };
    }
    this.logger.debug(`${this.where()} reported no token usage; using an estimate (characters / 4).`);
    return { usage: { promptTokens: promptEstimate, completionTokens: estimateTokens(text) } };
  }

  /**
   * Local servers with a short context (Ollama's default num_ctx) drop the front of a long prompt
   * without an error: the persona, rubric and rules go first. What they report as prompt tokens then
   * falls far below what was sent; tokenizers differ, so only a large gap on a large prompt counts.
   * Said in the log once per provider; each cut request is flagged on its response.
   */
  private promptCut(reportedPromptTokens: number, estimate: number): boolean {
    if (estimate < TRUNCATION_MIN_PROMPT_TOKENS) return false;
    if (reportedPromptTokens >= estimate * TRUNCATION_RATIO) return false;
    if (this.truncationWarned) return true;
    this.truncationWarned = true;
    this.logger.warn(
      `${this.where()} counted ${reportedPromptTokens} prompt tokens for a prompt of about ${estimate}: it probably cut the prompt to fit its context window, losing the review instructions. Raise the server's context length (Ollama: num_ctx / OLLAMA_CONTEXT_LENGTH) or lower maxInputTokens (--max-input-tokens, backendReviewer.maxInputTokens) to at most what it holds.`,
    );
    return true;
  }

  private where(): string {
    return `the endpoint at ${this.endpoint.display}`;
  }

  private cancelled(): ProviderError {
    return new ProviderError('The request to the model was cancelled.', 'cancelled');
  }

  private tooLongError(): ProviderError {
    return new ProviderError(
      `${this.where()} sent an answer longer than ${Math.round(this.maxAnswerChars / 1024)} KiB; it was cut off and not used (a review answer is far shorter: check the model and server).`,
      'failed',
    );
  }

  /** A success status whose body is no chat completion: usually a base URL without `/v1`, or a proxy's page. */
  private notAnAnswerError(response: Response): ProviderError {
    const type = (response.headers.get('content-type') ?? '').split(';')[0].trim();
    return new ProviderError(
      `${this.where()} answered ${response.status} with ${type ? type : 'a body of no content type'}, not a chat completion: check the base URL (OpenAI-compatible servers usually end in /v1; --base-url, backendReviewer.openai.baseUrl) and whether a proxy or login page is answering instead of the model server.`,
      'failed',
    );
  }

  private streamCutError(): ProviderError {
    return new ProviderError(
      `The connection to ${this.endpoint.display} ended before the answer was complete (the stream stopped with no finish_reason and no [DONE]). If this keeps happening, check proxies and the server's logs.`,
      'unreachable',
      undefined,
      { reason: 'connection-dropped' },
    );
  }

  private bodyTooLarge(what: 'answer' | 'stream' | 'line', limit: number): ProviderError {
    const sent =
      what === 'answer'
        ? `an answer body over ${kib(limit)}`
        : what === 'stream'
          ? `an answer stream over ${kib(limit)} in all`
          : `one line of its answer stream over ${kib(limit)}`;
    return new ProviderError(
      `${this.where()} sent ${sent}; it was not read further and not used (a review answer is far shorter: check the model and server).`,
      'failed',
    );
  }

  private timeoutError(stalled: boolean, total = false): ProviderError {
    const seconds = Math.round(this.timeoutMs / 100) / 10;
    const what = stalled
      ? `${this.where()} stopped sending its answer for ${seconds}s`
      : total
        ? `${this.where()} did not finish its answer within ${Math.round(this.maxRequestMs / 100) / 10}s, the longest one request may take`
        : `${this.where()} did not answer within ${seconds}s`;
    return new ProviderError(
      `${what} (timeout). Raise the timeout, use a smaller or faster model, or review less code at once.`,
      'timeout',
    );
  }

  /** Never let the key reach a message: servers sometimes echo it back in their errors. */
  private scrub(text: string): string {
    return maskSecrets(text, this.secrets).replace(/\b(sk-[A-Za-z0-9_-]{4})[A-Za-z0-9_*.-]{8,}/g, '$1***');
  }

  private classify(caught: unknown, signal: AbortSignal | undefined): Failure {
    if (caught instanceof ProviderError)
      return {
        error: caught,
        retryable: caught.facts.reason === 'connection-dropped' && caught.facts.retries === undefined,
      };
    if (caught instanceof APIUserAbortError || signal?.aborted) return { error: this.cancelled(), retryable: false };
    if (caught instanceof APIConnectionTimeoutError) return { error: this.timeoutError(false), retryable: false };
    const where = this.where();
    if (caught instanceof APIError && caught.status !== undefined) {
      const status = caught.status;
      const detail = this.scrub(serverMessage(caught));
      const retryAfterMs = retryAfter(caught.headers);
      if (status === 401) {
        return {
          error: new ProviderError(
            `${where} answered 401: the key was refused${this.apiKey ? '' : ' (no key was sent)'}. Set OPENAI_API_KEY (CLI) or the extension's API key to a valid key for this endpoint.`,
            'auth',
            status,
            {
              reason: 'key-refused',
              problem: `${where} answered 401: the key was refused${this.apiKey ? '' : ' (no key was sent)'}.`,
            },
          ),
          retryable: false,
        };
      }
      if (status === 403) {
        return {
          error: new ProviderError(
            `${where} answered 403: the key may not use model "${this.modelName}" (${detail}). Check the key's permissions or choose another model.`,
            'auth',
            status,
            {
              reason: 'forbidden',
              problem: `${where} answered 403: the key may not use model "${this.modelName}" (${detail}).`,
            },
          ),
          retryable: false,
        };
      }
      if (status === 404) {
        return {
          error: new ProviderError(
            `${where} answered 404 (${detail}): the model "${this.modelName}" or the chat API was not found. Check the model name (BACKEND_REVIEW_MODEL or --model) and that the base URL is the API root, usually ending in /v1.`,
            'rejected',
            status,
            {
              reason: 'model-not-found',
              problem: `${where} answered 404 (${detail}): the model "${this.modelName}" or the chat API was not found.`,
            },
          ),
          retryable: false,
        };
      }
      if (status === 400 || status === 422) {
        if (/stream_options/i.test(detail))
          return {
            error: new ProviderError(`${where} answered ${status}: ${detail}`, 'rejected', status),
            retryable: false,
            rejected: 'stream_options',
          };
        if (/response_format|json_schema|json_object|structured output|guided|grammar/i.test(detail)) {
          return {
            error: new ProviderError(`${where} answered ${status}: ${detail}`, 'rejected', status),
            retryable: false,
            rejected: 'format',
          };
        }
        const tooLong = /context|too long|maximum.*tokens|token limit|max_tokens/i.test(detail);
        return {
          error: new ProviderError(
            `${where} rejected the request (${status}): ${detail}. ${tooLong ? 'The prompt is too long for this model: lower maxInputTokens so the code is sent in smaller chunks.' : `Check that model "${this.modelName}" exists on this endpoint and supports chat completions.`}`,
            'rejected',
            status,
          ),
          retryable: false,
        };
      }
      if (status === 429) {
        return {
          error: new ProviderError(
            `${where} answered 429: too many requests or quota exhausted (${detail}). Wait a little, lower the review concurrency, or use a key with a higher quota.`,
            'failed',
            status,
            { reason: 'rate-limited' },
          ),
          retryable: true,
          retryAfterMs,
        };
      }
      if (status === 408 || status === 409 || status >= 500) {
        return {
          error: new ProviderError(
            `${where} answered ${status} (${detail}). The server is overloaded or failing; try again later or check the server's logs.`,
            'failed',
            status,
            { reason: 'server-error' },
          ),
          retryable: true,
          retryAfterMs,
        };
      }
      return { error: new ProviderError(`${where} answered ${status}: ${detail}`, 'failed', status), retryable: false };
    }
    const code = errorCode(caught);
    const tls = tlsProblem(caught, code);
    if (tls) {
      return {
        error: new ProviderError(
          `TLS connection to ${this.endpoint.display} failed (${tls.code}): ${tls.hint}`,
          'unreachable',
          undefined,
          { reason: 'tls' },
        ),
        retryable: false,
      };
    }
    if (code && UNREACHABLE_CODES.has(code)) {
      const hint =
        code === 'ECONNREFUSED'
          ? 'is the server running, and is the base URL (OPENAI_BASE_URL or --base-url) right?'
          : 'check the host name in the base URL (OPENAI_BASE_URL or --base-url) and the network.';
      return {
        error: new ProviderError(
          `Could not connect to ${this.endpoint.display} (${code}): ${hint}`,
          'unreachable',
          undefined,
          {
            reason: code === 'ECONNREFUSED' ? 'connection-refused' : 'host-not-found',
            problem: `Could not connect to ${this.endpoint.display} (${code}).`,
          },
        ),
        retryable: false,
      };
    }
    if (code && RESET_CODES.has(code)) {
      return {
        error: new ProviderError(
          `The connection to ${this.endpoint.display} was dropped (${code}) before the answer was complete. If this keeps happening, check proxies and the server's logs.`,
          'unreachable',
          undefined,
          { reason: 'connection-dropped' },
        ),
        retryable: true,
        code,
      };
    }
    const message = this.scrub(withCauses(caught));
    if (caught instanceof APIError) {
      // Status-less API errors: an error event inside the stream, or a connection error without a code.
      return { error: new ProviderError(`${where} failed: ${message}`, 'failed'), retryable: false };
    }
    return {
      error: new ProviderError(
        `The request to ${this.endpoint.display} failed: ${message}${code ? ` (${code})` : ''}.`,
        'failed',
      ),
      retryable: false,
    };
  }
}

/** The same failure, saying how many retries were made before it was given up. */
function withRetries(error: ProviderError, retries: number): ProviderError {
  return new ProviderError(error.message, error.kind, error.status, { ...error.facts, retries });
}

/** The server's own explanation, whatever shape its error body had. */
function serverMessage(error: APIError): string {
  const body = error.error as { message?: unknown } | string | undefined;
  const text =
    typeof body === 'string'
      ? body
      : body && typeof body.message === 'string'
        ? body.message
        : error.message.replace(/^\d{3}\s*/, '');
  return text.replace(/\s+/g, ' ').trim().slice(0, 400) || 'no details';
}

/** `retry-after-ms` (milliseconds), else `retry-after` in seconds or as an HTTP date. */
function retryAfter(headers: Headers | undefined): number | undefined {
  const ms = headers?.get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms)) && Number(ms) >= 0) return Math.round(Number(ms));
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  if (Number.isFinite(Number(value)) && Number(value) >= 0) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * A TLS failure along the error's cause chain: a certificate the client refused, or a handshake that
 * failed because the other side does not speak TLS (an https URL to a plain-http port).
 */
function tlsProblem(error: unknown, code: string | undefined): { code: string; hint: string } | undefined {
  if (code && CERTIFICATE_CODES.has(code)) {
    const selfSigned = /SELF_SIGNED/.test(code);
    return {
      code,
      hint: selfSigned
        ? 'the server presented a self-signed certificate, which is not trusted. Use a certificate from a trusted authority, or add its CA with NODE_EXTRA_CA_CERTS=/path/to/ca.pem.'
        : 'the server certificate was not accepted. Check the host name in the base URL and the certificate, or add its CA with NODE_EXTRA_CA_CERTS.',
    };
  }
  let text = '';
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current && typeof current === 'object'; depth++) {
    text += ` ${String((current as { message?: unknown }).message ?? '')}`;
    current = (current as { cause?: unknown }).cause;
  }
  if (
    (code && TLS_HANDSHAKE_CODES.test(code)) ||
    /wrong version number|ssl3_get_record|packet length too long|tls|ssl/i.test(text)
  ) {
    return {
      code: code ?? 'handshake failed',
      hint: 'the TLS handshake failed: the server may not speak https on this port (use http:// for a plain-http server), or it uses a TLS version or cipher this client refuses.',
    };
  }
  return undefined;
}

/**
 * The error's message with the messages of its causes: the SDK says only "Connection error." and
 * undici "fetch failed"; why (a port fetch refuses, a socket error without a code) is further down.
 */
function withCauses(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current; depth++) {
    const text = (current instanceof Error ? current.message : String(current)).trim().replace(/\.$/, '');
    if (text && !parts.includes(text)) parts.push(text);
    current = current && typeof current === 'object' ? (current as { cause?: unknown }).cause : undefined;
  }
  return parts.join(': ') || errorMessage(error);
}

/** The first `code` along the error's cause chain (undici nests the socket error in `cause`). */
function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z_]+$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export interface ProviderEnvOverrides {
  model?: string;
  baseUrl?: string;
  timeoutMs?: number;
  maxRetries?: number;
  maxInputTokens?: number;
  temperature?: number;
  stream?: boolean;
  logger?: Logger;
}

/**
 * The CLI's provider: `BACKEND_REVIEW_MODEL` (or --model) picks the model, `OPENAI_BASE_URL` the
 * endpoint (default OpenAI), `OPENAI_API_KEY` the key (optional). No model → undefined: the
 * caller runs the offline checks only. An invalid URL throws an Error naming where it came from.
 */
export function createProviderFromEnv(
  env: Record<string, string | undefined>,
  overrides: ProviderEnvOverrides = {},
): OpenAICompatibleProvider | undefined {
  const model = (overrides.model ?? env.BACKEND_REVIEW_MODEL ?? '').trim();
  const fromFlag = overrides.baseUrl !== undefined;
  const baseUrl = (overrides.baseUrl ?? env.OPENAI_BASE_URL ?? '').trim() || DEFAULT_BASE_URL;
  // Checked even without a model: a mistyped endpoint should be reported, not silently unused.
  try {
    describeEndpoint(baseUrl);
  } catch (error) {
    throw new Error(`${errorMessage(error)} (from ${fromFlag ? '--base-url' : 'OPENAI_BASE_URL'})`);
  }
  if (model === '') return undefined;
  return new OpenAICompatibleProvider({
    baseUrl,
    model,
    apiKey: env.OPENAI_API_KEY,
    timeoutMs: overrides.timeoutMs,
    maxRetries: overrides.maxRetries,
    maxInputTokens: overrides.maxInputTokens,
    temperature: overrides.temperature,
    stream: overrides.stream,
    logger: overrides.logger,
  });
}
