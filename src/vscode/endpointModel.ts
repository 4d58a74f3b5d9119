import * as vscode from 'vscode';
import type { Logger } from '../core/log';
import type { ChatMessage } from '../core/providers/provider';
import type { ReviewerConfig } from '../core/config/settings';
import { createProvider } from './providerFactory';
import { ENDPOINT_MODEL_VENDOR, endpointModelInformation } from './endpointModelInfo';
import type { SecretStore } from './common/state';

// The picker entry is built in endpointModelInfo.ts (no runtime vscode import, so it is unit-tested).
export { ENDPOINT_MODEL_VENDOR, endpointModelInformation };

function messageText(message: vscode.LanguageModelChatRequestMessage): string {
  return message.content.map((part) => (part instanceof vscode.LanguageModelTextPart ? part.value : '')).join('');
}

/** VS Code's message roles as the endpoint's (the stable API has user and assistant only). */
export function endpointMessages(messages: readonly vscode.LanguageModelChatRequestMessage[]): ChatMessage[] {
  return messages.map((message) => ({
    role: message.role === vscode.LanguageModelChatMessageRole.Assistant ? 'assistant' : 'user',
    content: messageText(message),
  }));
}

/**
 * Offers the configured OpenAI-compatible endpoint as a VS Code language model
 * (`vscode.lm.registerLanguageModelChatProvider`, stable API in VS Code 1.104+): it appears in the
 * chat's model picker, @principal and Explain can use it, and `selectChatModels` returns it. That is
 * what makes the chat work in VSCodium, code-server or with only a local server (no Copilot).
 * Requests go through the same provider reviews use (its timeout, retries and key handling).
 */
export function registerEndpointModel(
  context: vscode.ExtensionContext,
  deps: {
    config: () => ReviewerConfig;
    baseUrlSet: () => boolean;
    onConfigChange: vscode.Event<unknown>;
    secrets: SecretStore;
    logger: Logger;
  },
): void {
  const changed = new vscode.EventEmitter<void>();
  const provider: vscode.LanguageModelChatProvider = {
    onDidChangeLanguageModelChatInformation: changed.event,
    provideLanguageModelChatInformation: () => endpointModelInformation(deps.config(), deps.baseUrlSet()),
    async provideLanguageModelChatResponse(_model, messages, _options, progress, token) {
      const controller = new AbortController();
      const subscription = token.onCancellationRequested(() => controller.abort());
      try {
        const config = deps.config();
        const endpoint = await createProvider({ ...config, provider: 'openai-compatible' }, deps.secrets, deps.logger);
        await endpoint.complete({
          messages: endpointMessages(messages),
          signal: controller.signal,
          onText: (chunk) => progress.report(new vscode.LanguageModelTextPart(chunk)),
        });
      } finally {
        subscription.dispose();
      }
    },
    provideTokenCount: async (_model, text) =>
      Math.ceil((typeof text === 'string' ? text : messageText(text)).length / 4),
  };
  context.subscriptions.push(
    changed,
    deps.onConfigChange(() => changed.fire()),
    vscode.lm.registerLanguageModelChatProvider(ENDPOINT_MODEL_VENDOR, provider),
  );
}
