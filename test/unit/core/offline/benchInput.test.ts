import * as assert from 'node:assert/strict';
import { syntheticFile } from '../../../../bench/offline';
import { parserFor } from '../../../../src/core/offline/grammars';

// The benchmark's 10,000-line inputs must be what they claim: exact size, valid code.
describe('offline checks: benchmark inputs', () => {
  for (const language of ['typescript', 'python', 'go'] as const) {
    it(`${language}: exactly 10,000 lines that parse without errors`, async () => {
      const { text } = syntheticFile(language);
      assert.equal(text.split('\n').length, 10_000);
      const tree = (await parserFor(language)).parse(text);
      assert.ok(tree, 'parsed');
      try {
        assert.equal(tree.rootNode.hasError, false);
      } finally {
        tree.delete();
      }
    });
  }
});
