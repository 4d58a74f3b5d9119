// Shared helpers for the integration tests: real VS Code API only (no mocks of `vscode`).
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { TEST_LM_EXTENSION_ID, type TestLanguageModelApi } from './lm-extension/src/api';

export const REVIEWER_EXTENSION_ID = 'backend-principal.backend-principal-reviewer';
export const SOURCE_PREFIX = 'Backend Reviewer';

/** Polls `probe` until it returns something other than undefined/false, or fails naming `what`. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function reviewerExtension(): vscode.Extension<unknown> {
  const extension = vscode.extensions.getExtension(REVIEWER_EXTENSION_ID);
  assert.ok(extension, `extension ${REVIEWER_EXTENSION_ID} is not loaded in this VS Code`);
  return extension;
}

export async function testLanguageModel(): Promise<TestLanguageModelApi> {
  const extension = vscode.extensions.getExtension<TestLanguageModelApi>(TEST_LM_EXTENSION_ID);
  assert.ok(extension, `test extension ${TEST_LM_EXTENSION_ID} is not loaded (second extensionDevelopmentPath)`);
  return extension.activate();
}

export function workspaceRoot(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the integration tests need a workspace folder');
  return folder.uri;
}

export function workspaceUri(relativePath: string): vscode.Uri {
  return vscode.Uri.joinPath(workspaceRoot(), relativePath);
}

export async function openWorkspaceFile(relativePath: string): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument(workspaceUri(relativePath));
  return vscode.window.showTextDocument(document);
}

/** Diagnostics this extension published for a file (offline and model findings). */
export function reviewerDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source?.startsWith(SOURCE_PREFIX));
}

export function diagnosticCode(diagnostic: vscode.Diagnostic): string | undefined {
  const code = diagnostic.code;
  if (code === undefined) return undefined;
  return typeof code === 'object' ? String(code.value) : String(code);
}

/** Sets `backendReviewer.*` user settings and waits until VS Code reports them. */
export async function setUserSettings(values: Record<string, unknown>): Promise<void> {
  const config = vscode.workspace.getConfiguration('backendReviewer');
  for (const [key, value] of Object.entries(values)) {
    await config.update(key, value, vscode.ConfigurationTarget.Global);
  }
  await waitFor('settings to apply', () => {
    const fresh = vscode.workspace.getConfiguration('backendReviewer');
    return Object.entries(values).every(
      ([key, value]) => JSON.stringify(fresh.inspect(key)?.globalValue) === JSON.stringify(value),
    );
  });
}

/** Replaces a document's whole text through a WorkspaceEdit (like a user typing) and saves it. */
export async function replaceDocumentText(document: vscode.TextDocument, text: string): Promise<void> {
  const edit = new vscode.WorkspaceEdit();
  edit.replace(document.uri, new vscode.Range(0, 0, document.lineCount, 0), text);
  assert.ok(await vscode.workspace.applyEdit(edit), `could not edit ${document.uri.fsPath}`);
  await saveDocument(document);
}

/**
 * Saves a document until nothing is left unsaved. save() answers false when there is nothing to save,
 * and VS Code may cut off slow save participants on a loaded machine and still save; a save can also
 * be refused while another one (an earlier test's, a format-on-save) is still running: it is tried
 * again for a while before the test gives up.
 */
export async function saveDocument(document: vscode.TextDocument): Promise<void> {
  for (let attempt = 0; attempt < 5 && document.isDirty; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
    await document.save();
  }
  assert.equal(document.isDirty, false, `could not save ${document.uri.fsPath}`);
}

/** 1-based line number of the first line containing `needle` in a document. */
export function lineOf(document: vscode.TextDocument, needle: string): number {
  for (let i = 0; i < document.lineCount; i++) {
    if (document.lineAt(i).text.includes(needle)) return i + 1;
  }
  throw new Error(`"${needle}" is not in ${document.uri.fsPath}`);
}

/** The contributed review commands' ids (package.json `contributes.commands`). */
export const REVIEW_COMMANDS = {
  reviewFile: 'backendReviewer.reviewFile',
  reviewChanges: 'backendReviewer.reviewChanges',
  reviewStaged: 'backendReviewer.reviewStaged',
  switchMode: 'backendReviewer.switchMode',
  selectPersona: 'backendReviewer.selectPersona',
  chooseModel: 'backendReviewer.chooseModel',
} as const;

/** Diagnostics of model findings published in a mode ("Backend Reviewer · Pragmatic"), sorted by line. */
export function modelDiagnostics(uri: vscode.Uri, modeLabel = 'Pragmatic'): vscode.Diagnostic[] {
  return reviewerDiagnostics(uri)
    .filter((d) => d.source === `${SOURCE_PREFIX} · ${modeLabel}`)
    .sort((a, b) => a.range.start.line - b.range.start.line);
}

/** Waits until the file's model diagnostics satisfy `accept` and returns them. */
export async function waitForModelDiagnostics(
  uri: vscode.Uri,
  what: string,
  accept: (diagnostics: vscode.Diagnostic[]) => boolean,
  modeLabel = 'Pragmatic',
): Promise<vscode.Diagnostic[]> {
  return waitFor(`${what} (${vscode.workspace.asRelativePath(uri)})`, () => {
    const diagnostics = modelDiagnostics(uri, modeLabel);
    return accept(diagnostics) ? diagnostics : undefined;
  });
}

/** A text summary of diagnostics for assertion messages. */
export function describeDiagnostics(diagnostics: readonly vscode.Diagnostic[]): string {
  return JSON.stringify(
    diagnostics.map((d) => ({
      line: d.range.start.line + 1,
      severity: vscode.DiagnosticSeverity[d.severity],
      source: d.source,
      code: diagnosticCode(d),
      message: d.message.slice(0, 60),
    })),
  );
}

/** Code actions VS Code's code action providers offer for a diagnostic (as the light bulb would). */
export async function codeActionsFor(uri: vscode.Uri, diagnostic: vscode.Diagnostic): Promise<vscode.CodeAction[]> {
  const actions = await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>(
    'vscode.executeCodeActionProvider',
    uri,
    diagnostic.range,
    vscode.CodeActionKind.QuickFix.value,
  );
  return (actions ?? []).filter(
    (a): a is vscode.CodeAction => 'title' in a && !('command' in a && typeof a.command === 'string'),
  );
}

/** Runs a code action the way the editor does: its edit first, then its command. */
export async function runCodeAction(action: vscode.CodeAction): Promise<void> {
  if (action.edit)
    assert.ok(await vscode.workspace.applyEdit(action.edit), `the edit of "${action.title}" was not applied`);
  if (action.command) await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
}

export function findAction(actions: readonly vscode.CodeAction[], title: RegExp): vscode.CodeAction {
  const action = actions.find((a) => title.test(a.title));
  assert.ok(action, `no code action matching ${title}; offered: ${JSON.stringify(actions.map((a) => a.title))}`);
  return action;
}

/** Runs git in the workspace folder (the harness made it a repository with one commit). */
export function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: workspaceRoot().fsPath, encoding: 'utf8' });
}

/** Rewrites a workspace file on disk, changing the given 1-based lines. */
export function rewriteLines(relativePath: string, replacements: Record<number, string>): void {
  const file = workspaceUri(relativePath).fsPath;
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  for (const [line, text] of Object.entries(replacements)) {
    const index = Number(line) - 1;
    assert.ok(index >= 0 && index < lines.length, `${relativePath} has no line ${line}`);
    lines[index] = text;
  }
  fs.writeFileSync(file, lines.join('\n'));
}

/** What review commands return (src/vscode/reviewRunner.ts ReviewCommandResult), as far as the tests read it. */
export type ReviewCommandResult =
  | {
      ok: true;
      result: { findings: { title: string; startLine: number; origin: 'model' | 'offline' }[]; summary: string };
      files: { uri: string; findings: unknown[] }[];
      message: string;
    }
  | { ok: false; cancelled: boolean; error: string; buttons?: string[] };

export async function runReview(command: string, ...args: unknown[]): Promise<ReviewCommandResult> {
  const result = await vscode.commands.executeCommand<ReviewCommandResult | undefined>(command, ...args);
  assert.ok(
    result && typeof result === 'object' && 'ok' in result,
    `${command} returned ${JSON.stringify(result)} instead of a review result`,
  );
  return result;
}

/**
 * Answers the quick picks and input boxes a command shows by accepting what is selected (the first
 * item, an empty input), until the command's promise settles: the real UI, driven as a user would
 * press Enter.
 */
export async function acceptQuickInputs<T>(pending: Thenable<T>, timeoutMs = 20_000): Promise<T> {
  let settled = false;
  const done = Promise.resolve(pending).finally(() => {
    settled = true;
  });
  const deadline = Date.now() + timeoutMs;
  while (!settled) {
    if (Date.now() > deadline) throw new Error('timed out answering the quick inputs');
    await new Promise((resolve) => setTimeout(resolve, 250));
    if (!settled) await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
  }
  return done;
}
