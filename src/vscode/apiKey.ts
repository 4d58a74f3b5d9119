import type { SecretStore } from './state';

/** SecretStorage key of the OpenAI-compatible API key. The key is never written to settings or logs. */
export const API_KEY_SECRET = 'backendReviewer.openai.apiKey';
export const API_KEY_ENV = 'OPENAI_API_KEY';

export type ApiKeySource = 'secret-storage' | 'environment' | 'none';

/** SecretStorage first, then the environment variable, else no key (local servers need none). */
export async function resolveApiKey(secrets: SecretStore, env: Record<string, string | undefined>): Promise<{ apiKey?: string; source: ApiKeySource }> {
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

/** Checks the input box value before it is stored; returns an error message or undefined. */
export function validateApiKeyInput(value: string): string | undefined {
  const trimmed = value.trim();
  if (trimmed === '') return 'Enter a key, or press Escape to keep the current one.';
  if (/\s/.test(trimmed)) return 'An API key has no spaces or line breaks.';
  return undefined;
}
