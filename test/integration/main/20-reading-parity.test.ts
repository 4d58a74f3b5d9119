// Group 20 (issue 14): the editor reads what it reviews the way the CLI reads files. Review Current File
// on program code over the size cap sends nothing and says the review is incomplete, naming the file
// and the cap, as `backend-review review FILE --fail-on …` would fail closed on it.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { findingsAnswer } from '../../support/modelServer';
import { openWorkspaceFile, runReview, workspaceUri } from '../helpers';
import { useModelServer } from '../modelServerHooks';

const FILE = 'oversized/huge.ts';

describe('the editor reads files the way the CLI does', () => {
  const model = useModelServer(() => findingsAnswer([]), { mode: 'pragmatic' });

  before(() => {
    const file = workspaceUri(FILE).fsPath;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, 'export const x = 1;\n'.repeat(Math.ceil((600 * 1024) / 20)));
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(path.dirname(workspaceUri(FILE).fsPath), { recursive: true, force: true });
  });

  it('does not review an open file over the size cap: the outcome says the review is incomplete, naming it', async () => {
    await openWorkspaceFile(FILE);
    const before = model.server.chatRequests().length;
    const result = await runReview('backendReviewer.reviewFile', workspaceUri(FILE));
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(model.server.chatRequests().length, before, 'nothing was sent to the model');
    const skipped = (result.result as unknown as { skipped: { file: string; reason: string; failed?: boolean }[] })
      .skipped;
    assert.deepEqual(skipped, [
      {
        file: FILE,
        reason:
          'larger than the 512 KiB size cap (600 KiB): code not reviewed (exclude it from reviews if it is generated)',
        failed: true,
      },
    ]);
    assert.match(result.message, /Review incomplete: 1 part could not be reviewed/);
    assert.match(result.message, /oversized\/huge\.ts: larger than the 512 KiB size cap/);
  });
});
