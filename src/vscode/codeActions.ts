import * as vscode from 'vscode';
import { COMMANDS, FIX_ALL_KIND } from './common/commandIds';
import { addFixEdit, fixAllEdit } from './findingCommands';
import { fixApplies } from './common/fixPlans';
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

export function registerCodeActions(context: vscode.ExtensionContext, services: CodeActionDeps): void {
  context.subscriptions.push(
    vscode.languages.registerCodeActionsProvider(
      [{ scheme: 'file' }, { scheme: 'untitled' }, { scheme: 'vscode-remote' }],
      new FindingCodeActions(services),
      { providedCodeActionKinds: FindingCodeActions.providedCodeActionKinds },
    ),
  );
}
