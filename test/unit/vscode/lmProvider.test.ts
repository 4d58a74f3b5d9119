import * as assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import { ProviderError } from '../../../src/core/providers/provider';
import { InMemoryLogger } from '../../support/inMemoryLogger';
import { LanguageModelProvider, toProviderError, type LmModel, type LmRuntime } from '../../../src/vscode/lmProvider';

/** Messages as the fake runtime builds them, so tests can read what was sent. */
interface FakeMessage {
  role: 'user' | 'assistant';
  text: string;
}

function fakeRuntime(): LmRuntime & { cancelled: number } {
  const runtime = {
    cancelled: 0,
    userMessage: (text: string) => ({ role: 'user', text }) as unknown as vscode.LanguageModelChatMessage,
    assistantMessage: (text: string) => ({ role: 'assistant', text }) as unknown as vscode.LanguageModelChatMessage,
    newCancellationSource: () => {
      const listeners: (() => void)[] = [];
      const token = {
        isCancellationRequested: false,
        onCancellationRequested: (listener: () => void) => {
          listeners.push(listener);
          return { dispose() {} };
        },
      };
      return {
        token: token as unknown as vscode.CancellationToken,
        cancel: () => {
          runtime.cancelled++;
          token.isCancellationRequested = true;
          for (const l of listeners) l();
        },
        dispose: () => {},
      };
    },
  };
  return runtime;
}

type Send = (messages: FakeMessage[], token: vscode.CancellationToken) => AsyncIterable<string>;

function fakeModel(
  send: Send,
  countTokens: (text: string) => Promise<number> = async (t) => t.length,
): LmModel & { sent: FakeMessage[][] } {
  const sent: FakeMessage[][] = [];
  return {
    id: 'copilot-gpt-4o',
    name: 'GPT-4o',
    vendor: 'copilot',
    family: 'gpt-4o',
    version: '2024-11',
    maxInputTokens: 64000,
    sent,
    countTokens: ((text: string) => countTokens(text)) as unknown as LmModel['countTokens'],
    sendRequest: (async (messages: FakeMessage[], _options: unknown, token: vscode.CancellationToken) => {
      sent.push(messages);
      return { text: send(messages, token), stream: (async function* () {})() };
    }) as unknown as LmModel['sendRequest'],
  };
}

async function* chunks(...parts: string[]): AsyncIterable<string> {
  for (const part of parts) yield part;
}

describe('vscode/lmProvider', () => {
  it('streams the answer, sends the system prompt as the first user message, counts usage', async () => {
    const model = fakeModel(() => chunks('{"summary":', '"ok","findings":[]}'));
    const provider = new LanguageModelProvider(model, fakeRuntime());
    const streamed: string[] = [];
    const response = await provider.complete({
      messages: [
        { role: 'system', content: 'SYS' },
        { role: 'assistant', content: 'A' },
        { role: 'user', content: 'U' },
      ],
      onText: (chunk) => streamed.push(chunk),
    });
    assert.equal(response.text, '{"summary":"ok","findings":[]}');
    assert.deepEqual(streamed, ['{"summary":', '"ok","findings":[]}']);
    assert.deepEqual(model.sent[0], [
      { role: 'user', text: 'SYS' },
      { role: 'assistant', text: 'A' },
      { role: 'user', text: 'U' },
    ]);
    assert.deepEqual(response.usage, { promptTokens: 'SYS\nA\nU'.length, completionTokens: response.text.length });
    assert.equal(response.format, 'text');
    assert.equal(provider.id, 'vscode-lm:copilot/gpt-4o@2024-11');
    assert.equal(provider.maxInputTokens, 64000);
  });

  it('estimates usage when the model cannot count, and logs why', async () => {
    const logger = new InMemoryLogger();
    const provider = new LanguageModelProvider(
      fakeModel(
        () => chunks('abcdefgh'),
        async () => {
          throw new Error('no tokenizer');
        },
      ),
      fakeRuntime(),
      { logger },
    );
    const response = await provider.complete({ messages: [{ role: 'user', content: 'x'.repeat(40) }] });
    assert.deepEqual(response.usage, { promptTokens: 10, completionTokens: 2 });
    assert.match(logger.messages('debug').join('\n'), /no tokenizer/);
  });

  it('turns an abort into a cancelled ProviderError and cancels the VS Code token', async () => {
    const runtime = fakeRuntime();
    const controller = new AbortController();
    const model = fakeModel((_m, token) =>
      (async function* () {
        yield 'partial';
        controller.abort();
        if (token.isCancellationRequested) throw Object.assign(new Error('Canceled'), { name: 'Canceled' });
        yield 'never';
      })(),
    );
    const provider = new LanguageModelProvider(model, runtime);
    await assert.rejects(
      provider.complete({ messages: [{ role: 'user', content: 'u' }], signal: controller.signal }),
      (error: unknown) => error instanceof ProviderError && error.kind === 'cancelled',
    );
    assert.equal(runtime.cancelled, 1);
  });

  it('times out with a message naming the setting', async () => {
    const model = fakeModel((_m, token) =>
      (async function* () {
        await new Promise<void>((resolve) => token.onCancellationRequested(() => resolve()));
        throw new Error('Canceled');
      })(),
    );
    const provider = new LanguageModelProvider(model, fakeRuntime(), { timeoutMs: 20 });
    await assert.rejects(
      provider.complete({ messages: [{ role: 'user', content: 'u' }] }),
      (error: unknown) =>
        error instanceof ProviderError &&
        error.kind === 'timeout' &&
        /backendReviewer\.requestTimeoutMs/.test(error.message),
    );
  });

  it('maps LanguageModelError codes to specific messages', async () => {
    const fail = (code: string) => Object.assign(new Error(`raw ${code}`), { name: 'LanguageModelError', code });
    const label = 'the language model "GPT-4o"';
    const noPermission = toProviderError(fail('NoPermissions'), label);
    assert.equal(noPermission.kind, 'auth');
    assert.match(noPermission.message, /allow it/);
    assert.equal(toProviderError(fail('Blocked'), label).kind, 'rejected');
    const notFound = toProviderError(fail('NotFound'), label);
    assert.equal(notFound.kind, 'unreachable');
    assert.match(notFound.message, /Choose another model/);
    const other = toProviderError(fail('Overloaded'), label);
    assert.equal(other.kind, 'failed');
    assert.match(other.message, /\(Overloaded\): raw Overloaded/);
    const provider = new LanguageModelProvider(
      fakeModel(() =>
        (async function* () {
          throw fail('NoPermissions');
        })(),
      ),
      fakeRuntime(),
    );
    await assert.rejects(
      provider.complete({ messages: [{ role: 'user', content: 'u' }] }),
      (error: unknown) => error instanceof ProviderError && error.kind === 'auth',
    );
  });
});
