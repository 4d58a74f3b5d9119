import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  defaultCacheDirectory,
  FileReviewCache,
  reviewCacheKey,
  type CacheKeyParts,
} from '../../../../src/core/review/cache';

const parts: CacheKeyParts = {
  providerId: 'openai-compatible:m@http://h/v1',
  model: 'm',
  mode: 'pragmatic',
  personaText: 'persona',
  systemPrompt: 'system',
  userPrompt: 'user',
};

describe('review cache', () => {
  it('keys change with every part', () => {
    const key = reviewCacheKey(parts);
    assert.match(key, /^[0-9a-f]{64}$/);
    assert.equal(reviewCacheKey({ ...parts }), key);
    for (const field of Object.keys(parts) as (keyof CacheKeyParts)[]) {
      const changed = { ...parts, [field]: field === 'mode' ? 'backendpe' : `${parts[field]}x` } as CacheKeyParts;
      assert.notEqual(reviewCacheKey(changed), key, `${field} must be part of the key`);
    }
    // Moving text from one part to the next is a different input.
    assert.notEqual(reviewCacheKey({ ...parts, systemPrompt: 'systemu', userPrompt: 'ser' }), key);
  });

  it('stores values on disk and reads them back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'review-cache-'));
    const cache = new FileReviewCache(dir);
    const key = reviewCacheKey(parts);
    assert.equal(await cache.get(key), undefined);
    await cache.set(key, '{"summary":"ok","findings":[]}');
    assert.equal(await new FileReviewCache(dir).get(key), '{"summary":"ok","findings":[]}');
    assert.deepEqual(readdirSync(join(dir, key.slice(0, 2))), [`${key}.json`]);
    await assert.rejects(cache.get('../../etc/passwd'), /invalid review cache key/);
  });

  it('lives under XDG_CACHE_HOME, else ~/.cache', () => {
    assert.equal(defaultCacheDirectory({ XDG_CACHE_HOME: '/var/cache/me' }), '/var/cache/me/backend-review');
    assert.match(defaultCacheDirectory({}), /[\\/]\.cache[\\/]backend-review$/);
  });
});
