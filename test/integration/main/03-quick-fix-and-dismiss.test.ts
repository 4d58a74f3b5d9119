// Group 3: "Apply suggested fix" (from vscode.executeCodeActionProvider) edits the document as the fix says;
// "Dismiss" removes the diagnostic and it does not come back on the next review of the same code
// (the restart suite checks the same after a new extension host).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { findingsAnswer, modelFinding } from '../../support/modelServer';
import {
  acceptQuickInputs,
  codeActionsFor,
  describeDiagnostics,
  diagnosticCode,
  findAction,
  lineOf,
  modelDiagnostics,
  openWorkspaceFile,
  REVIEW_COMMANDS,
  runCodeAction,
  waitForModelDiagnostics,
  workspaceUri,
} from '../helpers';
import { useModelServer } from '../modelServerHooks';
import { SESSION_FINDINGS } from '../sessionFindings';

const REFUND_CHECK = "  if (amountCents > order.totalCents) throw new Error('refund exceeds order total');";
const REFUND_FIX =
  "  if (amountCents > order.totalCents - order.refundedCents) throw new Error('refund exceeds the refundable amount');";

describe('quick fixes and dismissals', () => {
  useModelServer((request) => {
    if (request.user.includes('export async function refund(')) {
      return findingsAnswer([
        modelFinding({
          title: 'Refund check ignores earlier refunds',
          severity: 'high',
          category: 'data-integrity',
          startLine: 5,
          endLine: 5,
          quote: REFUND_CHECK.trim(),
          fix: { startLine: 5, endLine: 5, replacement: REFUND_FIX },
        }),
      ]);
    }
    if (request.user.includes('export function lookupSession(')) return findingsAnswer(SESSION_FINDINGS);
    return findingsAnswer([]);
  });

  it('"Apply suggested fix" replaces the finding\'s lines with the fix and the diagnostic goes away', async () => {
    const { document } = await openWorkspaceFile('src/refunds.ts');
    await vscode.commands.executeCommand(REVIEW_COMMANDS.reviewFile, document.uri);
    const [diagnostic] = await waitForModelDiagnostics(document.uri, 'the refund finding', (d) => d.length === 1);
    assert.equal(diagnostic.range.start.line + 1, 5);
    const apply = findAction(await codeActionsFor(document.uri, diagnostic), /^Apply suggested fix/);
    assert.equal(apply.kind?.value, vscode.CodeActionKind.QuickFix.value);
    await runCodeAction(apply);
    assert.equal(document.lineAt(4).text, REFUND_FIX, 'line 5 holds the fix');
    assert.equal(document.lineCount, 9, 'the fix replaced one line with one line');
    assert.ok(document.getText().includes("await db.exec('INSERT INTO refunds"), 'lines outside the fix are untouched');
    await waitForModelDiagnostics(document.uri, 'the fixed finding to disappear', (d) => d.length === 0);
  });

  it('"Dismiss" asks why and for whom, removes the diagnostic, and the next review of the same code does not bring it back', async () => {
    const { document } = await openWorkspaceFile('src/sessions.ts');
    await vscode.commands.executeCommand(REVIEW_COMMANDS.reviewFile, document.uri);
    const diagnostics = await waitForModelDiagnostics(document.uri, 'both session findings', (d) => d.length === 2);
    const expiry = diagnostics.find((d) => d.message.startsWith(SESSION_FINDINGS[0].title as string));
    assert.ok(expiry, describeDiagnostics(diagnostics));
    assert.equal(expiry.range.start.line + 1, lineOf(document, 'return sessions.get(token);'));
    // Enter on each question: "False positive", no words, "Record in the repository".
    await acceptQuickInputs(runCodeAction(findAction(await codeActionsFor(document.uri, expiry), /^Dismiss/)));
    const recorded = JSON.parse(fs.readFileSync(workspaceUri('.backend-review-dismissals.json').fsPath, 'utf8'));
    assert.deepEqual(
      recorded.dismissals.map((e: { file: string; ruleId: string; reason: string }) => [e.file, e.ruleId, e.reason]),
      [['src/sessions.ts', 'review/security', 'false-positive']],
    );
    const remaining = await waitForModelDiagnostics(
      document.uri,
      'only the undismissed finding',
      (d) => d.length === 1,
    );
    assert.equal(diagnosticCode(remaining[0]), 'review/scalability');

    // The re-review either asks the model again or answers from its cache; both must keep the dismissal.
    await vscode.commands.executeCommand(REVIEW_COMMANDS.reviewFile, document.uri);
    const after = modelDiagnostics(document.uri);
    assert.deepEqual(
      after.map((d) => diagnosticCode(d)),
      ['review/scalability'],
      `dismissed finding came back: ${describeDiagnostics(after)}`,
    );
  });
});
