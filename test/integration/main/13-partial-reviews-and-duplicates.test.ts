// Group 13 (issue 16): what the user sees after a file review followed by a diff review, and when the
// offline checks and the model report the same problem. A diff review replaces only the findings in and
// near its changed lines (findings about the rest of the file and the offline findings stay); one problem
// is one diagnostic with one set of quick fixes; Apply All Suggested Fixes changes only the current file,
// through the refactor preview, and one undo reverts it; the Mode setting and the mode in effect agree.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { findingsAnswer, modelFinding } from '../../support/modelServer';
import {
  codeActionsFor,
  describeDiagnostics,
  diagnosticCode,
  git,
  openWorkspaceFile,
  REVIEW_COMMANDS,
  reviewerDiagnostics,
  runReview,
  waitFor,
  workspaceUri,
  saveDocument,
} from '../helpers';
import { useModelServer } from '../modelServerHooks';

const FILE = 'src/accounts.ts';
const OTHER = 'src/limits.ts';
const ACCOUNTS = [
  'declare const db: { query(sql: string, params?: unknown[]): Promise<unknown[]> };', // 1
  '', // 2
  "const PAYMENT_API_KEY = 'pk9Hq2LmX7vR4tZ1wY8sN3bC6dF0gJ5k';", // 3
  '', // 4
  'export async function findAccount(id: string) {', // 5
  "  return db.query('SELECT * FROM accounts WHERE id = ' + id);", // 6
  '}', // 7
  '', // 8
  'export async function listAccounts(owner: string) {', // 9
  "  const rows = await db.query('SELECT * FROM accounts WHERE owner = $1', [owner]);", // 10
  '  return rows;', // 11
  '}', // 12
  '', // 13
  'export function keyHeader() {', // 14
  '  return { authorization: `Bearer ${PAYMENT_API_KEY}` };', // 15
  '}', // 16
  '', // 17
  'export function pageSize(requested: number) {', // 18
  '  return requested;', // 19
  '}', // 20
  '',
].join('\n');
const LIMITS = ['export function maxRetries(requested: number) {', '  return requested;', '}', ''].join('\n');
const CHANGED_LINE = '  return Math.max(1, requested); // CHANGED';

describe('partial reviews keep the rest; one finding per problem', () => {
  const model = useModelServer((request) => {
    if (request.user.includes('// CHANGED')) {
      return findingsAnswer([
        modelFinding({
          title: 'Page size has no upper bound',
          severity: 'medium',
          category: 'performance',
          startLine: 19,
          endLine: 19,
          quote: 'return Math.max(1, requested);',
        }),
      ]);
    }
    if (request.user.includes('maxRetries')) {
      return findingsAnswer([
        modelFinding({
          title: 'Retries not bounded',
          severity: 'medium',
          category: 'reliability',
          startLine: 2,
          endLine: 2,
          quote: 'return requested;',
          fix: { startLine: 2, endLine: 2, replacement: '  return Math.min(requested, 5);' },
        }),
      ]);
    }
    if (request.user.includes('findAccount')) {
      return findingsAnswer([
        // The same problem the offline sql-injection rule reports on line 6.
        modelFinding({
          title: 'SQL injection: the id is concatenated into the query',
          severity: 'critical',
          category: 'security',
          startLine: 6,
          endLine: 6,
          quote: "db.query('SELECT * FROM accounts WHERE id = ' + id)",
          fix: {
            startLine: 6,
            endLine: 6,
            replacement: "  return db.query('SELECT * FROM accounts WHERE id = $1', [id]);",
          },
        }),
        modelFinding({
          title: 'Unbounded result set',
          severity: 'medium',
          category: 'performance',
          startLine: 10,
          endLine: 10,
          quote: "db.query('SELECT * FROM accounts WHERE owner = $1', [owner])",
          fix: {
            startLine: 10,
            endLine: 10,
            replacement: "  const rows = await db.query('SELECT * FROM accounts WHERE owner = $1 LIMIT 100', [owner]);",
          },
        }),
      ]);
    }
    return findingsAnswer([]);
  });

  before(() => {
    fs.writeFileSync(workspaceUri(FILE).fsPath, ACCOUNTS);
    fs.writeFileSync(workspaceUri(OTHER).fsPath, LIMITS);
    git('add', FILE, OTHER);
    git('commit', '-q', '-m', 'accounts and limits');
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    git('reset', '-q', 'HEAD');
    git('checkout', '-q', '--', FILE, OTHER);
  });

  function linesOf(diagnostics: readonly vscode.Diagnostic[]): number[] {
    return diagnostics.map((d) => d.range.start.line + 1).sort((a, b) => a - b);
  }

  it('shows one diagnostic and one set of quick fixes when the offline checks and the model report the same problem', async () => {
    const { document } = await openWorkspaceFile(FILE);
    await waitFor('the offline findings on open', () => {
      const codes = reviewerDiagnostics(document.uri).map((d) => diagnosticCode(d));
      return codes.includes('sql-injection') && codes.includes('hardcoded-secret');
    });
    const before = model.server.chatRequests().length;
    const result = await runReview(REVIEW_COMMANDS.reviewFile, document.uri);
    assert.ok(result.ok, JSON.stringify(result));
    // The model was told what the offline checks already reported, so that it does not repeat it.
    const sent = model.server
      .chatRequests()
      .slice(before)
      .map((r) => r.user);
    assert.equal(sent.length, 1, 'one request for the file');
    const reported =
      /\nAlready reported by the offline checks \(do not report these again; [^\n]*\n((?:- line [^\n]*\n)+)/.exec(
        sent[0],
      );
    assert.ok(reported, `the prompt lists the offline findings: ${sent[0].slice(0, 3000)}`);
    const listed = reported[1].trim().split('\n');
    assert.ok(
      listed.some((row) => row.startsWith('- line 3: [hardcoded-secret] ')),
      listed.join('\n'),
    );
    assert.ok(
      listed.some((row) => row.startsWith('- line 6: [sql-injection] ')),
      listed.join('\n'),
    );
    const shown = await waitFor('the model findings', () => {
      const all = reviewerDiagnostics(document.uri);
      return all.some((d) => d.range.start.line === 9) ? all : undefined;
    });
    const onLine6 = shown.filter((d) => d.range.start.line === 5);
    assert.equal(onLine6.length, 1, `one diagnostic for the SQL injection: ${describeDiagnostics(shown)}`);
    assert.equal(diagnosticCode(onLine6[0]), 'sql-injection', 'the offline rule (documentation, suppression) stays');
    assert.equal(onLine6[0].severity, vscode.DiagnosticSeverity.Error);
    assert.equal(onLine6[0].source, 'Backend Reviewer · offline + Pragmatic');
    assert.deepEqual(linesOf(shown), [3, 6, 10], describeDiagnostics(shown));

    const actions = await codeActionsFor(document.uri, onLine6[0]);
    // Ours only (VS Code adds its own chat "Explain" without a colon).
    const titles = actions.map((a) => a.title).filter((t) => /^(Apply suggested fix|Explain|Dismiss): /.test(t));
    assert.deepEqual(
      titles,
      [
        'Apply suggested fix: SQL built from values and executed',
        'Explain: SQL built from values and executed',
        'Dismiss: SQL built from values and executed',
      ],
      'one set of quick fixes for the one problem, the fix coming from the model half of the pair',
    );

    // An edit elsewhere and the save's offline re-check must not split the pair again.
    const edit = new vscode.WorkspaceEdit();
    edit.insert(document.uri, new vscode.Position(16, 0), '// note\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await saveDocument(document);
    await new Promise((resolve) => setTimeout(resolve, 700));
    const after = reviewerDiagnostics(document.uri);
    assert.equal(after.filter((d) => d.range.start.line === 5).length, 1, describeDiagnostics(after));
    const undo = new vscode.WorkspaceEdit();
    undo.delete(document.uri, new vscode.Range(16, 0, 17, 0));
    assert.ok(await vscode.workspace.applyEdit(undo));
    await saveDocument(document);
  });

  it('a diff review after a file review keeps the findings about the rest of the file', async () => {
    const { document } = await openWorkspaceFile(FILE);
    await runReview(REVIEW_COMMANDS.reviewFile, document.uri);
    await waitFor('the file review findings', () => {
      const lines = linesOf(reviewerDiagnostics(document.uri));
      return lines.includes(3) && lines.includes(6) && lines.includes(10);
    });
    const edit = new vscode.WorkspaceEdit();
    edit.replace(document.uri, document.lineAt(18).range, CHANGED_LINE);
    assert.ok(await vscode.workspace.applyEdit(edit));
    await saveDocument(document);
    const result = await runReview(REVIEW_COMMANDS.reviewChanges);
    assert.ok(result.ok, JSON.stringify(result));
    const shown = await waitFor('the diff finding next to the earlier ones', () => {
      const all = reviewerDiagnostics(document.uri);
      return all.some((d) => d.range.start.line === 18) ? all : undefined;
    });
    assert.deepEqual(
      linesOf(shown),
      [3, 6, 10, 19],
      `the secret (offline), the SQL injection and the unbounded query stay: ${describeDiagnostics(shown)}`,
    );
    assert.ok(shown.some((d) => diagnosticCode(d) === 'hardcoded-secret'));
    git('checkout', '-q', '--', FILE);
    await waitFor('the file to revert', () => !document.getText().includes('// CHANGED') || undefined);
  });

  it('Apply All Suggested Fixes changes only the current file, through the refactor preview, with one undo', async () => {
    const other = await openWorkspaceFile(OTHER);
    await runReview(REVIEW_COMMANDS.reviewFile, other.document.uri);
    const editor = await openWorkspaceFile(FILE);
    const { document } = editor;
    await runReview(REVIEW_COMMANDS.reviewFile, document.uri);
    await waitFor('the fixable findings', () => reviewerDiagnostics(document.uri).length >= 3 || undefined);
    const before = document.getText();
    const otherBefore = other.document.getText();

    const pending = vscode.commands.executeCommand<{ applied: number; files: number; message: string }>(
      'backendReviewer.applyAllFixes',
    );
    // The edit waits in the refactor preview, unticked (needsConfirmation): nothing changed yet.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(document.getText(), before, 'nothing is applied before the preview is confirmed');
    // The user ticks the fixes (one entry) and presses Apply.
    await vscode.commands.executeCommand('refactorPreview.focus');
    await vscode.commands.executeCommand('list.focusFirst');
    await vscode.commands.executeCommand('refactorPreview.toggleCheckedState');
    await vscode.commands.executeCommand('refactorPreview.apply');
    const outcome = await pending;
    assert.equal(outcome.applied, 2, JSON.stringify(outcome));
    assert.equal(outcome.files, 1);
    assert.match(outcome.message, /applied 2 suggested fixes in src\/accounts\.ts/);
    assert.ok(document.getText().includes("WHERE id = $1', [id]"), document.getText());
    assert.ok(document.getText().includes('LIMIT 100'), document.getText());
    assert.equal(other.document.getText(), otherBefore, 'the other file is untouched');
    assert.ok(!other.document.isDirty);

    await vscode.window.showTextDocument(document);
    await vscode.commands.executeCommand('undo');
    await waitFor('one undo to revert both fixes', () => document.getText() === before || undefined);
    await document.save();
  });

  it('Switch Mode changes the Mode setting, and the setting changes the mode of the next review', async () => {
    await vscode.commands.executeCommand(REVIEW_COMMANDS.switchMode, 'backendpe');
    const config = () => vscode.workspace.getConfiguration('backendReviewer');
    await waitFor('the Mode setting to say BackendPE', () => config().get('mode') === 'backendpe' || undefined);
    const { document } = await openWorkspaceFile(OTHER);
    await runReview(REVIEW_COMMANDS.reviewFile, document.uri);
    assert.ok(
      reviewerDiagnostics(document.uri).some((d) => d.source === 'Backend Reviewer · BackendPE'),
      describeDiagnostics(reviewerDiagnostics(document.uri)),
    );
    await config().update('mode', 'pragmatic', vscode.ConfigurationTarget.Global);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await runReview(REVIEW_COMMANDS.reviewFile, document.uri);
    const sources = reviewerDiagnostics(document.uri).map((d) => d.source);
    assert.ok(sources.includes('Backend Reviewer · Pragmatic'), JSON.stringify(sources));
    assert.ok(!sources.includes('Backend Reviewer · BackendPE'), JSON.stringify(sources));
    assert.ok(model.server.chatRequests().length > 0);
  });
});
