/**
 * A chat model the engine can ask. Implemented in core for OpenAI-compatible endpoints and in the
 * extension for the VS Code Language Model API; tests use scripted fakes.
 */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** How the answer's JSON is requested. Providers that cannot do one fall back to the next. */
export type ResponseFormatKind = 'json_schema' | 'json_object' | 'text';

export interface ChatRequest {
  messages: ChatMessage[];
  /** JSON schema of the expected answer; used for `json_schema` response formats where supported. */
  jsonSchema?: { name: string; schema: Record<string, unknown> };
  signal?: AbortSignal;
  /** Called with each piece of streamed text, when the provider streams. */
  onText?: (chunk: string) => void;
  /** Called before each retry of a failed attempt (so a surface can say "retry 1 of 2 after 503"). */
  onRetry?: (notice: RetryNotice) => void;
}

export interface RetryNotice {
  /** 1-based number of this retry, out of `of`. */
  retry: number;
  of: number;
  /** What failed: the HTTP status ("503") or the connection error code ("ECONNRESET"). */
  after: string;
  delayMs: number;
}

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
}

export interface ChatResponse {
  text: string;
  usage: TokenUsage;
  /** The format the answer was actually requested in (after any fallback). */
  format: ResponseFormatKind;
  /** The answer stopped at the length limit: parse what is complete. */
  truncated: boolean;
  /**
   * The endpoint counted far fewer prompt tokens than were sent: it cut the prompt to fit its
   * context window (a local server's short default), so the answer lost the review's instructions.
   */
  promptCut?: { countedTokens: number; sentTokens: number };
}

export interface ChatProvider {
  /** Shown to users and used in the cache key, e.g. `openai-compatible:gpt-4o-mini@http://127.0.0.1:1234/v1`. */
  readonly id: string;
  readonly modelName: string;
  /** Approximate input budget in tokens for one request (prompt included). */
  readonly maxInputTokens: number;
  /** Counts tokens the way the provider would (estimates are fine). */
  countTokens(text: string): number;
  complete(request: ChatRequest): Promise<ChatResponse>;
}

/** What went wrong, as a fact each surface acts on in its own terms (the editor picks its buttons by it). */
export type ProviderFailureReason =
  | 'key-refused'
  | 'forbidden'
  | 'model-not-found'
  | 'connection-refused'
  | 'host-not-found'
  | 'tls'
  | 'connection-dropped'
  | 'rate-limited'
  | 'server-error';

export interface ProviderErrorFacts {
  reason?: ProviderFailureReason;
  /**
   * What happened, without the advice of one surface (the message names CLI variables and flags;
   * the editor names its settings and commands instead).
   */
  problem?: string;
  /** Retries made before giving up. */
  retries?: number;
}

/** Raised when the model cannot be reached or keeps failing; the CLI maps it to exit code 3. */
export class ProviderError extends Error {
  constructor(
    message: string,
    readonly kind: 'unreachable' | 'auth' | 'rejected' | 'timeout' | 'cancelled' | 'failed',
    readonly status?: number,
    readonly facts: ProviderErrorFacts = {},
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}
