// Group 9: a 429 followed by a 200 still yields findings; a server that hangs ends in a clear error after
// backendReviewer.requestTimeoutMs; cancelling a review stops it promptly.
import * as assert from 'node:assert/strict';
import { findingsAnswer, modelFinding, type ReplyHandler } from '../../support/modelServer';
import {
  openWorkspaceFile,
  REVIEW_COMMANDS,
  reviewerDiagnostics,
  runReview,
  setUserSettings,
  waitFor,
} from '../helpers';
import { useModelServer } from '../modelServerHooks';

const WEBHOOK_QUOTE = "await fetch(webhookUrl, { method: 'POST', body: JSON.stringify({ message }) });";
const webhookFinding = modelFinding({
  // Not a problem the offline checks report (they would absorb it: the hybrid merge).
  title: 'Webhook failure not handled',
  severity: 'high',
  category: 'correctness',
  startLine: 2,
  endLine: 2,
  quote: WEBHOOK_QUOTE,
});

describe('provider errors, timeouts and cancellation', () => {
  const model = useModelServer();
  afterEach(() => setUserSettings({ requestTimeoutMs: 30_000 }));

  it('retries after 429 Too Many Requests and publishes the findings of the 200 that follows', async () => {
    const handler: ReplyHandler = (_request, index) =>
      index === 0
        ? {
            status: 429,
            headers: { 'retry-after': '0' },
            body: { error: { message: 'Rate limit reached', type: 'rate_limit', code: 'rate_limit_exceeded' } },
          }
        : findingsAnswer([webhookFinding]);
    model.server.setHandler(handler);
    const { document } = await openWorkspaceFile('src/notifications.ts');
    const before = model.server.chatRequests().length;
    const result = await runReview(REVIEW_COMMANDS.reviewFile, document.uri);
    assert.ok(result.ok, `review failed: ${JSON.stringify(result)}`);
    // The offline checks may add their own finding on the same call; the model's must be there.
    assert.deepEqual(
      result.result.findings.filter((f) => f.origin === 'model').map((f) => f.title),
      ['Webhook failure not handled'],
    );
    assert.equal(model.server.chatRequests().length - before, 2, 'one 429 and one retried request');
    // Shown alone, or as one diagnostic with the offline finding on the same call (source "offline + Pragmatic").
    await waitFor(
      'the finding as a diagnostic',
      () => reviewerDiagnostics(document.uri).filter((d) => d.source?.includes('Pragmatic')).length === 1,
    );
  });

  it('ends a review against a server that never answers with a timeout error', async () => {
    await setUserSettings({ requestTimeoutMs: 1_000 });
    model.server.setHandler(() => ({ hang: true }));
    // A file no other test reviews, so no cached answer can short-circuit the request.
    const { document } = await openWorkspaceFile('src/search.ts');
    const started = Date.now();
    const result = await runReview(REVIEW_COMMANDS.reviewFile, document.uri);
    const elapsed = Date.now() - started;
    assert.equal(result.ok, false, 'a hung server cannot produce a successful review');
    if (result.ok) return;
    assert.equal(result.cancelled, false);
    assert.match(result.error, /timeout/i, `the error says it was a timeout: ${result.error}`);
    assert.match(result.error, /\b1s\b/, `the error names the configured 1 s: ${result.error}`);
    assert.ok(result.error.includes('127.0.0.1'), `the error names the endpoint: ${result.error}`);
    assert.ok(elapsed >= 1_000, `the configured 1000 ms timeout is honoured (ended after ${elapsed} ms)`);
  });

  it('cancels a running review when a new review of the same file starts, without waiting for the model', async () => {
    await setUserSettings({ requestTimeoutMs: 120_000 });
    const { document } = await openWorkspaceFile('src/reports.ts');
    let hangs = true;
    model.server.setHandler(() => (hangs ? { hang: true } : findingsAnswer([])));
    const before = model.server.chatRequests().length;
    const first = runReview(REVIEW_COMMANDS.reviewFile, document.uri);
    await waitFor('the first request to reach the server', () => model.server.chatRequests().length > before);
    hangs = false;
    const started = Date.now();
    const second = await runReview(REVIEW_COMMANDS.reviewFile, document.uri);
    const cancelled = await first;
    assert.deepEqual(cancelled, { ok: false, cancelled: true, error: 'cancelled' });
    assert.ok(second.ok, `the second review completes: ${JSON.stringify(second)}`);
    // Far below the 120 s request timeout: the hung request was aborted, not waited out.
    assert.ok(Date.now() - started < 20_000, 'cancellation took effect long before the request timeout');
  });
});
