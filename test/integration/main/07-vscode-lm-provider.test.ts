// The `vscode-lm` provider: a review whose model comes from vscode.lm.selectChatModels, here the scripted
// model of the test-only extension (registered with vscode.lm.registerLanguageModelChatProvider).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { TEST_LM_FAMILY, TEST_LM_VENDOR } from '../lm-extension/src/api';
import {
  describeDiagnostics,
  diagnosticCode,
  modelDiagnostics,
  openWorkspaceFile,
  REVIEW_COMMANDS,
  runReview,
  setUserSettings,
  testLanguageModel,
} from '../helpers';

const LOG_QUOTE = "console.log('audit ' + userId + ' ' + action);";

describe('reviews through the VS Code Language Model API', () => {
  before(() =>
    setUserSettings({
      provider: 'vscode-lm',
      'vscodeLm.vendor': TEST_LM_VENDOR,
      'vscodeLm.family': TEST_LM_FAMILY,
      mode: 'pragmatic',
    }),
  );
  after(() => setUserSettings({ provider: 'openai-compatible' }));

  it('sends the file to the selected language model and publishes its findings', async () => {
    const lm = await testLanguageModel();
    lm.reset();
    lm.setResponder(() =>
      JSON.stringify({
        summary: 'Audit trail written to stdout.',
        findings: [
          {
            title: 'Audit events go to unstructured stdout',
            severity: 'medium',
            category: 'observability',
            startLine: 2,
            endLine: 2,
            quote: LOG_QUOTE,
            message: 'Audit records cannot be queried or retained when they are free text on stdout.',
            suggestion: 'Write structured audit events to the audit sink.',
            fix: null,
            confidence: 0.8,
          },
        ],
      }),
    );
    const { document } = await openWorkspaceFile('src/audit.ts');
    const result = await runReview(REVIEW_COMMANDS.reviewFile, document.uri);
    assert.ok(result.ok, `review failed: ${JSON.stringify(result)}`);
    assert.equal(lm.requests.length, 1, 'one request to the language model');
    const sent = lm.requests[0].messages.map((m) => m.text).join('\n');
    assert.ok(sent.includes(LOG_QUOTE), 'the file text reached the language model');
    assert.ok(sent.includes('## Review mode: Pragmatic'), 'the persona and rubric reached the language model');
    const diagnostics = modelDiagnostics(document.uri);
    assert.deepEqual(
      diagnostics.map((d) => [d.range.start.line + 1, diagnosticCode(d), d.severity]),
      [[2, 'review/observability', vscode.DiagnosticSeverity.Warning]],
      describeDiagnostics(diagnostics),
    );
  });
});
