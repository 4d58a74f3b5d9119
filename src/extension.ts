import type * as vscode from 'vscode';
import { registerApiKeyCommands } from './vscode/apiKeyCommands';
import { registerChatParticipant } from './vscode/chatParticipant';
import { registerCodeActions } from './vscode/codeActions';
import { registerFindingHover } from './vscode/findingHover';
import { registerEndpointModel } from './vscode/endpointModel';
import { registerFindingCommands } from './vscode/findingCommands';
import { registerTeamDismissalCommands } from './vscode/teamDismissalCommands';
import { OutputChannelLogger, registerLogging } from './vscode/logging';
import { registerModeCommands } from './vscode/modeCommands';
import { registerOfflineChecks } from './vscode/offlineDiagnostics';
import { registerModelCommands } from './vscode/modelPicker';
import { registerReviewCommands } from './vscode/reviewCommands';
import { registerRuleDocs } from './vscode/ruleDocs';
import { createServices } from './vscode/services';
import { createTestApi, type BackendReviewerApi } from './vscode/testApi';

// Wires features together; each feature lives in src/vscode and registers its own disposables.
// `activationMs` (start of activate to its return) is read by the integration run for `npm run bench`.
export function activate(context: vscode.ExtensionContext): BackendReviewerApi & { activationMs: number } {
  const started = performance.now();
  const logger = new OutputChannelLogger();
  registerLogging(context, logger);
  const services = createServices(context, logger);
  registerReviewCommands(context, services);
  registerFindingCommands(context, services);
  registerTeamDismissalCommands(context, services);
  registerModeCommands(context, services);
  registerModelCommands(context, services);
  registerEndpointModel(context, {
    config: services.config,
    baseUrlSet: () => services.settings.isSet('openai.baseUrl'),
    onConfigChange: services.settings.onDidChange,
    secrets: services.secrets,
    logger,
  });
  registerApiKeyCommands(context, services);
  registerCodeActions(context, { publisher: services.publisher });
  registerFindingHover(context, { publisher: services.publisher });
  registerRuleDocs(context, { publisher: services.publisher });
  registerOfflineChecks(context, services);
  const chatHandler = registerChatParticipant(context, services);
  const api = createTestApi(services, chatHandler);
  const activationMs = performance.now() - started;
  logger.info(
    `Backend Reviewer ${context.extension.packageJSON.version} active in ${activationMs.toFixed(1)} ms (mode ${services.mode.get()}).`,
  );
  return { ...api, activationMs };
}

export function deactivate(): void {}
