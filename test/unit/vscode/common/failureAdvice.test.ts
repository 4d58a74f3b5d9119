import * as assert from 'node:assert/strict';
import { ProviderError } from '../../../../src/core/providers/provider';
import { adviseFailure } from '../../../../src/vscode/common/failureAdvice';

const CLI_WORDS = /OPENAI_BASE_URL|OPENAI_API_KEY|--base-url|--model|BACKEND_REVIEW_MODEL/;

describe('adviseFailure (model failures in the editor’s terms)', () => {
  it('a refused key: the problem, the Set API Key command, no CLI variable', () => {
    const error = new ProviderError(
      'the endpoint at http://127.0.0.1:9/v1 answered 401: the key was refused. Set OPENAI_API_KEY (CLI) or the extension’s API key.',
      'auth',
      401,
      { reason: 'key-refused', problem: 'the endpoint at http://127.0.0.1:9/v1 answered 401: the key was refused.' },
    );
    const advice = adviseFailure(error, error.message);
    assert.deepEqual(advice.buttons, ['Set API Key']);
    assert.match(advice.message, /answered 401: the key was refused\. .*"Backend Reviewer: Set API Key"/);
    assert.doesNotMatch(advice.message, CLI_WORDS);
  });

  it('a refused or unknown host, or TLS: names the base URL setting; Open Settings and Retry', () => {
    for (const reason of ['connection-refused', 'host-not-found', 'tls'] as const) {
      const error = new ProviderError(
        'Could not connect to http://127.0.0.1:9/v1 (ECONNREFUSED): is the base URL (OPENAI_BASE_URL or --base-url) right?',
        'unreachable',
        undefined,
        { reason, problem: 'Could not connect to http://127.0.0.1:9/v1 (ECONNREFUSED).' },
      );
      const advice = adviseFailure(error, error.message);
      assert.deepEqual(advice.buttons, ['Open Settings', 'Retry'], reason);
      assert.match(advice.message, /backendReviewer\.openai\.baseUrl/, reason);
      assert.doesNotMatch(advice.message, CLI_WORDS, reason);
      assert.equal(advice.settingsQuery, 'backendReviewer.openai.baseUrl');
    }
  });

  it('a missing model: names both settings, opens the endpoint settings', () => {
    const error = new ProviderError('… Check the model name (BACKEND_REVIEW_MODEL or --model) …', 'rejected', 404, {
      reason: 'model-not-found',
      problem: 'the endpoint answered 404: the model "nope" or the chat API was not found.',
    });
    const advice = adviseFailure(error, error.message);
    assert.deepEqual(advice.buttons, ['Open Settings']);
    assert.match(advice.message, /backendReviewer\.openai\.model.*backendReviewer\.openai\.baseUrl/);
    assert.doesNotMatch(advice.message, CLI_WORDS);
  });

  it('a 503 or 429 that outlasted the retries: says how many and offers Retry', () => {
    for (const [status, reason] of [
      [503, 'server-error'],
      [429, 'rate-limited'],
    ] as const) {
      const error = new ProviderError(`the endpoint answered ${status} (overloaded).`, 'failed', status, {
        reason,
        retries: 2,
      });
      const advice = adviseFailure(error, error.message);
      assert.deepEqual(advice.buttons, ['Retry']);
      assert.equal(advice.message, `the endpoint answered ${status} (overloaded). (after 2 retries)`);
    }
  });

  it('a timeout names the timeout settings; other errors keep their message and get no extra buttons', () => {
    const timeout = adviseFailure(new ProviderError('no answer within 1s', 'timeout'), 'no answer within 1s');
    assert.deepEqual(timeout.buttons, ['Retry', 'Open Settings']);
    assert.match(timeout.message, /backendReviewer\.requestTimeoutMs/);
    assert.deepEqual(adviseFailure(new Error('disk full'), 'disk full'), {
      message: 'disk full',
      buttons: [],
      settingsQuery: 'backendReviewer',
    });
    assert.deepEqual(adviseFailure(new ProviderError('no permission', 'auth'), 'no permission').buttons, []);
  });
});
