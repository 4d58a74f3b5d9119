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
