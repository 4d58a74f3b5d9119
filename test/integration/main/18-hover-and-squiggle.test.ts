// Findings as the user sees them (issue 16, point 10): one line in Problems, a squiggle on the first
// line of a multi-line finding (the fix keeps its full range), and a hover that renders the finding
// as Markdown (code in backticks as code, the suggestion, the rule link); the code link opens the
// explanation of that finding (issue 16, point 7), rendered.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { findingsAnswer, modelFinding } from '../../support/modelServer';
import { modelDiagnostics, openWorkspaceFile, REVIEW_COMMANDS, runReview, waitFor, workspaceUri } from '../helpers';
import { useModelServer } from '../modelServerHooks';

const FILE = 'src/hoverRates.ts';
const SOURCE = [
  'export async function loadRates(client: { get(path: string): Promise<number[]> }) {',
  '  const rates = await client.get(',
  "    '/rates/eur',",
  '  );',
  '  return rates;',
  '}',
  '',
].join('\n');

describe('hover and squiggle', () => {
  useModelServer(() =>
    findingsAnswer([
      modelFinding({
        title: 'Rates call has no deadline',
        severity: 'medium',
        category: 'reliability',
        startLine: 2,
        endLine: 4,
        quote: "const rates = await client.get(\n    '/rates/eur',\n  );",
        message: 'A slow `client.get` holds the request.\nUsers wait with it.',
        suggestion: 'Pass an `AbortSignal.timeout(2000)`.',
        fix: {
          startLine: 2,
          endLine: 4,
          replacement: "  const rates = await client.get('/rates/eur', { signal: AbortSignal.timeout(2000) });",
        },
      }),
    ]),
  );
  before(() => fs.writeFileSync(workspaceUri(FILE).fsPath, SOURCE));

  it('shows one Problems line, squiggles the first line only and renders the hover as Markdown', async () => {
    const { document } = await openWorkspaceFile(FILE);
    const review = await runReview(REVIEW_COMMANDS.reviewFile, document.uri);
    assert.ok(review.ok, JSON.stringify(review));
    const [diagnostic] = modelDiagnostics(document.uri);
    assert.ok(diagnostic, 'the model finding is in Problems');
    assert.equal(
      diagnostic.message,
      'Rates call has no deadline: A slow `client.get` holds the request. Users wait with it.',
    );
    assert.equal(diagnostic.range.start.line, 1);
    assert.equal(diagnostic.range.end.line, 1, 'the squiggle stays on the first line of the call');

    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      document.uri,
      new vscode.Position(2, 6),
    );
    const text = hovers
      .flatMap((hover) => hover.contents)
      .map((content) => (typeof content === 'string' ? content : content.value))
      .join('\n');
    assert.match(text, /\*\*Rates call has no deadline\*\* · medium · Backend Reviewer · Pragmatic/);
    assert.match(text, /A slow `client\.get` holds the request\./);
    assert.match(text, /\*\*Suggestion:\*\* Pass an `AbortSignal\.timeout\(2000\)`\./);
    assert.match(text, /\[review\/reliability\]\(command:backendReviewer\.showRuleHelp\?/);

    // The code link explains this finding, rendered: the text document it opens gives way to the preview.
    const target = typeof diagnostic.code === 'object' ? diagnostic.code.target : undefined;
    assert.ok(target, 'the code links to an explanation');
    const explanation = (await vscode.workspace.openTextDocument(target)).getText();
    assert.match(explanation, /^# Rates call has no deadline\n/);
    assert.match(explanation, /## What is wrong here\n\nA slow `client\.get` holds the request\./);
    assert.match(explanation, /## Suggested fix \(replaces lines 2-4\)/);
    assert.match(explanation, /## About Reliability \(review\/reliability\)/);
    await vscode.commands.executeCommand('vscode.open', target);
    const tabs = (): vscode.Tab[] => vscode.window.tabGroups.all.flatMap((group) => group.tabs);
    await waitFor('the rendered explanation instead of its Markdown source', () =>
      tabs().some((t) => t.input instanceof vscode.TabInputWebview && /markdown\.preview/.test(t.input.viewType)) &&
      !tabs().some((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === target.toString())
        ? true
        : undefined,
    );
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    await vscode.window.showTextDocument(document);

    // The fix still replaces all three lines of the call.
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      document.uri,
      diagnostic.range,
      vscode.CodeActionKind.QuickFix.value,
    );
    const apply = actions.find((a) => a.title.startsWith('Apply suggested fix'));
    assert.ok(apply?.edit, JSON.stringify(actions.map((a) => a.title)));
    assert.ok(await vscode.workspace.applyEdit(apply.edit));
    assert.equal(
      document.getText(),
      SOURCE.replace(
        "  const rates = await client.get(\n    '/rates/eur',\n  );",
        "  const rates = await client.get('/rates/eur', { signal: AbortSignal.timeout(2000) });",
      ),
    );
    await vscode.commands.executeCommand('undo');
    await document.save();
  });
});
