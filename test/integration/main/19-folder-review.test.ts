// Group 19: Review Folder… (issue 16, point 13): every file of a folder reviewed, as the CLI's folder
// review walks it, findings published on files that are not open, a binary file listed as skipped
// while the rest goes on, and an open file with unsaved edits reviewed as the editor holds it.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { findingsAnswer, modelFinding } from '../../support/modelServer';
import {
  describeDiagnostics,
  diagnosticCode,
  openWorkspaceFile,
  reviewerDiagnostics,
  runReview,
  workspaceUri,
} from '../helpers';
import { useModelServer } from '../modelServerHooks';

const FOLDER = 'services';
const RETRY_QUOTE = 'for (let attempt = 0; ; attempt++) {';
const FILES: Record<string, string> = {
  'billing.ts': [
    'export async function charge(url: string, attempts: number): Promise<number> {',
    `  ${RETRY_QUOTE}`,
    '    const response = await fetch(url, { method: "POST" });',
    '    if (response.ok || attempt >= attempts) return response.status;',
    '  }',
    '}',
    '',
  ].join('\n'),
  'sync.py': ['import requests', '', '', 'def pull(url):', '    return requests.get(url).json()', ''].join('\n'),
};

describe('Review Folder…', () => {
  const model = useModelServer(
    (request) =>
      findingsAnswer(
        request.user.includes(`File: ${FOLDER}/billing.ts`)
          ? [
              modelFinding({
                title: 'Retry loop without backoff',
                severity: 'high',
                category: 'reliability',
                startLine: 2,
                endLine: 2,
                quote: RETRY_QUOTE,
              }),
            ]
          : [],
      ),
    { minimumSeverity: 'low', mode: 'pragmatic' },
  );
  const folder = (): string => workspaceUri(FOLDER).fsPath;

  before(() => {
    fs.mkdirSync(folder(), { recursive: true });
    for (const [name, text] of Object.entries(FILES)) fs.writeFileSync(path.join(folder(), name), text);
    // Binary content under a source name: the shared file reader skips it, naming why.
    fs.writeFileSync(path.join(folder(), 'blob.ts'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 0, 0, 2]));
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('backendReviewer.clearFindings');
    fs.rmSync(folder(), { recursive: true, force: true });
  });

  it('reviews each file of the folder, publishes findings on files not open, and lists the binary one as skipped', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const result = await runReview('backendReviewer.reviewFolder', workspaceUri(FOLDER));
    assert.ok(result.ok, JSON.stringify(result));
    const asked = model.server
      .chatRequests()
      .map((r) => /^File: (.+)$/m.exec(r.user)?.[1])
      .sort();
    assert.deepEqual(asked, [`${FOLDER}/billing.ts`, `${FOLDER}/sync.py`], 'one request per readable file');
    const skipped = (result.result as unknown as { skipped: { file: string; reason: string }[] }).skipped;
    assert.ok(
      skipped.some((s) => s.file === `${FOLDER}/blob.ts` && /binary/.test(s.reason)),
      `blob.ts listed as skipped: ${JSON.stringify(skipped)}`,
    );
    assert.match(result.message, /skipped/i, `the outcome says a file was skipped: ${result.message}`);

    // What the Problems panel holds for files no editor shows.
    const billing = reviewerDiagnostics(workspaceUri(`${FOLDER}/billing.ts`));
    assert.ok(
      billing.some((d) => d.message.startsWith('Retry loop without backoff') && d.range.start.line === 1),
      `the model's finding on billing.ts line 2: ${describeDiagnostics(billing)}`,
    );
    assert.ok(
      billing.some((d) => diagnosticCode(d) === 'http-no-timeout'),
      `the offline check on billing.ts: ${describeDiagnostics(billing)}`,
    );
    const sync = reviewerDiagnostics(workspaceUri(`${FOLDER}/sync.py`));
    assert.ok(
      sync.some((d) => diagnosticCode(d) === 'http-no-timeout' && d.range.start.line === 4),
      `the offline check on sync.py line 5: ${describeDiagnostics(sync)}`,
    );
  });

  it('reviews an open file with unsaved edits as the editor holds it', async () => {
    const editor = await openWorkspaceFile(`${FOLDER}/sync.py`);
    const marker = 'UNSAVED_EDIT_MARKER = 1';
    await editor.edit((edit) => edit.insert(new vscode.Position(1, 0), `${marker}\n`));
    assert.ok(editor.document.isDirty);
    const earlier = model.server.chatRequests().length;
    const result = await runReview('backendReviewer.reviewFolder', workspaceUri(FOLDER));
    assert.ok(result.ok, JSON.stringify(result));
    const request = model.server
      .chatRequests()
      .slice(earlier)
      .find((r) => r.user.includes(`File: ${FOLDER}/sync.py`));
    assert.ok(request?.user.includes(marker), 'the unsaved line was sent');
    const sync = reviewerDiagnostics(editor.document.uri);
    assert.ok(
      sync.some((d) => diagnosticCode(d) === 'http-no-timeout' && d.range.start.line === 5),
      `the offline finding is on the edited text's line 6: ${describeDiagnostics(sync)}`,
    );
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });
});
