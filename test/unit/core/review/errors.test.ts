import * as assert from 'node:assert/strict';
import { ProviderError } from '../../../../src/core/providers/provider';
import { isCancellation, ReviewCancelledError, ReviewInputError } from '../../../../src/core/review/errors';

describe('core/review/errors', () => {
  it('isCancellation: a cancelled review, a cancelled model request or an aborted signal', () => {
    assert.equal(isCancellation(new ReviewCancelledError()), true);
    assert.equal(isCancellation(new ProviderError('stopped', 'cancelled')), true);
    const aborted = new AbortController();
    aborted.abort();
    assert.equal(isCancellation(new Error('socket hang up'), aborted.signal), true, 'whatever failed after the abort');
    // A provider error from another copy of the module (another bundle) still says what it is.
    assert.equal(isCancellation(Object.assign(new Error('stopped'), { kind: 'cancelled' })), true);
  });

  it('isCancellation: everything else is an error to report', () => {
    assert.equal(isCancellation(new ProviderError('no route', 'unreachable')), false);
    assert.equal(isCancellation(new ProviderError('slow', 'timeout')), false);
    assert.equal(isCancellation(new ReviewInputError('not a repository')), false);
    assert.equal(isCancellation('cancelled'), false);
    assert.equal(isCancellation(undefined, new AbortController().signal), false);
  });
});
