/**
 * Turning the bytes of a persona or guideline file into clean text: BOM stripped, CRLF normalised,
 * binary files refused, and UTF-8 that was once decoded as Windows-1252/Latin-1 ("mojibake",
 * e.g. `ðŸ“‘` for 📑 or `â€™` for ’) repaired where the repair is unambiguous.
 */

/** Windows-1252 code points in 0x80–0x9F that differ from Latin-1, mapped back to their byte. */
const CP1252_BYTE: ReadonlyMap<number, number> = new Map([
  [0x20ac, 0x80],
  [0x201a, 0x82],
  [0x0192, 0x83],
  [0x201e, 0x84],
  [0x2026, 0x85],
  [0x2020, 0x86],
  [0x2021, 0x87],
  [0x02c6, 0x88],
  [0x2030, 0x89],
  [0x0160, 0x8a],
  [0x2039, 0x8b],
  [0x0152, 0x8c],
  [0x017d, 0x8e],
  [0x2018, 0x91],
  [0x2019, 0x92],
  [0x201c, 0x93],
  [0x201d, 0x94],
  [0x2022, 0x95],
  [0x2013, 0x96],
  [0x2014, 0x97],
  [0x02dc, 0x98],
  [0x2122, 0x99],
  [0x0161, 0x9a],
  [0x203a, 0x9b],
  [0x0153, 0x9c],
  [0x017e, 0x9e],
  [0x0178, 0x9f],
]);

/** The byte a character stood for if the text was decoded as Windows-1252 (or Latin-1); else undefined. */
function byteOf(char: string): number | undefined {
  const code = char.codePointAt(0) ?? -1;
  if (code >= 0x80 && code <= 0xff) return code;
  return CP1252_BYTE.get(code);
}

/** How many continuation bytes a UTF-8 lead byte announces (0 when it is not a multi-byte lead). */
function continuationCount(lead: number): number {
  if (lead >= 0xc2 && lead <= 0xdf) return 1;
  if (lead >= 0xe0 && lead <= 0xef) return 2;
  if (lead >= 0xf0 && lead <= 0xf4) return 3;
  return 0;
}

const isContinuation = (byte: number | undefined): boolean => byte !== undefined && byte >= 0x80 && byte <= 0xbf;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export interface MojibakeRepair {
  text: string;
  /** Sequences turned back into the characters they were. */
  repaired: number;
  /**
   * Fragments that were clearly mojibake but lost a byte (Windows-1252 has no character for
   * 0x81, 0x8D, 0x8F, 0x90, 0x9D), so more than one original character fits: removed, never guessed.
   */
  dropped: string[];
}

/**
 * Repairs UTF-8 text that was decoded as Windows-1252/Latin-1 and re-encoded. Each candidate is a
 * lead character followed by exactly the continuation characters UTF-8 requires; it is replaced
 * only when those bytes decode as valid UTF-8, so ordinary accented text (`café`, `Ångström`)
 * never matches. Incomplete fragments (a lead plus at least one continuation but a byte short)
 * are dropped only when the same text had real repairs, i.e. when it is known to be mojibake.
 */
export function repairMojibake(input: string): MojibakeRepair {
  const chars = Array.from(input);
  const out: string[] = [];
  const incomplete: { index: number; fragment: string }[] = [];
  let repaired = 0;
  let i = 0;
  while (i < chars.length) {
    const lead = byteOf(chars[i]);
    const need = lead === undefined ? 0 : continuationCount(lead);
    if (lead === undefined || need === 0) {
      out.push(chars[i]);
      i += 1;
      continue;
    }
    const bytes = [lead];
    let j = i + 1;
    while (bytes.length <= need && j < chars.length && isContinuation(byteOf(chars[j]))) {
      bytes.push(byteOf(chars[j]) as number);
      j += 1;
    }
    if (bytes.length === need + 1) {
      try {
        out.push(strictUtf8.decode(Uint8Array.from(bytes)));
        repaired += 1;
        i = j;
        continue;
      } catch {
        // Not valid UTF-8 (e.g. an overlong or surrogate form): it was real text, keep it as written.
      }
    } else if (bytes.length >= 2 && bytes.length === need) {
      incomplete.push({ index: out.length, fragment: chars.slice(i, j).join('') });
      out.push(chars.slice(i, j).join(''));
      i = j;
      continue;
    }
    out.push(chars[i]);
    i += 1;
  }
  const dropped: string[] = [];
  if (repaired > 0) {
    for (const { index, fragment } of incomplete) {
      out[index] = '';
      dropped.push(fragment);
    }
  }
  return { text: out.join(''), repaired, dropped };
}

export interface DecodedText {
  text: string;
  warnings: string[];
}

/** True when the bytes look like a binary file (a NUL byte in the first 8 KiB), not text. */
export function looksBinary(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, 8192);
  return head.includes(0);
}

/** Decodes file bytes to clean text. Callers check `looksBinary` and size limits first. */
export function decodeText(bytes: Uint8Array): DecodedText {
  const warnings: string[] = [];
  // Non-fatal: invalid bytes become U+FFFD (reported). ignoreBOM keeps the BOM so it is stripped below, visibly.
  let text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
  if (text.includes('\uFFFD')) warnings.push('file is not valid UTF-8: undecodable bytes were replaced with U+FFFD');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  text = text.replace(/\r\n?/g, '\n');
  const repair = repairMojibake(text);
  if (repair.repaired > 0) {
    warnings.push(`repaired ${repair.repaired} mis-decoded character sequence(s) (UTF-8 read as Windows-1252)`);
  }
  if (repair.dropped.length > 0) {
    // Named by their bytes, not their characters: the warning itself must not carry mojibake along.
    const asBytes = repair.dropped.map((fragment) =>
      Array.from(fragment, (c) => (byteOf(c) ?? 0).toString(16).toUpperCase().padStart(2, '0')).join(' '),
    );
    warnings.push(
      `removed ${repair.dropped.length} mis-decoded fragment(s) that lost a byte and cannot be repaired unambiguously (bytes ${asBytes.join('; ')})`,
    );
  }
  return { text: repair.text, warnings };
}
