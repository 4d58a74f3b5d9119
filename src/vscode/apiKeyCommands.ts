import * as vscode from 'vscode';
import {
  API_KEY_SECRET,
  keyMoveFailureMessage,
  keysInSettings,
  validateApiKeyInput,
  type SettingScope,
} from './common/apiKey';
import { showError } from './logging';
import { COMMANDS } from './common/commandIds';
import { SETTINGS_SECTION } from '../core/config/settings';
import { LEGACY_API_KEY_SETTING, planKeyMove } from './common/settings';
import type { Services } from './services';

/** What this feature uses of the extension's services, and nothing more. */
export type ApiKeyCommandDeps = Pick<Services, 'logger' | 'secrets'>;

const TARGETS: Record<SettingScope, vscode.ConfigurationTarget> = {
  user: vscode.ConfigurationTarget.Global,
  workspace: vscode.ConfigurationTarget.Workspace,
  workspaceFolder: vscode.ConfigurationTarget.WorkspaceFolder,
};

/** Asks for the key (hidden input) and stores it in SecretStorage. `value` skips the prompt (tests). */
async function setApiKey(services: ApiKeyCommandDeps, value?: unknown): Promise<boolean> {
  let key = typeof value === 'string' ? value : undefined;
  if (key === undefined) {
    key = await vscode.window.showInputBox({
      title: 'Backend Reviewer: API key for the OpenAI-compatible endpoint',
      prompt: "Stored in VS Code's secret storage, never in settings. Leave the endpoint keyless for local servers.",
      password: true,
      ignoreFocusOut: true,
      validateInput: validateApiKeyInput,
    });
  }
  if (key === undefined) return false;
  const problem = validateApiKeyInput(key);
  if (problem) {
    void vscode.window.showWarningMessage(`Backend Reviewer: ${problem}`);
    return false;
  }
  await services.secrets.store(API_KEY_SECRET, key.trim());
  services.logger.info('API key stored in secret storage.');
  void vscode.window.showInformationMessage('Backend Reviewer: API key stored in secret storage.');
  return true;
}

/**
 * A key found in settings (`backendReviewer.openai.apiKey`) is offered to move into SecretStorage;
 * on "Move" it is stored there and removed from every settings scope it was in. In an untrusted
 * workspace only the user-settings key is offered, and replacing a different stored key is confirmed.
 */
export async function offerToMoveKeyFromSettings(services: ApiKeyCommandDeps): Promise<boolean> {
  const configuration = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  const found = planKeyMove(configuration.inspect(LEGACY_API_KEY_SETTING), {
    trusted: vscode.workspace.isTrusted,
    storedKey: await services.secrets.get(API_KEY_SECRET),
  });
  if (!found) return false;
  if (found.ignoredScopes.length > 0) {
    services.logger.warn(
      `An API key is in this workspace's settings (${found.ignoredScopes.join(', ')}): the workspace is not trusted, so it is neither used nor offered to move into secret storage.`,
    );
  }
  if (found.scopes.length === 0) return false;
  services.logger.warn(
    `An API key is in settings (${found.scopes.join(', ')}): settings files are plain text and often committed.`,
  );
  const picked = await vscode.window.showWarningMessage(
    "Backend Reviewer found an API key in your settings (backendReviewer.openai.apiKey). Settings are plain text; move the key into VS Code's secret storage?",
    'Move to Secret Storage',
    'Not Now',
  );
  if (picked !== 'Move to Secret Storage') return false;
  if (found.replacesStoredKey) {
    const replace = await vscode.window.showWarningMessage(
      'Secret storage already holds a different API key for Backend Reviewer. Replace it with the key from settings?',
      { modal: true },
      'Replace Stored Key',
    );
    if (replace !== 'Replace Stored Key') {
      services.logger.info('Kept the API key already in secret storage; the key in settings was not moved.');
      return false;
    }
  }
  await services.secrets.store(API_KEY_SECRET, found.value);
  for (const scope of found.scopes) {
    // A workspace-folder value can only be removed through the folder's own configuration.
    const target =
      scope === 'workspaceFolder'
        ? vscode.workspace.getConfiguration(SETTINGS_SECTION, vscode.workspace.workspaceFolders?.[0]?.uri)
        : configuration;
    await target.update(LEGACY_API_KEY_SETTING, undefined, TARGETS[scope]);
  }
  services.logger.info(`API key moved to secret storage and removed from settings (${found.scopes.join(', ')}).`);
  return true;
}

/** Runs the offer in the background; a failure is logged and shown, never left unhandled. */
function offerInBackground(services: ApiKeyCommandDeps): void {
  offerToMoveKeyFromSettings(services).then(undefined, (error: unknown) => {
    const key = keysInSettings(
      vscode.workspace.getConfiguration(SETTINGS_SECTION).inspect(LEGACY_API_KEY_SETTING),
    )?.value;
    void showError(services.logger, keyMoveFailureMessage(error, key));
  });
}

export function registerApiKeyCommands(context: vscode.ExtensionContext, services: ApiKeyCommandDeps): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(COMMANDS.setApiKey, (value?: unknown) => setApiKey(services, value)),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(`${SETTINGS_SECTION}.${LEGACY_API_KEY_SETTING}`)) offerInBackground(services);
    }),
  );
  offerInBackground(services);
}
