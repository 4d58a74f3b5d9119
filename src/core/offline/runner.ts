import { existsSync } from 'node:fs';
import { errorMessage } from '../errorMessage';
import type { ReviewFinding } from '../findings';
import type { ReviewUnit } from '../review/types';
import { IncrementalChecker } from './incremental';
import { runOfflineChecks } from './index';
import { createOfflinePool, OfflineWorkerError, type OfflinePool } from './pool';
import { MIN_LINES_PER_PART } from './segments';
import type { OfflineConfig } from './types';

export interface OfflineRunnerOptions {
  /** The bundled worker script (dist/offlineWorker.js). */
  workerFile: string;
  /** Worker threads, and so parts per large file; below 2 every file is checked inline. */
  threads: number;
  /** Stop the workers after this long without a check (they hold a copy of the grammars). */
  idleMs?: number;
  execArgv?: string[];
  /**
   * Keep each document's last tree for incremental re-checks (the editor: on by default). Off, every
   * check is a fresh one (the bench measuring checks in parts; tests of the worker pool).
   */
  keepTrees?: boolean;
  /** Where a worker failure is reported before the file is checked inline instead. */
  warn(message: string): void;
}

const DEFAULT_IDLE_MS = 60_000;
/** Files remembered as better checked whole (see `checkWhole`); the oldest is forgotten first. */
const MAX_REMEMBERED_FILES = 200;
/** Documents whose last tree is kept for incremental re-checks; the least recently checked is forgotten first. */
const MAX_KEPT_TREES = 30;

/** True when the text has at least `lines` lines (stops counting there). */
function hasLines(text: string, lines: number): boolean {
  let count = 1;
  for (let index = text.indexOf('\n'); index >= 0 && count < lines; index = text.indexOf('\n', index + 1)) count += 1;
  return count >= lines;
}

/**
 * Offline checks for a long-lived host (the editor). Most files are checked inline in a few
 * milliseconds; a file long enough for two parts (see segments.ts) is split and checked on worker
 * threads side by side, which cuts the wait for a 10,000-line file by about a third on two cores.
 * The workers start on the first such file and stop after a quiet minute. If they fail, the failure
 * is reported through `warn` and the file is checked inline, so findings never go missing; an error
 * of the check itself is the caller's, as it would be inline.
 */
export class OfflineRunner {
  private pool: OfflinePool | undefined;
  /** Checks running per pool: a pool that was replaced is stopped only once its last check is done. */
  private readonly inFlight = new Map<OfflinePool, number>();
  private idleTimer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Set when the workers cannot be started or fail twice in a row: later files are checked inline without trying again. */
  private startFailure: string | undefined;
  /** Worker failures since the last check they answered. */
  private failuresInARow = 0;
  /**
   * Paths whose last check could not use its parts (a syntax error the user is still fixing,
   * top-level code the rules follow): checked whole on a worker until that changes, instead of in
   * parts and then again whole.
   */
  private readonly checkWhole = new Set<string>();
  private workerFileExists: boolean | undefined;
  /**
   * Per document (by path), the last check's tree, for re-checks after an edit that redo only the
   * edited declarations (incremental.ts). A large file's first check runs in parts on the workers;
   * its tree is built on this thread after that answer, off the path of the first diagnostics.
   */
  private readonly incremental = new Map<string, { checker: IncrementalChecker; ready: Promise<unknown> }>();

  constructor(private readonly options: OfflineRunnerOptions) {}

  /** Whether worker threads are up (they start on the first large file and stop when idle). */
  get workersRunning(): boolean {
    return this.pool !== undefined;
  }

  /** Whether `unit` goes to the worker threads. */
  splits(unit: ReviewUnit): boolean {
    return (
      !this.closed &&
      this.startFailure === undefined &&
      this.options.threads >= 2 &&
      hasLines(unit.text, 2 * MIN_LINES_PER_PART) &&
      this.hasWorkerFile()
    );
  }

  /** Looked up once, on the first large file: the bundle does not change while it runs. */
  private hasWorkerFile(): boolean {
    this.workerFileExists ??= existsSync(this.options.workerFile);
    return this.workerFileExists;
  }

  async check(unit: ReviewUnit, config: OfflineConfig): Promise<ReviewFinding[]> {
    // A range or changed-lines check is a review's, not the document's: no tree is kept for it.
    if (unit.range || unit.changedLines || this.options.keepTrees === false) return this.checkFresh(unit, config);
    const kept = this.incremental.get(unit.path);
    if (kept) {
      // Most recently used last, so the first entry is the one to forget.
      this.incremental.delete(unit.path);
      this.incremental.set(unit.path, kept);
      await kept.ready.catch(() => undefined);
      if (kept.checker.primed) return kept.checker.check(unit, config);
    }
    const checker = kept?.checker ?? new IncrementalChecker();
    if (!this.splits(unit)) {
      this.keepTree(unit.path, checker, Promise.resolve());
      return checker.check(unit, config);
    }
    const findings = await this.checkFresh(unit, config);
    // Built after the answer, so the first diagnostics of a large file do not wait for it; a failure
    // here only means the next check is a whole one.
    const ready = new Promise((resolve) => setImmediate(resolve)).then(() => checker.check(unit, config));
    ready.catch((error) =>
      this.options.warn(`Offline checks: keeping ${unit.path}'s tree failed: ${errorMessage(error)}`),
    );
    this.keepTree(unit.path, checker, ready);
    return findings;
  }

  /** How many documents have a kept tree. */
  get keptTrees(): number {
    return this.incremental.size;
  }

  /** Forgets a document's kept tree (the document was closed). */
  forget(path: string): void {
    const kept = this.incremental.get(path);
    if (!kept) return;
    this.incremental.delete(path);
    void kept.ready.catch(() => undefined).then(() => kept.checker.reset());
  }

  private keepTree(path: string, checker: IncrementalChecker, ready: Promise<unknown>): void {
    this.incremental.set(path, { checker, ready });
    if (this.incremental.size > MAX_KEPT_TREES) this.forget(this.incremental.keys().next().value as string);
  }

  /** A check without a kept tree: in parts on the workers for a large file, else inline. */
  private async checkFresh(unit: ReviewUnit, config: OfflineConfig): Promise<ReviewFinding[]> {
    if (!this.splits(unit)) return runOfflineChecks(unit, config);
    clearTimeout(this.idleTimer);
    let pool: OfflinePool;
    try {
      pool = this.livePool();
    } catch (error) {
      this.startFailure = errorMessage(error);
      this.options.warn(`Offline checks run on the main thread from now on: ${this.startFailure}`);
      return runOfflineChecks(unit, config);
    }
    this.inFlight.set(pool, (this.inFlight.get(pool) ?? 0) + 1);
    try {
      const result = await pool.checkInParts(unit, config, { whole: this.checkWhole.has(unit.path) });
      this.failuresInARow = 0;
      this.remember(unit.path, result.splitNextTime);
      return result.findings;
    } catch (error) {
      if (!(error instanceof OfflineWorkerError)) throw error;
      this.retire(pool);
      // Closing stops the workers under a running check; that is no failure worth a warning.
      if (this.closed) return runOfflineChecks(unit, config);
      this.failuresInARow += 1;
      if (this.failuresInARow >= 2) {
        this.startFailure = errorMessage(error);
        this.options.warn(
          `Offline checks run on the main thread from now on: the worker threads failed twice in a row: ${this.startFailure}`,
        );
      } else {
        this.options.warn(
          `Offline checks on worker threads failed, checking ${unit.path} on the main thread instead: ${errorMessage(error)}`,
        );
      }
      return runOfflineChecks(unit, config);
    } finally {
      const left = (this.inFlight.get(pool) ?? 1) - 1;
      if (left > 0) this.inFlight.set(pool, left);
      else {
        this.inFlight.delete(pool);
        if (pool !== this.pool) this.stop(pool);
      }
      this.scheduleIdleStop();
    }
  }

  /** close() for a host's disposables: a failure to stop the workers is reported through `warn`. */
  dispose(): void {
    this.close().catch(this.reportStopFailure);
  }

  /** Stops the workers; later checks run inline. */
  async close(): Promise<void> {
    this.closed = true;
    for (const path of [...this.incremental.keys()]) this.forget(path);
    clearTimeout(this.idleTimer);
    const pools = new Set([...this.inFlight.keys(), ...(this.pool ? [this.pool] : [])]);
    this.pool = undefined;
    await Promise.all([...pools].map((pool) => pool.close()));
  }

  /** The pool, started on first need and replaced when a worker of it has stopped. */
  private livePool(): OfflinePool {
    if (this.pool && !this.pool.healthy) this.retire(this.pool);
    this.pool ??= createOfflinePool({
      workerFile: this.options.workerFile,
      size: this.options.threads,
      execArgv: this.options.execArgv,
    });
    return this.pool;
  }

  /** Takes `pool` out of use; it stops now, or when the checks still running on it are done. */
  private retire(pool: OfflinePool): void {
    if (this.pool === pool) this.pool = undefined;
    if (!this.inFlight.has(pool)) this.stop(pool);
  }

  private readonly reportStopFailure = (error: unknown): void => {
    this.options.warn(`Stopping the offline checks worker threads failed: ${errorMessage(error)}`);
  };

  private stop(pool: OfflinePool): void {
    pool.close().catch(this.reportStopFailure);
  }

  private remember(path: string, splitNextTime: boolean): void {
    this.checkWhole.delete(path);
    if (splitNextTime) return;
    this.checkWhole.add(path);
    if (this.checkWhole.size > MAX_REMEMBERED_FILES)
      this.checkWhole.delete(this.checkWhole.values().next().value as string);
  }

  private scheduleIdleStop(): void {
    if (!this.pool || this.inFlight.has(this.pool)) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.pool && !this.inFlight.has(this.pool)) this.retire(this.pool);
    }, this.options.idleMs ?? DEFAULT_IDLE_MS);
    // Waiting to stop idle workers must not keep a process alive.
    this.idleTimer.unref();
  }
}
