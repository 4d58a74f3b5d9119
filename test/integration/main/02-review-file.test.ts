// Group 2: reviewFile publishes diagnostics where the model's findings point (after re-anchoring a wrong
// line number by the quoted code), with the right severities, source and codes.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { findingsAnswer, modelFinding } from '../../support/modelServer';
import {
  describeDiagnostics,
  diagnosticCode,
  lineOf,
  modelDiagnostics,
  openWorkspaceFile,
  REVIEW_COMMANDS,
  reviewerDiagnostics,
  setUserSettings,
  waitFor,
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
  // The SQL and fetch findings are problems the offline checks report too: the engine folds the model's
  // into the offline finding (the hybrid merge), shown once as 'offline + Pragmatic'.
  const model = useModelServer(() => findingsAnswer(findings), { minimumSeverity: 'info', mode: 'pragmatic' });
  after(() => setUserSettings({ minimumSeverity: 'low' }));

  it('anchors each finding to its quoted code with severity, source and code', async () => {
    const editor = await openWorkspaceFile(FILE);
    const document = editor.document;
    await vscode.commands.executeCommand(REVIEW_COMMANDS.reviewFile, document.uri);
    // Two of the four are problems the offline checks report too: each is shown once (issue 16), under
    // the offline rule (its id, page and suppression), at the model's severity when that is higher.
    await waitForModelDiagnostics(document.uri, 'the model-only diagnostics', (d) => d.length === 2);
    const diagnostics = reviewerDiagnostics(document.uri)
      .filter((d) => d.source?.includes('Pragmatic'))
      .sort((a, b) => a.range.start.line - b.range.start.line);

    const expected = [
      {
        line: lineOf(document, SQL_QUOTE),
        severity: vscode.DiagnosticSeverity.Error,
        code: 'sql-injection',
        title: 'SQL built from values and executed',
        source: 'Backend Reviewer · offline + Pragmatic',
      },
      {
        line: lineOf(document, FETCH_QUOTE),
        severity: vscode.DiagnosticSeverity.Warning,
        code: 'http-no-timeout',
        title: 'Outbound HTTP request without a timeout',
        source: 'Backend Reviewer · offline + Pragmatic',
      },
      {
        line: lineOf(document, JSON_QUOTE),
        severity: vscode.DiagnosticSeverity.Hint,
        code: 'review/api-design',
        title: 'Response body not validated',
        source: 'Backend Reviewer · Pragmatic',
      },
      {
        line: lineOf(document, LOOP_QUOTE),
        severity: vscode.DiagnosticSeverity.Information,
        code: 'review/correctness',
        title: 'Money summed without overflow guard',
        source: 'Backend Reviewer · Pragmatic',
      },
    ];
    assert.equal(expected[0].line, 4, 'fixture changed: the SQL line should be line 4');
    const actual = diagnostics.map((d) => ({
      line: d.range.start.line + 1,
      severity: d.severity,
      code: diagnosticCode(d),
      title: expected.find((e) => d.message.startsWith(e.title))?.title,
      source: d.source,
    }));
    assert.deepEqual(actual, expected, describeDiagnostics(diagnostics));
    assert.equal(
      reviewerDiagnostics(document.uri).filter((d) => d.range.start.line + 1 === expected[0].line).length,
      1,
      'the SQL injection is one diagnostic, not an offline one and a model one',
    );

    const requests = model.server.chatRequests();
    assert.equal(requests.length, 1, 'one review request for one small file');
    assert.equal(requests[0].body?.model, 'test-model');
    assert.ok(requests[0].user.includes(SQL_QUOTE), 'the request carries the file text');
  });

  it('hides findings below backendReviewer.minimumSeverity', async () => {
    const uri = (await openWorkspaceFile(FILE)).document.uri;
    await setUserSettings({ minimumSeverity: 'medium' });
    await waitForModelDiagnostics(uri, 'the low and info model findings hidden', (d) => d.length === 0);
    // The setting re-publishes both collections (the offline checks run again); the merged findings are
    // back once both have been published, so wait for that instead of reading between the two.
    const pragmatic = (): vscode.Diagnostic[] =>
      reviewerDiagnostics(uri).filter((d) => d.source?.includes('Pragmatic'));
    const codes = (diagnostics: vscode.Diagnostic[]): (string | undefined)[] =>
      diagnostics.map((d) => diagnosticCode(d)).sort();
    const shown = await waitFor('the medium and high findings kept, merged with the offline ones', () => {
      const diagnostics = pragmatic();
      return codes(diagnostics).length === 2 ? diagnostics : undefined;
    }).catch(() => pragmatic());
    assert.deepEqual(codes(shown), ['http-no-timeout', 'sql-injection'], describeDiagnostics(shown));
    assert.equal(modelDiagnostics(uri, 'Pragmatic').length, 0, 'no low or info model finding is shown');
  });
});
