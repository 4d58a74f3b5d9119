import { ProviderError, type ChatProvider } from '../../core/providers/provider';
import type { SecretStore } from './state';
import { errorMessage } from '../../core/errorMessage';

/** SecretStorage key of the OpenAI-compatible API key. The key is never written to settings or logs. */
export const API_KEY_SECRET = 'backendReviewer.openai.apiKey';
export const API_KEY_ENV = 'OPENAI_API_KEY';

export type ApiKeySource = 'secret-storage' | 'environment' | 'none';

/** SecretStorage first, then the environment variable, else no key (local servers need none). */
export async function resolveApiKey(
  secrets: SecretStore,
  env: Record<string, string | undefined>,
): Promise<{ apiKey?: string; source: ApiKeySource }> {
  const stored = (await secrets.get(API_KEY_SECRET))?.trim();
  if (stored) return { apiKey: stored, source: 'secret-storage' };
  const fromEnv = env[API_KEY_ENV]?.trim();
  if (fromEnv) return { apiKey: fromEnv, source: 'environment' };
  return { source: 'none' };
}

/** Removes every occurrence of the key from text that may reach a log or a message. */
export function scrubKey(text: string, apiKey: string | undefined): string {
  if (!apiKey || apiKey.length < 4) return text;
  return text.split(apiKey).join('[api key]');
}

/**
 * The message shown when moving a key from settings into secret storage fails (secret storage or a
 * settings file refused the write); the key itself never appears in it.
 */
export function keyMoveFailureMessage(error: unknown, apiKey: string | undefined): string {
  const reason = scrubKey(errorMessage(error), apiKey);
  return `Backend Reviewer: could not move the API key from settings (backendReviewer.openai.apiKey) into secret storage: ${reason}. Remove it from your settings by hand and run "Set API Key for OpenAI-Compatible Endpoint…".`;
}

/** Checks the input box value before it is stored; returns an error message or undefined. */
export function validateApiKeyInput(value: string): string | undefined {
  const trimmed = value.trim();
  if (trimmed === '') return 'Enter a key, or press Escape to keep the current one.';
  if (/\s/.test(trimmed)) return 'An API key has no spaces or line breaks.';
  return undefined;
}

/** Wraps a provider so no error it raises can carry the key into a message or log. */
export function withKeyScrubbed(provider: ChatProvider, apiKey: string | undefined): ChatProvider {
  if (!apiKey) return provider;
  return {
    id: provider.id,
    modelName: provider.modelName,
    maxInputTokens: provider.maxInputTokens,
    countTokens: (text) => provider.countTokens(text),
    complete: async (request) => {
      try {
        return await provider.complete(request);
      } catch (error) {
        if (error instanceof ProviderError)
          throw new ProviderError(scrubKey(error.message, apiKey), error.kind, error.status, {
            ...error.facts,
            problem: error.facts.problem === undefined ? undefined : scrubKey(error.facts.problem, apiKey),
          });
        if (error instanceof Error) {
          const scrubbed = new Error(scrubKey(error.message, apiKey));
          scrubbed.name = error.name;
          throw scrubbed;
        }
        throw new Error(scrubKey(String(error), apiKey));
      }
    },
  };
}

export type SettingScope = 'user' | 'workspace' | 'workspaceFolder';

/** Where a key put into settings by hand sits (from `inspect()`), and the value to move. */
export function keysInSettings(
  inspected: { globalValue?: unknown; workspaceValue?: unknown; workspaceFolderValue?: unknown } | undefined,
): { value: string; scopes: SettingScope[] } | undefined {
  if (!inspected) return undefined;
  const found: { scope: SettingScope; value: string }[] = [];
  const consider = (scope: SettingScope, value: unknown) => {
    if (typeof value === 'string' && value.trim() !== '') found.push({ scope, value: value.trim() });
  };
  consider('workspaceFolder', inspected.workspaceFolderValue);
  consider('workspace', inspected.workspaceValue);
  consider('user', inspected.globalValue);
  if (found.length === 0) return undefined;
  // The most specific value is the one that was in effect.
  return { value: found[0].value, scopes: found.map((f) => f.scope) };
}
