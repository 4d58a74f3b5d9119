import * as path from 'node:path';
import type { DismissalReason, ReviewFinding } from '../../core/findings';
import { fingerprintFindings } from '../../core/fingerprint';
import type { Logger } from '../../core/log';
import { dismissalFor, loadDismissals, updateDismissals, type DismissalEntry } from '../../core/review/dismissals';
import { findRepositoryRoot } from '../../core/review/files';

/**
 * The team's dismissals (`.backend-review-dismissals.json` at each project root) as the editor uses
 * them: which fingerprints are dismissed, and recording a new one. No `vscode` import: the extension
 * passes whether the workspace is trusted (an untrusted workspace's own file must not hide findings)
 * and calls `reload` when its watcher sees the file change.
 */
export class RepositoryDismissals {
  private readonly byRoot = new Map<string, Map<string, DismissalEntry>>();

  constructor(
    private readonly trusted: () => boolean,
    private readonly logger: Logger,
  ) {}

  /** Reads (again) the dismissals of a project root; problems are logged naming the file. */
  async reload(projectRoot: string): Promise<void> {
    const loaded = await loadDismissals(projectRoot);
    for (const error of loaded.errors) this.logger.warn(error);
    this.byRoot.set(projectRoot, new Map(loaded.entries.map((entry) => [entry.fingerprint, entry])));
  }

  /** The entry dismissing this fingerprint, when the workspace is trusted and one does. */
  dismissalOf(fingerprint: string | undefined): DismissalEntry | undefined {
    if (!fingerprint || !this.trusted()) return undefined;
    for (const entries of this.byRoot.values()) {
      const entry = entries.get(fingerprint);
      if (entry) return entry;
    }
    return undefined;
  }

  isDismissed(fingerprint: string | undefined): boolean {
    return this.dismissalOf(fingerprint) !== undefined;
  }

  /** Every loaded entry with its project root, newest first. */
  list(): { root: string; entry: DismissalEntry }[] {
    return [...this.byRoot.entries()]
      .flatMap(([root, entries]) => [...entries.values()].map((entry) => ({ root, entry })))
      .sort((a, b) => (b.entry.at ?? '').localeCompare(a.entry.at ?? ''));
  }

  /** The project roots loaded. */
  roots(): string[] {
    return [...this.byRoot.keys()];
  }

  /** Adds a dismissal to the project's file (creating it) and takes it into account at once. */
  async record(
    projectRoot: string,
    finding: ReviewFinding & { fingerprint: string },
    filePath: string,
    details: { reason: DismissalReason; note?: string; by?: string; at: Date },
  ): Promise<DismissalEntry> {
    const entry = dismissalFor(finding, {
      fingerprint: finding.fingerprint,
      file: projectPath(projectRoot, filePath),
      ...details,
    });
    await updateDismissals(projectRoot, (entries) => [
      ...entries.filter((e) => e.fingerprint !== entry.fingerprint),
      entry,
    ]);
    await this.reload(projectRoot);
    return entry;
  }

  /** Removes a dismissal from its project's file; false when it was not there. */
  async restore(projectRoot: string, fingerprint: string): Promise<boolean> {
    let found = false;
    await updateDismissals(projectRoot, (entries) =>
      entries.filter((e) => {
        if (e.fingerprint !== fingerprint) return true;
        found = true;
        return false;
      }),
    );
    await this.reload(projectRoot);
    return found;
  }
}

/**
 * The project a file belongs to, as the CLI finds it: the nearest folder with `.git` above the file,
 * else the workspace folder holding it. Fingerprints and the dismissals file are relative to it.
 */
export function projectRootFor(filePath: string, workspaceFolder: string | undefined): string | undefined {
  return findRepositoryRoot(path.dirname(filePath)) ?? workspaceFolder;
}

export function projectPath(projectRoot: string, filePath: string): string {
  return path.relative(projectRoot, filePath).split(path.sep).join('/');
}

/**
 * Findings with their fingerprint, computed on the text they were anchored to (the same recipe and
 * project-relative path as the CLI's, so a dismissal recorded here matches there). Files outside any
 * project (untitled, no folder) keep theirs unset.
 */
export async function withFingerprints<F extends ReviewFinding>(
  findings: readonly F[],
  text: string,
  filePath: string | undefined,
  projectRoot: string | undefined,
): Promise<F[]> {
  if (!filePath || !projectRoot || findings.length === 0) return [...findings];
  const relative = projectPath(projectRoot, filePath);
  const prints = await fingerprintFindings(
    findings,
    () => text,
    () => relative,
  );
  return findings.map((finding, i) => ({ ...finding, fingerprint: prints[i] }));
}
