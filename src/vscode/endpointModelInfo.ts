import type * as vscode from 'vscode';
import type { ReviewerConfig } from '../core/config/settings';
import { DEFAULT_MAX_INPUT_TOKENS } from '../core/providers/openaiCompatible';

/** The vendor our endpoint is offered under in VS Code's model registry (package.json languageModelChatProviders). */
export const ENDPOINT_MODEL_VENDOR = 'backend-reviewer';

/**
 * The model's entry in the chat's model picker: offered once the user chose the endpoint (provider
 * `openai-compatible`, or an `openai.baseUrl` of their own), never for the untouched defaults.
 */
export function endpointModelInformation(
  config: ReviewerConfig,
  baseUrlSet: boolean,
): vscode.LanguageModelChatInformation[] {
  const { baseUrl, model } = config.openai;
  if (config.provider !== 'openai-compatible' && !baseUrlSet) return [];
  if (baseUrl.trim() === '' || model.trim() === '') return [];
  let host = baseUrl;
  try {
    host = new URL(baseUrl).host;
  } catch {
    // An invalid URL is reported by the review that uses it; the picker still names the model.
  }
  return [
    {
      id: `openai-compatible:${model}`,
      name: model,
      family: model,
      version: '1',
      tooltip: `The OpenAI-compatible endpoint configured for Backend Reviewer (${host}, setting backendReviewer.openai.baseUrl).`,
      detail: `Backend Reviewer endpoint · ${host}`,
      // The setting (a local model's context length), so a chat review through this model is cut to fit it.
      maxInputTokens: config.maxInputTokens ?? DEFAULT_MAX_INPUT_TOKENS,
      maxOutputTokens: 8_192,
      capabilities: {},
    },
  ];
}
