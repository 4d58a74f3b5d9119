import type * as vscode from 'vscode';
import { registerApiKeyCommands } from './vscode/apiKeyCommands';
import { registerChatParticipant } from './vscode/chatParticipant';
import { registerCodeActions } from './vscode/codeActions';
import { registerFindingCommands } from './vscode/findingCommands';
import { OutputChannelLogger, registerLogging } from './vscode/logging';
import { registerModeCommands } from './vscode/modeCommands';
import { registerOfflineChecks } from './vscode/offlineDiagnostics';
import { registerModelCommands } from './vscode/providerFactory';
import { registerReviewCommands } from './vscode/reviewCommands';
import { registerRuleDocs } from './vscode/ruleDocs';
import { createServices } from './vscode/services';
import { createTestApi, type BackendReviewerApi } from './vscode/testApi';

// Wires features together; each feature lives in src/vscode and registers its own disposables.
export function activate(context: vscode.ExtensionContext): BackendReviewerApi {
  const logger = new OutputChannelLogger();
  registerLogging(context, logger);
  const services = createServices(context, logger);
  registerReviewCommands(context, services);
  registerFindingCommands(context, services);
  registerModeCommands(context, services);
  registerModelCommands(context, logger);
  registerApiKeyCommands(context, services);
  registerCodeActions(context, services);
  registerRuleDocs(context);
  registerOfflineChecks(context, services);
  const chatHandler = registerChatParticipant(context, services);
  logger.info(`Backend Reviewer ${context.extension.packageJSON.version} active (mode ${services.mode.get()}).`);
  return createTestApi(services, chatHandler);
}

export function deactivate(): void {}
