import * as vscode from 'vscode';
import { FindingsPublisher } from './diagnostics';
import { CHAT_PARTICIPANT_NAME, COMMANDS } from './common/commandIds';
import {
  explainQuery,
  fixApplies,
  planFixes,
  replacementText,
  type LineEdit,
  type PublishedFinding,
} from './common/publishedFindings';
import type { Services } from './services';

function uriOf(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string' && arg !== '') return vscode.Uri.parse(arg);
  return undefined;
}

/** The document range of whole lines `startLine..endLine` (1-based). */
function linesRange(document: vscode.TextDocument, startLine: number, endLine: number): vscode.Range {
  return new vscode.Range(startLine - 1, 0, endLine - 1, document.lineAt(endLine - 1).range.end.character);
}

function addLineEdit(
  edit: vscode.WorkspaceEdit,
  document: vscode.TextDocument,
  lineEdit: Pick<LineEdit, 'startLine' | 'endLine' | 'replacement'>,
): void {
  edit.replace(document.uri, linesRange(document, lineEdit.startLine, lineEdit.endLine), lineEdit.replacement);
}

/** Adds a finding's fix: its whole lines, without the trailing newline a model tends to add. */
export function addFixEdit(
  edit: vscode.WorkspaceEdit,
  document: vscode.TextDocument,
  fix: NonNullable<PublishedFinding['fix']>,
): void {
  addLineEdit(edit, document, {
    startLine: fix.startLine,
    endLine: fix.endLine,
    replacement: replacementText(fix.replacement),
  });
}

/** Builds one WorkspaceEdit with every fix that still applies in the document. */
export function fixAllEdit(
  services: Services,
  document: vscode.TextDocument,
): { edit: vscode.WorkspaceEdit; applied: number; skipped: number } {
  const { edits, skipped } = planFixes(services.publisher.findings(document.uri, true), document.getText());
  const edit = new vscode.WorkspaceEdit();
  for (const lineEdit of edits) addLineEdit(edit, document, lineEdit);
  return { edit, applied: edits.length, skipped: skipped.length };
}

async function applyFix(services: Services, uriArg: unknown, id: unknown): Promise<boolean> {
  const uri = uriOf(uriArg);
  const finding = uri && typeof id === 'string' ? services.publisher.find(uri, id) : undefined;
  if (!uri || !finding || !finding.fix) {
    void vscode.window.showWarningMessage(
      'Backend Reviewer: that finding is gone (the code changed or the file was re-reviewed).',
    );
    return false;
  }
  const document = await vscode.workspace.openTextDocument(uri);
  if (!fixApplies(finding, document.getText())) {
    void vscode.window.showWarningMessage(
      'Backend Reviewer: the code changed since the review, so the suggested fix no longer applies. Review the file again.',
    );
    return false;
  }
  const edit = new vscode.WorkspaceEdit();
  addFixEdit(edit, document, finding.fix);
  const applied = await vscode.workspace.applyEdit(edit);
  if (applied) services.publisher.remove(uri, [finding.id]);
  return applied;
}

export async function applyAllFixes(
  services: Services,
  uriArg?: unknown,
): Promise<{ applied: number; skipped: number; files: number }> {
  const only = uriOf(uriArg);
  const uris = only ? [only] : services.publisher.uris();
  let applied = 0;
  let skipped = 0;
  let files = 0;
  for (const uri of uris) {
    const document = await vscode.workspace.openTextDocument(uri);
    const plan = fixAllEdit(services, document);
    skipped += plan.skipped;
    if (plan.applied === 0) continue;
    if (await vscode.workspace.applyEdit(plan.edit)) {
      applied += plan.applied;
      files++;
    } else {
      services.logger.warn(
        `Could not apply the fixes in ${FindingsPublisher.relativePath(uri)}: the editor refused the edit.`,
      );
      skipped += plan.applied;
    }
  }
  services.logger.info(`Applied ${applied} fix(es) in ${files} file(s); ${skipped} left out.`);
  return { applied, skipped, files };
}

async function dismissFinding(services: Services, uriArg: unknown, id: unknown): Promise<boolean> {
  const uri = uriOf(uriArg);
  const finding = uri && typeof id === 'string' ? services.publisher.find(uri, id) : undefined;
  if (!finding) return false;
  await services.dismissals.dismiss(finding.dismissal, { title: finding.title, line: finding.startLine });
  services.publisher.refresh();
  services.logger.info(`Dismissed ${finding.ruleId} "${finding.title}" in ${finding.dismissal.file}.`);
  return true;
}

async function explainFinding(services: Services, uriArg: unknown, id: unknown): Promise<string | undefined> {
  const uri = uriOf(uriArg);
  const finding = uri && typeof id === 'string' ? services.publisher.find(uri, id) : undefined;
  if (!finding) return undefined;
  const query = explainQuery(finding, CHAT_PARTICIPANT_NAME);
  await vscode.commands.executeCommand('workbench.action.chat.open', { query });
  return query;
}

/** Lists dismissed findings; the ones picked are restored. Returns the keys restored. */
async function showDismissed(services: Services): Promise<string[]> {
  const dismissed = services.dismissals.list();
  if (dismissed.length === 0) {
    void vscode.window.showInformationMessage('Backend Reviewer: no dismissed findings in this workspace.');
    return [];
  }
  const picked = await vscode.window.showQuickPick(
    dismissed.map((entry) => ({
      label: entry.title,
      description: `${entry.file}:${entry.line} · ${entry.ruleId}`,
      detail: `Dismissed ${entry.dismissedAt.slice(0, 16).replace('T', ' ')} · ${entry.code.slice(0, 120)}`,
      key: entry.key,
    })),
    {
      title: 'Backend Reviewer: dismissed findings — pick the ones to restore',
      canPickMany: true,
      matchOnDescription: true,
    },
  );
  if (!picked || picked.length === 0) return [];
  for (const item of picked) await services.dismissals.restore(item.key);
  services.publisher.refresh();
  void vscode.window.showInformationMessage(
    `Backend Reviewer: restored ${picked.length} finding(s). They show again when their file is reviewed.`,
  );
  return picked.map((item) => item.key);
}

export function registerFindingCommands(context: vscode.ExtensionContext, services: Services): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(COMMANDS.clearFindings, (uri?: unknown) => {
      services.publisher.clear(uriOf(uri));
    }),
    vscode.commands.registerCommand(COMMANDS.applyFix, (uri: unknown, id: unknown) => applyFix(services, uri, id)),
    vscode.commands.registerCommand(COMMANDS.applyAllFixes, (uri?: unknown) => applyAllFixes(services, uri)),
    vscode.commands.registerCommand(COMMANDS.dismissFinding, (uri: unknown, id: unknown) =>
      dismissFinding(services, uri, id),
    ),
    vscode.commands.registerCommand(COMMANDS.explainFinding, (uri: unknown, id: unknown) =>
      explainFinding(services, uri, id),
    ),
    vscode.commands.registerCommand(COMMANDS.showDismissed, () => showDismissed(services)),
  );
}
