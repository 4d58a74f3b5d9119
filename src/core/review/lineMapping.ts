/**
 * Which lines of one text are the same lines in another: a line diff (common prefix and suffix, then
 * a longest common subsequence of the rest). The editor moves findings onto edited text with it
 * (vscode/common/relocate.ts), and a convergent re-review finds what changed since the last review
 * (convergent.ts).
 */

/** Above this many cells the LCS table is not built; unmatched middle lines then drop their findings. */
const MAX_LCS_CELLS = 4_000_000;

/** A text's lines as the editor counts them (a trailing newline leaves an empty last line). */
export function splitTextLines(text: string): string[] {
  return text.split(/\r?\n/);
}

/**
 * For each line of `before` (0-based), the index of the same line in `after`, or -1 when the line
 * was changed or removed.
 */
export function lineMapping(before: readonly string[], after: readonly string[]): Int32Array {
  const mapping = new Int32Array(before.length).fill(-1);
  let prefix = 0;
  while (prefix < before.length && prefix < after.length && before[prefix] === after[prefix]) {
    mapping[prefix] = prefix;
    prefix++;
  }
  let suffix = 0;
  while (
    suffix < before.length - prefix &&
    suffix < after.length - prefix &&
    before[before.length - 1 - suffix] === after[after.length - 1 - suffix]
  ) {
    mapping[before.length - 1 - suffix] = after.length - 1 - suffix;
    suffix++;
  }
  const rows = before.length - prefix - suffix;
  const columns = after.length - prefix - suffix;
  if (rows === 0 || columns === 0 || rows * columns > MAX_LCS_CELLS) return mapping;
  // lengths[i][j]: LCS length of before[prefix+i..] and after[prefix+j..] (middle parts only).
  const width = columns + 1;
  const lengths = new Uint32Array((rows + 1) * width);
  for (let i = rows - 1; i >= 0; i--) {
    for (let j = columns - 1; j >= 0; j--) {
      lengths[i * width + j] =
        before[prefix + i] === after[prefix + j]
          ? lengths[(i + 1) * width + j + 1] + 1
          : Math.max(lengths[(i + 1) * width + j], lengths[i * width + j + 1]);
    }
  }
  let i = 0;
  let j = 0;
  while (i < rows && j < columns) {
    if (before[prefix + i] === after[prefix + j]) {
      mapping[prefix + i] = prefix + j;
      i++;
      j++;
    } else if (lengths[(i + 1) * width + j] >= lengths[i * width + j + 1]) {
      i++;
    } else {
      j++;
    }
  }
  return mapping;
}

/** Where 1-based lines `start..end` of the old text are now, when all of them are there in one run. */
export function mapSpan(
  mapping: Int32Array,
  start: number,
  end: number,
): { startLine: number; endLine: number } | null {
  if (start < 1 || end < start || end > mapping.length) return null;
  const first = mapping[start - 1];
  if (first < 0) return null;
  for (let line = start + 1; line <= end; line++) {
    if (mapping[line - 1] !== first + (line - start)) return null;
  }
  return { startLine: first + 1, endLine: first + 1 + (end - start) };
}
