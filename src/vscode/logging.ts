import * as vscode from 'vscode';
import type { Logger } from '../core/log';
import { terminalSafe } from '../core/output/terminal';
import { COMMANDS } from './common/commandIds';

const RECENT_LINES = 200;

/** The one "Backend Reviewer" log channel, behind the core Logger interface. */
export class OutputChannelLogger implements Logger, vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;
  /** The last lines logged (level and text), kept for the integration tests' read-only API. */
  private readonly recentLines: string[] = [];

  constructor() {
    this.channel = vscode.window.createOutputChannel('Backend Reviewer', { log: true });
  }

  // Log lines quote servers, models and file names: control characters and BiDi overrides are shown
  // as visible escapes, never passed to the channel raw.
  debug(message: string): void {
    this.channel.debug(this.remember('debug', terminalSafe(message)));
  }
  info(message: string): void {
    this.channel.info(this.remember('info', terminalSafe(message)));
  }
  warn(message: string): void {
    this.channel.warn(this.remember('warn', terminalSafe(message)));
  }
  error(message: string): void {
    this.channel.error(this.remember('error', terminalSafe(message)));
  }

  /** The last lines logged, oldest first, as `level: text`. */
  recent(): string[] {
    return [...this.recentLines];
  }

  private remember(level: string, text: string): string {
    this.recentLines.push(`${level}: ${text}`);
    if (this.recentLines.length > RECENT_LINES) this.recentLines.splice(0, this.recentLines.length - RECENT_LINES);
    return text;
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
