// Group 4: editing lines above a finding moves its diagnostic; editing inside it removes it.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { findingsAnswer, modelFinding } from '../../support/modelServer';
import {
  describeDiagnostics,
  modelDiagnostics,
  openWorkspaceFile,
  REVIEW_COMMANDS,
  waitForModelDiagnostics,
} from '../helpers';
import { useModelServer } from '../modelServerHooks';

const RATE_QUOTE = 'const perKilo = parcel.weightGrams / 1000 * 120;';
const LABEL_QUOTE = 'return `${parcel.destination.toUpperCase()} ${parcel.weightGrams}g`;';

describe('diagnostics follow edits', () => {
  useModelServer(() =>
    findingsAnswer([
      modelFinding({
        title: 'Rate hard-coded in the pricing path',
        severity: 'medium',
        category: 'maintainability',
        startLine: 8,
        endLine: 8,
        quote: RATE_QUOTE,
      }),
      modelFinding({
        title: 'Label loses non-ASCII destinations',
        severity: 'medium',
        category: 'correctness',
        startLine: 13,
        endLine: 13,
        quote: LABEL_QUOTE,
      }),
    ]),
  );

  it('moves a diagnostic when lines are inserted above it and drops it when its own line is edited', async () => {
    const editor = await openWorkspaceFile('src/shipping.ts');
    const { document } = editor;
    await vscode.commands.executeCommand(REVIEW_COMMANDS.reviewFile, document.uri);
    const initial = await waitForModelDiagnostics(document.uri, 'two findings', (d) => d.length === 2);
    assert.deepEqual(
      initial.map((d) => d.range.start.line + 1),
      [8, 13],
      describeDiagnostics(initial),
    );

    assert.ok(
      await editor.edit((builder) =>
        builder.insert(new vscode.Position(0, 0), '// Prices in cents.\n// Weights in grams.\n'),
      ),
    );
    const moved = await waitForModelDiagnostics(
      document.uri,
      'diagnostics moved down by two lines',
      (d) => d.length === 2 && d[0].range.start.line === 9,
    );
    assert.deepEqual(
      moved.map((d) => d.range.start.line + 1),
      [10, 15],
      describeDiagnostics(moved),
    );
    assert.equal(document.lineAt(9).text.trim(), RATE_QUOTE, 'the moved diagnostic still sits on the rate line');

    const rateLine = document.lineAt(9);
    const at = rateLine.text.indexOf('120');
    assert.ok(await editor.edit((builder) => builder.replace(new vscode.Range(9, at, 9, at + 3), '150')));
    const remaining = await waitForModelDiagnostics(
      document.uri,
      'the edited finding to disappear',
      (d) => d.length === 1,
    );
    assert.equal(remaining[0].range.start.line + 1, 15);
    assert.ok(remaining[0].message.startsWith('Label loses non-ASCII destinations'), describeDiagnostics(remaining));
    assert.deepEqual(
      modelDiagnostics(document.uri).map((d) => d.range.start.line + 1),
      [15],
    );
  });
});
