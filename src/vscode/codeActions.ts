import * as vscode from 'vscode';
import { COMMANDS, FIX_ALL_KIND } from './common/commandIds';
import { addFixEdit, fixAllEdit } from './findingCommands';
import { fixApplies } from './common/fixPlans';
import { suppressionEdit } from '../core/offline/suppress';
import { PROJECT_CONFIG_FILE } from '../core/config/projectConfig';
import { FindingsPublisher } from './diagnostics';
import type { Services } from './services';

/** What this feature uses of the extension's services, and nothing more. */
export type CodeActionDeps = Pick<Services, 'publisher'>;

const FIX_ALL = vscode.CodeActionKind.Empty.append(FIX_ALL_KIND);

/** Quick fixes linked to Backend Reviewer diagnostics, and the "fix all" source action. */
export class FindingCodeActions implements vscode.CodeActionProvider {
  static readonly providedCodeActionKinds = [vscode.CodeActionKind.QuickFix, FIX_ALL];

  constructor(private readonly services: CodeActionDeps) {}

  provideCodeActions(
    document: vscode.TextDocument,
    _range: vscode.Range,
    context: vscode.CodeActionContext,
  ): vscode.CodeAction[] {
    const actions: vscode.CodeAction[] = [];
    const wantsQuickFix =
      !context.only ||
      context.only.contains(vscode.CodeActionKind.QuickFix) ||
      vscode.CodeActionKind.QuickFix.contains(context.only);
    if (wantsQuickFix) {
      const text = document.getText();
      for (const diagnostic of context.diagnostics) {
        const finding = this.services.publisher.findingFor(document.uri, diagnostic);
        if (!finding) continue;
        if (finding.fix && fixApplies(finding, text)) {
          const action = new vscode.CodeAction(`Apply suggested fix: ${finding.title}`, vscode.CodeActionKind.QuickFix);
          action.edit = new vscode.WorkspaceEdit();
          addFixEdit(action.edit, document, finding.fix);
          action.diagnostics = [diagnostic];
          action.isPreferred = true;
          actions.push(action);
        }
        const explain = new vscode.CodeAction(`Explain: ${finding.title}`, vscode.CodeActionKind.QuickFix);
        explain.command = { command: COMMANDS.explainFinding, title: 'Explain', arguments: [document.uri, finding.id] };
        explain.diagnostics = [diagnostic];
        actions.push(explain);
        const dismiss = new vscode.CodeAction(`Dismiss: ${finding.title}`, vscode.CodeActionKind.QuickFix);
        dismiss.command = { command: COMMANDS.dismissFinding, title: 'Dismiss', arguments: [document.uri, finding.id] };
        dismiss.diagnostics = [diagnostic];
        actions.push(dismiss);
        if (finding.origin === 'offline') actions.push(...offlineRuleActions(document, finding, diagnostic));
      }
    }
    if (context.only && (context.only.contains(FIX_ALL) || FIX_ALL.contains(context.only))) {
      const plan = fixAllEdit(this.services, document);
      if (plan.applied > 0) {
        const action = new vscode.CodeAction(`Apply all ${plan.applied} Backend Reviewer fixes`, FIX_ALL);
        action.edit = plan.edit;
        actions.push(action);
      }
    }
    return actions;
  }
}

/**
 * What the README documents for an offline rule: suppress it on this line (a
 * `backend-review-ignore` comment above it) or turn it off for the project in `.backend-review.json`
 * (trusted workspaces only: that file steers every teammate's review).
 */
function offlineRuleActions(
  document: vscode.TextDocument,
  finding: { ruleId: string; startLine: number },
  diagnostic: vscode.Diagnostic,
): vscode.CodeAction[] {
  const actions: vscode.CodeAction[] = [];
  const lines = document.getText().split(/\r?\n/);
  const edit = suppressionEdit(lines, finding.startLine, finding.ruleId, document.languageId);
  if (edit) {
    const action = new vscode.CodeAction(`Suppress ${finding.ruleId} on this line`, vscode.CodeActionKind.QuickFix);
    action.edit = new vscode.WorkspaceEdit();
    const eol = document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
    if (edit.replace) action.edit.replace(document.uri, document.lineAt(edit.line - 1).range, edit.text);
    else action.edit.insert(document.uri, new vscode.Position(edit.line - 1, 0), edit.text + eol);
    action.diagnostics = [diagnostic];
    actions.push(action);
  }
  if (vscode.workspace.isTrusted && FindingsPublisher.projectRoot(document.uri) !== undefined) {
    const off = new vscode.CodeAction(
      `Turn ${finding.ruleId} off in ${PROJECT_CONFIG_FILE}`,
      vscode.CodeActionKind.QuickFix,
    );
    off.command = { command: COMMANDS.turnRuleOff, title: 'Turn rule off', arguments: [document.uri, finding.ruleId] };
    off.diagnostics = [diagnostic];
    actions.push(off);
  }
  return actions;
}

export function registerCodeActions(context: vscode.ExtensionContext, services: CodeActionDeps): void {
  context.subscriptions.push(
    vscode.languages.registerCodeActionsProvider(
      [{ scheme: 'file' }, { scheme: 'untitled' }, { scheme: 'vscode-remote' }],
      new FindingCodeActions(services),
      { providedCodeActionKinds: FindingCodeActions.providedCodeActionKinds },
    ),
  );
}
