// Records how long `activate` took in this real VS Code (start of activate to its return, measured by
// the extension itself) into out/bench/activation.json, which `npm run bench` reports against its
// target. Only recorded here: speed targets belong in the benchmark, not in tests.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { reviewerExtension, waitFor } from '../helpers';

describe('activation time for the benchmark', () => {
  it('exposes the time activate took and records it for npm run bench', async () => {
    const extension = reviewerExtension();
    if (!extension.isActive) await vscode.commands.executeCommand('backendReviewer.showLog');
    await waitFor('the extension to be active', () => extension.isActive);
    const { activationMs } = extension.exports as { activationMs?: unknown };
    assert.equal(typeof activationMs, 'number', 'activate() returned no activationMs');
    assert.ok(
      Number.isFinite(activationMs) && (activationMs as number) > 0,
      `activationMs is not a positive duration: ${String(activationMs)}`,
    );
    const file = path.join(extension.extensionPath, 'out', 'bench', 'activation.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(
      file,
      JSON.stringify({ activationMs, measuredAt: new Date().toISOString(), vscodeVersion: vscode.version }, null, 2) +
        '\n',
    );
  });
});
