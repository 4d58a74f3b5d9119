import * as assert from 'node:assert/strict';
import { ProviderError } from '../../src/core/providers/provider';

/** The ProviderError a provider call fails with; fails the test when it succeeds or throws something else. */
export async function rejection(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ProviderError, `expected a ProviderError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the call to fail');
}
