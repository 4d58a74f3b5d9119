import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeText, looksBinary, repairMojibake } from '../../../../src/core/personas/encoding';
import { FIXTURES } from './helpers';

describe('personas/encoding', () => {
  it('repairs UTF-8 that was read as Windows-1252 (emoji, curly quotes, dashes, accents)', () => {
    const bytes = fs.readFileSync(path.join(FIXTURES, 'encoding', 'mojibake.md'));
    assert.ok(bytes.toString('utf8').includes('ðŸ“‘'), 'fixture must contain the mojibake it tests');
    const { text, warnings } = decodeText(bytes);
    assert.ok(text.includes('## \u{1F4D1} Contents'), text);
    assert.ok(text.includes('It\u2019s strict \u2014 no'), text);
    assert.ok(text.includes('Caf\u00e9 stays caf\u00e9.'), text);
    assert.doesNotMatch(text, /ðŸ|â€|Ã©/);
    assert.ok(
      warnings.some((w) => /repaired \d+ mis-decoded/.test(w)),
      warnings.join('\n'),
    );
  });

  it('drops fragments that lost an undefined Windows-1252 byte instead of guessing, and says so without repeating them', () => {
    const bytes = fs.readFileSync(path.join(FIXTURES, 'encoding', 'mojibake.md'));
    const { text, warnings } = decodeText(bytes);
    // 🤝 (F0 9F A4 9D) and ” (E2 80 9D) lost 0x9D: several characters fit, so they are removed.
    assert.ok(text.includes('## ') && text.includes(' Handoff'), text);
    assert.doesNotMatch(text, /ðŸ¤|â€/);
    const dropWarning = warnings.find((w) => w.startsWith('removed 2 mis-decoded fragment(s)'));
    assert.ok(dropWarning, warnings.join('\n'));
    assert.match(dropWarning, /bytes E2 80; F0 9F A4/);
    assert.doesNotMatch(dropWarning, /ðŸ|â€/);
  });

  it('leaves correct accented text alone', () => {
    const bytes = fs.readFileSync(path.join(FIXTURES, 'encoding', 'accented.md'));
    const { text, warnings } = decodeText(bytes);
    assert.equal(text, bytes.toString('utf8'));
    assert.deepEqual(warnings, []);
  });

  it('keeps incomplete sequences when the text has no real mojibake (nothing is known to be broken)', () => {
    const result = repairMojibake('Price: â€ only');
    assert.equal(result.text, 'Price: â€ only');
    assert.equal(result.repaired, 0);
    assert.deepEqual(result.dropped, []);
  });

  it('repairs Latin-1 decoding too (C1 control characters instead of Windows-1252 punctuation)', () => {
    // ’ is E2 80 99; Latin-1 turns 0x80 and 0x99 into U+0080 and U+0099.
    assert.equal(repairMojibake('it\u00e2\u0080\u0099s').text, 'it\u2019s');
  });

  it('strips a UTF-8 BOM and normalises CRLF and lone CR', () => {
    const { text } = decodeText(Buffer.from('\uFEFFa\r\nb\rc\n', 'utf8'));
    assert.equal(text, 'a\nb\nc\n');
  });

  it('reports invalid UTF-8 instead of hiding it', () => {
    const { warnings } = decodeText(Buffer.from([0x61, 0xff, 0x62]));
    assert.ok(warnings.some((w) => /not valid UTF-8/.test(w)));
  });

  it('detects binary content by NUL bytes', () => {
    assert.equal(looksBinary(Buffer.from('plain text')), false);
    assert.equal(looksBinary(Buffer.from([0x50, 0x4b, 0x00, 0x01])), true);
  });
});
