import { SEVERITIES, type ReviewResult, type Severity, type SkippedPart } from '../findings';
import { counted } from '../counted';
import { terminalSafe } from './terminal';

export interface TextFormatOptions {
  /** ANSI colours (the CLI turns them on for a TTY without NO_COLOR). */
  color: boolean;
}

const SEVERITY_COLOR: Record<Severity, string> = {
  critical: '\u001b[1;31m',
  high: '\u001b[31m',
  medium: '\u001b[33m',
  low: '\u001b[36m',
  info: '\u001b[34m',
};
const DIM = '\u001b[2m';
const BOLD = '\u001b[1m';
const RESET = '\u001b[0m';
/** Related places printed under a finding; the rest are counted. */
const RELATED_SHOWN = 5;

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((line) => prefix + line)
    .join('\n');
}

/** Files left out by policy for the same reason (binary, over the size cap…) listed one by one up to this many. */
const SKIPPED_SHOWN_PER_REASON = 3;

/**
 * Skipped parts, one line each; but a folder's 150 images would bury the findings, so files left out
 * by policy for one reason beyond the first few become one counted line (JSON and SARIF list them
 * all). A part that failed (the review is incomplete there) is always listed on its own.
 */
function skippedLines(skipped: readonly SkippedPart[]): string[] {
  const byReason = new Map<string, number>();
  for (const s of skipped) if (!s.failed) byReason.set(s.reason, (byReason.get(s.reason) ?? 0) + 1);
  const shown = new Map<string, number>();
  const lines: string[] = [];
  for (const s of skipped) {
    const count = s.failed ? 1 : (byReason.get(s.reason) ?? 1);
    if (count > SKIPPED_SHOWN_PER_REASON + 1) {
      const seen = (shown.get(s.reason) ?? 0) + 1;
      shown.set(s.reason, seen);
      if (seen > SKIPPED_SHOWN_PER_REASON) {
        if (seen === SKIPPED_SHOWN_PER_REASON + 1)
          lines.push(
            `skipped ${count - SKIPPED_SHOWN_PER_REASON} more for the same reason (${terminalSafe(s.reason)}); --format json lists them all`,
          );
        continue;
      }
    }
    const range =
      s.startLine !== undefined
        ? `:${s.startLine}${s.endLine !== undefined && s.endLine !== s.startLine ? `-${s.endLine}` : ''}`
        : '';
    lines.push(`skipped ${terminalSafe(s.file)}${range}: ${terminalSafe(s.reason)}`);
  }
  return lines;
}

/**
 * One block per finding: `path:line:col severity [ruleId] title`, then the message and the suggestion
 * indented; then skipped parts, notes, and a one-line summary with counts and request statistics.
 */
export function formatText(result: ReviewResult, options: TextFormatOptions): string {
  const paint = (code: string, text: string): string => (options.color ? `${code}${text}${RESET}` : text);
  const out: string[] = [];
  // Titles, messages, suggestions, summaries, notes, reasons and file names come from the model, servers
  // and the repository: each goes through terminalSafe; only our own colours are escape sequences.
  for (const f of result.findings) {
    const where = `${terminalSafe(f.file)}:${f.startLine}:${f.startColumn ?? 1}`;
    out.push(
      `${paint(BOLD, where)} ${paint(SEVERITY_COLOR[f.severity], f.severity)} ${paint(DIM, `[${terminalSafe(f.ruleId)}]`)} ${terminalSafe(f.title)}`,
    );
    if (f.message.trim() !== '') out.push(indent(terminalSafe(f.message.trim()), '    '));
    if (f.suggestion.trim() !== '') out.push(indent(`Suggestion: ${terminalSafe(f.suggestion.trim())}`, '    '));
    // A loop with fifty queries is one finding: its first places, then a count (JSON and SARIF list them all).
    const related = f.related ?? [];
    for (const r of related.slice(0, RELATED_SHOWN))
      out.push(paint(DIM, `    also at ${terminalSafe(r.file)}:${r.startLine}:${r.startColumn ?? 1}`));
    if (related.length > RELATED_SHOWN)
      out.push(paint(DIM, `    and ${related.length - RELATED_SHOWN} more places (--format json or sarif lists them)`));
    if (f.fix)
      out.push(
        paint(
          DIM,
          `    Fix available for ${f.fix.startLine === f.fix.endLine ? `line ${f.fix.startLine}` : `lines ${f.fix.startLine}-${f.fix.endLine}`}.`,
        ),
      );
    out.push('');
  }
  for (const line of skippedLines(result.skipped)) out.push(paint(DIM, line));
  for (const note of result.notes) out.push(paint(DIM, `note: ${terminalSafe(note)}`));
  for (const o of result.overkill ?? [])
    out.push(terminalSafe(`overkill here (${o.file}): ${o.title}${o.reason !== '' ? ` — ${o.reason}` : ''}`));
  if (result.summary.trim() !== '') out.push(terminalSafe(result.summary.trim()));

  const counts = SEVERITIES.map((severity) => ({
    severity,
    n: result.findings.filter((f) => f.severity === severity).length,
  })).filter((c) => c.n > 0);
  const files = new Set(result.findings.map((f) => f.file)).size;
  const total = result.findings.length;
  const breakdown =
    counts.length > 0
      ? ` (${counts.map((c) => paint(SEVERITY_COLOR[c.severity], `${c.n} ${c.severity}`)).join(', ')})`
      : '';
  const s = result.stats;
  const dismissed = result.dismissed?.length ?? 0;
  if (dismissed > 0)
    out.push(
      paint(DIM, `${counted(dismissed, 'finding')} dismissed by the team (.backend-review-dismissals.json) not shown`),
    );
  out.push(
    `${counted(total, 'finding')}${breakdown} in ${counted(files, 'file')}; ${result.skipped.length} skipped; ` +
      `${counted(s.requests, 'request')}, ${s.cachedChunks} cached, ${s.promptTokens}+${s.completionTokens} tokens, ${(s.durationMs / 1000).toFixed(1)}s`,
  );
  return out.join('\n') + '\n';
}
