import type { SkippedPart } from '../../core/findings';
import { DEFAULT_MAX_FILE_BYTES, sourceFromText } from '../../core/review/files';
import type { ReviewUnit } from '../../core/review/types';

/**
 * The editor's review targets held to the CLI's file reading (src/core/review/files.ts): a text over
 * the size cap or holding NUL bytes is not reviewed but listed as a skipped part with the CLI's
 * reason, `failed` for program code over the cap (the review is then incomplete), as a folder review
 * or `--staged` would list it. An open document's text is otherwise kept as VS Code holds it: VS Code
 * has already decoded its encoding (BOM, UTF-16) and made every line ending (a lone CR too) a line
 * break, so the lines the model sees are the lines the user sees and findings land on them.
 */
export function readableTargets<T extends { unit: ReviewUnit }>(
  targets: readonly T[],
  maxBytes: number = DEFAULT_MAX_FILE_BYTES,
): { targets: T[]; skipped: SkippedPart[] } {
  const kept: T[] = [];
  const skipped: SkippedPart[] = [];
  for (const target of targets) {
    const read = sourceFromText(target.unit.text, maxBytes, target.unit.path);
    if (read.ok) kept.push(target);
    else skipped.push({ file: target.unit.path, reason: read.reason, ...(read.failed ? { failed: true } : {}) });
  }
  return { targets: kept, skipped };
}
