import * as assert from 'node:assert/strict';
import { ActiveReviews } from '../../../../src/vscode/common/activeReviews';

describe('vscode/activeReviews', () => {
  it('keeps the progress of a review that replaced an earlier one of the same file when the earlier one ends', () => {
    const reviews = new ActiveReviews();
    const first = reviews.begin('file:///a.ts', 'preparing');
    const second = reviews.begin('file:///a.ts', 'preparing');
    reviews.update(second, '1/3 chunks');
    reviews.end(first);
    assert.deepEqual(reviews.list(), [{ key: 'file:///a.ts', text: '1/3 chunks' }]);
    reviews.end(second);
    assert.deepEqual(reviews.list(), []);
  });

  it('lists runs newest first and ignores updates of ended runs', () => {
    const reviews = new ActiveReviews();
    const a = reviews.begin('file:///a.ts', 'preparing');
    reviews.begin('changes:file:///repo', 'preparing');
    reviews.end(a);
    reviews.update(a, '2/2 chunks');
    reviews.begin('file:///b.ts', 'chat review');
    assert.deepEqual(
      reviews.list().map((run) => run.key),
      ['file:///b.ts', 'changes:file:///repo'],
    );
  });
});
