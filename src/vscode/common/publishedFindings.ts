import { createHash } from 'node:crypto';
import { severityRank, type Mode, type ReviewFinding, type Severity } from '../../core/findings';
import { MODE_LABELS } from '../../core/personas/modes';
import { redactSecrets } from '../../core/review/redact';
import type { DismissalSubject } from './dismissals';

/**
 * Findings as the editor shows them: the engine's finding plus what the editor needs to keep it
 * honest (a hash of the text its fix was computed against, the dismissal subject, the diagnostic
 * source). They are kept in workspaceState and quoted in the chat, so they hold no secret: quotes and
 * dismissal code are redacted, and the reviewed lines are kept only as a hash.
 * Pure: diagnostics.ts turns these into `vscode.Diagnostic`s.
 */
export interface PublishedFinding extends ReviewFinding {
  /** Unique within its file's current set (diagnostics and code actions refer to it). */
  id: string;
  /** Diagnostic source, e.g. "Backend Reviewer · Pragmatic". */
  source: string;
  /** sha256 of the fix's lines when the review ran; the fix is offered only while they are unchanged. */
  reviewedFixHash: string | null;
  dismissal: DismissalSubject;
}

export type DiagnosticLevel = 'error' | 'warning' | 'information' | 'hint';

export function diagnosticLevel(severity: Severity): DiagnosticLevel {
  switch (severity) {
    case 'critical':
    case 'high':
      return 'error';
    case 'medium':
      return 'warning';
    case 'low':
      return 'information';
    case 'info':
      return 'hint';
  }
}

export const REVIEWER_NAME = 'Backend Reviewer';
export function sourceLabel(origin: Mode | 'offline'): string {
  return `${REVIEWER_NAME} · ${origin === 'offline' ? 'offline' : MODE_LABELS[origin]}`;
}

/** Lines `startLine..endLine` (1-based, inclusive) of `text`, joined with `\n`; null when out of range. */
export function linesText(text: string, startLine: number, endLine: number): string | null {
  const lines = text.split(/\r?\n/);
  if (startLine < 1 || endLine < startLine || endLine > lines.length) return null;
  return lines.slice(startLine - 1, endLine).join('\n');
}

/**
 * Whether workspace-relative paths (in findings, review units and dismissal keys) start with the
 * folder name: with more than one workspace folder, `a/src/x.ts` and `b/src/x.ts` would otherwise
 * both be `src/x.ts` and share findings and dismissals.
 */
export function folderNameInPaths(workspaceFolderCount: number): boolean {
  return workspaceFolderCount > 1;
}

export function contentHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Prepares engine findings for one file, given the file's text at review time. */
export function toPublished(
  findings: readonly ReviewFinding[],
  options: { text: string; relativePath: string; mode: Mode },
): PublishedFinding[] {
  const redact = (text: string): string => redactSecrets(text, { path: options.relativePath }).text;
  return findings.map((finding, index) => {
    const quote = redact(finding.quote);
    const code =
      quote.trim() !== '' ? quote : redact(linesText(options.text, finding.startLine, finding.endLine) ?? '');
    const fixLines = finding.fix ? linesText(options.text, finding.fix.startLine, finding.fix.endLine) : null;
    return {
      ...finding,
      quote,
      id: `${index}:${finding.ruleId}:${finding.startLine}`,
      // An offline finding the model confirmed names both, as the editor does for the two published apart.
      source:
        finding.origin === 'offline'
          ? `${sourceLabel('offline')}${finding.confirmedByModel ? ` + ${MODE_LABELS[options.mode]}` : ''}`
          : sourceLabel(options.mode),
      reviewedFixHash: fixLines === null ? null : contentHash(fixLines),
      dismissal: { ruleId: finding.ruleId, file: options.relativePath, code },
    };
  });
}

/**
 * What a publish replaces: everything (a file review), only offline-check findings (offline checks
 * on open/save), findings within a line range (a selection review), or findings within any of
 * several ranges (a diff review: model findings within the changed lines widened by the slack the
 * engine keeps them in, offline findings on the changed lines themselves, as the offline checks of
 * a diff report only those). A review of part of a file never removes findings about the rest.
 */
export type LineRange = { startLine: number; endLine: number };
export type Replace = 'all' | 'offline' | LineRange | { ranges: LineRange[]; offlineRanges: LineRange[] };

/** Whether an existing finding survives a publish that replaces `replace`. */
export function keepOnPublish(finding: PublishedFinding, replace: Replace): boolean {
  if (replace === 'all') return false;
  if (replace === 'offline') return finding.origin !== 'offline';
  const ranges =
    'ranges' in replace ? (finding.origin === 'offline' ? replace.offlineRanges : replace.ranges) : [replace];
  return ranges.every((range) => finding.endLine < range.startLine || finding.startLine > range.endLine);
}

/**
 * The ranges a diff review of a file covers: its changed lines (1-based), widened by `slack` lines
 * each way (the engine keeps findings that touch a changed line within that slack) and merged.
 */
export function changedRanges(changedLines: readonly number[], slack: number): LineRange[] {
  const ranges: LineRange[] = [];
  for (const line of [...changedLines].sort((a, b) => a - b)) {
    const startLine = Math.max(1, line - slack);
    const endLine = line + slack;
    const last = ranges[ranges.length - 1];
    if (last && startLine <= last.endLine + 1) last.endLine = Math.max(last.endLine, endLine);
    else ranges.push({ startLine, endLine });
  }
  return ranges;
}

export function isShown(finding: ReviewFinding, minimumSeverity: Severity): boolean {
  return severityRank(finding.severity) >= severityRank(minimumSeverity);
}

/** What "Explain" types into the chat: the participant, the command and the finding. */
export function explainQuery(finding: PublishedFinding, participantName: string): string {
  const where = `${finding.file}:${finding.startLine}${finding.endLine !== finding.startLine ? `-${finding.endLine}` : ''}`;
  // Published quotes are already redacted; findings restored from an older store may not be.
  const code = redactSecrets(finding.quote, { path: finding.file }).text.trim();
  const quote = code !== '' ? `\nCode: ${code.split('\n').slice(0, 8).join('\n')}` : '';
  return `@${participantName} /explain ${finding.title} [${finding.ruleId}, ${finding.severity}] at ${where}: ${finding.message.trim()}${quote}`;
}
