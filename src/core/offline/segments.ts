import { lineStarts } from './syntax';
import type { LanguageFamily } from './types';

/**
 * Splitting a large file into parts that are parsed and checked side by side (one worker thread
 * each). Parsing is most of a check's time and is single-threaded per tree, so on a multi-core
 * machine a 10,000-line file is checked in about two-thirds of the time in two parts.
 *
 * A part is parsed with tree-sitter's included ranges: the parser reads only the file's top-level
 * import statements (the rules resolve names through them) and the part's own top-level
 * declarations, while every offset, line and column stays the file's own. Each part reports only
 * findings that start in its own range, so the parts' findings put together are the whole file's.
 *
 * The split points and import statements are found in the text, and the trees check them: a part
 * that does not parse cleanly (a split inside a multi-line string), whose tree has import
 * statements other than the planned ones in its own range (an import under `try:`, text in a
 * string that looked like one), or that needed the file's top level beyond its own, sends the
 * caller back to one whole-file check; see runOfflineChecksInParts.
 */

/** A source range by UTF-16 offsets, end exclusive. */
export interface OffsetRange {
  start: number;
  end: number;
}

export interface CheckPart {
  /** What the parser reads, sorted and disjoint: the file's import statements outside `own`, and `own`. */
  included: OffsetRange[];
  /** The part's own top-level declarations; findings starting here are this part's. */
  own: OffsetRange;
  /**
   * Where the planned import statements of the whole file start. The part's tree must have import
   * statements at exactly those of them inside `own`, and nowhere else in `own`.
   */
  imports: number[];
}

/** The part that is the whole file: parsed as it is, every finding kept (`imports` to check a plan's). */
export function wholeFilePart(text: string, imports: number[] = []): CheckPart {
  return { included: [], own: { start: 0, end: text.length }, imports };
}

/** Tree node types of import statements (and Go's package clause, which every part needs too). */
export const IMPORT_NODE_TYPES: Record<LanguageFamily, readonly string[]> = {
  js: ['import_statement'],
  python: ['import_statement', 'import_from_statement', 'future_import_statement'],
  go: ['package_clause', 'import_declaration'],
};

/** Below this many lines per part, a second thread costs more (messages, a copy of the text) than it saves. */
export const MIN_LINES_PER_PART = 2_500;

/** Lines that can start a top-level declaration, per language family (after a blank line, at column 0). */
const DECLARATION_START: Record<LanguageFamily, RegExp> = {
  js: /^(?:export\s|(?:async\s+)?function[\s*]|(?:abstract\s+)?class\s|const\s|let\s|var\s|interface\s|type\s|enum\s|declare\s|namespace\s|@)/,
  python: /^(?:(?:async\s+)?def\s|class\s|@)/,
  go: /^(?:func\s|type\s|var\s|const\s)/,
};

/** Comment lines that may sit between the blank line and the declaration they describe. */
const COMMENT_LINE: Record<LanguageFamily, RegExp> = {
  js: /^(?:\/\/|\/\*|\s+\*)/,
  python: /^#/,
  go: /^(?:\/\/|\/\*|\s+\*)/,
};

/** Module-level import statements (column 0), multi-line forms included. */
const IMPORT_STATEMENT: Record<LanguageFamily, RegExp> = {
  js: /^\uFEFF?import\s[^'"`;]*?(['"])[^'"\n]*\1[^\n]*/gm,
  python: /^\uFEFF?(?:from\s+[\w.]+\s+)?import\s+(?:\([^)]*\)[^\n]*|[^\n]*(?:\\\n[^\n]*)*)/gm,
  go: /^\uFEFF?(?:package\s[^\n]*|import\s*\(\s*\n[\s\S]*?^\)[^\n]*|import\s[^\n]*)/gm,
};

function lineAt(text: string, starts: readonly number[], line: number): string {
  const end = line + 1 < starts.length ? starts[line + 1] - 1 : text.length;
  return text.slice(starts[line], end);
}

/**
 * True when a part may start at `line`: the line before is blank and this line starts a top-level
 * declaration, or starts the comments directly above one.
 */
function isBoundary(text: string, starts: readonly number[], line: number, family: LanguageFamily): boolean {
  if (line === 0 || lineAt(text, starts, line - 1).trim() !== '') return false;
  for (let current = line; current < starts.length; current += 1) {
    const content = lineAt(text, starts, current);
    if (DECLARATION_START[family].test(content)) return true;
    if (!COMMENT_LINE[family].test(content)) return false;
  }
  return false;
}

/** The boundary line nearest to `target` within `lowest`..`highest` (forward first), or -1. */
function boundaryNear(
  text: string,
  starts: readonly number[],
  target: number,
  lowest: number,
  highest: number,
  family: LanguageFamily,
): number {
  for (let distance = 0; target + distance <= highest || target - distance >= lowest; distance += 1) {
    const after = target + distance;
    if (after <= highest && isBoundary(text, starts, after, family)) return after;
    const before = target - distance;
    if (distance > 0 && before >= lowest && isBoundary(text, starts, before, family)) return before;
  }
  return -1;
}

/** The file's top-level import statements as found in the text: each one's start, and the ranges to include (with line breaks, adjacent ones merged). */
function importStatements(text: string, family: LanguageFamily): { starts: number[]; ranges: OffsetRange[] } {
  const starts: number[] = [];
  const ranges: OffsetRange[] = [];
  const pattern = new RegExp(IMPORT_STATEMENT[family].source, IMPORT_STATEMENT[family].flags);
  for (const match of text.matchAll(pattern)) {
    const start = match.index ?? 0;
    // The statement starts after a byte-order mark, as the tree sees it.
    starts.push(match[0].startsWith('\uFEFF') ? start + 1 : start);
    // With its line break: statements the parser reads back to back must stay on separate lines.
    const end = Math.min(text.length, start + match[0].length + 1);
    const last = ranges[ranges.length - 1];
    if (last && last.end >= start) last.end = Math.max(last.end, end);
    else ranges.push({ start, end });
  }
  return { starts, ranges };
}

/** `own` plus the import ranges outside it, sorted, adjacent ones merged. */
function includedFor(own: OffsetRange, imports: readonly OffsetRange[]): OffsetRange[] {
  const outside = imports.filter((range) => range.end <= own.start || range.start >= own.end);
  const sorted = [...outside, own].sort((a, b) => a.start - b.start);
  const merged: OffsetRange[] = [];
  for (const range of sorted) {
    const last = merged[merged.length - 1];
    if (last && last.end >= range.start) last.end = Math.max(last.end, range.end);
    else merged.push({ ...range });
  }
  return merged;
}

/**
 * Up to `parts` parts of the file, split at top-level declarations near equal sizes; undefined when
 * the file is too short for `parts` parts of MIN_LINES_PER_PART lines or has no such boundaries.
 */
export function planParts(
  text: string,
  family: LanguageFamily,
  parts: number,
  minLinesPerPart = MIN_LINES_PER_PART,
): CheckPart[] | undefined {
  const starts = lineStarts(text);
  const count = Math.min(parts, Math.floor(starts.length / minLinesPerPart));
  if (count < 2) return undefined;
  const splitLines: number[] = [];
  for (let index = 1; index < count; index += 1) {
    const previous = splitLines[splitLines.length - 1] ?? 0;
    const target = Math.round((starts.length * index) / count);
    // Never closer than half a part to the previous split, so no part is left tiny.
    const lowest = previous + Math.ceil(minLinesPerPart / 2);
    const highest = Math.min(
      starts.length - Math.ceil(minLinesPerPart / 2),
      target + Math.ceil(starts.length / count / 2),
    );
    const line = boundaryNear(text, starts, target, lowest, highest, family);
    if (line > 0) splitLines.push(line);
  }
  if (splitLines.length === 0) return undefined;
  const bounds = [0, ...splitLines.map((line) => starts[line]), text.length];
  const imports = importStatements(text, family);
  // An import statement across a split would be in neither part's included ranges.
  if (imports.ranges.some((range) => bounds.some((bound) => range.start < bound && range.end > bound)))
    return undefined;
  const result: CheckPart[] = [];
  for (let index = 0; index + 1 < bounds.length; index += 1) {
    const own = { start: bounds[index], end: bounds[index + 1] };
    result.push({ included: includedFor(own, imports.ranges), own, imports: imports.starts });
  }
  return result;
}
