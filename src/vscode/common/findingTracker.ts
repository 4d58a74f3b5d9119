/**
 * Moves findings along with edits, without `vscode`: a content change is a replaced range plus the
 * new text (as in `TextDocumentContentChangeEvent`, 0-based lines and characters); findings use
 * 1-based inclusive lines like the rest of the product.
 *
 * Granularity is the line: an edit that touches any line of a finding makes it stale (it is
 * removed), an edit wholly above it shifts it by the number of lines added or removed, an edit
 * below it leaves it alone. Inserting whole lines at the very start of a finding's first line
 * (or deleting whole lines that end there) counts as "above".
 */
export interface LineChange {
  startLine: number;
  startCharacter: number;
  endLine: number;
  endCharacter: number;
  text: string;
}

export interface LineSpan {
  startLine: number;
  endLine: number;
}

export interface Trackable extends LineSpan {
  /** A fix range that moves with the finding; dropped (set to null) when an edit touches it. */
  fix: (LineSpan & { replacement: string }) | null;
}

export interface TrackResult<T> {
  kept: T[];
  removed: T[];
  /** True when any finding moved, was removed or lost its fix. */
  changed: boolean;
}

function countNewlines(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) count++;
  return count;
}

type Relation = { kind: 'after' } | { kind: 'before'; delta: number } | { kind: 'overlap' };

/** How one change relates to a 1-based inclusive span. */
export function relate(span: LineSpan, change: LineChange): Relation {
  const first = span.startLine - 1;
  const last = span.endLine - 1;
  const delta = countNewlines(change.text) - (change.endLine - change.startLine);
  if (change.startLine > last) return { kind: 'after' };
  if (change.endLine < first) return { kind: 'before', delta };
  // The change ends at column 0 of the span's first line: it replaces only lines above (or inserts
  // text ending in a newline there), so the span's own text is untouched.
  if (change.endLine === first && change.endCharacter === 0 && change.startLine < first)
    return { kind: 'before', delta };
  if (
    change.endLine === first &&
    change.endCharacter === 0 &&
    change.startLine === first &&
    change.startCharacter === 0 &&
    (change.text === '' || change.text.endsWith('\n'))
  )
    return { kind: 'before', delta };
  return { kind: 'overlap' };
}

function shift<S extends LineSpan>(span: S, delta: number): S {
  return delta === 0 ? span : { ...span, startLine: span.startLine + delta, endLine: span.endLine + delta };
}

/** Applies the changes of one document edit, in the order given, to the findings. */
export function trackEdits<T extends Trackable>(
  findings: readonly T[],
  changes: readonly LineChange[],
): TrackResult<T> {
  let kept: T[] = [...findings];
  const removed: T[] = [];
  let changed = false;
  for (const change of changes) {
    const next: T[] = [];
    for (const finding of kept) {
      const relation = relate(finding, change);
      if (relation.kind === 'overlap') {
        removed.push(finding);
        changed = true;
        continue;
      }
      let moved: T = finding;
      if (relation.kind === 'before' && relation.delta !== 0) {
        moved = shift(finding, relation.delta);
        changed = true;
      }
      if (moved.fix) {
        const fixRelation = relate(finding.fix as LineSpan, change);
        if (fixRelation.kind === 'overlap') {
          moved = { ...moved, fix: null };
          changed = true;
        } else if (fixRelation.kind === 'before' && fixRelation.delta !== 0) {
          moved = { ...moved, fix: shift(finding.fix as LineSpan & { replacement: string }, fixRelation.delta) };
          // The finding itself may be untouched (the edit is between it and its fix): the moved fix must still be kept.
          changed = true;
        }
      }
      next.push(moved);
    }
    kept = next;
  }
  return { kept, removed, changed };
}
