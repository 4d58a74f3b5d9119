import type * as vscode from 'vscode';
import type { ChatProvider, ChatRequest, ChatResponse } from '../core/providers/provider';
import { ProviderError } from '../core/providers/provider';
import type { Logger } from '../core/log';
import { estimateTokens } from '../core/providers/openaiCompatible';
import { errorMessage } from '../core/errorMessage';

/**
 * A `ChatProvider` over a VS Code language model (`vscode.LanguageModelChat`). The runtime parts of
 * the `vscode` module (message constructors, cancellation sources) come in through `LmRuntime`, so
 * this file has only type imports from `vscode` and tests in plain Node with a fake model.
 */
export interface LmRuntime {
  userMessage(text: string): vscode.LanguageModelChatMessage;
  assistantMessage(text: string): vscode.LanguageModelChatMessage;
  newCancellationSource(): { token: vscode.CancellationToken; cancel(): void; dispose(): void };
}

/** The part of `vscode.LanguageModelChat` this provider uses. */
export type LmModel = Pick<
  vscode.LanguageModelChat,
  'id' | 'name' | 'vendor' | 'family' | 'version' | 'maxInputTokens' | 'countTokens' | 'sendRequest'
>;

/** Turns a `LanguageModelError` (matched by its `code`, as the API recommends) into a ProviderError with a message saying what to do. */
export function toProviderError(error: unknown, modelLabel: string): ProviderError {
  if (error instanceof ProviderError) return error;
  const code =
    typeof error === 'object' && error !== null && 'code' in error
      ? String((error as { code: unknown }).code)
      : undefined;
  const detail = errorMessage(error);
  switch (code) {
    case 'NoPermissions':
      return new ProviderError(
        `Backend Reviewer may not use ${modelLabel} yet: allow it when VS Code asks (or in Manage Language Model Access) and try again.`,
        'auth',
      );
    case 'Blocked':
      return new ProviderError(
        `${modelLabel} refused the request (quota or rate limit reached, or blocked by a content filter). Wait a moment, or choose another model. ${detail}`.trim(),
        'rejected',
      );
    case 'NotFound':
      return new ProviderError(
        `${modelLabel} is not available any more. Choose another model (setting backendReviewer.vscodeLm.family).`,
        'unreachable',
      );
    default:
      if (error instanceof Error && (error.name === 'Canceled' || error.name === 'AbortError'))
        return new ProviderError('The review was cancelled.', 'cancelled');
      return new ProviderError(`${modelLabel} failed${code ? ` (${code})` : ''}: ${detail}`, 'failed');
  }
}

export class LanguageModelProvider implements ChatProvider {
  readonly id: string;
  readonly modelName: string;
  readonly maxInputTokens: number;

  constructor(
    private readonly model: LmModel,
    private readonly runtime: LmRuntime,
    private readonly options: { timeoutMs?: number; logger?: Logger; justification?: string } = {},
  ) {
    this.id = `vscode-lm:${model.vendor}/${model.family}@${model.version}`;
    this.modelName = model.name;
    this.maxInputTokens = model.maxInputTokens;
  }

  countTokens(text: string): number {
    return estimateTokens(text);
  }

  async complete(request: ChatRequest): Promise<ChatResponse> {
    // The Language Model API has no system role: the system prompt goes first as a user message.
    const messages = request.messages.map((message) =>
      message.role === 'assistant'
        ? this.runtime.assistantMessage(message.content)
        : this.runtime.userMessage(message.content),
    );
    const cancellation = this.runtime.newCancellationSource();
    let timedOut = false;
    const onAbort = () => cancellation.cancel();
    request.signal?.addEventListener('abort', onAbort);
    const timer = this.options.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          cancellation.cancel();
        }, this.options.timeoutMs)
      : undefined;
    const label = `the language model "${this.model.name}"`;
    try {
      if (request.signal?.aborted) throw new ProviderError('The review was cancelled.', 'cancelled');
      const response = await this.model.sendRequest(
        messages,
        { justification: this.options.justification },
        cancellation.token,
      );
      let text = '';
      for await (const chunk of response.text) {
        text += chunk;
        request.onText?.(chunk);
      }
      if (timedOut)
        throw new ProviderError(
          `${label} did not answer within ${this.options.timeoutMs} ms (setting backendReviewer.requestTimeoutMs).`,
          'timeout',
        );
      if (request.signal?.aborted) throw new ProviderError('The review was cancelled.', 'cancelled');
      const promptText = request.messages.map((m) => m.content).join('\n');
      return {
        text,
        usage: { promptTokens: await this.safeCount(promptText), completionTokens: await this.safeCount(text) },
        format: 'text',
        truncated: false,
      };
    } catch (error) {
      if (timedOut)
        throw new ProviderError(
          `${label} did not answer within ${this.options.timeoutMs} ms (setting backendReviewer.requestTimeoutMs).`,
          'timeout',
        );
      if (request.signal?.aborted) throw new ProviderError('The review was cancelled.', 'cancelled');
      const mapped = toProviderError(error, label);
      this.options.logger?.warn(`vscode-lm ${this.id}: ${mapped.message}`);
      throw mapped;
    } finally {
      if (timer) clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
      cancellation.dispose();
    }
  }

  /** The model's own count when it gives one; the estimate when counting fails (usage is informative only). */
  private async safeCount(text: string): Promise<number> {
    try {
      return await this.model.countTokens(text);
    } catch (error) {
      this.options.logger?.debug(`vscode-lm countTokens failed, estimating: ${errorMessage(error)}`);
      return estimateTokens(text);
    }
  }
}
