// Offline checks in the editor (issue 6): on open, with no model involved, an outbound call without a
// timeout becomes a "Backend Reviewer · offline" diagnostic with its rule id as the code, the near-miss
// with a timeout does not, and the rule's mechanical quick fix adds the timeout.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { availableParallelism } from 'node:os';
import * as vscode from 'vscode';
import {
  codeActionsFor,
  describeDiagnostics,
  diagnosticCode,
  findAction,
  lineOf,
  openWorkspaceFile,
  reviewerDiagnostics,
  reviewerExtension,
  runCodeAction,
  waitFor,
  workspaceUri,
} from '../helpers';

const OFFLINE_SOURCE = 'Backend Reviewer · offline';

function offlineDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return reviewerDiagnostics(uri).filter((d) => d.source === OFFLINE_SOURCE);
}

describe('offline checks in the editor', () => {
  it("publish a diagnostic on open and apply the rule's quick fix", async () => {
    const { document } = await openWorkspaceFile('src/webhooks.ts');
    const [diagnostic] = await waitFor('the offline http-no-timeout diagnostic', () => {
      const found = offlineDiagnostics(document.uri);
      return found.length > 0 ? found : undefined;
    });
    const all = offlineDiagnostics(document.uri);
    assert.deepEqual(
      all.map((d) => diagnosticCode(d)),
      ['http-no-timeout'],
      describeDiagnostics(all),
    );
    const callLine = lineOf(document, 'await fetch(endpoint, {');
    assert.equal(
      diagnostic.range.start.line + 1,
      callLine,
      'reported at the call, not at the near-miss with a timeout',
    );
    assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Warning, 'medium → Warning');

    const apply = findAction(await codeActionsFor(document.uri, diagnostic), /^Apply suggested fix/);
    await runCodeAction(apply);
    const fixed = document.lineAt(callLine - 1).text;
    assert.match(fixed, /signal: AbortSignal\.timeout\(/, `the fix adds a deadline: ${fixed}`);
    assert.match(fixed, /method: 'POST', body: JSON\.stringify\(event\)/, 'the existing options are kept');
    await waitFor('the fixed finding to disappear', () => offlineDiagnostics(document.uri).length === 0 || undefined);
    // save() may answer false when VS Code cuts off slow save participants on a loaded machine and still saves.
    await document.save();
    assert.equal(document.isDirty, false, 'saving re-runs the offline checks');
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(
      offlineDiagnostics(document.uri).map((d) => diagnosticCode(d)),
      [],
      'nothing comes back after the re-check on save',
    );
  });

  it('list the other places of a grouped finding as its related information', async () => {
    // Two queries per customer in one loop are one decision: one diagnostic at the first, the second
    // as related information (issue 15's grouping, as SARIF relatedLocations in the CLI).
    const relativePath = 'src/customer_totals.py';
    const uri = workspaceUri(relativePath);
    fs.writeFileSync(
      uri.fsPath,
      [
        'from app.models import Order, Refund',
        '',
        '',
        'def totals(customer_ids):',
        '    rows = []',
        '    for customer_id in customer_ids:',
        '        orders = Order.objects.filter(customer_id=customer_id).count()',
        '        refunds = Refund.objects.filter(customer_id=customer_id).count()',
        '        rows.append((customer_id, orders, refunds))',
        '    return rows',
        '',
      ].join('\n'),
    );
    try {
      const { document } = await openWorkspaceFile(relativePath);
      const [diagnostic] = await waitFor('the offline query-in-loop diagnostic', () => {
        const found = offlineDiagnostics(document.uri).filter((d) => diagnosticCode(d) === 'query-in-loop');
        return found.length > 0 ? found : undefined;
      });
      assert.equal(
        offlineDiagnostics(document.uri).filter((d) => diagnosticCode(d) === 'query-in-loop').length,
        1,
        describeDiagnostics(offlineDiagnostics(document.uri)),
      );
      assert.equal(diagnostic.range.start.line + 1, 7, 'at the first query of the loop');
      const related = diagnostic.relatedInformation ?? [];
      assert.deepEqual(
        related.map((r) => [r.location.uri.toString(), r.location.range.start.line + 1]),
        [[document.uri.toString(), 8]],
        'the second query of the loop is its related information',
      );
      assert.match(related[0].message, /^Also here: /);
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    } finally {
      fs.rmSync(uri.fsPath, { force: true });
    }
  });

  it('check a large file in parts on worker threads, with every finding at its line', async () => {
    // 1,300 handlers of five lines: long enough to be split (5,000+ lines), each with one call without a timeout.
    const handlers = Array.from(
      { length: 1_300 },
      (_, index) =>
        `export async function load${index}(url: string) {\n  const response = await fetch(url);\n  return response.json();\n}`,
    );
    const relativePath = 'src/generatedHandlers.ts';
    const uri = workspaceUri(relativePath);
    fs.writeFileSync(uri.fsPath, `${handlers.join('\n\n')}\n`);
    try {
      const { document } = await openWorkspaceFile(relativePath);
      const found = await waitFor(
        '1,300 offline diagnostics on the large file',
        () => {
          const all = offlineDiagnostics(document.uri);
          return all.length === 1_300 ? all : undefined;
        },
        60_000,
      );
      assert.ok(
        found.every((d) => diagnosticCode(d) === 'http-no-timeout'),
        describeDiagnostics(found.slice(0, 5)),
      );
      const lines = found.map((d) => d.range.start.line + 1).sort((a, b) => a - b);
      assert.deepEqual(
        lines,
        handlers.map((_, index) => index * 5 + 2),
        "one finding on each handler's fetch line",
      );
      const api = reviewerExtension().exports as { offlineWorkersRunning(): boolean; offlineKeptTrees(): number };
      if (availableParallelism() >= 2)
        assert.equal(api.offlineWorkersRunning(), true, 'the large file went to the worker threads');

      // Typing (no save): after a pause the file is checked again from its kept tree, and the new
      // call gets its finding while the 1,300 others stay where they are.
      await waitFor('a kept tree', () => api.offlineKeptTrees() > 0 || undefined, 30_000);
      const typedAt = 650 * 5 + 2; // inside handler 650, after its fetch line
      const edit = new vscode.WorkspaceEdit();
      edit.insert(document.uri, new vscode.Position(typedAt, 0), '  await fetch(url + "/again");\n');
      assert.ok(await vscode.workspace.applyEdit(edit));
      const retyped = await waitFor(
        '1,301 offline diagnostics after typing',
        () => {
          const all = offlineDiagnostics(document.uri);
          return all.length === 1_301 ? all : undefined;
        },
        30_000,
      );
      const typedLines = retyped.map((d) => d.range.start.line + 1).sort((a, b) => a - b);
      assert.ok(typedLines.includes(typedAt + 1), 'the typed call has its finding');
      assert.equal(typedLines[typedLines.length - 1], 1_299 * 5 + 2 + 1, 'the findings below moved down a line');
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    } finally {
      fs.rmSync(uri.fsPath, { force: true });
    }
  });
});
