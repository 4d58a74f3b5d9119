import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { z } from 'zod';
import { errorMessage } from '../errorMessage';
import { CATEGORIES, DISMISSAL_REASONS, type ReviewFinding, type ReviewResult } from '../findings';
import { normaliseCode } from '../fingerprint';
import { redactSecrets } from './redact';

/**
 * `.backend-review-dismissals.json` at the project root, beside `.backend-review.json`: the findings
 * the team decided are not issues here, committed with the code so every teammate, the editor and the
 * CLI leave them out. Keyed by the finding's fingerprint (src/core/fingerprint.ts), which survives
 * line moves and changes with the code. The quoted code is stored redacted, so the file can be
 * committed; it also tells when a dismissal went stale (its code is gone from the file).
 */
export const DISMISSALS_FILE = '.backend-review-dismissals.json';
export const DISMISSALS_FILE_VERSION = 1;

const REASON_DESCRIPTION =
  'false-positive (the finding is wrong), wont-fix (right, but the team will not change it) or acceptable-here (right in general, fine in this place).';

export const dismissalEntrySchema = z
  .object({
    fingerprint: z
      .string()
      .regex(/^[0-9a-f]{32}$/, 'expected 32 hex characters')
      .describe('The finding fingerprint (JSON report `fingerprint`, SARIF partialFingerprints without `:n`).'),
    ruleId: z.string().min(1).describe('Rule id: an offline rule, or review/<category> for model findings.'),
    category: z.enum(CATEGORIES).optional().describe('The finding category.'),
    file: z.string().min(1).describe('Path of the file, relative to the project root, with "/".'),
    code: z.string().describe('The quoted code the finding was about, secrets redacted.'),
    title: z.string().optional().describe("The finding's title when it was dismissed."),
    reason: z.enum(DISMISSAL_REASONS).describe(REASON_DESCRIPTION),
    note: z.string().optional().describe('Why, in the words of whoever dismissed it.'),
    by: z.string().optional().describe('Who dismissed it.'),
    at: z.string().optional().describe('When (ISO 8601).'),
  })
  .strict();
export type DismissalEntry = z.infer<typeof dismissalEntrySchema>;

export const dismissalsFileSchema = z
  .object({
    $schema: z.string().optional(),
    version: z.literal(DISMISSALS_FILE_VERSION),
    dismissals: z.array(z.unknown()),
  })
  .strict()
  .describe('Backend Principal Reviewer: findings the team dismissed (.backend-review-dismissals.json).');

export interface LoadedDismissals {
  /** Where the file is (or would be). */
  path: string;
  exists: boolean;
  entries: DismissalEntry[];
  /** One message per bad entry or a bad file, naming the file and the entry. */
  errors: string[];
}

/** Where the project's dismissals live: the project root (repository root, else the folder given). */
export function dismissalsPath(projectRoot: string): string {
  return path.join(projectRoot, DISMISSALS_FILE);
}

/** Parses the file's text: bad entries are reported by index and dropped, the others apply. */
export function parseDismissals(text: string, file: string): { entries: DismissalEntry[]; errors: string[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    return { entries: [], errors: [`${file}: not valid JSON (${errorMessage(error)})`] };
  }
  const shape = dismissalsFileSchema.safeParse(raw);
  if (!shape.success) {
    const issue = shape.error.issues[0];
    return { entries: [], errors: [`${file}: ${issue.path.join('.') || 'file'}: ${issue.message}`] };
  }
  const entries: DismissalEntry[] = [];
  const errors: string[] = [];
  shape.data.dismissals.forEach((item, index) => {
    const entry = dismissalEntrySchema.safeParse(item);
    if (entry.success) entries.push(entry.data);
    else
      errors.push(
        `${file}: dismissals[${index}]: ${entry.error.issues
          .map((i) => `${[...i.path].join('.') || 'entry'}: ${i.message}`)
          .join('; ')} (entry ignored)`,
      );
  });
  return { entries, errors };
}

/** The dismissals as they are in a given text (for example the base revision's file), not on disk. */
export function dismissalsFromText(projectRoot: string, text: string | undefined, origin: string): LoadedDismissals {
  const file = dismissalsPath(projectRoot);
  if (text === undefined) return { path: file, exists: false, entries: [], errors: [] };
  return { path: file, exists: true, ...parseDismissals(text, `${DISMISSALS_FILE} (${origin})`) };
}

export async function loadDismissals(projectRoot: string): Promise<LoadedDismissals> {
  const file = dismissalsPath(projectRoot);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      return { path: file, exists: false, entries: [], errors: [] };
    return { path: file, exists: true, entries: [], errors: [`${file}: cannot read (${errorMessage(error)})`] };
  }
  return { path: file, exists: true, ...parseDismissals(text, DISMISSALS_FILE) };
}

/**
 * The file's text: entries sorted by file, rule and fingerprint, one per fingerprint, so two
 * teammates' additions merge as separate hunks and the same dismissal recorded twice stays one.
 */
export function serialiseDismissals(entries: readonly DismissalEntry[]): string {
  const unique = new Map<string, DismissalEntry>();
  for (const entry of entries) unique.set(entry.fingerprint, entry);
  const sorted = [...unique.values()].sort(
    (a, b) =>
      a.file.localeCompare(b.file) || a.ruleId.localeCompare(b.ruleId) || a.fingerprint.localeCompare(b.fingerprint),
  );
  return JSON.stringify({ version: DISMISSALS_FILE_VERSION, dismissals: sorted }, null, 2) + '\n';
}

/** Writes atomically (temp file + rename). */
export async function saveDismissals(file: string, entries: readonly DismissalEntry[]): Promise<void> {
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temp, serialiseDismissals(entries), 'utf8');
  await rename(temp, file);
}

/**
 * Reads, changes and writes the file, refusing to overwrite one it cannot parse (the team's
 * dismissals would be lost): the error names the file.
 */
export async function updateDismissals(
  projectRoot: string,
  change: (entries: DismissalEntry[]) => DismissalEntry[],
): Promise<DismissalEntry[]> {
  const loaded = await loadDismissals(projectRoot);
  if (loaded.errors.length > 0 && loaded.entries.length === 0 && loaded.exists)
    throw new Error(`${loaded.errors[0]}; fix or remove the file before recording a dismissal`);
  const next = change(loaded.entries);
  await saveDismissals(loaded.path, next);
  return next;
}

/** A new entry for a finding. Its quote is redacted once more here: the file is committed. */
export function dismissalFor(
  finding: Pick<ReviewFinding, 'ruleId' | 'category' | 'quote' | 'title'>,
  details: {
    fingerprint: string;
    /** Project-relative path with "/". */
    file: string;
    reason: DismissalEntry['reason'];
    note?: string;
    by?: string;
    at: Date;
  },
): DismissalEntry {
  const note = details.note?.trim();
  return {
    fingerprint: details.fingerprint,
    ruleId: finding.ruleId,
    category: finding.category,
    file: details.file.replace(/\\/g, '/'),
    code: redactSecrets(finding.quote).text,
    title: finding.title,
    reason: details.reason,
    ...(note ? { note: redactSecrets(note).text } : {}),
    ...(details.by ? { by: details.by } : {}),
    at: details.at.toISOString(),
  };
}

/**
 * Moves the findings the team dismissed out of `findings` into `dismissed`, each with its
 * suppression. Findings need their `fingerprint` set (see fingerprintFindings).
 */
export function applyDismissals(result: ReviewResult, entries: readonly DismissalEntry[]): ReviewResult {
  if (entries.length === 0) return result;
  const byFingerprint = new Map(entries.map((e) => [e.fingerprint, e]));
  const kept: ReviewFinding[] = [];
  const dismissed: ReviewFinding[] = [...(result.dismissed ?? [])];
  for (const finding of result.findings) {
    const entry = finding.fingerprint ? byFingerprint.get(finding.fingerprint) : undefined;
    if (!entry) {
      kept.push(finding);
      continue;
    }
    dismissed.push({
      ...finding,
      suppression: {
        reason: entry.reason,
        ...(entry.note ? { note: entry.note } : {}),
        ...(entry.by ? { by: entry.by } : {}),
        ...(entry.at ? { at: entry.at } : {}),
      },
    });
  }
  return { ...result, findings: kept, dismissed };
}

/** A dismissal as the model is told about it. */
export type TeamDecision = Pick<DismissalEntry, 'ruleId' | 'reason' | 'note' | 'code'>;

/** At most this many dismissals per file go to the model, the newest first. */
export const MAX_TEAM_DECISIONS_PER_FILE = 8;

/**
 * The team's decisions concerning one file (project-relative path): its dismissals, newest first,
 * at most MAX_TEAM_DECISIONS_PER_FILE. The prompt redacts and clips them again.
 */
export function teamDecisionsFor(entries: readonly DismissalEntry[], projectPath: string): TeamDecision[] {
  return entries
    .filter((entry) => entry.file === projectPath)
    .sort((a, b) => (b.at ?? '').localeCompare(a.at ?? ''))
    .slice(0, MAX_TEAM_DECISIONS_PER_FILE)
    .map(({ ruleId, reason, note, code }) => ({ ruleId, reason, ...(note ? { note } : {}), code }));
}

export interface StaleDismissal {
  entry: DismissalEntry;
  why: 'file-gone' | 'code-gone';
}

/**
 * Dismissals whose code is gone: the file no longer exists, or its (redacted, whitespace-free) text
 * no longer holds the dismissed code. An entry with no code is stale only when its file is gone.
 */
export async function staleDismissals(
  projectRoot: string,
  entries: readonly DismissalEntry[],
): Promise<StaleDismissal[]> {
  const texts = new Map<string, string | null>();
  const textOf = async (file: string): Promise<string | null> => {
    if (!texts.has(file)) {
      const absolute = path.resolve(projectRoot, file);
      const inside = !path.relative(projectRoot, absolute).startsWith('..') && !path.isAbsolute(file);
      let text: string | null = null;
      if (inside && existsSync(absolute)) {
        try {
          text = squeeze(redactSecrets(await readFile(absolute, 'utf8'), { path: file }).text);
        } catch {
          text = null;
        }
      }
      texts.set(file, text);
    }
    return texts.get(file) ?? null;
  };
  const stale: StaleDismissal[] = [];
  for (const entry of entries) {
    const text = await textOf(entry.file);
    if (text === null) stale.push({ entry, why: 'file-gone' });
    else if (!holdsCode(text, entry.code)) stale.push({ entry, why: 'code-gone' });
  }
  return stale;
}

/**
 * True when the squeezed text holds the code: the pieces between redaction placeholders in order
 * (a secret may be redacted under another name in the file than in the finding's quote).
 */
function holdsCode(squeezedText: string, code: string): boolean {
  let from = 0;
  for (const piece of code.split(/‹redacted:[^›]*›/)) {
    const squeezed = squeeze(piece);
    if (squeezed === '') continue;
    const at = squeezedText.indexOf(squeezed, from);
    if (at < 0) return false;
    from = at + squeezed.length;
  }
  return true;
}

/** Code with every whitespace run removed: the dismissed quote may span lines or be re-indented. */
function squeeze(code: string): string {
  return normaliseCode(code).replace(/ /g, '');
}
