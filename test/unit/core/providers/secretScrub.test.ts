import * as assert from 'node:assert/strict';
import { maskSecrets, SecretStreamMasker, secretsToMask } from '../../../../src/core/providers/secretScrub';

// Assembled at run time: the repository holds no key-shaped literal.
const KEY = 'sk-' + 'proj' + 'STREAMKEYabcdefghijklmnop0123456789';

describe('secret masking (the key never comes back out of a provider)', () => {
  it('masks every occurrence, longest secret first, and ignores values too short to be a key', () => {
    const secrets = secretsToMask([KEY, `${KEY}-suffix`, ' short ', undefined, '']);
    assert.deepEqual(secrets, [`${KEY}-suffix`, KEY]);
    assert.equal(maskSecrets(`a ${KEY} b ${KEY}-suffix c`, secrets), 'a *** b *** c');
    assert.equal(maskSecrets('nothing to hide', secrets), 'nothing to hide');
  });

  it('masks a key split across streamed pieces, at every split point, and holds back no more than needed', () => {
    const text = `before ${KEY} after`;
    for (let cut = 0; cut <= text.length; cut++) {
      for (const step of [1, 3, 7]) {
        const masker = new SecretStreamMasker([KEY]);
        const pieces = [text.slice(0, cut)];
        for (let at = cut; at < text.length; at += step) pieces.push(text.slice(at, at + step));
        const shown = pieces.map((piece) => masker.push(piece)).join('') + masker.end();
        assert.equal(shown, 'before *** after', `cut ${cut}, step ${step}`);
      }
    }
    const masker = new SecretStreamMasker([KEY]);
    assert.equal(masker.push('plain text with no key start'), 'plain text with no key start');
    assert.equal(masker.push('ends with sk-pr'), 'ends with ', 'a possible start of the key waits');
    assert.equal(masker.push('ivate'), 'sk-private', 'and is shown once it cannot be the key');
    assert.equal(masker.end(), '');
  });

  it('passes pieces through untouched when there is no secret', () => {
    const masker = new SecretStreamMasker([]);
    assert.equal(masker.push('sk-'), 'sk-');
    assert.equal(masker.end(), '');
  });
});
