import type { SkippedPart } from '../findings';
import { languageFromPath } from '../language';
import { generatedOrVendoredByPath } from '../roles';

/** Data, not program code: a data file that cannot be read is left out by policy, like an image. */
export const DATA_LANGUAGES: ReadonlySet<string> = new Set(['json', 'yaml', 'toml', 'xml', 'sql']);

/**
 * Whether `path` names program code of the team's (a language the reviewer knows, data formats,
 * generated and vendored paths aside): such a file left unreviewed makes the review incomplete.
 */
export function isOwnCodePath(path: string | undefined): boolean {
  if (path === undefined) return false;
  const language = languageFromPath(path);
  return language !== undefined && !DATA_LANGUAGES.has(language) && !generatedOrVendoredByPath(path);
}

/**
 * At most one NUL in this many characters is a stray NUL in text, more is binary content. Binary
 * formats are full of NUL bytes, and UTF-16 text read as bytes has one in every other byte (ASCII);
 * source code has at most a few, typed by hand inside a string or a regular expression literal.
 */
export const STRAY_NUL_CHARACTERS = 100;

/**
 * Whether decoded text is binary content rather than text: it holds NUL characters, more than one in
 * {@link STRAY_NUL_CHARACTERS}, or it is a PDF (`%PDF-`), a binary format a small uncompressed file
 * of which has no NUL at all (lines of ASCII and a comment of high bytes). A 51 KB TypeScript file
 * with one NUL inside a regular expression is text and is reviewed; a 7-character `abc\0def` is
 * binary. Callers reading bytes also refuse bytes holding a NUL that are not valid UTF-8 (images,
 * fonts, archives): see decodeSource.
 */
export function isBinaryText(text: string): boolean {
  if (text.startsWith('%PDF-')) return true;
  let at = text.indexOf('\u0000');
  if (at < 0) return false;
  let count = 0;
  const allowed = Math.floor(text.length / STRAY_NUL_CHARACTERS);
  while (at >= 0) {
    count += 1;
    if (count > allowed) return true;
    at = text.indexOf('\u0000', at + 1);
  }
  return false;
}

/**
 * The skipped part for a file refused as binary. An image or a font is left out by policy; a file
 * whose name says it is the team's program code (`.ts`, `.py`, `.go`…) was asked to be reviewed and
 * was not, so it is `failed` and the review is incomplete (exit code 3 with `--fail-on`).
 */
export function binarySkipped(path: string): SkippedPart {
  return isOwnCodePath(path)
    ? { file: path, reason: 'binary content (NUL bytes) in a code file: not reviewed', failed: true }
    : { file: path, reason: 'binary file: not reviewed' };
}

/** The reason and `failed` of {@link binarySkipped}, for a read that did not happen. */
export function binaryRead(path: string | undefined): { ok: false; reason: string; failed: boolean } {
  const skipped = binarySkipped(path ?? '');
  return { ok: false, reason: skipped.reason, failed: skipped.failed === true };
}
