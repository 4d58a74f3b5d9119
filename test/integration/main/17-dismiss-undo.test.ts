// Dismiss in the editor (issue 16, point 13): the dismissal's notification offers Undo, which brings
// the finding back at once; the outcome of a later review does not count a dismissed finding.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { findingsAnswer, modelFinding } from '../../support/modelServer';
import {
  modelDiagnostics,
  openWorkspaceFile,
  reviewerExtension,
  REVIEW_COMMANDS,
  runReview,
  waitFor,
  workspaceUri,
} from '../helpers';
import { useModelServer } from '../modelServerHooks';

const FILE = 'src/undoDismiss.ts';
const QUOTE = 'return Math.round(cents * rate);';
const SOURCE = ['export function commission(cents: number, rate: number) {', `  ${QUOTE}`, '}', ''].join('\n');

describe('dismiss with undo', () => {
  useModelServer(() =>
    findingsAnswer([
      modelFinding({
        title: 'Commission rounded per line item',
        severity: 'medium',
        category: 'correctness',
        startLine: 2,
        endLine: 2,
        quote: QUOTE,
      }),
    ]),
  );
  before(() => fs.writeFileSync(workspaceUri(FILE).fsPath, SOURCE));

  it('Undo on the notification brings the finding back; a dismissed finding is not counted in the outcome', async () => {
    const { document } = await openWorkspaceFile(FILE);
    const first = await runReview(REVIEW_COMMANDS.reviewFile, document.uri);
    assert.ok(first.ok, JSON.stringify(first));
    assert.match(first.message, /: 1 finding ·/);
    await waitFor('the model diagnostic', () => modelDiagnostics(document.uri).length === 1 || undefined);
    const api = (await reviewerExtension().activate()) as { getFindings(uri: vscode.Uri): { id: string }[] };
    const [finding] = api.getFindings(document.uri);
    const choice = { reason: 'acceptable-here', scope: 'personal' };
    assert.equal(
      await vscode.commands.executeCommand('backendReviewer.dismissFinding', document.uri, finding.id, choice),
      true,
    );
    await waitFor('the dismissed diagnostic to go', () => modelDiagnostics(document.uri).length === 0 || undefined);

    // The user presses the notification's button (its primary action).
    await vscode.commands.executeCommand('notification.acceptPrimaryAction');
    await waitFor('Undo to bring it back', () => modelDiagnostics(document.uri).length === 1 || undefined);

    assert.equal(
      await vscode.commands.executeCommand('backendReviewer.dismissFinding', document.uri, finding.id, choice),
      true,
    );
    await waitFor(
      'the dismissed diagnostic to go again',
      () => modelDiagnostics(document.uri).length === 0 || undefined,
    );
    const again = await runReview('backendReviewer.reviewFileFresh', document.uri);
    assert.ok(again.ok, JSON.stringify(again));
    assert.match(again.message, /: 0 findings \(1 more dismissed, not shown\) ·/);
    assert.deepEqual(modelDiagnostics(document.uri), []);
  });
});
