import { strict as assert } from 'node:assert';
import { cleanSource } from '../../../bench/redaction';
import { BENCH_LANGUAGES } from '../../../bench/generate';
import { redactSecrets } from '../../../src/core/review/redact';

describe('bench/redaction', () => {
  it('measures on 80 KB of each language with nothing to redact', () => {
    for (const language of BENCH_LANGUAGES) {
      const { text, path } = cleanSource(language);
      assert.ok(text.length > 78 * 1024 && text.length <= 80 * 1024, `${language}: ${text.length} bytes`);
      assert.deepEqual(redactSecrets(text, { path }).redactions, [], language);
      assert.ok(text.split('\n').length > 1500, `${language}: real code, many lines`);
    }
  });
});
