// Runs in a new code-server and extension host on the same user data and workspace as the main suite,
// after the main suite dismissed "Sessions never expire" in src/sessions.ts (03-quick-fix-and-dismiss).
import * as assert from 'node:assert/strict';
import { findingsAnswer } from '../../support/modelServer';
import {
  describeDiagnostics,
  diagnosticCode,
  modelDiagnostics,
  openWorkspaceFile,
  REVIEW_COMMANDS,
  runReview,
} from '../helpers';
import { useModelServer } from '../modelServerHooks';
import { SESSION_FINDINGS } from '../sessionFindings';

describe('after an extension restart', () => {
  useModelServer(() => findingsAnswer(SESSION_FINDINGS));

  it('a finding dismissed before the restart stays dismissed when the same code is reviewed again', async () => {
    const { document } = await openWorkspaceFile('src/sessions.ts');
    const result = await runReview(REVIEW_COMMANDS.reviewFile, document.uri);
    assert.ok(result.ok, `review failed: ${JSON.stringify(result)}`);
    // The model answers both findings again; only the one never dismissed is shown.
    const diagnostics = modelDiagnostics(document.uri);
    assert.deepEqual(
      diagnostics.map((d) => diagnosticCode(d)),
      ['review/scalability'],
      describeDiagnostics(diagnostics),
    );
    assert.ok(
      !diagnostics.some((d) => d.message.startsWith(SESSION_FINDINGS[0].title as string)),
      'the dismissed finding came back after the restart',
    );
  });
});
