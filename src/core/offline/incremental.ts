import type { Node, Point, Tree } from '@vscode/tree-sitter-wasm';
import type { ReviewFinding } from '../findings';
import type { ReviewUnit } from '../review/types';
import { parserFor } from './grammars';
import { checkTree, runOfflineChecks, type TreeCheckResult } from './index';
import { grammarForUnit } from './languages';
import { IMPORT_NODE_TYPES, type OffsetRange } from './segments';
import { lastStartingBy, lineStarts } from './syntax';
import { familyOf, type GrammarName, type OfflineConfig } from './types';

/**
 * Re-checks one open document after an edit without redoing the whole file, with exactly the
 * findings a whole-file check gives (the tests compare the two on generated files and random edits).
 *
 * The last check's tree is kept. The new text is compared with the last one (common prefix and
 * suffix: one edited span, whatever the editor did in between), the tree is told of the edit
 * (`tree.edit`) and parsed again from it, which tree-sitter does in a fraction of a full parse. The
 * rules then run only on the top-level declarations that the edit or a change of structure
 * touched, widened by one declaration on each side (a suppression comment above a declaration is
 * its own top-level node) and to whole lines; they see those declarations' nodes and the file's
 * import statements, as a part of a split file does (segments.ts). The findings elsewhere are the
 * last check's, moved by the lines the edit added or removed.
 *
 * It falls back to a whole-file check, on the tree it already has, whenever the shortcut could
 * differ: no previous check or another configuration, a syntax error before or after, an edit that
 * touches an import statement, a range or changed-lines unit, or a rule that looked a name up at
 * the file's top level or needed the whole file (in the last check or in this one).
 */
export class IncrementalChecker {
  private state: CheckedState | undefined;

  /** True after the last check: the next check of an edited text can be incremental. */
  get primed(): boolean {
    return this.state !== undefined;
  }

  /** How the last check was done (for the bench and the tests). */
  lastCheck: 'whole' | 'incremental' | 'unchanged' | 'none' = 'none';
  /** Why the last check of an edited text was done whole (for the bench, the tests and the log). */
  lastWholeReason = '';

  /** Checks one after another: a re-check edits the kept tree, which two at once would both do. */
  private queue: Promise<unknown> = Promise.resolve();

  check(unit: ReviewUnit, config: OfflineConfig): Promise<ReviewFinding[]> {
    const next = this.queue.then(() => this.checkNow(unit, config));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async checkNow(unit: ReviewUnit, config: OfflineConfig): Promise<ReviewFinding[]> {
    const grammar = grammarForUnit(unit.path, unit.language);
    if (!grammar || unit.range || unit.changedLines) {
      this.drop();
      this.lastCheck = 'none';
      return runOfflineChecks(unit, config);
    }
    const configKey = keyOf(config, unit.role, unit.facts);
    const previous = this.state;
    if (previous && previous.grammar === grammar && previous.configKey === configKey) {
      if (previous.text === unit.text && previous.path === unit.path) {
        this.lastCheck = 'unchanged';
        return previous.findings;
      }
      const again = await this.recheck(previous, unit, config);
      if (again) return again;
    }
    const parser = await parserFor(grammar);
    const tree = parser.parse(unit.text);
    if (!tree) throw new Error(`Offline checks: the parser returned no tree for ${unit.path}.`);
    return this.wholeCheck(unit, config, grammar, configKey, tree);
  }

  /** Forgets the kept tree (the document was closed), after any check still running. */
  reset(): Promise<void> {
    const done = this.queue.then(() => this.drop());
    this.queue = done;
    return done;
  }

  private drop(): void {
    this.state?.tree.delete();
    this.state = undefined;
  }

  private wholeCheck(
    unit: ReviewUnit,
    config: OfflineConfig,
    grammar: GrammarName,
    configKey: string,
    tree: Tree,
  ): ReviewFinding[] {
    let result: TreeCheckResult;
    try {
      result = checkTree(unit, config, grammar, tree);
    } catch (error) {
      if (this.state?.tree !== tree) tree.delete();
      this.drop();
      throw error;
    }
    this.keep(unit, grammar, configKey, tree, result);
    this.lastCheck = 'whole';
    return result.findings;
  }

  private keep(unit: ReviewUnit, grammar: GrammarName, configKey: string, tree: Tree, result: TreeCheckResult): void {
    if (this.state && this.state.tree !== tree) this.state.tree.delete();
    this.state = {
      path: unit.path,
      text: unit.text,
      grammar,
      configKey,
      tree,
      findings: result.findings,
      offsets: result.offsets,
      imports: result.imports,
      // Findings elsewhere may depend on the top level or the whole file: never reuse them then.
      wholeFileOnly: result.moduleScopeAt >= 0 || result.needsWholeFile || !result.parsedCleanly,
    };
  }

  /** The findings of the edited text from the kept ones and a check of the edited region; undefined: check whole. */
  private async recheck(
    previous: CheckedState,
    unit: ReviewUnit,
    config: OfflineConfig,
  ): Promise<ReviewFinding[] | undefined> {
    const parser = await parserFor(previous.grammar);
    const edit = editBetween(previous.text, unit.text);
    const oldStarts = lineStarts(previous.text);
    const newStarts = lineStarts(unit.text);
    const oldTree = previous.tree;
    oldTree.edit({
      startIndex: edit.start,
      oldEndIndex: edit.oldEnd,
      newEndIndex: edit.newEnd,
      startPosition: pointAt(oldStarts, edit.start),
      oldEndPosition: pointAt(oldStarts, edit.oldEnd),
      newEndPosition: pointAt(newStarts, edit.newEnd),
    });
    const tree = parser.parse(unit.text, oldTree);
    if (!tree) throw new Error(`Offline checks: the parser returned no tree for ${unit.path}.`);
    const changed = oldTree.getChangedRanges(tree);
    // The old tree is done with either way: the state now holds the new one.
    this.state = { ...previous, tree };
    oldTree.delete();
    const configKey = previous.configKey;
    const whole = (reason: string): ReviewFinding[] => {
      this.lastWholeReason = reason;
      return this.wholeCheck(unit, config, previous.grammar, configKey, tree);
    };
    if (previous.wholeFileOnly) return whole('the last check needed the whole file');
    if (unit.path !== previous.path) return whole('another file');
    if (tree.rootNode.hasError) return whole('a syntax error');
    const delta = edit.newEnd - edit.oldEnd;
    let from = edit.start;
    let to = edit.newEnd;
    for (const range of changed) {
      from = Math.min(from, range.startIndex);
      to = Math.max(to, range.endIndex);
    }
    const region = regionAround(tree.rootNode, unit.text, newStarts, from, to);
    if (!region) return whole('no top-level declarations');
    const oldRegion = { start: region.start, end: region.end - delta };
    const family = familyOf(previous.grammar);
    const importTypes = new Set(IMPORT_NODE_TYPES[family]);
    // An edit at an import statement changes what every declaration resolves names through.
    if (previous.imports.some((range) => overlaps(range, oldRegion))) return whole('the edit is at an import');
    const imports = importNodes(tree, previous.imports, oldRegion, delta, importTypes);
    if (!imports) return whole('an import statement moved');
    const startPoint = pointAt(newStarts, region.start);
    const endPoint = pointAt(newStarts, region.end);
    const descendants = (types: string[]): Node[] => {
      const inRegion = tree.rootNode
        .descendantsOfType(types, startPoint, endPoint)
        .filter(
          (node): node is Node => node !== null && node.startIndex >= region.start && node.startIndex < region.end,
        );
      // The import statements and what they hold (Go's import_spec, Python's aliases), as a part sees them.
      const wanted = new Set(types);
      const extra: Node[] = [];
      for (const node of imports) {
        if (wanted.has(node.type)) extra.push(node);
        for (const inner of node.descendantsOfType(types)) if (inner && inner.id !== node.id) extra.push(inner);
      }
      if (extra.length === 0) return inRegion;
      return [...extra, ...inRegion].sort((a, b) => a.startIndex - b.startIndex);
    };
    const result = checkTree(unit, config, previous.grammar, tree, { region, descendants, lineStarts: newStarts });
    if (result.moduleScopeAt >= 0) return whole('a rule looked a name up at the top level');
    if (result.needsWholeFile) return whole('a rule needed the whole file');
    if (result.imports.some((range) => overlaps(range, region))) return whole('the edit is at an import');
    const lineDelta = newStarts.length - oldStarts.length;
    const merged: Array<{ finding: ReviewFinding; offset: number }> = [];
    previous.findings.forEach((finding, index) => {
      const offset = previous.offsets[index];
      if (offset < oldRegion.start) merged.push({ finding, offset });
      else if (offset >= oldRegion.end) merged.push({ finding: moved(finding, lineDelta), offset: offset + delta });
    });
    result.findings.forEach((finding, index) => merged.push({ finding, offset: result.offsets[index] }));
    // The whole-file order: by start offset, then rule id (checkTree sorts its own the same way).
    merged.sort((a, b) => a.offset - b.offset || (a.finding.ruleId ?? '').localeCompare(b.finding.ruleId ?? ''));
    const findings = merged.map((entry) => entry.finding);
    const keptImports = previous.imports
      .filter((range) => range.end <= oldRegion.start || range.start >= oldRegion.end)
      .map((range) => (range.start >= oldRegion.end ? { start: range.start + delta, end: range.end + delta } : range));
    this.state = {
      ...previous,
      path: unit.path,
      text: unit.text,
      tree,
      findings,
      offsets: merged.map((entry) => entry.offset),
      imports: keptImports,
      wholeFileOnly: false,
    };
    this.lastCheck = 'incremental';
    return findings;
  }
}

interface CheckedState {
  path: string;
  text: string;
  grammar: GrammarName;
  configKey: string;
  tree: Tree;
  findings: ReviewFinding[];
  offsets: number[];
  imports: OffsetRange[];
  wholeFileOnly: boolean;
}

/** The configuration as the rules see it (timings are the bench's, not the rules'). */
/** What decides which rules run and how loud: findings kept from a check under another key are not reused. */
function keyOf(config: OfflineConfig, role: ReviewUnit['role'], facts: ReviewUnit['facts']): string {
  return JSON.stringify({
    mode: config.mode,
    rules: config.rules ?? {},
    projectRules: config.projectRules ?? {},
    roleRules: config.roleRules ?? {},
    includeTests: config.includeTests === true,
    role: role ?? null,
    facts: facts ?? null,
  });
}

/** The one span that differs between two texts: the common prefix and suffix are left out. */
export function editBetween(before: string, after: string): { start: number; oldEnd: number; newEnd: number } {
  const shorter = Math.min(before.length, after.length);
  let start = 0;
  while (start < shorter && before.charCodeAt(start) === after.charCodeAt(start)) start += 1;
  let suffix = 0;
  while (
    suffix < shorter - start &&
    before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)
  )
    suffix += 1;
  // Never split a surrogate pair or a CRLF: tree-sitter and the line starts must agree on the span.
  if (start > 0 && isLowSurrogate(after.charCodeAt(start))) start -= 1;
  if (start > 0 && before[start - 1] === '\r') start -= 1;
  return { start, oldEnd: before.length - suffix, newEnd: after.length - suffix };
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

function pointAt(starts: readonly number[], offset: number): Point {
  const row = Math.max(0, lastStartingBy(starts, offset));
  return { row, column: offset - starts[row] };
}

function overlaps(range: OffsetRange, region: OffsetRange): boolean {
  return range.start < region.end && range.end > region.start;
}

function moved(finding: ReviewFinding, lineDelta: number): ReviewFinding {
  if (lineDelta === 0) return finding;
  return {
    ...finding,
    startLine: finding.startLine + lineDelta,
    endLine: finding.endLine + lineDelta,
    fix: finding.fix
      ? { ...finding.fix, startLine: finding.fix.startLine + lineDelta, endLine: finding.fix.endLine + lineDelta }
      : finding.fix,
    ...(finding.related && {
      related: finding.related.map((place) => ({
        ...place,
        startLine: place.startLine + lineDelta,
        endLine: place.endLine + lineDelta,
      })),
    }),
  };
}

/**
 * The top-level nodes covering [from, to], one more on each side, and every top-level node sharing
 * a line with them, as one offset range from the first one's line start to the last one's line end.
 * Undefined when the span is not inside top-level nodes (an empty file).
 */
function regionAround(
  root: Node,
  text: string,
  starts: readonly number[],
  from: number,
  to: number,
): OffsetRange | undefined {
  const children = root.children.filter((child): child is Node => child !== null);
  if (children.length === 0) return undefined;
  let first = children.findIndex((child) => child.endIndex >= from);
  if (first < 0) first = children.length - 1;
  let last = first;
  while (last + 1 < children.length && children[last + 1].startIndex <= to) last += 1;
  first = Math.max(0, first - 1);
  last = Math.min(children.length - 1, last + 1);
  const lineOf = (offset: number): number => lastStartingBy(starts, offset);
  while (first > 0 && lineOf(children[first - 1].endIndex) >= lineOf(children[first].startIndex)) first -= 1;
  while (
    last + 1 < children.length &&
    lineOf(children[last + 1].startIndex) <= lineOf(Math.max(children[last].startIndex, children[last].endIndex - 1))
  )
    last += 1;
  const start = first === 0 ? 0 : starts[lineOf(children[first].startIndex)];
  const lastLine = lineOf(Math.max(children[last].startIndex, children[last].endIndex - 1));
  const end =
    last === children.length - 1 ? text.length : lastLine + 1 < starts.length ? starts[lastLine + 1] : text.length;
  return { start, end: Math.max(end, Math.min(text.length, to)) };
}

/**
 * The import statements outside the region in the new tree, at the kept ranges moved by the edit;
 * undefined when one is not found where it was (the file's structure changed: check it whole).
 */
function importNodes(
  tree: Tree,
  kept: readonly OffsetRange[],
  oldRegion: OffsetRange,
  delta: number,
  types: ReadonlySet<string>,
): Node[] | undefined {
  const nodes: Node[] = [];
  for (const range of kept) {
    if (overlaps(range, oldRegion)) continue;
    const start = range.start >= oldRegion.end ? range.start + delta : range.start;
    const end = range.start >= oldRegion.end ? range.end + delta : range.end;
    let node: Node | null = tree.rootNode.descendantForIndex(start, end);
    while (node && !(node.startIndex === start && node.endIndex === end && types.has(node.type))) {
      if (node.startIndex < start || node.endIndex > end) {
        node = null;
        break;
      }
      node = node.parent;
    }
    if (!node) return undefined;
    nodes.push(node);
  }
  return nodes;
}
