import * as vscode from 'vscode';
import type { Logger } from '../core/log';
import { terminalSafe } from '../core/output/terminal';
import { COMMANDS } from './common/commandIds';

/** The one "Backend Reviewer" log channel, behind the core Logger interface. */
export class OutputChannelLogger implements Logger, vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;

  constructor() {
    this.channel = vscode.window.createOutputChannel('Backend Reviewer', { log: true });
  }

  // Log lines quote servers, models and file names: control characters and BiDi overrides are shown
  // as visible escapes, never passed to the channel raw.
  debug(message: string): void {
    this.channel.debug(terminalSafe(message));
  }
  info(message: string): void {
    this.channel.info(terminalSafe(message));
  }
  warn(message: string): void {
    this.channel.warn(terminalSafe(message));
  }
  error(message: string): void {
    this.channel.error(terminalSafe(message));
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}

/**
 * Shows an error with a "Show Log" button (and any extra buttons); logs it too. Returns the button
 * the user picked.
 */
export async function showError(
  logger: OutputChannelLogger,
  message: string,
  ...buttons: string[]
): Promise<string | undefined> {
  logger.error(message);
  const picked = await vscode.window.showErrorMessage(message, ...buttons, 'Show Log');
  if (picked === 'Show Log') logger.show();
  return picked;
}

export function registerLogging(context: vscode.ExtensionContext, logger: OutputChannelLogger): void {
  context.subscriptions.push(
    logger,
    vscode.commands.registerCommand(COMMANDS.showLog, () => logger.show()),
  );
}
