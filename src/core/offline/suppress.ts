/**
 * Suppression comments: `// backend-review-ignore <id>[, <id>…]` or `# backend-review-ignore …`
 * on the line above a finding. A bare `backend-review-ignore` suppresses every rule on the next line.
 *
 * The markers of the analyzers a project already runs count too, on the finding's line or alone on
 * the line above: `# nosec` / `// #nosec` (bandit, gosec), `nosemgrep`, `NOSONAR` and golangci-lint's
 * `//nolint` / `//nolint:gosec`. Someone has looked at that line and said so; asking again is noise.
 * `nosec`/`nolint` on a line that opens brackets, or alone above one, covers the statement until they close.
 * With peer ids (`#nosec G402`, `# nosec B602`) only the rules of the same intent are suppressed.
 */
const DIRECTIVE = /^\s*(?:\/\/|#|\/\*)\s*backend-review-ignore\b([^*]*)/;

/** Text every directive contains: a file without it has no suppressions. */
export const SUPPRESSION_KEYWORD = 'backend-review-ignore';

/** A peer analyzer's marker in a comment: the marker and what follows it on the line. */
const PEER_MARKER = /(?:#|\/\/|\/\*|--)[ \t]*(?:#[ \t]*)?(nosec|nosemgrep|NOSONAR|nolint)\b(:?[^\n]*)/i;
/** Cheap test for any peer marker in a file. */
const PEER_KEYWORD = /nosec|nosemgrep|nosonar|nolint/i;

/** bandit's and gosec's check ids, as the rules of ours with the same intent. */
const PEER_IDS: Record<string, string> = {
  B105: 'hardcoded-secret',
  B106: 'hardcoded-secret',
  B107: 'hardcoded-secret',
  G101: 'hardcoded-secret',
  B110: 'silent-catch',
  B112: 'silent-catch',
  B113: 'http-no-timeout',
  B311: 'weak-random-secret',
  G404: 'weak-random-secret',
  B323: 'tls-verification-disabled',
  B501: 'tls-verification-disabled',
  B502: 'tls-verification-disabled',
  B503: 'tls-verification-disabled',
  G402: 'tls-verification-disabled',
  B602: 'command-injection',
  B604: 'command-injection',
  B605: 'command-injection',
  G204: 'command-injection',
  B608: 'sql-injection',
  B610: 'sql-injection',
  B611: 'sql-injection',
  G201: 'sql-injection',
  G202: 'sql-injection',
};

/** Whether a file may hold a suppression of either kind (one search instead of splitting lines). */
export function mayHaveSuppressions(text: string): boolean {
  return text.includes(SUPPRESSION_KEYWORD) || PEER_KEYWORD.test(text);
}

/** The rules a peer marker suppresses: `*` for all, or the ids its peer ids map to; none for another linter's nolint. */
function peerSuppression(marker: string, rest: string): Set<string> | undefined {
  if (marker.toLowerCase() === 'nolint') {
    // `//nolint` is every linter; `//nolint:gosec,errcheck` names them.
    if (!rest.startsWith(':')) return new Set(['*']);
    const linters = /^:([\w,-]+)/.exec(rest)?.[1].toLowerCase().split(',') ?? [];
    return linters.includes('gosec') ? new Set(['*']) : undefined;
  }
  if (marker.toLowerCase() !== 'nosec') return new Set(['*']);
  const ids = [...rest.matchAll(/\b([BG]\d{3})\b/g)].map((match) => match[1].toUpperCase());
  if (ids.length === 0) return new Set(['*']);
  const rules = ids.flatMap((id) => (PEER_IDS[id] ? [PEER_IDS[id]] : []));
  return rules.length > 0 ? new Set(rules) : undefined;
}

function addSuppression(suppressed: Map<number, Set<string>>, line: number, ids: Set<string>): void {
  const existing = suppressed.get(line);
  if (!existing) suppressed.set(line, new Set(ids));
  else for (const id of ids) existing.add(id);
}

/** Rule ids suppressed on each 1-based line; `'*'` means all rules. */
export function suppressedLines(lines: readonly string[]): Map<number, Set<string>> {
  const suppressed = new Map<number, Set<string>>();
  lines.forEach((line, index) => {
    const match = DIRECTIVE.exec(line);
    if (match) {
      // Text after `--` is a reason, not ids: `// backend-review-ignore silent-catch -- best effort`.
      const reasonAt = match[1].indexOf('--');
      const idList = (reasonAt >= 0 ? match[1].slice(0, reasonAt) : match[1]).split(/[\s,]+/).filter(Boolean);
      addSuppression(suppressed, index + 2, new Set(idList.length > 0 ? idList : ['*']));
      return;
    }
    if (!PEER_KEYWORD.test(line)) return;
    const peer = PEER_MARKER.exec(line);
    if (!peer) return;
    const ids = peerSuppression(peer[1], peer[2]);
    if (!ids) return;
    addSuppression(suppressed, index + 1, ids);
    // A marker alone on its line speaks for the next line. gosec, bandit and golangci-lint read `nosec` /
    // `nolint` as covering the whole statement there, and so the statement a marker after code opens
    // (`cfg := &tls.Config{ // #nosec G402`): the lines up to the bracket's close are covered too.
    // semgrep and Sonar speak for the line only.
    const alone = /^\s*(?:#|\/\/|\/\*|--)/.test(line);
    const from = alone ? index + 1 : index;
    if (alone) addSuppression(suppressed, index + 2, ids);
    if (!/^(?:nosec|nolint)$/i.test(peer[1])) return;
    const last = statementEnd(lines, from, from === index ? peer.index : undefined);
    for (let covered = from + 1; covered <= last; covered += 1) addSuppression(suppressed, covered + 1, ids);
  });
  return suppressed;
}

/** How far a statement that opens brackets on line `start` (0-based) reaches before they close, in lines. */
const MAX_STATEMENT_LINES = 100;

/**
 * The 0-based line where the brackets left open at the end of line `start` (read up to `end` on that
 * line) are closed again, or `start` when none is left open. Strings and trailing comments are skipped
 * on a best-effort reading of the text (this only widens a suppression someone wrote).
 */
function statementEnd(lines: readonly string[], start: number, end?: number): number {
  let depth = 0;
  for (let at = start; at < lines.length && at <= start + MAX_STATEMENT_LINES; at += 1) {
    const text = at === start && end !== undefined ? lines[at].slice(0, end) : (lines[at] ?? '');
    let quote = '';
    for (let i = 0; i < text.length; i += 1) {
      const c = text[i];
      if (quote) {
        if (c === '\\') i += 1;
        else if (c === quote) quote = '';
      } else if (c === '"' || c === "'" || c === '`') quote = c;
      else if (c === '#' || (c === '/' && text[i + 1] === '/')) break;
      else if (c === '(' || c === '[' || c === '{') depth += 1;
      else if (c === ')' || c === ']' || c === '}') depth -= 1;
    }
    if (depth <= 0) return at;
  }
  return start;
}

export function isSuppressed(suppressed: Map<number, Set<string>>, line: number, ruleId: string): boolean {
  const ids = suppressed.get(line);
  return !!ids && (ids.has('*') || ids.has(ruleId));
}

/** One line to write so that `ruleId` is suppressed on a line (the editor's "suppress here" quick fix). */
export interface SuppressionEdit {
  /** 1-based: the line to insert before (`replace: false`) or to replace (`replace: true`). */
  line: number;
  replace: boolean;
  text: string;
}

/**
 * The edit that suppresses `ruleId` on 1-based `line` of `lines`: a directive on its own line above,
 * indented like the line (`#` in Python, `//` elsewhere), or the id added to a directive already
 * there (before its `-- reason`). Undefined when the rule is suppressed there already.
 */
export function suppressionEdit(
  lines: readonly string[],
  line: number,
  ruleId: string,
  language: string | undefined,
): SuppressionEdit | undefined {
  if (isSuppressed(suppressedLines(lines.slice(Math.max(0, line - 2), line - 1)), 2, ruleId)) return undefined;
  const above = line >= 2 ? lines[line - 2] : undefined;
  if (above !== undefined && DIRECTIVE.test(above)) {
    const reasonAt = above.indexOf('--', above.indexOf(SUPPRESSION_KEYWORD));
    const head = (reasonAt >= 0 ? above.slice(0, reasonAt) : above).trimEnd();
    const tail = reasonAt >= 0 ? ` ${above.slice(reasonAt)}` : '';
    return { line: line - 1, replace: true, text: `${head}, ${ruleId}${tail}` };
  }
  const indent = /^\s*/.exec(lines[line - 1] ?? '')?.[0] ?? '';
  const comment = language === 'python' ? '#' : '//';
  return { line, replace: false, text: `${indent}${comment} ${SUPPRESSION_KEYWORD} ${ruleId}` };
}
