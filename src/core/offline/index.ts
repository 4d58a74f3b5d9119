import type { Node, Point, Range, Tree } from '@vscode/tree-sitter-wasm';
import { symbolsFromTree } from '../fingerprint';
import type { RelatedLocation, ReviewFinding } from '../findings';
import { redactSecretLiteral } from '../review/redact';
import type { ReviewUnit, UnitFacts } from '../review/types';
import { classifyFile, TEST_ROLES, type FileRole } from '../roles';
import { parserFor } from './grammars';
import { grammarForUnit } from './languages';
import { GO_NODE_TYPES, GO_RULES } from './rules/go';
import { JS_NODE_TYPES, JS_RULES } from './rules/javascript';
import { OFFLINE_RULES, ruleMeta } from './rules/meta';
import { PYTHON_NODE_TYPES, PYTHON_RULES } from './rules/python';
import { IMPORT_NODE_TYPES, planParts, wholeFilePart, type CheckPart, type OffsetRange } from './segments';
import { isSuppressed, mayHaveSuppressions, suppressedLines } from './suppress';
import {
  hasProviderFormat,
  isTestsOwnCredential,
  isTranslationCatalogue,
  lastStartingBy,
  lineStarts,
  shareCollectedNodes,
  shareSource,
} from './syntax';
import {
  familyOf,
  type CheckInput,
  type GrammarName,
  type LanguageFamily,
  type OfflineConfig,
  type OfflineRuleMeta,
  type RawFinding,
  type RuleChecker,
  type TextEdit,
} from './types';

export { OFFLINE_RULES, ruleHelpUri, ruleMeta } from './rules/meta';
export { supportedLanguage } from './languages';
export { loadGrammars, wasmFiles } from './grammars';
export { parseRuleOverrides } from './config';
export { planParts, wholeFilePart, MIN_LINES_PER_PART, type CheckPart, type OffsetRange } from './segments';
export type { OfflineConfig, OfflineRuleMeta, RuleOverride, GrammarName, LanguageFamily } from './types';

const CHECKERS: Record<LanguageFamily, Record<string, RuleChecker>> = {
  js: JS_RULES,
  python: PYTHON_RULES,
  go: GO_RULES,
};
const NODE_TYPES: Record<LanguageFamily, readonly string[]> = {
  js: JS_NODE_TYPES,
  python: PYTHON_NODE_TYPES,
  go: GO_NODE_TYPES,
};

/**
 * Whether a rule reports in a file of `role`, and how loud: the layers of OfflineConfig from the
 * least to the most specific. A per-role `on` or severity in the project file makes a rule report
 * in a role its metadata leaves out; `off` at any later layer turns it off.
 */
export function ruleSetting(
  meta: OfflineRuleMeta,
  config: OfflineConfig,
  role: FileRole,
): { enabled: boolean; severity: ReviewFinding['severity'] } {
  let enabled =
    meta.roles.includes(role) ||
    (config.includeTests === true && TEST_ROLES.includes(role) && meta.roles.includes('production'));
  let severity = meta.defaultSeverity;
  const roleLayer = config.roleRules?.[role]?.[meta.id];
  const projectLayer = config.projectRules?.[meta.id];
  // The project-wide setting turns a rule off (or back on where its roles apply) before the per-role one decides.
  if (projectLayer?.enabled === false) enabled = false;
  if (projectLayer?.severity) severity = projectLayer.severity;
  if (roleLayer) {
    if (roleLayer.enabled === false) enabled = false;
    else if (roleLayer.enabled === true || roleLayer.severity) enabled = true;
    if (roleLayer.severity) severity = roleLayer.severity;
  }
  const last = config.rules?.[meta.id];
  if (last?.enabled === false) enabled = false;
  if (last?.severity) severity = last.severity;
  return { enabled, severity };
}

/** Rules that run for this config, language family and file role, with their effective severity. */
function activeRules(
  config: OfflineConfig,
  family: LanguageFamily,
  role: FileRole,
): Array<{ meta: OfflineRuleMeta; check: RuleChecker; severity: ReviewFinding['severity'] }> {
  const active = [];
  for (const meta of OFFLINE_RULES) {
    const check = CHECKERS[family][meta.id];
    if (!check) continue;
    if (meta.modes && !meta.modes.includes(config.mode)) continue;
    if (meta.modesByLanguage?.[family]?.includes(config.mode) === false) continue;
    const { enabled, severity } = ruleSetting(meta, config, role);
    if (enabled) active.push({ meta, check, severity });
  }
  return active;
}

/** Expand an offset edit to a whole-line replacement (the findings contract's fix shape). */
function wholeLineFix(text: string, starts: readonly number[], edit: TextEdit): ReviewFinding['fix'] {
  const firstLine = lastStartingBy(starts, edit.start);
  const lastLine = lastStartingBy(starts, edit.end);
  const from = starts[firstLine];
  let to = lastLine + 1 < starts.length ? starts[lastLine + 1] - 1 : text.length;
  if (to > from && text[to - 1] === '\r') to -= 1;
  const replacement = text.slice(from, edit.start) + edit.newText + text.slice(edit.end, to);
  return { startLine: firstLine + 1, endLine: lastLine + 1, replacement };
}

/**
 * The nodes of the given types that the rules see, in document order: the whole tree's for a
 * check of a file or part, a region's and the imports' for an incremental re-check (incremental.ts).
 */
export type NodeSource = (types: string[]) => Node[];

function wholeTree(tree: Tree): NodeSource {
  return (types) => tree.rootNode.descendantsOfType(types).filter((node): node is Node => node !== null);
}

/** What the rules reported; the last offset at which they looked a name up at the file's top level (-1: none); the import statements' starts. */
interface Collected {
  found: RawFinding[];
  moduleScopeAt: number;
  needsWholeFile: boolean;
  imports: OffsetRange[];
}

function collect(
  tree: Tree,
  text: string,
  grammar: GrammarName,
  region: OffsetRange,
  checks: Array<{ meta: OfflineRuleMeta; check: RuleChecker }>,
  timings?: Map<string, number>,
  source?: NodeSource,
  facts?: UnitFacts,
): Collected {
  const descendants = source ?? wholeTree(tree);
  const found: RawFinding[] = [];
  let moduleScopeAt = -1;
  let needsWholeFile = false;
  // One walk of the tree collects every node type the family's rules ask for (walking once per
  // type dominated the run time on large files).
  const byType = new Map<string, Node[]>();
  const family = familyOf(grammar);
  const wanted = [...NODE_TYPES[family], ...IMPORT_NODE_TYPES[family]];
  for (const type of wanted) byType.set(type, []);
  for (const node of descendants(wanted)) byType.get(node.type)?.push(node);
  let currentRule = '';
  const input: CheckInput = {
    tree,
    text,
    grammar,
    region,
    facts,
    moduleScope(at) {
      moduleScopeAt = Math.max(moduleScopeAt, at);
      return tree.rootNode;
    },
    needsWholeFile() {
      needsWholeFile = true;
    },
    nodesOfType(type) {
      let nodes = byType.get(type);
      if (!nodes) {
        nodes = descendants([type]);
        byType.set(type, nodes);
      }
      return nodes;
    },
    report(node, ruleId, message, suggestion, edit, subject, related) {
      if (ruleId !== currentRule)
        throw new Error(`Offline rule ${currentRule} reported under another rule id (${ruleId}).`);
      found.push({
        ruleId,
        start: node.startIndex,
        end: node.endIndex,
        message,
        suggestion,
        edit,
        subject: subject && { start: subject.startIndex, end: subject.endIndex },
        related: related?.map((place) => ({ start: place.startIndex, end: place.endIndex })),
      });
    },
  };
  // The rules' own subtree searches (syntax.ts `descendants`) read these lists when they hold the whole tree.
  shareCollectedNodes(tree, source ? undefined : byType);
  shareSource(tree, text);
  try {
    for (const { meta, check } of checks) {
      currentRule = meta.id;
      if (!timings) {
        check(input);
        continue;
      }
      const start = performance.now();
      check(input);
      timings.set(meta.id, (timings.get(meta.id) ?? 0) + performance.now() - start);
    }
  } finally {
    shareCollectedNodes(tree, undefined);
    shareSource(tree, undefined);
  }
  const imports = IMPORT_NODE_TYPES[family]
    .flatMap((type) => byType.get(type) ?? [])
    .map((node) => ({ start: node.startIndex, end: node.endIndex }));
  return { found, moduleScopeAt, needsWholeFile, imports };
}

/** The finding's own lines or one of its related places' (a loop's other queries) are in the unit's range or changed. */
function touches(finding: ReviewFinding, unit: ReviewUnit, changed: Set<number> | undefined): boolean {
  const places: Array<{ startLine: number; endLine: number }> = [finding, ...(finding.related ?? [])];
  return places.some((place) => {
    if (unit.range && (place.endLine < unit.range.startLine || place.startLine > unit.range.endLine)) return false;
    if (changed) {
      for (let line = place.startLine; line <= place.endLine; line += 1) if (changed.has(line)) return true;
      return false;
    }
    return true;
  });
}

/** A place given as offsets (a finding's own or a related one), as a location of the unit's file. */
function locationOf(unit: ReviewUnit, starts: readonly number[], place: OffsetRange): RelatedLocation {
  const startLine = lastStartingBy(starts, place.start);
  const endLine = lastStartingBy(starts, Math.max(place.start, place.end - 1));
  return {
    file: unit.path,
    startLine: startLine + 1,
    endLine: endLine + 1,
    startColumn: place.start - starts[startLine] + 1,
    endColumn: place.end - starts[endLine] + 1,
    quote: unit.text.slice(place.start, place.end),
  };
}

/** What checking one part of a file (or the whole file) found. */
export interface PartResult {
  findings: ReviewFinding[];
  /** False when the tree holds a syntax error. */
  parsedCleanly: boolean;
  /** The last offset at which a rule looked a name up at the file's top level (CheckInput.moduleScope); -1 for none. */
  moduleScopeAt: number;
  /** True when the tree's top-level (column 0) import statements in the part's own range are exactly its planned ones (CheckPart.imports). */
  importsAsPlanned: boolean;
  /** True when a rule used a fact only the whole file holds (CheckInput.needsWholeFile). */
  needsWholeFile: boolean;
  /**
   * When asked for (a whole-file check): each finding's enclosing symbol, in the same order, read from
   * the check's own tree (fingerprint.ts symbolsFromTree). Absent when not asked for or not readable
   * there; empty when no rule looked at the file (there are no findings to name).
   */
  symbols?: string[];
}

/** What a check in parts found, and how it went. */
export interface SplitCheckResult {
  findings: ReviewFinding[];
  /** True when the findings came from the parts; false when the file was checked whole. */
  split: boolean;
  /** False when the file was checked whole and its parts would not stand alone next time either. */
  splitNextTime: boolean;
}

/**
 * Runs the offline rules on one file. Unsupported languages give []; files that do not fully
 * parse still give findings from the parts that do. Respects `unit.range` and `unit.changedLines`.
 */
export async function runOfflineChecks(unit: ReviewUnit, config: OfflineConfig): Promise<ReviewFinding[]> {
  return (await checkUnit(unit, config)).findings;
}

/** Findings and their enclosing symbols (see PartResult.symbols): what the CLI fingerprints without parsing again. */
export interface CheckedFile {
  findings: ReviewFinding[];
  symbols?: string[];
}

/** runOfflineChecks, with each finding's enclosing symbol read from the same tree (PartResult.symbols). */
export async function runOfflineChecksWithSymbols(unit: ReviewUnit, config: OfflineConfig): Promise<CheckedFile> {
  const { findings, symbols } = await checkUnit(unit, config, undefined, true);
  return { findings, symbols };
}

/**
 * The offline findings of one part of a file (see planParts): the parser reads only the part's
 * included ranges, and only findings starting in its own range are kept. Offsets, lines and
 * columns are the whole file's.
 */
export function runOfflineCheckPart(
  unit: ReviewUnit,
  config: OfflineConfig,
  part: CheckPart,
  options: { symbols?: boolean } = {},
): Promise<PartResult> {
  return checkUnit(unit, config, part, options.symbols === true);
}

/**
 * The offline findings of a file checked in parts side by side (`checkPart` runs one part, on a
 * worker thread in production), exactly as runOfflineChecks would give them: parts own disjoint,
 * ordered ranges, so their findings put together are in file order. The file is checked whole
 * instead (one more `checkPart` call) when it is too short to split, when `whole` is set, or when a
 * part cannot stand alone: its tree holds a syntax error (a split inside a multi-line string, or an
 * error in the file), its import statements are not the planned ones (one under `try:`, or text in
 * a string that looked like one), or a part after the first looked a name up at the file's top
 * level, which it holds only in part. The whole-file check also tells whether parts would stand
 * alone next time (`splitNextTime`).
 */
export async function runOfflineChecksInParts(
  unit: ReviewUnit,
  parts: number,
  checkPart: (part: CheckPart) => Promise<PartResult>,
  options: { whole?: boolean } = {},
): Promise<SplitCheckResult> {
  const grammar = grammarForUnit(unit.path, unit.language);
  const plan = grammar ? planParts(unit.text, familyOf(grammar), parts) : undefined;
  const checkWhole = async (): Promise<SplitCheckResult> => {
    const result = await checkPart(wholeFilePart(unit.text, plan?.[0].imports));
    // Lookups at the top level are fine before the first split: the first part holds all of that.
    const standsAlone =
      !plan ||
      (result.parsedCleanly &&
        result.importsAsPlanned &&
        !result.needsWholeFile &&
        result.moduleScopeAt < plan[1].own.start);
    return { findings: result.findings, split: false, splitNextTime: standsAlone };
  };
  if (!plan || options.whole) return checkWhole();
  const results = await Promise.all(plan.map((part) => checkPart(part)));
  const standAlone = results.every(
    (result, index) =>
      result.parsedCleanly &&
      result.importsAsPlanned &&
      !result.needsWholeFile &&
      (index === 0 || result.moduleScopeAt < 0),
  );
  if (!standAlone) return checkWhole();
  return { findings: results.flatMap((result) => result.findings), split: true, splitNextTime: true };
}

/** Where a line comment may follow a statement on its line, per language family. */
const LINE_COMMENT: Record<LanguageFamily, RegExp> = {
  js: /^[ \t]*(?:\/\/[^\n]*)?\r?$/,
  python: /^[ \t]*(?:#[^\n]*)?\r?$/,
  go: /^[ \t]*(?:\/\/[^\n]*)?\r?$/,
};

/**
 * True when the tree's import statements in the part's own range are exactly the planned ones and
 * each is alone on its last line (but for a line comment): another part includes those lines, and
 * anything else on them (`; /* a comment`, `; NOTE = """`) could open a comment or string there.
 * Python's indented imports (in functions, under `try:`) are the rules' business
 * (CheckInput.needsWholeFile); JavaScript and Go imports can only be at the top level.
 */
function importsMatchPlan(
  text: string,
  family: LanguageFamily,
  part: CheckPart,
  imports: readonly OffsetRange[],
): boolean {
  const inOwn = (offset: number): boolean => offset >= part.own.start && offset < part.own.end;
  const atColumnZero = (offset: number): boolean =>
    offset === 0 || text[offset - 1] === '\n' || (offset === 1 && text[0] === '\uFEFF');
  const found = imports
    .filter((node) => inOwn(node.start) && (family !== 'python' || atColumnZero(node.start)))
    .sort((a, b) => a.start - b.start);
  const planned = part.imports.filter(inOwn).sort((a, b) => a - b);
  if (found.length !== planned.length) return false;
  return found.every((node, index) => {
    if (node.start !== planned[index]) return false;
    const lineEnd = text.indexOf('\n', node.end);
    return LINE_COMMENT[family].test(text.slice(node.end, lineEnd < 0 ? text.length : lineEnd));
  });
}

/** Parser options for a part: its included ranges with the row/column positions tree-sitter also wants. */
function includedRanges(starts: readonly number[], ranges: readonly OffsetRange[]): Range[] {
  const point = (offset: number): Point => {
    const row = lastStartingBy(starts, offset);
    return { row, column: offset - starts[row] };
  };
  return ranges.map(({ start, end }) => ({
    startIndex: start,
    endIndex: end,
    startPosition: point(start),
    endPosition: point(end),
  }));
}

/** The result for a file no rule looks at (an unsupported language, every rule off). */
function nothingChecked(): PartResult {
  return {
    findings: [],
    parsedCleanly: true,
    moduleScopeAt: -1,
    importsAsPlanned: true,
    needsWholeFile: false,
    symbols: [],
  };
}

async function checkUnit(
  unit: ReviewUnit,
  config: OfflineConfig,
  part?: CheckPart,
  withSymbols = false,
): Promise<PartResult> {
  const grammar = grammarForUnit(unit.path, unit.language);
  if (!grammar) return nothingChecked();
  // The role decides which rules run: classified once here when the caller did not (see roles.ts).
  const roled: ReviewUnit = unit.role ? unit : { ...unit, role: classifyFile(unit.path, unit.text).role };
  if (activeRules(config, familyOf(grammar), roled.role ?? 'production').length === 0) return nothingChecked();
  const parser = await parserFor(grammar);
  const starts = lineStarts(unit.text);
  // An empty list of included ranges means the whole text.
  const ranges = part && part.included.length > 0 ? includedRanges(starts, part.included) : undefined;
  const tree = parser.parse(unit.text, null, ranges ? { includedRanges: ranges } : undefined);
  if (!tree) throw new Error(`Offline checks: the parser returned no tree for ${unit.path}.`);
  let checked: TreeCheckResult;
  let symbols: string[] | undefined;
  try {
    checked = checkTree(roled, config, grammar, tree, { region: part?.own, lineStarts: starts });
    // Only a tree of the whole text holds every declaration around a finding.
    if (withSymbols && !ranges)
      symbols = symbolsFromTree(
        unit.path,
        unit.text,
        grammar,
        tree,
        checked.findings.map((finding) => finding.startLine),
      );
  } finally {
    tree.delete();
  }
  return {
    symbols,
    findings: checked.findings,
    parsedCleanly: checked.parsedCleanly,
    moduleScopeAt: checked.moduleScopeAt,
    needsWholeFile: checked.needsWholeFile,
    importsAsPlanned: part ? importsMatchPlan(unit.text, familyOf(grammar), part, checked.imports) : true,
  };
}

/** What checkTree found: a part's result, plus what an incremental re-check keeps (incremental.ts). */
export interface TreeCheckResult extends PartResult {
  /** The start offset of each finding, in the same order. */
  offsets: number[];
  /** The import statements the rules saw. */
  imports: OffsetRange[];
}

/**
 * The offline findings in a parsed tree of the unit's text, keeping those that start in `region`
 * (the whole text by default). `descendants` narrows the nodes the rules see (an incremental
 * re-check passes a region's and the imports'). The caller owns the tree.
 */
export function checkTree(
  unit: ReviewUnit,
  config: OfflineConfig,
  grammar: GrammarName,
  tree: Tree,
  options: { region?: OffsetRange; descendants?: NodeSource; lineStarts?: readonly number[] } = {},
): TreeCheckResult {
  const role = unit.role ?? classifyFile(unit.path, unit.text).role;
  const checks = activeRules(config, familyOf(grammar), role);
  const starts = options.lineStarts ?? lineStarts(unit.text);
  const region = options.region ?? { start: 0, end: unit.text.length };
  const parsedCleanly = !tree.rootNode.hasError;
  const collected = collect(
    tree,
    unit.text,
    grammar,
    region,
    checks,
    config.ruleTimings,
    options.descendants,
    unit.facts,
  );
  let raw = collected.found;
  if (options.region) raw = raw.filter((item) => item.start >= region.start && item.start < region.end);
  const severityOf = new Map(checks.map(({ meta, severity }) => [meta.id, severity]));
  // Splitting a large file into lines only to find no directive costs more than this one search.
  const suppressed = mayHaveSuppressions(unit.text)
    ? suppressedLines(unit.text.split('\n'))
    : new Map<number, Set<string>>();
  const changed = unit.changedLines ? new Set(unit.changedLines) : undefined;
  const findings: ReviewFinding[] = [];
  const offsets: number[] = [];
  const seen = new Set<string>();
  for (const item of raw.sort((a, b) => a.start - b.start || a.ruleId.localeCompare(b.ruleId))) {
    const key = `${item.ruleId}:${item.start}:${item.end}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const meta = ruleMeta(item.ruleId);
    if (!meta) throw new Error(`Offline checks: rule ${item.ruleId} has no metadata.`);
    if (item.ruleId === 'hardcoded-secret') {
      const literal = unit.text.slice(item.subject?.start ?? item.start, item.subject?.end ?? item.end);
      // In tests and fixtures a credential a person chose for a fake user is not a leak (includeTests reports it).
      const name = /^`([^`]+)`/.exec(item.message)?.[1];
      if (TEST_ROLES.includes(role) && config.includeTests !== true && isTestsOwnCredential(literal, unit.text, name))
        continue;
      // A translation catalogue's values are labels (`password: 'Passwort'`); a provider's key format there is still a leak.
      if (isTranslationCatalogue(unit.path) && !hasProviderFormat(literal)) continue;
    }
    const place = locationOf(unit, starts, item);
    const finding: ReviewFinding = {
      title: meta.title,
      severity: severityOf.get(item.ruleId) ?? meta.defaultSeverity,
      category: meta.category,
      ...place,
      // The literal of a hardcoded secret is the secret: the quote (shown, explained in the chat, kept in
      // dismissal records, written by the CLI) carries a placeholder instead.
      quote: item.ruleId === 'hardcoded-secret' ? redactSecretLiteral(place.quote) : place.quote,
      message: item.message,
      suggestion: item.suggestion,
      fix: item.edit ? wholeLineFix(unit.text, starts, item.edit) : null,
      confidence: meta.confidence,
      ruleId: item.ruleId,
      origin: 'offline',
      role,
    };
    if (item.related && item.related.length > 0)
      finding.related = item.related.map((other) => locationOf(unit, starts, other));
    if (isSuppressed(suppressed, finding.startLine, finding.ruleId)) continue;
    // A peer analyzer's marker where the thing is written (a statement's text built above the call that
    // runs it, where gosec reports it; a key's literal): someone looked at it there.
    if (item.subject && isSuppressed(suppressed, lastStartingBy(starts, item.subject.start) + 1, finding.ruleId))
      continue;
    if (!touches(finding, unit, changed)) continue;
    findings.push(finding);
    offsets.push(item.start);
  }
  return {
    findings,
    offsets,
    parsedCleanly,
    moduleScopeAt: collected.moduleScopeAt,
    importsAsPlanned: true,
    needsWholeFile: collected.needsWholeFile,
    imports: collected.imports,
  };
}
