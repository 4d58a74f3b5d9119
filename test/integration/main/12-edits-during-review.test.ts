// Group 12: the document is edited while the model answers; findings land on the lines they were
// about (moved with the edit), and a finding whose lines were edited is dropped and reported.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { findingsAnswer, modelFinding } from '../../support/modelServer';
import {
  describeDiagnostics,
  lineOf,
  modelDiagnostics,
  openWorkspaceFile,
  replaceDocumentText,
  REVIEW_COMMANDS,
  runReview,
} from '../helpers';
import { useModelServer } from '../modelServerHooks';

const RATE_QUOTE = 'const perKilo = parcel.weightGrams / 1000 * 120;';
const LABEL_QUOTE = 'return `${parcel.destination.toUpperCase()} ${parcel.weightGrams}g`;';
const SHIPPING = [
  'export interface Parcel { destination: string; weightGrams: number }',
  '',
  'export function shippingCost(parcel: Parcel): number {',
  '  const base = 499;',
  `  ${RATE_QUOTE}`,
  '  return Math.round(base + perKilo);',
  '}',
  '',
  'export function labelFor(parcel: Parcel): string {',
  `  ${LABEL_QUOTE}`,
  '}',
  '',
].join('\n');

describe('edits made while the model answers', () => {
  let editor: vscode.TextEditor;
  let rateLine = 0;
  let labelLine = 0;
  let diskText = '';

  const model = useModelServer();

  before(async () => {
    editor = await openWorkspaceFile('src/shipping.ts');
    // Earlier groups edit this file: start from known text, and put the file back afterwards.
    diskText = new TextDecoder().decode(await vscode.workspace.fs.readFile(editor.document.uri));
    await replaceDocumentText(editor.document, SHIPPING);
    rateLine = lineOf(editor.document, RATE_QUOTE);
    labelLine = lineOf(editor.document, LABEL_QUOTE);
  });

  after(async () => {
    await replaceDocumentText(editor.document, diskText);
  });

  it('moves a finding with lines inserted above it and drops the one whose line was edited, saying so', async () => {
    model.server.setHandler(async () => {
      // The user types while the request is in flight.
      const label = editor.document.lineAt(labelLine - 1);
      assert.ok(
        await editor.edit((builder) => {
          builder.insert(new vscode.Position(0, 0), '// Prices in cents.\n// Weights in grams.\n');
          builder.replace(label.range, label.text.replace('toUpperCase()', 'toLocaleUpperCase()'));
        }),
      );
      return findingsAnswer([
        modelFinding({
          title: 'Rate hard-coded in the pricing path',
          severity: 'medium',
          category: 'maintainability',
          startLine: rateLine,
          endLine: rateLine,
          quote: RATE_QUOTE,
        }),
        modelFinding({
          title: 'Label loses non-ASCII destinations',
          severity: 'medium',
          category: 'correctness',
          startLine: labelLine,
          endLine: labelLine,
          quote: LABEL_QUOTE,
        }),
      ]);
    });
    const result = await runReview(REVIEW_COMMANDS.reviewFile, editor.document.uri);
    assert.ok(result.ok, JSON.stringify(result));
    assert.match(result.message, /src\/shipping\.ts: 1 finding dropped because its lines changed during the review/);
    const diagnostics = modelDiagnostics(editor.document.uri);
    assert.deepEqual(
      diagnostics.map((d) => d.range.start.line + 1),
      [rateLine + 2],
      describeDiagnostics(diagnostics),
    );
    assert.equal(
      editor.document.lineAt(rateLine + 1).text.trim(),
      RATE_QUOTE,
      'the diagnostic sits on the rate line it was about',
    );
    assert.ok(diagnostics[0].message.startsWith('Rate hard-coded'), describeDiagnostics(diagnostics));
  });
});
