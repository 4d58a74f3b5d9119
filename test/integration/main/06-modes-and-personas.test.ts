// Group 6: switchMode changes the persona the next request carries; a persona from the workspace's
// .vscode/personas/ is used when selected.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { findingsAnswer, modelFinding } from '../../support/modelServer';
import { modelDiagnostics, openWorkspaceFile, REVIEW_COMMANDS, waitFor } from '../helpers';
import { useModelServer } from '../modelServerHooks';

const BALANCE_QUOTE = 'return entries.filter((e) => e.account === account).reduce((sum, e) => sum + e.amountCents, 0);';
const PRAGMATIC_RUBRIC = '## Review mode: Pragmatic';
const BACKENDPE_RUBRIC = '## Review mode: BackendPE';
const WORKSPACE_PERSONA_MARKER = 'WORKSPACE-PERSONA-INCIDENT-COMMANDER';

describe('modes and personas', () => {
  const model = useModelServer(() =>
    findingsAnswer([
      modelFinding({
        title: 'Balance scans every entry',
        severity: 'medium',
        category: 'performance',
        startLine: 7,
        endLine: 7,
        quote: BALANCE_QUOTE,
      }),
    ]),
  );

  after(async () => {
    await vscode.commands.executeCommand(REVIEW_COMMANDS.selectPersona, '');
    await vscode.commands.executeCommand(REVIEW_COMMANDS.switchMode, 'pragmatic');
  });

  async function reviewLedger(): Promise<{ system: string; uri: vscode.Uri }> {
    const { document } = await openWorkspaceFile('src/ledger.ts');
    const before = model.server.chatRequests().length;
    await vscode.commands.executeCommand(REVIEW_COMMANDS.reviewFile, document.uri);
    const requests = model.server.chatRequests().slice(before);
    assert.equal(
      requests.length,
      1,
      'each review of ledger.ts sends one request (a changed persona must not be answered from the cache)',
    );
    return { system: requests[0].system, uri: document.uri };
  }

  it('switchMode changes the mode rubric and persona of the next request and the diagnostics source', async () => {
    await vscode.commands.executeCommand(REVIEW_COMMANDS.switchMode, 'pragmatic');
    const pragmatic = await reviewLedger();
    assert.ok(pragmatic.system.includes(PRAGMATIC_RUBRIC), 'pragmatic request carries the Pragmatic rubric');
    assert.ok(!pragmatic.system.includes(BACKENDPE_RUBRIC));
    await waitFor('a Pragmatic diagnostic', () => modelDiagnostics(pragmatic.uri, 'Pragmatic').length === 1);

    await vscode.commands.executeCommand(REVIEW_COMMANDS.switchMode, 'backendpe');
    const backendpe = await reviewLedger();
    assert.ok(backendpe.system.includes(BACKENDPE_RUBRIC), 'after switchMode the request carries the BackendPE rubric');
    assert.ok(!backendpe.system.includes(PRAGMATIC_RUBRIC));
    assert.notEqual(
      backendpe.system.replace(BACKENDPE_RUBRIC, ''),
      pragmatic.system.replace(PRAGMATIC_RUBRIC, ''),
      'the persona text changes with the mode, not only the rubric',
    );
    await waitFor('a BackendPE diagnostic', () => modelDiagnostics(backendpe.uri, 'BackendPE').length === 1);
  });

  it('uses a persona from .vscode/personas/ when it is selected', async () => {
    await vscode.commands.executeCommand(REVIEW_COMMANDS.switchMode, 'pragmatic');
    await vscode.commands.executeCommand(REVIEW_COMMANDS.selectPersona, 'incident-commander');
    const { system } = await reviewLedger();
    assert.ok(system.includes(WORKSPACE_PERSONA_MARKER), 'the workspace persona body reaches the system prompt');
    assert.ok(system.includes(PRAGMATIC_RUBRIC), 'the mode rubric still applies with a workspace persona');
  });
});
