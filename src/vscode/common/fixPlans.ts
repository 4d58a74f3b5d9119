import { severityRank, type ReviewFinding } from '../../core/findings';
import { contentHash, linesText, type PublishedFinding } from './publishedFindings';

/** Fixes of published findings: whether one still applies, and every fix that applies planned as line edits. */

/** The fix is offered only while the text it replaces is still what was reviewed. */
export function fixApplies(finding: PublishedFinding, currentText: string): boolean {
  // Not a string: no fix lines, or a finding stored by a version that kept the lines themselves.
  if (!finding.fix || typeof finding.reviewedFixHash !== 'string') return false;
  const current = linesText(currentText, finding.fix.startLine, finding.fix.endLine);
  return current !== null && contentHash(current) === finding.reviewedFixHash;
}

export interface LineEdit {
  startLine: number;
  endLine: number;
  replacement: string;
  findingId: string;
}

/** The replacement text for whole lines: without the one trailing newline a model tends to add. */
export function replacementText(replacement: string): string {
  return replacement.endsWith('\r\n')
    ? replacement.slice(0, -2)
    : replacement.endsWith('\n')
      ? replacement.slice(0, -1)
      : replacement;
}

/**
 * Every fix that still applies, without overlaps (the more severe finding wins an overlap), in
 * top-to-bottom order, plus the ids of fixes left out and why.
 */
export function planFixes(
  findings: readonly PublishedFinding[],
  currentText: string,
): { edits: LineEdit[]; skipped: { findingId: string; reason: string }[] } {
  const skipped: { findingId: string; reason: string }[] = [];
  const candidates = findings
    .filter((finding) => {
      if (!finding.fix) return false;
      if (!fixApplies(finding, currentText)) {
        skipped.push({ findingId: finding.id, reason: 'the code changed since the review' });
        return false;
      }
      return true;
    })
    .sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
  const edits: LineEdit[] = [];
  for (const finding of candidates) {
    const fix = finding.fix as NonNullable<ReviewFinding['fix']>;
    if (edits.some((edit) => fix.startLine <= edit.endLine && edit.startLine <= fix.endLine)) {
      skipped.push({ findingId: finding.id, reason: 'it overlaps a more severe fix' });
      continue;
    }
    edits.push({
      startLine: fix.startLine,
      endLine: fix.endLine,
      replacement: replacementText(fix.replacement),
      findingId: finding.id,
    });
  }
  edits.sort((a, b) => a.startLine - b.startLine);
  return { edits, skipped };
}

/** Applies line edits to a text (what a WorkspaceEdit does in the editor); used by tests and previews. */
export function applyLineEdits(text: string, edits: readonly LineEdit[]): string {
  const lines = text.split('\n');
  for (const edit of [...edits].sort((a, b) => b.startLine - a.startLine)) {
    lines.splice(edit.startLine - 1, edit.endLine - edit.startLine + 1, ...edit.replacement.split('\n'));
  }
  return lines.join('\n');
}
