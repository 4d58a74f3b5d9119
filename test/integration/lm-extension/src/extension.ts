// Test-only extension: a scripted language model behind vscode.lm.registerLanguageModelChatProvider,
// so the reviewer's `vscode-lm` provider and chat participant run against a real VS Code model registry.
import * as vscode from 'vscode';
import {
  TEST_LM_FAMILY,
  TEST_LM_MODEL_ID,
  TEST_LM_VENDOR,
  type LmResponder,
  type RecordedLmMessage,
  type RecordedLmRequest,
  type TestLanguageModelApi,
} from './api';

const echoLastUserMessage: LmResponder = (request) => {
  const lastUser = [...request.messages].reverse().find((message) => message.role === 'user');
  return `ECHO: ${lastUser?.text ?? '(no user message)'}`;
};

function roleName(role: vscode.LanguageModelChatMessageRole): string {
  if (role === vscode.LanguageModelChatMessageRole.User) return 'user';
  if (role === vscode.LanguageModelChatMessageRole.Assistant) return 'assistant';
  return `role-${String(role)}`;
}

function messageText(message: vscode.LanguageModelChatRequestMessage): string {
  return message.content.map((part) => (part instanceof vscode.LanguageModelTextPart ? part.value : '')).join('');
}

/** Splits an answer into a few parts so callers see a real stream, not one blob. */
function streamParts(text: string): string[] {
  const size = Math.max(1, Math.ceil(text.length / 4));
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += size) parts.push(text.slice(i, i + size));
  return parts.length > 0 ? parts : [''];
}

export function activate(context: vscode.ExtensionContext): TestLanguageModelApi {
  const requests: RecordedLmRequest[] = [];
  let responder: LmResponder = echoLastUserMessage;
  const model: vscode.LanguageModelChatInformation = {
    id: TEST_LM_MODEL_ID,
    name: 'Scripted Test Model',
    family: TEST_LM_FAMILY,
    version: '1',
    maxInputTokens: 64_000,
    maxOutputTokens: 8_000,
    capabilities: {},
  };
  const provider: vscode.LanguageModelChatProvider = {
    provideLanguageModelChatInformation: () => [model],
    async provideLanguageModelChatResponse(info, messages, _options, progress, token) {
      const recorded: RecordedLmRequest = {
        modelId: info.id,
        messages: messages.map((message): RecordedLmMessage => ({
          role: roleName(message.role),
          text: messageText(message),
        })),
        cancelled: false,
      };
      requests.push(recorded);
      const answer = await responder(recorded);
      for (const part of streamParts(answer)) {
        if (token.isCancellationRequested) {
          recorded.cancelled = true;
          return;
        }
        progress.report(new vscode.LanguageModelTextPart(part));
      }
    },
    // Rough estimate (4 characters a token) is all the reviewer needs for budgeting.
    provideTokenCount: async (_info, text) =>
      Math.ceil((typeof text === 'string' ? text : messageText(text)).length / 4),
  };
  context.subscriptions.push(vscode.lm.registerLanguageModelChatProvider(TEST_LM_VENDOR, provider));
  return {
    requests,
    setResponder(next) {
      responder = next ?? echoLastUserMessage;
    },
    reset() {
      requests.length = 0;
      responder = echoLastUserMessage;
    },
  };
}

export function deactivate(): void {}
