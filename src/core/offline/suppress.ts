/**
 * Suppression comments: `// backend-review-ignore <id>[, <id>…]` or `# backend-review-ignore …`
 * on the line above a finding. A bare `backend-review-ignore` suppresses every rule on the next line.
 */
const DIRECTIVE = /^\s*(?:\/\/|#|\/\*)\s*backend-review-ignore\b([^*]*)/;

/** Text every directive contains: a file without it has no suppressions. */
export const SUPPRESSION_KEYWORD = 'backend-review-ignore';

/** Rule ids suppressed on each 1-based line; `'*'` means all rules. */
export function suppressedLines(lines: readonly string[]): Map<number, Set<string>> {
  const suppressed = new Map<number, Set<string>>();
  lines.forEach((line, index) => {
    const match = DIRECTIVE.exec(line);
    if (!match) return;
    // Text after `--` is a reason, not ids: `// backend-review-ignore silent-catch -- best effort`.
    const reasonAt = match[1].indexOf('--');
    const idList = (reasonAt >= 0 ? match[1].slice(0, reasonAt) : match[1]).split(/[\s,]+/).filter(Boolean);
    suppressed.set(index + 2, new Set(idList.length > 0 ? idList : ['*']));
  });
  return suppressed;
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
