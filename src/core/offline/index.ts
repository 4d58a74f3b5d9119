import type { Node, Tree } from '@vscode/tree-sitter-wasm';
import type { ReviewFinding } from '../findings';
import { redactSecretLiteral } from '../review/redact';
import type { ReviewUnit } from '../review/types';
import { parserFor } from './grammars';
import { grammarForUnit } from './languages';
import { GO_NODE_TYPES, GO_RULES } from './rules/go';
import { JS_NODE_TYPES, JS_RULES } from './rules/javascript';
import { OFFLINE_RULES, ruleMeta } from './rules/meta';
import { PYTHON_NODE_TYPES, PYTHON_RULES } from './rules/python';
import { isSuppressed, SUPPRESSION_KEYWORD, suppressedLines } from './suppress';
import { lastStartingBy } from './syntax';
import { familyOf, type CheckInput, type GrammarName, type LanguageFamily, type OfflineConfig, type OfflineRuleMeta, type RawFinding, type RuleChecker, type TextEdit } from './types';

export { OFFLINE_RULES, ruleHelpUri, ruleMeta } from './rules/meta';
export { supportedLanguage } from './languages';
export { loadGrammars, wasmFiles } from './grammars';
export { parseRuleOverrides } from './config';
export type { OfflineConfig, OfflineRuleMeta, RuleOverride, GrammarName, LanguageFamily } from './types';

const CHECKERS: Record<LanguageFamily, Record<string, RuleChecker>> = { js: JS_RULES, python: PYTHON_RULES, go: GO_RULES };
const NODE_TYPES: Record<LanguageFamily, readonly string[]> = { js: JS_NODE_TYPES, python: PYTHON_NODE_TYPES, go: GO_NODE_TYPES };

/** Rules that run for this config and language family, with their effective severity. */
function activeRules(config: OfflineConfig, family: LanguageFamily): Array<{ meta: OfflineRuleMeta; check: RuleChecker; severity: ReviewFinding['severity'] }> {
  const active = [];
  for (const meta of OFFLINE_RULES) {
    const check = CHECKERS[family][meta.id];
    if (!check) continue;
    const override = config.rules?.[meta.id];
    if (override?.enabled === false) continue;
    if (meta.modes && !meta.modes.includes(config.mode)) continue;
    active.push({ meta, check, severity: override?.severity ?? meta.defaultSeverity });
  }
  return active;
}

/** Start offsets of each line (UTF-16), for offset → line/column (the line is lastStartingBy(starts, offset)). */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let index = text.indexOf('\n'); index >= 0; index = text.indexOf('\n', index + 1)) starts.push(index + 1);
  return starts;
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

function collect(tree: Tree, text: string, grammar: GrammarName, checks: Array<{ meta: OfflineRuleMeta; check: RuleChecker }>): RawFinding[] {
  const found: RawFinding[] = [];
  // One walk of the tree collects every node type the family's rules ask for (walking once per
  // type dominated the run time on large files).
  const byType = new Map<string, Node[]>();
  const wanted = NODE_TYPES[familyOf(grammar)];
  for (const type of wanted) byType.set(type, []);
  for (const node of tree.rootNode.descendantsOfType([...wanted])) {
    if (node) byType.get(node.type)?.push(node);
  }
  let currentRule = '';
  const input: CheckInput = {
    tree,
    text,
    grammar,
    nodesOfType(type) {
      let nodes = byType.get(type);
      if (!nodes) {
        nodes = tree.rootNode.descendantsOfType(type).filter((node): node is Node => node !== null);
        byType.set(type, nodes);
      }
      return nodes;
    },
    report(node, ruleId, message, suggestion, edit) {
      if (ruleId !== currentRule) throw new Error(`Offline rule ${currentRule} reported under another rule id (${ruleId}).`);
      found.push({ ruleId, start: node.startIndex, end: node.endIndex, message, suggestion, edit });
    },
  };
  for (const { meta, check } of checks) {
    currentRule = meta.id;
    check(input);
  }
  return found;
}

function touches(finding: ReviewFinding, unit: ReviewUnit, changed: Set<number> | undefined): boolean {
  if (unit.range && (finding.endLine < unit.range.startLine || finding.startLine > unit.range.endLine)) return false;
  if (changed) {
    for (let line = finding.startLine; line <= finding.endLine; line += 1) if (changed.has(line)) return true;
    return false;
  }
  return true;
}

/**
 * Runs the offline rules on one file. Unsupported languages give []; files that do not fully
 * parse still give findings from the parts that do. Respects `unit.range` and `unit.changedLines`.
 */
export async function runOfflineChecks(unit: ReviewUnit, config: OfflineConfig): Promise<ReviewFinding[]> {
  const grammar = grammarForUnit(unit.path, unit.language);
  if (!grammar) return [];
  const checks = activeRules(config, familyOf(grammar));
  if (checks.length === 0) return [];
  const parser = await parserFor(grammar);
  const tree = parser.parse(unit.text);
  if (!tree) throw new Error(`Offline checks: the parser returned no tree for ${unit.path}.`);
  let raw: RawFinding[];
  try {
    raw = collect(tree, unit.text, grammar, checks);
  } finally {
    tree.delete();
  }
  const severityOf = new Map(checks.map(({ meta, severity }) => [meta.id, severity]));
  const starts = lineStarts(unit.text);
  // Splitting a large file into lines only to find no directive costs more than this one search.
  const suppressed = unit.text.includes(SUPPRESSION_KEYWORD) ? suppressedLines(unit.text.split('\n')) : new Map<number, Set<string>>();
  const changed = unit.changedLines ? new Set(unit.changedLines) : undefined;
  const findings: ReviewFinding[] = [];
  const seen = new Set<string>();
  for (const item of raw.sort((a, b) => a.start - b.start || a.ruleId.localeCompare(b.ruleId))) {
    const key = `${item.ruleId}:${item.start}:${item.end}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const meta = ruleMeta(item.ruleId);
    if (!meta) throw new Error(`Offline checks: rule ${item.ruleId} has no metadata.`);
    const startLine = lastStartingBy(starts, item.start);
    const endLine = lastStartingBy(starts, Math.max(item.start, item.end - 1));
    const finding: ReviewFinding = {
      title: meta.title,
      severity: severityOf.get(item.ruleId) ?? meta.defaultSeverity,
      category: meta.category,
      startLine: startLine + 1,
      endLine: endLine + 1,
      startColumn: item.start - starts[startLine] + 1,
      endColumn: item.end - starts[endLine] + 1,
      // The literal of a hardcoded secret is the secret: the quote (shown, explained in the chat, kept in
      // dismissal records, written by the CLI) carries a placeholder instead.
      quote: item.ruleId === 'hardcoded-secret' ? redactSecretLiteral(unit.text.slice(item.start, item.end)) : unit.text.slice(item.start, item.end),
      message: item.message,
      suggestion: item.suggestion,
      fix: item.edit ? wholeLineFix(unit.text, starts, item.edit) : null,
      confidence: meta.confidence,
      file: unit.path,
      ruleId: item.ruleId,
      origin: 'offline',
    };
    if (isSuppressed(suppressed, finding.startLine, finding.ruleId)) continue;
    if (!touches(finding, unit, changed)) continue;
    findings.push(finding);
  }
  return findings;
}
