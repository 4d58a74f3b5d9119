import type { ModelFinding } from '../findings';
import { silentLogger, type Logger } from '../log';
import { linesFromSplit, splitLines, type LineRange } from './chunk';

/**
 * Where a finding ended up:
 * - `exact`: the quote is at the lines the model cited;
 * - `moved`: the quote was found elsewhere (nearby or anywhere in the reviewed text) and the
 *   finding was moved onto it;
 * A finding whose quote is not found is dropped (`unanchored` in the result), never shown.
 */
export type AnchorKind = 'exact' | 'moved';

export type AnchoredFinding = ModelFinding & {
  /** 1-based column on startLine where the quoted code begins (1 when unknown). */
  startColumn: number;
  /** 1-based exclusive column on endLine where the quoted code ends (line length + 1 when unknown). */
  endColumn: number;
  anchored: AnchorKind;
};

export interface AnchorOptions {
  /** The line ranges the model was shown (1-based, inclusive). Default: the whole file. */
  reviewedRanges?: { startLine: number; endLine: number }[];
  /** Diff review: changed lines of the new file. Findings must touch one of them (± slack). */
  changedLines?: number[];
  /** Lines of slack around changed lines; default DEFAULT_DIFF_SLACK. */
  slack?: number;
  /**
   * Diff review: the removed lines the model was shown, by the new line they stood before. A finding
   * quoting them is about code no longer in the file: it is put on the nearest new line shown,
   * quoting that line, without a fix.
   */
  removedBefore?: ReadonlyMap<number, readonly string[]>;
  /** How many lines above/below the cited range count as "nearby"; default DEFAULT_SEARCH_WINDOW. */
  searchWindow?: number;
  logger?: Logger;
  /** The text's `text.split(/\r?\n/)`, when the caller has it (the engine splits a file once per answer). */
  split?: readonly string[];
}

export interface AnchorResult {
  kept: AnchoredFinding[];
  /** `unanchored`: the quote is nowhere in the reviewed code (counted by the noise gate). */
  dropped: { finding: ModelFinding; reason: string; unanchored: boolean }[];
}

export const DEFAULT_DIFF_SLACK = 3;
export const DEFAULT_SEARCH_WINDOW = 10;

/** Where a quote was found: 1-based lines, 1-based columns (end exclusive). */
interface QuoteMatch {
  startLine: number;
  endLine: number;
  startColumn: number;
  endColumn: number;
}

/**
 * Some lines of the file without whitespace, with the position of every remaining character, so
 * quotes can be found whatever their indentation, line breaks or spacing.
 */
class CompactIndex {
  private readonly chars: string;
  private readonly lineOf: Int32Array;
  private readonly columnOf: Int32Array;
  /** lineStart[l - firstLine] = index in `chars` of the first character of line l; one more entry for the end. */
  private readonly lineStart: Int32Array;

  /** Indexes `lines[firstLine - 1 .. lastLine - 1]` (1-based, inclusive). */
  constructor(
    lines: readonly string[],
    private readonly firstLine: number,
    lastLine: number,
  ) {
    let capacity = 0;
    for (let line = firstLine; line <= lastLine; line++) capacity += lines[line - 1].length;
    // Typed arrays sized for the worst case (no whitespace at all): one pass, no per-char objects.
    const lineOf = new Int32Array(capacity);
    const columnOf = new Int32Array(capacity);
    const pieces: string[] = [];
    let count = 0;
    this.lineStart = new Int32Array(lastLine - firstLine + 2);
    for (let lineNumber = firstLine; lineNumber <= lastLine; lineNumber++) {
      const line = lines[lineNumber - 1];
      this.lineStart[lineNumber - firstLine] = count;
      let runStart = -1;
      for (let c = 0; c <= line.length; c++) {
        const blank = c === line.length || isWhitespace(line.charCodeAt(c));
        if (!blank) {
          if (runStart === -1) runStart = c;
          lineOf[count] = lineNumber;
          columnOf[count] = c + 1;
          count++;
        } else if (runStart !== -1) {
          pieces.push(line.slice(runStart, c));
          runStart = -1;
        }
      }
    }
    this.lineStart[lastLine - firstLine + 1] = count;
    this.chars = pieces.join('');
    this.lineOf = lineOf.subarray(0, count);
    this.columnOf = columnOf.subarray(0, count);
  }

  /** Every match of the parts (a compact quote, or ellipsis-separated parts) within lines the index holds. */
  find(parts: string[], startLine: number, endLine: number): QuoteMatch[] {
    const from = this.lineStart[startLine - this.firstLine];
    const to = this.lineStart[endLine - this.firstLine + 1];
    const matches: QuoteMatch[] = [];
    let at = this.chars.indexOf(parts[0], from);
    while (at !== -1 && at + parts[0].length <= to) {
      let end = at + parts[0].length;
      let complete = true;
      for (const part of parts.slice(1)) {
        const next = this.chars.indexOf(part, end);
        if (next === -1 || next + part.length > to || next - end > MAX_ELLIPSIS_GAP) {
          complete = false;
          break;
        }
        end = next + part.length;
      }
      if (complete) {
        matches.push({
          startLine: this.lineOf[at],
          startColumn: this.columnOf[at],
          endLine: this.lineOf[end - 1],
          endColumn: this.columnOf[end - 1] + 1,
        });
      }
      at = this.chars.indexOf(parts[0], at + 1);
    }
    return matches;
  }
}

/**
 * Ranges up to this many lines get an index of their own: the cited lines and the nearby window,
 * where almost every quote is found. Larger ones use one index of the whole file, built once.
 * Indexing the whole file for every answer was ~10% of the engine's own time (bench row 1).
 */
const LOCAL_INDEX_MAX_LINES = 200;

/** The file's lines, searched for quotes through whitespace-free indexes built when needed. */
class CompactText {
  readonly lines: readonly string[];
  private whole?: CompactIndex;

  /** `split`: the text's `text.split(/\r?\n/)` when the caller has it already. */
  constructor(text: string, split?: readonly string[]) {
    this.lines = split ? linesFromSplit(split) : splitLines(text);
  }

  get lineCount(): number {
    return this.lines.length;
  }

  lineLength(line: number): number {
    return this.lines[line - 1]?.length ?? 0;
  }

  /** Every match of the parts within the lines (a match found in a smaller index is the same as in the whole). */
  find(parts: string[], range: LineRange): QuoteMatch[] {
    const startLine = Math.max(1, range.startLine);
    const endLine = Math.min(this.lineCount, range.endLine);
    if (startLine > endLine) return [];
    const index =
      this.whole ??
      (endLine - startLine < LOCAL_INDEX_MAX_LINES
        ? new CompactIndex(this.lines, startLine, endLine)
        : (this.whole = new CompactIndex(this.lines, 1, this.lineCount)));
    return index.find(parts, startLine, endLine);
  }
}

/** How much code (non-whitespace characters) an ellipsis in a quote may stand for. */
const MAX_ELLIPSIS_GAP = 2000;

const compact = (s: string): string => s.replace(/\s+/g, '');

/** The numbering of a diff review's lines, as a model may copy it into a quote (see chunk.ts numberDiffLine). */
const DIFF_NUMBERING = /^\s*(?:\d+\s+\+?|-)\s*\|\s?/;

/** Same set as the regex `\s` (which `compact` uses), without a regex call per character. */
function isWhitespace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  if (code < 0xa0) return false;
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/**
 * Ways to read a quote, most literal first: as written; without line numbers the model copied
 * from the prompt (`12 | code`, `12: code`); without diff markers; with `...` standing for code
 * that was left out.
 */
function quoteReadings(quote: string): string[][] {
  const readings: string[][] = [];
  const add = (parts: string[]): void => {
    const cleaned = parts.map(compact).filter((p) => p.length > 0);
    if (cleaned.length === 0 || cleaned.join('').length < 2) return;
    if (!readings.some((r) => r.join('\u0000') === cleaned.join('\u0000'))) readings.push(cleaned);
  };
  add([quote]);
  const lines = quote.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length > 0 && lines.every((l) => /^\s*\d+\s*[|:│]/.test(l))) {
    add([lines.map((l) => l.replace(/^\s*\d+\s*[|:│]\s?/, '')).join('\n')]);
  }
  // A diff review's numbering: `42 + | code`, `41   | code`, and removed lines `- | code`.
  if (lines.length > 0 && lines.every((l) => DIFF_NUMBERING.test(l))) {
    add([lines.map((l) => l.replace(DIFF_NUMBERING, '')).join('\n')]);
  }
  if (lines.length > 0 && lines.every((l) => /^[+-]/.test(l))) {
    add([lines.map((l) => l.slice(1)).join('\n')]);
  }
  const parts = quote.split(/\.\.\.|…/);
  if (parts.length > 1 && parts.some((p) => compact(p).length >= 3)) add(parts);
  return readings;
}

function intersect(a: LineRange, b: LineRange): LineRange | undefined {
  const startLine = Math.max(a.startLine, b.startLine);
  const endLine = Math.min(a.endLine, b.endLine);
  return startLine <= endLine ? { startLine, endLine } : undefined;
}

function nearest(matches: QuoteMatch[], line: number): QuoteMatch | undefined {
  let best: QuoteMatch | undefined;
  for (const m of matches) {
    if (!best || Math.abs(m.startLine - line) < Math.abs(best.startLine - line)) best = m;
  }
  return best;
}

/**
 * Puts each finding on the code it quotes, clamps it to the file, checks its fix's range and,
 * for diff reviews, keeps only findings that touch a changed line. `text` is the whole file.
 */
export function anchorFindings(findings: ModelFinding[], text: string, options: AnchorOptions = {}): AnchorResult {
  // Indexing the text costs milliseconds on large files; the engine calls this once per chunk for
  // quotes of redacted lines too, which usually has none.
  if (findings.length === 0) return { kept: [], dropped: [] };
  const logger = options.logger ?? silentLogger;
  const file = new CompactText(text, options.split);
  const whole: LineRange = { startLine: 1, endLine: file.lineCount };
  const searchable = (options.reviewedRanges && options.reviewedRanges.length > 0 ? options.reviewedRanges : [whole])
    .map((r) => intersect(r, whole))
    .filter((r): r is LineRange => r !== undefined);
  const window = options.searchWindow ?? DEFAULT_SEARCH_WINDOW;
  const slack = options.slack ?? DEFAULT_DIFF_SLACK;
  const changed = options.changedLines ? new Set(options.changedLines) : undefined;

  const kept: AnchoredFinding[] = [];
  const dropped: AnchorResult['dropped'] = [];
  const drop = (finding: ModelFinding, reason: string, unanchored = false): void => {
    dropped.push({ finding, reason, unanchored });
    logger.warn(`Dropped finding "${finding.title}" (lines ${finding.startLine}-${finding.endLine}): ${reason}`);
  };

  for (const finding of findings) {
    const cited: LineRange = {
      startLine: Math.min(finding.startLine, finding.endLine),
      endLine: Math.max(finding.startLine, finding.endLine),
    };
    const anchored = anchorOne(finding, cited);
    if (typeof anchored === 'string') {
      drop(finding, anchored, true);
      continue;
    }
    if (changed && !touchesChange(anchored, changed, slack)) {
      drop(finding, `it does not touch a changed line (±${slack} lines) of the diff`);
      continue;
    }
    kept.push(anchored);
  }
  return { kept, dropped };

  function search(readings: string[][], ranges: LineRange[], near: number): QuoteMatch | undefined {
    for (const parts of readings) {
      const match = nearest(
        ranges.flatMap((r) => file.find(parts, r)),
        near,
      );
      if (match) return match;
    }
    return undefined;
  }

  function anchorOne(finding: ModelFinding, cited: LineRange): AnchoredFinding | string {
    const readings = quoteReadings(finding.quote);
    const citedInFile = intersect(cited, whole);

    // Only code the model was shown counts: a generic quote (`});`) can occur anywhere in the file.
    const citedShown = citedInFile
      ? searchable.map((r) => intersect(r, citedInFile)).filter((r): r is LineRange => r !== undefined)
      : [];
    const atCited = search(readings, citedShown, cited.startLine);
    if (atCited && citedInFile) {
      const result: AnchoredFinding = {
        ...finding,
        startLine: citedInFile.startLine,
        endLine: citedInFile.endLine,
        startColumn: atCited.startLine === citedInFile.startLine ? atCited.startColumn : 1,
        endColumn:
          atCited.endLine === citedInFile.endLine ? atCited.endColumn : file.lineLength(citedInFile.endLine) + 1,
        anchored: 'exact',
      };
      result.fix = checkFix(finding, cited, atCited, result);
      return result;
    }

    const nearbyWindow: LineRange = { startLine: cited.startLine - window, endLine: cited.endLine + window };
    const nearby = search(
      readings,
      searchable.map((r) => intersect(r, nearbyWindow)).filter((r): r is LineRange => r !== undefined),
      cited.startLine,
    );
    const found = nearby ?? search(readings, searchable, cited.startLine);
    if (found) {
      const result: AnchoredFinding = { ...finding, ...found, anchored: 'moved' };
      logger.debug(
        `Moved finding "${finding.title}" from lines ${cited.startLine}-${cited.endLine} to ${found.startLine}-${found.endLine}, where its quote is${nearby ? '' : ' (found outside the nearby lines)'}.`,
      );
      result.fix = checkFix(finding, cited, found, result);
      return result;
    }

    const onRemoved = removedAnchor(finding, readings);
    if (onRemoved) return onRemoved;

    const why = readings.length === 0 ? 'it has no quote' : 'its quote was not found in the reviewed code';
    if (!citedInFile) {
      return `${why}, and the cited lines ${cited.startLine}-${cited.endLine} are outside the file (${file.lineCount} lines)`;
    }
    if (!searchable.some((r) => intersect(r, citedInFile))) {
      return `${why}, and the cited lines ${cited.startLine}-${cited.endLine} are outside the reviewed lines`;
    }
    // Not shown: a finding about code the model cannot point at is where invented findings live.
    return `${why} (cited lines ${citedInFile.startLine}-${citedInFile.endLine})`;
  }

  /** A finding whose quote is in removed lines, put on the nearest non-blank new line shown. */
  function removedAnchor(finding: ModelFinding, readings: string[][]): AnchoredFinding | undefined {
    if (!options.removedBefore || readings.length === 0) return undefined;
    for (const [before, removed] of options.removedBefore) {
      const text = compact(removed.join('\n'));
      if (!readings.some((parts) => parts.every((part) => text.includes(part)))) continue;
      const place = Math.min(before, file.lineCount);
      const shown = searchable.filter((r) => r.startLine <= place + window && r.endLine >= place - window);
      const candidates: number[] = [];
      for (const r of shown) for (let l = r.startLine; l <= r.endLine; l++) candidates.push(l);
      const line = candidates
        .filter((l) => (file.lines[l - 1] ?? '').trim() !== '')
        .sort((a, b) => Math.abs(a - place) - Math.abs(b - place) || b - a)[0];
      if (line === undefined) continue;
      const lineText = file.lines[line - 1];
      const indent = lineText.length - lineText.trimStart().length;
      logger.debug(`Finding "${finding.title}" quotes removed lines: put on line ${line}, where they stood.`);
      return {
        ...finding,
        startLine: line,
        endLine: line,
        quote: lineText.trim(),
        fix: null,
        startColumn: indent + 1,
        endColumn: lineText.trimEnd().length + 1,
        anchored: 'moved',
      };
    }
    return undefined;
  }

  /**
   * A fix must replace the quoted code: its range has to cover the quote's lines and stay within
   * the finding's range. A fix that matched the cited lines travels with a moved finding.
   */
  function checkFix(
    finding: ModelFinding,
    cited: LineRange,
    quote: QuoteMatch,
    placed: LineRange,
  ): ModelFinding['fix'] {
    const fix = finding.fix;
    if (!fix) return null;
    let range: LineRange = { startLine: fix.startLine, endLine: fix.endLine };
    const shift = placed.startLine - cited.startLine;
    if (shift !== 0 && range.startLine === cited.startLine && range.endLine === cited.endLine) {
      range = { startLine: placed.startLine, endLine: cited.endLine + shift };
    }
    const covers = range.startLine <= quote.startLine && range.endLine >= quote.endLine;
    const within = range.startLine >= placed.startLine && range.endLine <= placed.endLine;
    const inFile = range.startLine >= 1 && range.endLine <= file.lineCount && range.startLine <= range.endLine;
    if (covers && within && inFile) return { ...fix, ...range };
    logger.warn(
      `Finding "${finding.title}": fix for lines ${fix.startLine}-${fix.endLine} removed: ${inFile ? `it does not match the quoted code at lines ${quote.startLine}-${quote.endLine}` : `it lies outside the file (${file.lineCount} lines)`}; finding kept.`,
    );
    return null;
  }
}

function touchesChange(range: LineRange, changed: Set<number>, slack: number): boolean {
  for (let line = range.startLine - slack; line <= range.endLine + slack; line++) {
    if (changed.has(line)) return true;
  }
  return false;
}
