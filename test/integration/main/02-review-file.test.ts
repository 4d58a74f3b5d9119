// Group 2: reviewFile publishes diagnostics where the model's findings point (after re-anchoring a wrong
// line number by the quoted code), with the right severities, source and codes.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { findingsAnswer, modelFinding } from '../../support/modelServer';
import {
  describeDiagnostics,
  diagnosticCode,
  lineOf,
  openWorkspaceFile,
  REVIEW_COMMANDS,
  setUserSettings,
  waitForModelDiagnostics,
} from '../helpers';
import { useModelServer } from '../modelServerHooks';

const FILE = 'src/orders.ts';
const SQL_QUOTE = `db.query("SELECT * FROM orders WHERE id = '" + id + "'")`;
const FETCH_QUOTE = 'const response = await fetch(url);';
const LOOP_QUOTE = 'for (const item of items) total += item.priceCents * item.quantity;';
const JSON_QUOTE = 'return response.json();';

const findings = [
  // Deliberately wrong line (15 instead of 4): the quote must re-anchor it.
  modelFinding({
    title: 'SQL built by string concatenation',
    severity: 'critical',
    category: 'security',
    startLine: 15,
    endLine: 15,
    quote: SQL_QUOTE,
  }),
  modelFinding({
    title: 'Invoice fetch has no timeout',
    severity: 'medium',
    category: 'reliability',
    startLine: 9,
    endLine: 9,
    quote: FETCH_QUOTE,
  }),
  modelFinding({
    title: 'Money summed without overflow guard',
    severity: 'low',
    category: 'correctness',
    startLine: 15,
    endLine: 15,
    quote: LOOP_QUOTE,
  }),
  modelFinding({
    title: 'Response body not validated',
    severity: 'info',
    category: 'api-design',
    startLine: 10,
    endLine: 10,
    quote: JSON_QUOTE,
  }),
];

describe('reviewFile publishes model findings as diagnostics', () => {
  const model = useModelServer(() => findingsAnswer(findings), { minimumSeverity: 'info', mode: 'pragmatic' });
  after(() => setUserSettings({ minimumSeverity: 'low' }));

  it('anchors each finding to its quoted code with severity, source and code', async () => {
    const editor = await openWorkspaceFile(FILE);
    const document = editor.document;
    await vscode.commands.executeCommand(REVIEW_COMMANDS.reviewFile, document.uri);
    const diagnostics = await waitForModelDiagnostics(document.uri, 'four model diagnostics', (d) => d.length === 4);

    const expected = [
      {
        line: lineOf(document, SQL_QUOTE),
        severity: vscode.DiagnosticSeverity.Error,
        code: 'review/security',
        title: 'SQL built by string concatenation',
      },
      {
        line: lineOf(document, FETCH_QUOTE),
        severity: vscode.DiagnosticSeverity.Warning,
        code: 'review/reliability',
        title: 'Invoice fetch has no timeout',
      },
      {
        line: lineOf(document, JSON_QUOTE),
        severity: vscode.DiagnosticSeverity.Hint,
        code: 'review/api-design',
        title: 'Response body not validated',
      },
      {
        line: lineOf(document, LOOP_QUOTE),
        severity: vscode.DiagnosticSeverity.Information,
        code: 'review/correctness',
        title: 'Money summed without overflow guard',
      },
    ];
    assert.equal(expected[0].line, 4, 'fixture changed: the SQL line should be line 4');
    const actual = diagnostics.map((d) => ({
      line: d.range.start.line + 1,
      severity: d.severity,
      code: diagnosticCode(d),
      title: expected.find((e) => d.message.startsWith(e.title))?.title,
    }));
    assert.deepEqual(actual, expected, describeDiagnostics(diagnostics));
    for (const diagnostic of diagnostics) assert.equal(diagnostic.source, 'Backend Reviewer · Pragmatic');

    const requests = model.server.chatRequests();
    assert.equal(requests.length, 1, 'one review request for one small file');
    assert.equal(requests[0].body?.model, 'test-model');
    assert.ok(requests[0].user.includes(SQL_QUOTE), 'the request carries the file text');
  });

  it('hides findings below backendReviewer.minimumSeverity', async () => {
    const uri = (await openWorkspaceFile(FILE)).document.uri;
    await setUserSettings({ minimumSeverity: 'medium' });
    const diagnostics = await waitForModelDiagnostics(uri, 'only critical and medium findings', (d) => d.length === 2);
    assert.deepEqual(
      diagnostics.map((d) => diagnosticCode(d)),
      ['review/security', 'review/reliability'],
      describeDiagnostics(diagnostics),
    );
  });
});
