// Team dismissals (issue 17): a finding dismissed "for the team" is recorded in
// .backend-review-dismissals.json at the repository root; it stays hidden when lines move, the CLI
// leaves it out too, a dismissal that arrives with a pull (the file changing on disk) hides a finding
// at once, and removing the file brings the findings back.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { findingsAnswer } from '../../support/modelServer';
import { restoreWorkspaceFileAfter, useModelServer } from '../modelServerHooks';
import {
  diagnosticCode,
  describeDiagnostics,
  openWorkspaceFile,
  reviewerDiagnostics,
  reviewerExtension,
  REVIEW_COMMANDS,
  runReview,
  waitFor,
  workspaceRoot,
  workspaceUri,
} from '../helpers';

const FILE = 'src/teamDismissals.ts';
const SOURCE = [
  "import { db } from './db';",
  '',
  'export async function loadInvoice(id: string) {',
  '  return db.query("SELECT * FROM invoices WHERE id = " + id);',
  '}',
  '',
  'export async function notifyPartner(url: string) {',
  '  return fetch(url);',
  '}',
  '',
].join('\n');

interface FindingView {
  ruleId: string;
  startLine: number;
  fingerprint?: string;
  id: string;
}

function offlineCodes(uri: vscode.Uri): string[] {
  return reviewerDiagnostics(uri)
    .filter((d) => d.source === 'Backend Reviewer · offline')
    .map((d) => diagnosticCode(d) ?? '')
    .sort();
}

async function findingsOf(uri: vscode.Uri): Promise<FindingView[]> {
  const api = (await reviewerExtension().activate()) as { getFindings(uri: vscode.Uri): FindingView[] };
  return api.getFindings(uri);
}

describe('team dismissals in the repository', () => {
  useModelServer(() => findingsAnswer([]));
  const dismissalsFile = restoreWorkspaceFileAfter('.backend-review-dismissals.json');
  before(() => fs.writeFileSync(workspaceUri(FILE).fsPath, SOURCE));

  it('records a team dismissal, keeps it hidden after lines move, and the CLI honours it', async () => {
    const { document } = await openWorkspaceFile(FILE);
    await waitFor('both offline findings', () => {
      const codes = offlineCodes(document.uri);
      return codes.length === 2 ? codes : undefined;
    });
    const sql = (await findingsOf(document.uri)).find((f) => f.ruleId === 'sql-injection');
    assert.ok(sql?.fingerprint, 'published findings carry their fingerprint');
    const done = await vscode.commands.executeCommand(COMMAND, document.uri, sql.id, {
      reason: 'acceptable-here',
      note: 'ids are checked by the router',
      scope: 'repository',
    });
    assert.equal(done, true);
    await waitFor('the dismissed diagnostic to go', () =>
      offlineCodes(document.uri).join() === 'http-no-timeout' ? true : undefined,
    );
    const file = JSON.parse(fs.readFileSync(dismissalsFile(), 'utf8'));
    const entry = file.dismissals.find((e: { fingerprint: string }) => e.fingerprint === sql.fingerprint);
    assert.ok(entry, JSON.stringify(file));
    assert.deepEqual(
      [entry.file, entry.ruleId, entry.reason, entry.note],
      [FILE, 'sql-injection', 'acceptable-here', 'ids are checked by the router'],
    );
    assert.match(entry.code, /SELECT \* FROM invoices/);

    // A teammate's push, pulled: lines inserted above and an unrelated edit. A review of the file
    // (model and offline checks) keeps the dismissed finding hidden where it now is.
    fs.writeFileSync(
      workspaceUri(FILE).fsPath,
      '// Invoices\n// owned by billing\n' + SOURCE.replace('return fetch(url);', 'return fetch(url, {});'),
    );
    await waitFor('the pulled text in the editor', () =>
      document.getText().startsWith('// Invoices') ? true : undefined,
    );
    const review = await runReview(REVIEW_COMMANDS.reviewFile, document.uri);
    assert.ok(review.ok, JSON.stringify(review));
    const moved = (await findingsOf(document.uri)).find((f) => f.ruleId === 'sql-injection');
    assert.equal(moved?.startLine, 6, 'found again, two lines further down');
    assert.equal(moved?.fingerprint, sql.fingerprint, 'with the same identity');
    assert.deepEqual(
      offlineCodes(document.uri),
      ['http-no-timeout'],
      describeDiagnostics(reviewerDiagnostics(document.uri)),
    );

    // The CLI, from the same repository, leaves it out too.
    const cli = path.join(reviewerExtension().extensionPath, 'dist', 'cli.js');
    const report = JSON.parse(
      execFileSync(process.execPath, [cli, 'review', FILE, '--offline', '--format', 'json'], {
        cwd: workspaceRoot().fsPath,
        encoding: 'utf8',
      }),
    );
    assert.deepEqual(
      report.findings.map((f: { ruleId: string }) => f.ruleId),
      ['http-no-timeout'],
    );
    assert.deepEqual(
      report.dismissed.map((f: { ruleId: string; fingerprint: string }) => [f.ruleId, f.fingerprint]),
      [['sql-injection', sql.fingerprint]],
      'the editor and the CLI agree on the identity',
    );
  });

  it('a dismissal that arrives with a pull hides the finding at once; removing the file brings them back', async () => {
    const { document } = await openWorkspaceFile(FILE);
    const fetchFinding = (await findingsOf(document.uri)).find((f) => f.ruleId === 'http-no-timeout');
    assert.ok(fetchFinding?.fingerprint);
    // A teammate's dismissal, written as the pull writes the file.
    const file = JSON.parse(fs.readFileSync(dismissalsFile(), 'utf8'));
    file.dismissals.push({
      fingerprint: fetchFinding.fingerprint,
      ruleId: 'http-no-timeout',
      file: FILE,
      code: 'fetch(url)',
      reason: 'wont-fix',
      by: 'a teammate',
    });
    fs.writeFileSync(dismissalsFile(), JSON.stringify(file, null, 2));
    await waitFor('the pulled dismissal to apply', () => (offlineCodes(document.uri).length === 0 ? true : undefined));
    fs.rmSync(dismissalsFile());
    await waitFor('both findings to come back', () =>
      offlineCodes(document.uri).join() === 'http-no-timeout,sql-injection' ? true : undefined,
    );
  });
});

const COMMAND = 'backendReviewer.dismissFinding';
