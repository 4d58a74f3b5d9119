/**
 * What the test-only language model extension exports from `activate`, so integration tests can
 * script its answers and see exactly what the reviewer sent through the VS Code Language Model API.
 */
export const TEST_LM_EXTENSION_ID = 'backend-review-tests.backend-review-test-lm';
export const TEST_LM_VENDOR = 'backend-review-test';
export const TEST_LM_FAMILY = 'scripted';
export const TEST_LM_MODEL_ID = 'scripted-1';

export interface RecordedLmMessage {
  /** 'user' | 'assistant' | 'system' (VS Code's role numbers translated). */
  role: string;
  /** All text parts joined. */
  text: string;
}

export interface RecordedLmRequest {
  modelId: string;
  messages: RecordedLmMessage[];
  /** Whether the caller cancelled while the answer streamed. */
  cancelled: boolean;
}

/** Returns the answer text for one request; it is streamed back in several parts. */
export type LmResponder = (request: RecordedLmRequest) => string | Promise<string>;

export interface TestLanguageModelApi {
  readonly requests: readonly RecordedLmRequest[];
  /** Replaces the answer script; undefined restores the default (echo the last user message). */
  setResponder(responder: LmResponder | undefined): void;
  /** Forgets recorded requests and restores the default responder. */
  reset(): void;
}
