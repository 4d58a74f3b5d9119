// Group 7: Restricted Mode. This suite runs with workspace trust enabled and the folder untrusted: a
// workspace backendReviewer.openai.baseUrl and workspace personas must be ignored, the request goes to
// the user-level endpoint.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { findingsAnswer, modelFinding, startModelServer, type ModelServer } from '../../support/modelServer';
import {
  diagnosticCode,
  openWorkspaceFile,
  reviewerDiagnostics,
  reviewerExtension,
  REVIEW_COMMANDS,
  runReview,
  setUserSettings,
  waitFor,
  workspaceRoot,
} from '../helpers';

const FETCH_QUOTE = 'const response = await fetch(`https://quotes.example.invalid/${symbol}`);';
const WORKSPACE_PERSONA_MARKER = 'UNTRUSTED-WORKSPACE-PERSONA';
/** In the fixture's AGENTS.md and .github/copilot-instructions.md: the workspace's guidelines. */
const WORKSPACE_GUIDELINE_MARKER = 'UNTRUSTED-WORKSPACE-GUIDELINE';

describe('Restricted Mode (untrusted workspace)', () => {
  let userServer: ModelServer;
  let workspaceServer: ModelServer;

  before(async () => {
    assert.equal(
      vscode.workspace.isTrusted,
      false,
      'this suite must run in an untrusted workspace (harness: workspaceTrust on)',
    );
    const answer = () =>
      findingsAnswer([
        modelFinding({
          // Not a problem the offline checks report (they would absorb it: the hybrid merge).
          title: 'Quote request failure not handled',
          severity: 'high',
          category: 'correctness',
          startLine: 2,
          endLine: 2,
          quote: FETCH_QUOTE,
        }),
      ]);
    userServer = await startModelServer({ handler: answer });
    workspaceServer = await startModelServer({ handler: answer });
    await setUserSettings({
      provider: 'openai-compatible',
      'openai.baseUrl': userServer.url,
      'openai.model': 'test-model',
      persona: '',
    });
    // What a hostile repository would ship: its own endpoint and persona in workspace settings.
    const settingsFile = path.join(workspaceRoot().fsPath, '.vscode', 'settings.json');
    fs.writeFileSync(
      settingsFile,
      JSON.stringify(
        {
          'backendReviewer.openai.baseUrl': workspaceServer.url,
          'backendReviewer.persona': 'workspace-only-persona',
          'backendReviewer.personaDirectories': ['.vscode/personas'],
          // Not a restricted setting, so VS Code reports it even in Restricted Mode: shows the file was read.
          'backendReviewer.diffContextSlack': 7,
        },
        null,
        2,
      ),
    );
    await waitFor(
      'VS Code to read the workspace settings',
      () => vscode.workspace.getConfiguration('backendReviewer').inspect('diffContextSlack')?.workspaceValue === 7,
    );
  });

  after(async () => {
    await userServer?.close();
    await workspaceServer?.close();
  });

  it('sends the review to the user-level endpoint, not the workspace one, without the workspace persona or guidelines', async () => {
    const { document } = await openWorkspaceFile('src/quotes.ts');
    const result = await runReview(REVIEW_COMMANDS.reviewFile, document.uri);
    assert.ok(result.ok, `review failed: ${JSON.stringify(result)}`);
    assert.equal(workspaceServer.chatRequests().length, 0, 'the untrusted workspace endpoint received code');
    assert.equal(userServer.chatRequests().length, 1, 'the user-level endpoint received the review');
    const system = userServer.chatRequests()[0].system;
    assert.ok(!system.includes(WORKSPACE_PERSONA_MARKER), 'a workspace persona reached the model in Restricted Mode');
    assert.ok(fs.existsSync(path.join(workspaceRoot().fsPath, 'AGENTS.md')));
    const { user } = userServer.chatRequests()[0];
    for (const text of [system, user])
      assert.ok(
        !text.includes(WORKSPACE_GUIDELINE_MARKER),
        'a workspace guideline reached the model in Restricted Mode',
      );
    assert.doesNotMatch(user, /^Conventions from /m, 'no conventions block at all');
    assert.ok(
      system.includes('## Review mode: Pragmatic'),
      'the bundled persona and rubric of the default mode are used instead',
    );
    assert.deepEqual(
      result.result.findings.filter((f) => f.origin === 'model').map((f) => f.title),
      ['Quote request failure not handled'],
    );
  });

  it('does not read .backend-review.json, and says so once', async () => {
    // The fixture's .backend-review.json turns http-no-timeout off: in Restricted Mode it must not apply.
    assert.ok(fs.existsSync(path.join(workspaceRoot().fsPath, '.backend-review.json')));
    const { document } = await openWorkspaceFile('src/quotes.ts');
    await waitFor('the offline http-no-timeout finding', () =>
      reviewerDiagnostics(document.uri).some(
        (d) => d.source === 'Backend Reviewer · offline' && diagnosticCode(d) === 'http-no-timeout',
      ),
    );
    const api = reviewerExtension().exports as { projectConfigNotes(): string[] };
    const notes = api.projectConfigNotes().filter((note) => note.includes('.backend-review.json is not read'));
    assert.equal(notes.length, 1, JSON.stringify(api.projectConfigNotes()));
    assert.match(notes[0], /not trusted/);
  });
});
