import * as assert from 'node:assert/strict';
import { counted } from '../../../src/core/counted';

describe('counted', () => {
  it('says one thing in the singular and any other count in the plural, irregular plurals included', () => {
    assert.equal(counted(1, 'finding'), '1 finding');
    assert.equal(counted(0, 'finding'), '0 findings');
    assert.equal(counted(2, 'finding'), '2 findings');
    assert.equal(counted(1, 'fix', 'fixes'), '1 fix');
    assert.equal(counted(3, 'fix', 'fixes'), '3 fixes');
  });
});
