import * as vscode from 'vscode';
import { OFFLINE_RULES } from '../core/offline';
import { COMMANDS, HELP_SCHEME } from './common/commandIds';
import { helpUri } from './diagnostics';
import { helpDocument } from './common/helpDocs';

/** Serves `backend-reviewer:/review/<category>.md` and `backend-reviewer:/rules/<id>.md` as read-only Markdown. */
class HelpContentProvider implements vscode.TextDocumentContentProvider {
  provideTextDocumentContent(uri: vscode.Uri): string {
    return helpDocument(uri.path, OFFLINE_RULES);
  }
}

/** Opens a rule's or category's explanation, rendered when the Markdown preview is available. */
async function showRuleHelp(ruleId: unknown): Promise<string | undefined> {
  if (typeof ruleId !== 'string' || ruleId === '') return undefined;
  const uri = helpUri(ruleId);
  try {
    await vscode.commands.executeCommand('markdown.showPreview', uri);
  } catch {
    // The built-in Markdown extension is disabled: show the source instead.
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: true });
  }
  return uri.toString();
}

export function registerRuleDocs(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(HELP_SCHEME, new HelpContentProvider()),
    vscode.commands.registerCommand(COMMANDS.showRuleHelp, showRuleHelp),
  );
}
