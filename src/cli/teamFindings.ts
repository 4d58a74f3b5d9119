import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { errorMessage } from '../core/errorMessage';
import type { ReviewResult, SkippedPart } from '../core/findings';
import { fingerprintFindings, type KnownSymbol } from '../core/fingerprint';
import { newSinceBaseline, parseBaseline } from '../core/review/baseline';
import {
  applyDismissals,
  dismissalsFromText,
  loadDismissals,
  staleDismissals,
  updateDismissals,
  type DismissalEntry,
} from '../core/review/dismissals';
import type { ReviewUnit } from '../core/review/types';
import { UsageError } from './errors';
import type { CliIo } from './main';

/** A path relative to the project root, with "/": what fingerprints, dismissals and shards use. */
export function projectRelative(projectRoot: string, cwd: string, file: string): string {
  return path.relative(projectRoot, path.resolve(cwd, file)).split(path.sep).join('/');
}

/** `--shard K/N`: K from 1 to N. */
export interface Shard {
  index: number;
  count: number;
}

export function parseShard(value: string | undefined): Shard | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+)\/(\d+)$/.exec(value.trim());
  const index = match ? Number(match[1]) : NaN;
  const count = match ? Number(match[2]) : NaN;
  if (!match || count < 1 || index < 1 || index > count)
    throw new UsageError(`--shard "${value}" is not K/N with 1 ≤ K ≤ N (e.g. --shard 2/4)`);
  return { index, count };
}

/**
 * Which shard a file belongs to: a hash of its project-relative path, so every job of a CI matrix
 * agrees without talking to the others, a file stays in its shard when others are added, and the
 * shards together are exactly the whole review.
 */
export function shardOf(projectPath: string, count: number): number {
  const digest = createHash('sha256').update(projectPath).digest();
  return (digest.readUInt32BE(0) % count) + 1;
}

export function inShard<T>(items: readonly T[], pathOf: (item: T) => string, shard: Shard | undefined): T[] {
  if (!shard || shard.count === 1) return [...items];
  return items.filter((item) => shardOf(pathOf(item), shard.count) === shard.index);
}

export interface SettleOptions {
  units: readonly ReviewUnit[];
  projectRoot: string;
  io: CliIo;
  /** False with `--no-dismissals`. */
  dismissals: boolean;
  /**
   * For a diff review: the dismissals file as it is in the base revision. The change under review
   * cannot dismiss its own findings; dismissals it adds apply once it is merged.
   */
  baseDismissals?: { text: string | undefined; revision: string };
  /** Enclosing symbols the offline checks already read from their trees: those files are not parsed again. */
  knownSymbol?: KnownSymbol;
}

/**
 * After the review, before the report: each finding gets its fingerprint (from the file's text),
 * and the team's dismissals move findings out of the report's findings. Problems with the
 * dismissals file are warnings naming it (the findings then stay in the report: never fewer
 * findings because of a broken file).
 */
export async function settleFindings(result: ReviewResult, options: SettleOptions): Promise<ReviewResult> {
  const { io, projectRoot } = options;
  const texts = new Map(options.units.map((u) => [u.path, u.text]));
  const prints = await fingerprintFindings(
    result.findings,
    (file) => texts.get(file),
    (file) => projectRelative(projectRoot, io.cwd, file),
    options.knownSymbol,
  );
  let settled: ReviewResult = {
    ...result,
    findings: result.findings.map((f, i) => ({ ...f, fingerprint: prints[i] })),
  };
  if (options.dismissals) {
    const base = options.baseDismissals;
    const loaded = base ? dismissalsFromText(projectRoot, base.text, base.revision) : await loadDismissals(projectRoot);
    for (const error of loaded.errors) io.stderr.write(`backend-review: warning: ${error}\n`);
    if (base) {
      const worktree = await loadDismissals(projectRoot);
      const known = new Set(loaded.entries.map((e) => e.fingerprint));
      const added = worktree.entries.filter((e) => !known.has(e.fingerprint)).length;
      if (added > 0)
        io.stderr.write(
          `backend-review: ${added} dismissal${added === 1 ? '' : 's'} added by the reviewed change apply once it is merged (a change cannot dismiss its own findings; dismissals are read from ${base.revision}).\n`,
        );
    }
    settled = applyDismissals(settled, loaded.entries);
  }
  return settled;
}

/** `--baseline FILE`: only the findings not in that earlier report; a bad file is a usage error. */
export async function onlyNewFindings(result: ReviewResult, baselineFile: string, cwd: string): Promise<ReviewResult> {
  let text: string;
  try {
    text = await readFile(path.resolve(cwd, baselineFile), 'utf8');
  } catch (error) {
    throw new UsageError(`--baseline ${baselineFile}: cannot read (${errorMessage(error)})`);
  }
  let baseline;
  try {
    baseline = parseBaseline(text, `--baseline ${baselineFile}`);
  } catch (error) {
    throw new UsageError(errorMessage(error));
  }
  const fresh = newSinceBaseline(result, baseline);
  return {
    ...fresh.result,
    notes: [
      ...fresh.result.notes,
      `${fresh.known} of ${result.findings.length} findings are in the baseline ${baselineFile} and not reported`,
    ],
  };
}

/**
 * `--prune-dismissals`: removes from the dismissals file the entries whose code is gone (file
 * deleted, or the dismissed code no longer in it), and says which on stderr. Returns them.
 */
export async function pruneDismissals(projectRoot: string, io: CliIo, write: boolean): Promise<DismissalEntry[]> {
  const loaded = await loadDismissals(projectRoot);
  for (const error of loaded.errors) io.stderr.write(`backend-review: warning: ${error}\n`);
  if (!loaded.exists) {
    io.stderr.write(`backend-review: no ${path.basename(loaded.path)} in ${projectRoot}: nothing to prune.\n`);
    return [];
  }
  const stale = await staleDismissals(projectRoot, loaded.entries);
  for (const { entry, why } of stale)
    io.stderr.write(
      `backend-review: ${write ? 'pruned' : 'stale'} dismissal ${entry.fingerprint.slice(0, 12)} [${entry.ruleId}] ${entry.file}: ${why === 'file-gone' ? 'the file is gone' : 'the dismissed code is gone'}\n`,
    );
  if (write && stale.length > 0) {
    const gone = new Set(stale.map((s) => s.entry.fingerprint));
    try {
      await updateDismissals(projectRoot, (entries) => entries.filter((e) => !gone.has(e.fingerprint)));
    } catch (error) {
      throw new UsageError(`cannot prune ${loaded.path}: ${errorMessage(error)}`);
    }
  }
  io.stderr.write(
    `backend-review: ${stale.length} of ${loaded.entries.length} dismissals ${write ? 'pruned' : 'stale'}.\n`,
  );
  return stale.map((s) => s.entry);
}

/** Skipped parts of the files in the shard (a part belongs to its file's shard). */
export function skippedInShard(
  skipped: readonly SkippedPart[],
  projectPathOf: (file: string) => string,
  shard?: Shard,
) {
  return inShard(skipped, (s) => projectPathOf(s.file), shard);
}
