// Shared helpers for the integration tests: real VS Code API only (no mocks of `vscode`).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { TEST_LM_EXTENSION_ID, type TestLanguageModelApi } from './lm-extension/src/api';

export const REVIEWER_EXTENSION_ID = 'backend-principal.backend-principal-reviewer';
export const SOURCE_PREFIX = 'Backend Reviewer';

/** Polls `probe` until it returns something other than undefined/false, or fails naming `what`. */
export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
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
    return Object.entries(values).every(([key, value]) => JSON.stringify(fresh.inspect(key)?.globalValue) === JSON.stringify(value));
  });
}

/** Replaces a document's whole text through a WorkspaceEdit (like a user typing) and saves it. */
export async function replaceDocumentText(document: vscode.TextDocument, text: string): Promise<void> {
  const edit = new vscode.WorkspaceEdit();
  edit.replace(document.uri, new vscode.Range(0, 0, document.lineCount, 0), text);
  assert.ok(await vscode.workspace.applyEdit(edit), `could not edit ${document.uri.fsPath}`);
  assert.ok(await document.save(), `could not save ${document.uri.fsPath}`);
}

/** 1-based line number of the first line containing `needle` in a document. */
export function lineOf(document: vscode.TextDocument, needle: string): number {
  for (let i = 0; i < document.lineCount; i++) {
    if (document.lineAt(i).text.includes(needle)) return i + 1;
  }
  throw new Error(`"${needle}" is not in ${document.uri.fsPath}`);
}
