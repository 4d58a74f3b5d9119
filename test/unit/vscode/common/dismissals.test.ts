import * as assert from 'node:assert/strict';
import { DismissalStore, dismissalKey, normaliseCode } from '../../../../src/vscode/common/dismissals';
import { InMemoryKeyValueStore } from '../../../support/inMemoryStores';

const subject = { ruleId: 'review/reliability', file: 'src/api/orders.ts', code: 'await fetch(url)' };

describe('vscode/dismissals', () => {
  it('keys the same finding on the same code identically, whatever the whitespace or path separators', () => {
    assert.equal(dismissalKey(subject), dismissalKey({ ...subject, code: '  await   fetch(url)\n' }));
    assert.equal(dismissalKey(subject), dismissalKey({ ...subject, file: 'src\\api\\orders.ts' }));
    assert.equal(normaliseCode(' a \n\t b '), 'a b');
  });

  it('gives a different key for a different rule, file or code', () => {
    const key = dismissalKey(subject);
    assert.notEqual(key, dismissalKey({ ...subject, ruleId: 'review/security' }));
    assert.notEqual(key, dismissalKey({ ...subject, file: 'src/api/users.ts' }));
    assert.notEqual(key, dismissalKey({ ...subject, code: 'await fetch(url, { signal })' }));
  });

  it('dismisses, lists newest first, survives a new store on the same state, and restores', async () => {
    const state = new InMemoryKeyValueStore();
    let now = Date.parse('2026-01-01T10:00:00Z');
    const store = new DismissalStore(state, () => new Date(now));
    await store.dismiss(subject, { title: 'No timeout', line: 4 });
    now += 60_000;
    const other = { ...subject, code: 'db.query(sql)' };
    await store.dismiss(other, { title: 'Query in loop', line: 9 });
    const reopened = new DismissalStore(state);
    assert.equal(reopened.isDismissed(subject), true);
    assert.deepEqual(
      reopened.list().map((d) => d.title),
      ['Query in loop', 'No timeout'],
    );
    assert.equal(await reopened.restore(dismissalKey(subject)), true);
    assert.equal(reopened.isDismissed(subject), false);
    assert.equal(reopened.isDismissed(other), true);
    assert.equal(await reopened.restore('not-a-key'), false);
  });
});
