import type { ReviewFinding, ReviewResult, Severity } from '../findings';
import { counted } from '../counted';
import { visibleEscape } from './terminal';

/**
 * GitHub Actions workflow commands (`::error file=…,line=…::message`): each finding becomes an
 * annotation on the pull request's diff with no upload step. Printed to stdout in a workflow step.
 */
export type GithubCommand = 'error' | 'warning' | 'notice';

export function githubCommand(severity: Severity): GithubCommand {
  if (severity === 'critical' || severity === 'high') return 'error';
  if (severity === 'medium') return 'warning';
  return 'notice';
}

/**
 * Control characters other than line breaks, and the Unicode ones that reorder or hide text: a
 * finding's text can quote the reviewed code, which is untrusted. The Actions log shows them as
 * visible escapes (`\x1b`, `\u202e`), as the terminal does, rather than dropping them unseen.
 */
const UNSAFE = /[\u0000-\u0009\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/** The message part: `%`, CR and LF percent-encoded (the runner decodes them), so it stays one line. */
export function escapeData(text: string): string {
  return text.replace(UNSAFE, visibleEscape).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A property value: as data, plus `:` and `,`, which would end the value. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function command(f: ReviewFinding): string {
  const properties: Array<[string, string | number]> = [
    ['file', f.file],
    ['line', f.startLine],
    ['endLine', Math.max(f.startLine, f.endLine)],
  ];
  // Columns only within one line: GitHub ignores col/endColumn on multi-line annotations.
  if (f.startColumn !== undefined && f.endLine <= f.startLine) {
    properties.push(['col', f.startColumn]);
    if (f.endColumn !== undefined && f.endColumn > f.startColumn) properties.push(['endColumn', f.endColumn]);
  }
  properties.push(['title', `${f.title} [${f.ruleId}]`]);
  const message = [f.message.trim(), f.suggestion.trim() ? `Suggestion: ${f.suggestion.trim()}` : '']
    .filter((s) => s !== '')
    .join('\n\n');
  const props = properties.map(([key, value]) => `${key}=${escapeProperty(String(value))}`).join(',');
  return `::${githubCommand(f.severity)} ${props}::${escapeData(`[${f.severity}] ${message || f.title}`)}`;
}

/** One command per finding (dismissed ones left out), then a notice with the counts. */
export function formatGithub(result: ReviewResult): string {
  const lines = result.findings.map(command);
  for (const s of result.skipped)
    lines.push(`::notice file=${escapeProperty(s.file)},title=Not reviewed::${escapeData(s.reason)}`);
  const dismissed = result.dismissed?.length ?? 0;
  lines.push(
    `::notice title=Backend Principal Reviewer::${escapeData(
      `${counted(result.findings.length, 'finding')}, ${result.skipped.length} skipped${dismissed ? `, ${dismissed} dismissed by the team` : ''}`,
    )}`,
  );
  return lines.join('\n') + '\n';
}
