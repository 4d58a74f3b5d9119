// The quick fixes the README documents for offline rules (issue 16, point 13): "Suppress <rule> on
// this line" writes a backend-review-ignore comment above the finding, and "Turn <rule> off in
// .backend-review.json" writes rules: { <rule>: "off" } into the project file; each finding leaves
// the Problems panel.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import {
  codeActionsFor,
  describeDiagnostics,
  diagnosticCode,
  findAction,
  openWorkspaceFile,
  replaceDocumentText,
  reviewerDiagnostics,
  runCodeAction,
  waitFor,
  workspaceUri,
} from '../helpers';
import { restoreWorkspaceFileAfter } from '../modelServerHooks';

const FILE = 'src/ruleQuickFixes.ts';
const SOURCE = [
  'export async function notifyPartner(url: string) {',
  '  const response = await fetch(url);',
  '  return response.ok;',
  '}',
  '',
  'export async function loadInvoice(db: { query(sql: string): Promise<unknown> }, id: string) {',
  '  return db.query("SELECT * FROM invoices WHERE id = " + id);',
  '}',
  '',
].join('\n');

function offlineCodes(uri: vscode.Uri): string[] {
  return reviewerDiagnostics(uri)
    .filter((d) => d.source?.startsWith('Backend Reviewer · offline'))
    .map((d) => diagnosticCode(d) ?? '')
    .sort();
}

describe('offline rule quick fixes: suppress here, turn the rule off', () => {
  const configFile = restoreWorkspaceFileAfter('.backend-review.json');
  before(() => fs.writeFileSync(workspaceUri(FILE).fsPath, SOURCE));

  it('suppresses one finding with a comment above it and turns another rule off for the project', async () => {
    const { document } = await openWorkspaceFile(FILE);
    await waitFor('both offline findings', () =>
      offlineCodes(document.uri).join() === 'http-no-timeout,sql-injection' ? true : undefined,
    );
    const timeout = reviewerDiagnostics(document.uri).find((d) => diagnosticCode(d) === 'http-no-timeout');
    assert.ok(timeout);
    const suppress = findAction(await codeActionsFor(document.uri, timeout), /^Suppress http-no-timeout on this line$/);
    await runCodeAction(suppress);
    assert.equal(document.lineAt(1).text, '  // backend-review-ignore http-no-timeout');
    assert.equal(document.lineAt(2).text, '  const response = await fetch(url);');
    await waitFor('the suppressed finding to leave Problems', () =>
      offlineCodes(document.uri).join() === 'sql-injection' ? true : undefined,
    );
    await replaceDocumentText(document, document.getText());

    const sql = reviewerDiagnostics(document.uri).find((d) => diagnosticCode(d) === 'sql-injection');
    assert.ok(sql);
    const off = findAction(
      await codeActionsFor(document.uri, sql),
      /^Turn sql-injection off in \.backend-review\.json$/,
    );
    await runCodeAction(off);
    await waitFor('the project file to say so', () =>
      fs.existsSync(configFile()) &&
      JSON.parse(fs.readFileSync(configFile(), 'utf8')).rules?.['sql-injection'] === 'off'
        ? true
        : undefined,
    );
    await waitFor(
      'the turned-off rule to leave Problems',
      () => (offlineCodes(document.uri).length === 0 ? true : undefined),
      20_000,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}: ${describeDiagnostics(reviewerDiagnostics(document.uri))}`);
    });
  });
});
