import * as vscode from 'vscode';
import type { Logger } from '../core/log';
import { COMMANDS } from './common/commandIds';
import { displayEndpoint, OpenAICompatibleProvider } from '../core/providers/openaiCompatible';
import type { ChatProvider } from '../core/providers/provider';
import { resolveApiKey, withKeyScrubbed } from './common/apiKey';
import { LanguageModelProvider, type LmRuntime } from './lmProvider';
import { SETTINGS_SECTION, type ReviewerConfig } from '../core/config/settings';
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

export const CHOOSE_MODEL = 'Choose Another Model';
export const USE_OPENAI = 'Use OpenAI-Compatible Endpoint';

/** Lets the user pick any available chat model; stores vendor and family in user settings. */
export async function chooseModel(logger: Logger): Promise<boolean> {
  const models = await vscode.lm.selectChatModels();
  if (models.length === 0) {
    const picked = await vscode.window.showWarningMessage(
      'No language models are available in VS Code. Sign in to a model provider (for example GitHub Copilot), or use an OpenAI-compatible endpoint such as a local server.',
      USE_OPENAI,
    );
    if (picked === USE_OPENAI) await useOpenAiCompatible();
    return false;
  }
  const item = await vscode.window.showQuickPick(
    models.map((model) => ({
      label: model.name,
      description: `${model.vendor} · ${model.family}`,
      detail: `${model.maxInputTokens.toLocaleString('en-US')} input tokens`,
      model,
    })),
    { title: 'Backend Reviewer: choose the language model for reviews', matchOnDescription: true },
  );
  if (!item) return false;
  const configuration = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  await configuration.update('provider', 'vscode-lm', vscode.ConfigurationTarget.Global);
  await configuration.update('vscodeLm.vendor', item.model.vendor, vscode.ConfigurationTarget.Global);
  await configuration.update('vscodeLm.family', item.model.family, vscode.ConfigurationTarget.Global);
  logger.info(`Review model set to ${item.model.vendor}/${item.model.family}.`);
  return true;
}

/** Switches reviews to the OpenAI-compatible provider and opens its settings. */
export async function useOpenAiCompatible(): Promise<void> {
  await vscode.workspace
    .getConfiguration(SETTINGS_SECTION)
    .update('provider', 'openai-compatible', vscode.ConfigurationTarget.Global);
  await vscode.commands.executeCommand('workbench.action.openSettings', `${SETTINGS_SECTION}.openai`);
}

/** The message for a missing model, with its two ways out. */
export async function offerModelChoices(error: NoModelError, logger: Logger): Promise<void> {
  logger.warn(error.message);
  const picked = await vscode.window.showWarningMessage(error.message, CHOOSE_MODEL, USE_OPENAI);
  if (picked === CHOOSE_MODEL) await chooseModel(logger);
  else if (picked === USE_OPENAI) await useOpenAiCompatible();
}

export function registerModelCommands(context: vscode.ExtensionContext, logger: Logger): void {
  context.subscriptions.push(vscode.commands.registerCommand(COMMANDS.chooseModel, () => chooseModel(logger)));
}
