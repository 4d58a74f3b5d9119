/**
 * Places findings computed on one text (what was reviewed) onto another (what the file holds when
 * they are published), without `vscode`. The two differ when the document was edited while the
 * model was answering, when a diff review read the file from disk while the editor holds unsaved
 * edits, or when staged text is published onto the working-tree file.
 *
 * Rule: a finding is kept only when every line it covers is still there, identical and in one run,
 * in the current text; it is then moved to where those lines are now. Lines are matched by a line
 * diff (common prefix and suffix, then a longest common subsequence of the rest). A fix whose
 * lines cannot be matched the same way is dropped from its finding (it would replace other code).
 */
import { counted } from '../../core/counted';

export interface Relocatable {
  startLine: number;
  endLine: number;
  fix: { startLine: number; endLine: number; replacement: string } | null;
}

export interface RelocateResult<T> {
  kept: T[];
  /** Findings whose lines changed or disappeared between the two texts. */
  dropped: T[];
  /** Kept findings that lost their fix (its lines changed). */
  fixesDropped: number;
}

/** Above this many cells the LCS table is not built; unmatched middle lines then drop their findings. */
const MAX_LCS_CELLS = 4_000_000;

function splitLines(text: string): string[] {
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
function mapSpan(mapping: Int32Array, start: number, end: number): { startLine: number; endLine: number } | null {
  if (start < 1 || end < start || end > mapping.length) return null;
  const first = mapping[start - 1];
  if (first < 0) return null;
  for (let line = start + 1; line <= end; line++) {
    if (mapping[line - 1] !== first + (line - start)) return null;
  }
  return { startLine: first + 1, endLine: first + 1 + (end - start) };
}

/** Moves findings from `reviewedText` onto `currentText` (see the module comment for the rule). */
export function relocateFindings<T extends Relocatable>(
  findings: readonly T[],
  reviewedText: string,
  currentText: string,
): RelocateResult<T> {
  if (reviewedText === currentText) return { kept: [...findings], dropped: [], fixesDropped: 0 };
  const mapping = lineMapping(splitLines(reviewedText), splitLines(currentText));
  const kept: T[] = [];
  const dropped: T[] = [];
  let fixesDropped = 0;
  for (const finding of findings) {
    const span = mapSpan(mapping, finding.startLine, finding.endLine);
    if (!span) {
      dropped.push(finding);
      continue;
    }
    let fix = finding.fix;
    if (fix) {
      const fixSpan = mapSpan(mapping, fix.startLine, fix.endLine);
      if (fixSpan) {
        fix = { ...fix, ...fixSpan };
      } else {
        fix = null;
        fixesDropped++;
      }
    }
    kept.push({ ...finding, ...span, fix });
  }
  return { kept, dropped, fixesDropped };
}

/**
 * A reviewed line range (a selection review's) on the current text: moved when its lines are all
 * still there in one run, else unchanged (its edited lines lost their findings to edit tracking).
 */
export function relocateRange(
  range: { startLine: number; endLine: number },
  reviewedText: string,
  currentText: string,
): { startLine: number; endLine: number } {
  const [moved] = relocateFindings([{ ...range, fix: null }], reviewedText, currentText).kept;
  return moved
    ? { startLine: moved.startLine, endLine: moved.endLine }
    : { startLine: range.startLine, endLine: range.endLine };
}

/** The sentence an outcome message gets when findings were dropped or lost their fix; '' when none. */
export function relocationNote(file: string, result: { dropped: readonly unknown[]; fixesDropped: number }): string {
  const parts: string[] = [];
  if (result.dropped.length > 0) {
    parts.push(
      `${counted(result.dropped.length, 'finding')} dropped because ${result.dropped.length === 1 ? 'its lines' : 'their lines'} changed during the review`,
    );
  }
  if (result.fixesDropped > 0) {
    parts.push(
      `${counted(result.fixesDropped, 'suggested fix', 'suggested fixes')} withdrawn because the lines changed`,
    );
  }
  return parts.length === 0 ? '' : `${file}: ${parts.join('; ')}.`;
}
