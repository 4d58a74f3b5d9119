import * as vscode from 'vscode';
import { SETTINGS_SECTION } from '../core/config/settings';
import { displayEndpoint } from '../core/providers/openaiCompatible';
import { errorMessage } from '../core/errorMessage';
import { COMMANDS } from './common/commandIds';
import { adviseFailure } from './common/failureAdvice';
import { ENDPOINT_MODEL_VENDOR } from './endpointModel';
import { createProvider, type NoModelError } from './providerFactory';
import type { Services } from './services';

/**
 * Choosing the review model: VS Code's language models and the OpenAI-compatible endpoint in one
 * picker. Picking one says which provider reviews use from now on (the provider is never changed
 * without saying so); the endpoint path asks for base URL and model and tests the connection.
 */

export const CHOOSE_MODEL = 'Choose Another Model';
export const USE_OPENAI = 'Use OpenAI-Compatible Endpoint';
/** Set once the user chose a model; the walkthrough's "Choose a model" step completes on it. */
export const MODEL_CHOSEN_CONTEXT = 'backendReviewer.modelChosen';

export type ModelPickerDeps = Pick<Services, 'config' | 'logger' | 'secrets'>;

/** What Choose Language Model… did (the integration tests read it). */
export type ChooseModelResult =
  | { chosen: false }
  | { chosen: true; provider: 'vscode-lm'; vendor: string; family: string }
  | { chosen: true; provider: 'openai-compatible'; baseUrl: string; model: string; connection: string; ok: boolean };

/** `endpoint` skips the pickers (tests, links): use this base URL and model and test them. */
export interface ChooseModelArguments {
  endpoint?: { baseUrl: string; model: string };
}

type ModelItem = vscode.QuickPickItem & { model?: vscode.LanguageModelChat; endpoint?: true };

export async function chooseModel(deps: ModelPickerDeps, args?: ChooseModelArguments): Promise<ChooseModelResult> {
  if (args?.endpoint) return useEndpoint(deps, args.endpoint.baseUrl, args.endpoint.model);
  const config = deps.config();
  // Our own endpoint is listed in VS Code's registry too; it is offered below as what it is.
  const models = (await vscode.lm.selectChatModels()).filter((model) => model.vendor !== ENDPOINT_MODEL_VENDOR);
  const usingEndpoint = config.provider === 'openai-compatible';
  const items: ModelItem[] = [];
  if (models.length > 0) items.push({ label: 'VS Code language models', kind: vscode.QuickPickItemKind.Separator });
  for (const model of models) {
    const current =
      !usingEndpoint && model.vendor === config.vscodeLm.vendor && model.family === config.vscodeLm.family;
    items.push({
      label: model.name,
      description: `${model.vendor} · ${model.family}${current ? ' (current)' : ''}`,
      detail: `${model.maxInputTokens.toLocaleString('en-US')} input tokens${usingEndpoint ? ' · reviews switch from the OpenAI-compatible endpoint to this model' : ''}`,
      model,
    });
  }
  items.push({ label: 'OpenAI-compatible endpoint', kind: vscode.QuickPickItemKind.Separator });
  items.push({
    label: '$(server) OpenAI-compatible endpoint…',
    description: `${displayEndpoint(config.openai.baseUrl)} · ${config.openai.model}${usingEndpoint ? ' (current)' : ''}`,
    detail: 'OpenAI, Azure, Ollama, LM Studio, vLLM…: set the base URL and model, then test the connection',
    endpoint: true,
  });
  const item = await vscode.window.showQuickPick(items, {
    title: 'Backend Reviewer: Choose Language Model',
    placeHolder:
      models.length === 0
        ? 'No VS Code language models are available (sign in to GitHub Copilot, or use an endpoint)'
        : 'Which model reviews your code?',
    matchOnDescription: true,
  });
  if (!item) return { chosen: false };
  if (item.endpoint) return askForEndpoint(deps);
  if (!item.model) return { chosen: false };
  const configuration = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  await configuration.update('provider', 'vscode-lm', vscode.ConfigurationTarget.Global);
  await configuration.update('vscodeLm.vendor', item.model.vendor, vscode.ConfigurationTarget.Global);
  await configuration.update('vscodeLm.family', item.model.family, vscode.ConfigurationTarget.Global);
  await vscode.commands.executeCommand('setContext', MODEL_CHOSEN_CONTEXT, true);
  const message = `Reviews now use ${item.model.name} (${item.model.vendor}/${item.model.family}), a VS Code language model${usingEndpoint ? ` instead of the OpenAI-compatible endpoint at ${displayEndpoint(config.openai.baseUrl)}` : ''}.`;
  deps.logger.info(message);
  void vscode.window.showInformationMessage(`Backend Reviewer: ${message}`);
  return { chosen: true, provider: 'vscode-lm', vendor: item.model.vendor, family: item.model.family };
}

/** Asks for the endpoint's base URL and model (prefilled with the current ones), then uses them. */
async function askForEndpoint(deps: ModelPickerDeps): Promise<ChooseModelResult> {
  const config = deps.config();
  const baseUrl = await vscode.window.showInputBox({
    title: 'OpenAI-compatible endpoint (1/2): base URL',
    prompt:
      'The API root, usually ending in /v1 (Ollama: http://127.0.0.1:11434/v1, LM Studio: http://127.0.0.1:1234/v1)',
    value: config.openai.baseUrl,
    ignoreFocusOut: true,
    validateInput: (value) => {
      try {
        const url = new URL(value.trim());
        return url.protocol === 'http:' || url.protocol === 'https:' ? undefined : 'Use an http:// or https:// URL.';
      } catch {
        return 'Not a URL: for example http://127.0.0.1:11434/v1';
      }
    },
  });
  if (baseUrl === undefined) return { chosen: false };
  const model = await vscode.window.showInputBox({
    title: 'OpenAI-compatible endpoint (2/2): model',
    prompt: 'The model name the endpoint knows (e.g. gpt-4o-mini, llama3.1, qwen2.5-coder)',
    value: config.openai.model,
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() === '' ? 'Name the model.' : undefined),
  });
  if (model === undefined) return { chosen: false };
  return useEndpoint(deps, baseUrl.trim(), model.trim());
}

/** Writes the endpoint settings (user scope), says the provider now in use, and tests the connection. */
async function useEndpoint(deps: ModelPickerDeps, baseUrl: string, model: string): Promise<ChooseModelResult> {
  const configuration = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  const wasEndpoint = deps.config().provider === 'openai-compatible';
  await configuration.update('openai.baseUrl', baseUrl, vscode.ConfigurationTarget.Global);
  await configuration.update('openai.model', model, vscode.ConfigurationTarget.Global);
  await configuration.update('provider', 'openai-compatible', vscode.ConfigurationTarget.Global);
  await vscode.commands.executeCommand('setContext', MODEL_CHOSEN_CONTEXT, true);
  const where = `${model} at ${displayEndpoint(baseUrl)}`;
  const connection = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Backend Reviewer: testing ${where}…` },
    () => testConnection(deps),
  );
  const switched = wasEndpoint ? '' : ' (switched from the VS Code language model)';
  const message = connection.ok
    ? `Reviews now use ${where}${switched}: ${connection.text}`
    : `Reviews now use ${where}${switched}, but the connection test failed: ${connection.text}`;
  deps.logger[connection.ok ? 'info' : 'warn'](message);
  if (connection.ok) void vscode.window.showInformationMessage(`Backend Reviewer: ${message}`);
  else
    void vscode.window.showWarningMessage(`Backend Reviewer: ${message}`, ...connection.buttons).then((picked) => {
      if (picked === 'Set API Key') void vscode.commands.executeCommand(COMMANDS.setApiKey);
      else if (picked === 'Open Settings')
        void vscode.commands.executeCommand('workbench.action.openSettings', `${SETTINGS_SECTION}.openai`);
      else if (picked === 'Retry') void chooseModel(deps, { endpoint: { baseUrl, model } });
    });
  return {
    chosen: true,
    provider: 'openai-compatible',
    baseUrl,
    model,
    connection: connection.text,
    ok: connection.ok,
  };
}

/** One tiny request to the configured endpoint: does it answer, with this model and key? */
async function testConnection(deps: ModelPickerDeps): Promise<{ ok: boolean; text: string; buttons: string[] }> {
  const started = Date.now();
  try {
    const provider = await createProvider(deps.config(), deps.secrets, deps.logger);
    const signal = AbortSignal.timeout(Math.min(deps.config().requestTimeoutMs, 30_000));
    await provider.complete({
      messages: [
        { role: 'user', content: 'Connection test: answer with the JSON object {"ok": true} and nothing else.' },
      ],
      signal,
    });
    return { ok: true, text: `the model answered in ${((Date.now() - started) / 1000).toFixed(1)}s.`, buttons: [] };
  } catch (error) {
    const advice = adviseFailure(error, errorMessage(error));
    return { ok: false, text: advice.message, buttons: advice.buttons };
  }
}

/** Switches reviews to the OpenAI-compatible provider and opens its settings. */
export async function useOpenAiCompatible(): Promise<void> {
  await vscode.workspace
    .getConfiguration(SETTINGS_SECTION)
    .update('provider', 'openai-compatible', vscode.ConfigurationTarget.Global);
  await vscode.commands.executeCommand('workbench.action.openSettings', `${SETTINGS_SECTION}.openai`);
}

/** The message for a missing model, with its two ways out. */
export async function offerModelChoices(error: NoModelError, deps: ModelPickerDeps): Promise<void> {
  deps.logger.warn(error.message);
  const picked = await vscode.window.showWarningMessage(error.message, CHOOSE_MODEL, USE_OPENAI);
  if (picked === CHOOSE_MODEL) await chooseModel(deps);
  else if (picked === USE_OPENAI) await useOpenAiCompatible();
}

export function registerModelCommands(context: vscode.ExtensionContext, deps: ModelPickerDeps): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(COMMANDS.chooseModel, (args?: ChooseModelArguments) => chooseModel(deps, args)),
  );
}
