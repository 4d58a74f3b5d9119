import * as vscode from 'vscode';
import type { Logger } from '../core/log';
import { displayEndpoint, OpenAICompatibleProvider } from '../core/providers/openaiCompatible';
import type { ChatProvider } from '../core/providers/provider';
import { resolveApiKey, withKeyScrubbed } from './common/apiKey';
import { LanguageModelProvider, type LmRuntime } from './lmProvider';
import type { ReviewerConfig } from '../core/config/settings';
import type { SecretStore } from './common/state';

/** No language model matched the settings; the caller offers to choose another or switch provider. */
export class NoModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoModelError';
  }
}

export const vscodeLmRuntime: LmRuntime = {
  userMessage: (text) => vscode.LanguageModelChatMessage.User(text),
  assistantMessage: (text) => vscode.LanguageModelChatMessage.Assistant(text),
  newCancellationSource: () => new vscode.CancellationTokenSource(),
};

const JUSTIFICATION = 'Backend Reviewer sends the code you asked it to review to this model.';

/** A provider over a model the chat already chose (`request.model`). */
export function providerForModel(
  model: vscode.LanguageModelChat,
  config: ReviewerConfig,
  logger: Logger,
): ChatProvider {
  return new LanguageModelProvider(model, vscodeLmRuntime, {
    timeoutMs: config.requestTimeoutMs,
    logger,
    justification: JUSTIFICATION,
  });
}

/** Creates the provider the settings ask for. */
export async function createProvider(
  config: ReviewerConfig,
  secrets: SecretStore,
  logger: Logger,
): Promise<ChatProvider> {
  if (config.provider === 'openai-compatible') {
    const { apiKey, source } = await resolveApiKey(secrets, process.env);
    logger.info(
      `Using the OpenAI-compatible endpoint ${displayEndpoint(config.openai.baseUrl)}, model ${config.openai.model}, API key: ${source === 'none' ? 'none' : `from ${source}`}.`,
    );
    const provider = new OpenAICompatibleProvider({
      baseUrl: config.openai.baseUrl,
      model: config.openai.model,
      apiKey,
      timeoutMs: config.requestTimeoutMs,
      maxInputTokens: config.maxInputTokens,
      temperature: config.temperature,
      logger,
    });
    return withKeyScrubbed(provider, apiKey);
  }
  const selector: vscode.LanguageModelChatSelector = {};
  if (config.vscodeLm.vendor) selector.vendor = config.vscodeLm.vendor;
  if (config.vscodeLm.family) selector.family = config.vscodeLm.family;
  const models = await vscode.lm.selectChatModels(selector);
  if (models.length === 0) {
    const wanted = [
      config.vscodeLm.vendor && `vendor "${config.vscodeLm.vendor}"`,
      config.vscodeLm.family && `family "${config.vscodeLm.family}"`,
    ]
      .filter(Boolean)
      .join(' and ');
    throw new NoModelError(
      `No language model${wanted ? ` with ${wanted}` : ''} is available (settings backendReviewer.vscodeLm.vendor/family). Choose another model, or use an OpenAI-compatible endpoint.`,
    );
  }
  const model = models[0];
  logger.info(
    `Using the language model ${model.name} (${model.vendor}/${model.family}, ${model.maxInputTokens} input tokens).`,
  );
  return providerForModel(model, config, logger);
}
