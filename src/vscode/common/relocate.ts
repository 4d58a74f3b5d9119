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
import { lineMapping, mapSpan, splitTextLines } from '../../core/review/lineMapping';

export { lineMapping };

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

/** Moves findings from `reviewedText` onto `currentText` (see the module comment for the rule). */
export function relocateFindings<T extends Relocatable>(
  findings: readonly T[],
  reviewedText: string,
  currentText: string,
): RelocateResult<T> {
  if (reviewedText === currentText) return { kept: [...findings], dropped: [], fixesDropped: 0 };
  const mapping = lineMapping(splitTextLines(reviewedText), splitTextLines(currentText));
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
