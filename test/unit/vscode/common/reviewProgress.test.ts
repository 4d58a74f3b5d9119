import * as assert from 'node:assert/strict';
import { ReviewProgressText } from '../../../../src/vscode/common/reviewProgress';

describe('ReviewProgressText (what a running review shows)', () => {
  it('says the step, how far along and the elapsed time, never a bare chunk count', () => {
    let now = 1_000;
    const steps = new ReviewProgressText(() => now);
    assert.equal(steps.text(), 'preparing the prompt · 0s');
    assert.equal(steps.update({ done: 0, total: 3, message: 'reviewing 3 chunks' }), 0);
    assert.equal(steps.text(), '0 of 3 parts · sending 3 parts · 0s');
    now += 4_200;
    steps.update({ done: 0, total: 3, message: 'a.ts: sent ~900 tokens, waiting for the model' });
    assert.equal(steps.text(), '0 of 3 parts · a.ts: sent ~900 tokens, waiting for the model · 4s');
    steps.update({ done: 0, total: 3, message: 'a.ts: retry 1 of 2 after 503 (in 1s)' });
    assert.equal(steps.text(), '0 of 3 parts · a.ts: retry 1 of 2 after 503 (in 1s) · 4s');
    const increment = steps.update({ done: 1, total: 3, message: 'a.ts' });
    assert.ok(Math.abs(increment - 1 / 3) < 1e-9, `one part of three done: ${increment}`);
    now += 61_000;
    assert.equal(steps.text(), '1 of 3 parts · a.ts: done · 1m 05s');
    assert.doesNotMatch(steps.text(), /chunks/);
  });

  it('a one-part review shows no part count', () => {
    const steps = new ReviewProgressText(() => 0);
    steps.update({ done: 0, total: 1, message: 'reviewing 1 chunk' });
    assert.equal(steps.text(), 'sending to the model · 0s');
    steps.update({ done: 0, total: 1, message: 'x.py: receiving the answer (~40 tokens)' });
    assert.equal(steps.text(), 'x.py: receiving the answer (~40 tokens) · 0s');
  });
});
