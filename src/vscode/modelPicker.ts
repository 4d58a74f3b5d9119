import * as vscode from 'vscode';
import type { Logger } from '../core/log';
import { SETTINGS_SECTION } from '../core/config/settings';
import { COMMANDS } from './common/commandIds';
import type { NoModelError } from './providerFactory';

/** Choosing the review model: the quick pick of VS Code's models, and the ways out when none matches. */

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
