import { createHash } from 'node:crypto';
import { severityRank, type Mode, type ReviewFinding, type Severity } from '../../core/findings';
import { MODE_LABELS } from '../../core/personas/modes';
import { redactSecrets } from '../../core/review/redact';
import type { DismissalSubject } from './dismissals';
import type { KeyValueStore } from './state';

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

export function modeName(mode: Mode): string {
  return MODE_LABELS[mode];
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
      source: sourceLabel(finding.origin === 'offline' ? 'offline' : options.mode),
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

/** The fix is offered only while the text it replaces is still what was reviewed. */
export function fixApplies(finding: PublishedFinding, currentText: string): boolean {
  // Not a string: no fix lines, or a finding stored by a version that kept the lines themselves.
  if (!finding.fix || typeof finding.reviewedFixHash !== 'string') return false;
  const current = linesText(currentText, finding.fix.startLine, finding.fix.endLine);
  return current !== null && contentHash(current) === finding.reviewedFixHash;
}

export interface LineEdit {
  startLine: number;
  endLine: number;
  replacement: string;
  findingId: string;
}

/** The replacement text for whole lines: without the one trailing newline a model tends to add. */
export function replacementText(replacement: string): string {
  return replacement.endsWith('\r\n')
    ? replacement.slice(0, -2)
    : replacement.endsWith('\n')
      ? replacement.slice(0, -1)
      : replacement;
}

/**
 * Every fix that still applies, without overlaps (the more severe finding wins an overlap), in
 * top-to-bottom order, plus the ids of fixes left out and why.
 */
export function planFixes(
  findings: readonly PublishedFinding[],
  currentText: string,
): { edits: LineEdit[]; skipped: { findingId: string; reason: string }[] } {
  const skipped: { findingId: string; reason: string }[] = [];
  const candidates = findings
    .filter((finding) => {
      if (!finding.fix) return false;
      if (!fixApplies(finding, currentText)) {
        skipped.push({ findingId: finding.id, reason: 'the code changed since the review' });
        return false;
      }
      return true;
    })
    .sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
  const edits: LineEdit[] = [];
  for (const finding of candidates) {
    const fix = finding.fix as NonNullable<ReviewFinding['fix']>;
    if (edits.some((edit) => fix.startLine <= edit.endLine && edit.startLine <= fix.endLine)) {
      skipped.push({ findingId: finding.id, reason: 'it overlaps a more severe fix' });
      continue;
    }
    edits.push({
      startLine: fix.startLine,
      endLine: fix.endLine,
      replacement: replacementText(fix.replacement),
      findingId: finding.id,
    });
  }
  edits.sort((a, b) => a.startLine - b.startLine);
  return { edits, skipped };
}

/** Applies line edits to a text (what a WorkspaceEdit does in the editor); used by tests and previews. */
export function applyLineEdits(text: string, edits: readonly LineEdit[]): string {
  const lines = text.split('\n');
  for (const edit of [...edits].sort((a, b) => b.startLine - a.startLine)) {
    lines.splice(edit.startLine - 1, edit.endLine - edit.startLine + 1, ...edit.replacement.split('\n'));
  }
  return lines.join('\n');
}

interface StoredFindings {
  hash: string;
  savedAt: number;
  findings: PublishedFinding[];
}

// v2: findings keep a hash of the fix's lines. v1 entries kept the lines themselves (possibly a
// secret), so saving removes any left from an earlier version.
const STORE_PREFIX = 'backendReviewer.findings.v2:';
const LEGACY_STORE_PREFIXES = ['backendReviewer.findings.v1:'];

/**
 * Findings per file, keyed by URI and tagged with the hash of the text they belong to, so they come
 * back after a window reload only while the file is unchanged. Keeps the most recent `capacity` files.
 */
export class FindingStore {
  constructor(
    private readonly state: KeyValueStore,
    private readonly capacity = 200,
    private readonly now: () => number = Date.now,
  ) {}

  async save(uri: string, text: string, findings: readonly PublishedFinding[]): Promise<void> {
    for (const key of this.state.keys()) {
      if (LEGACY_STORE_PREFIXES.some((prefix) => key.startsWith(prefix))) await this.state.update(key, undefined);
    }
    if (findings.length === 0) {
      await this.state.update(STORE_PREFIX + uri, undefined);
      return;
    }
    const entry: StoredFindings = { hash: contentHash(text), savedAt: this.now(), findings: [...findings] };
    await this.state.update(STORE_PREFIX + uri, entry);
    const keys = this.state.keys().filter((key) => key.startsWith(STORE_PREFIX));
    if (keys.length > this.capacity) {
      const byAge = keys
        .map((key) => ({ key, savedAt: this.state.get<StoredFindings>(key)?.savedAt ?? 0 }))
        .sort((a, b) => a.savedAt - b.savedAt);
      for (const { key } of byAge.slice(0, keys.length - this.capacity)) await this.state.update(key, undefined);
    }
  }

  /** The stored findings when `text` is exactly the text they were saved with; otherwise undefined. */
  load(uri: string, text: string): PublishedFinding[] | undefined {
    const entry = this.state.get<StoredFindings>(STORE_PREFIX + uri);
    if (!entry || entry.hash !== contentHash(text)) return undefined;
    return entry.findings;
  }

  /** URIs (as strings) with stored findings. */
  uris(): string[] {
    return this.state
      .keys()
      .filter((key) => key.startsWith(STORE_PREFIX))
      .map((key) => key.slice(STORE_PREFIX.length));
  }

  async remove(uri: string): Promise<void> {
    await this.state.update(STORE_PREFIX + uri, undefined);
  }

  async clear(): Promise<void> {
    for (const key of this.state.keys()) if (key.startsWith(STORE_PREFIX)) await this.state.update(key, undefined);
  }
}

/** What to do with a file's stored findings when restoring them from the text on disk. */
export type StoredRestore =
  { action: 'skip' } | { action: 'remove' } | { action: 'restore'; findings: PublishedFinding[] };

/**
 * Stored findings of a file, restored against its text on disk. `shown`: the file already has
 * findings in memory (a publish or an open document's restore came first; they win). `openText`:
 * the text of the file's open document, if any; when it differs from the disk (unsaved edits) the
 * stored findings belong to the disk text, not to what the editor shows, so they stay stored and
 * are not shown. Stored findings for a different disk text are removed.
 */
export function restoreFromDisk(
  store: FindingStore,
  key: string,
  diskText: string,
  now: { shown: boolean; openText: string | undefined },
): StoredRestore {
  if (now.shown) return { action: 'skip' };
  if (now.openText !== undefined && now.openText !== diskText) return { action: 'skip' };
  const findings = store.load(key, diskText);
  return findings ? { action: 'restore', findings } : { action: 'remove' };
}

/**
 * On closing a document: its findings stay when they belong to the text on disk (`textHash` equals
 * the disk text's hash); otherwise they followed unsaved edits that were just discarded (or the file
 * is gone), so they must be replaced by what is stored for the disk text, or dropped.
 */
export function keepOnClose(textHash: string | null, diskText: string | undefined): boolean {
  return diskText !== undefined && textHash !== null && textHash === contentHash(diskText);
}

/** What "Explain" types into the chat: the participant, the command and the finding. */
export function explainQuery(finding: PublishedFinding, participantName: string): string {
  const where = `${finding.file}:${finding.startLine}${finding.endLine !== finding.startLine ? `-${finding.endLine}` : ''}`;
  // Published quotes are already redacted; findings restored from an older store may not be.
  const code = redactSecrets(finding.quote, { path: finding.file }).text.trim();
  const quote = code !== '' ? `\nCode: ${code.split('\n').slice(0, 8).join('\n')}` : '';
  return `@${participantName} /explain ${finding.title} [${finding.ruleId}, ${finding.severity}] at ${where}: ${finding.message.trim()}${quote}`;
}
