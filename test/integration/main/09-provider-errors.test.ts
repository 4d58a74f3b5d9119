// Group 9: a 429 followed by a 200 still yields findings; a server that hangs ends in a clear error after
// backendReviewer.requestTimeoutMs; cancelling a review stops it promptly. Errors name the editor's
// settings and commands (never OPENAI_BASE_URL or --base-url) with the buttons that fit; retries show in
// the progress the user sees. Choose Language Model… sets and tests an OpenAI-compatible endpoint.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { findingsAnswer, modelFinding, startModelServer, type ReplyHandler } from '../../support/modelServer';
import {
  openWorkspaceFile,
  reviewerExtension,
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

  it('shows each retry in the progress ("retry 1 of 3 after 503") and the elapsed time', async () => {
    let calls = 0;
    model.server.setHandler(() =>
      calls++ === 0 ? { status: 503, body: { error: { message: 'warming up' } } } : findingsAnswer([]),
    );
    // A file no other test reviews, so no cached answer can short-circuit the request.
    const { document } = await openWorkspaceFile('src/orders.ts');
    const result = await runReview(REVIEW_COMMANDS.reviewFile, document.uri);
    assert.ok(result.ok, `review failed: ${JSON.stringify(result)}`);
    const api = (await reviewerExtension().activate()) as { progressShown(): string[] };
    const shown = api.progressShown();
    assert.ok(
      shown.some((text) => /src\/orders\.ts: retry 1 of \d after 503 \(in [\d.]+s\) · \d+s$/.test(text)),
      `the retry is shown:\n${shown.join('\n')}`,
    );
    assert.ok(
      shown.some((text) => /src\/orders\.ts: sent ~\d+ tokens, waiting for the model · \d+s$/.test(text)),
      `waiting for the model is shown:\n${shown.join('\n')}`,
    );
    assert.ok(
      shown.every((text) => !/\d+\/\d+ chunks/.test(text)),
      shown.join('\n'),
    );
  });

  it('a refused key names the Set API Key command and offers it, not OPENAI_API_KEY', async () => {
    model.server.setHandler(() => ({ status: 401, body: { error: { message: 'Incorrect API key provided' } } }));
    // Files this block has not reviewed (a cached answer would need no key).
    const { document } = await openWorkspaceFile('src/ledger.ts');
    const result = await runReview(REVIEW_COMMANDS.reviewFile, document.uri);
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.match(result.error, /answered 401: the key was refused.*"Backend Reviewer: Set API Key"/);
    assert.doesNotMatch(result.error, /OPENAI_API_KEY|--base-url|OPENAI_BASE_URL/);
    assert.deepEqual(result.buttons, ['Set API Key']);
  });

  it('a server that is not running names backendReviewer.openai.baseUrl and offers Open Settings and Retry', async () => {
    const closed = await startModelServer();
    const url = closed.url;
    await closed.close();
    await setUserSettings({ 'openai.baseUrl': url });
    try {
      const { document } = await openWorkspaceFile('src/refunds.ts');
      const result = await runReview(REVIEW_COMMANDS.reviewFile, document.uri);
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.match(
        result.error,
        /\(ECONNREFUSED\)\. Is the server running, and is the base URL \(setting backendReviewer\.openai\.baseUrl\) right\?/,
      );
      assert.doesNotMatch(result.error, /OPENAI_BASE_URL|--base-url/);
      assert.deepEqual(result.buttons, ['Open Settings', 'Retry']);
    } finally {
      await setUserSettings({ 'openai.baseUrl': model.server.url });
    }
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

describe('Choose Language Model… with an OpenAI-compatible endpoint', () => {
  const model = useModelServer();

  it('sets base URL and model, switches the provider saying so, and tests the connection', async () => {
    await setUserSettings({ provider: 'vscode-lm' });
    model.server.setHandler(() => findingsAnswer([]));
    const before = model.server.chatRequests().length;
    const result = await vscode.commands.executeCommand<Record<string, unknown>>(REVIEW_COMMANDS.chooseModel, {
      endpoint: { baseUrl: model.server.url, model: 'test-model' },
    });
    assert.equal(result?.chosen, true);
    assert.equal(result?.provider, 'openai-compatible');
    assert.equal(result?.ok, true, `the connection test passes: ${String(result?.connection)}`);
    assert.match(String(result?.connection), /the model answered in [\d.]+s/);
    assert.equal(model.server.chatRequests().length - before, 1, 'one test request');
    const settings = vscode.workspace.getConfiguration('backendReviewer');
    assert.equal(settings.get('provider'), 'openai-compatible');
    assert.equal(settings.get('openai.baseUrl'), model.server.url);
  });

  it('a failed connection test says why in the editor’s terms', async () => {
    const closed = await startModelServer();
    const url = closed.url;
    await closed.close();
    try {
      const result = await vscode.commands.executeCommand<Record<string, unknown>>(REVIEW_COMMANDS.chooseModel, {
        endpoint: { baseUrl: url, model: 'test-model' },
      });
      assert.equal(result?.ok, false);
      assert.match(String(result?.connection), /ECONNREFUSED.*setting backendReviewer\.openai\.baseUrl/);
    } finally {
      await setUserSettings({ 'openai.baseUrl': model.server.url });
    }
  });
});
