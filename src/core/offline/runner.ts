import { existsSync } from 'node:fs';
import { errorMessage } from '../errorMessage';
import type { ReviewFinding } from '../findings';
import type { ReviewUnit } from '../review/types';
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
  /** Where a worker failure is reported before the file is checked inline instead. */
  warn(message: string): void;
}

const DEFAULT_IDLE_MS = 60_000;
/** Files remembered as better checked whole (see `checkWhole`); the oldest is forgotten first. */
const MAX_REMEMBERED_FILES = 200;

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
  private idleTimer: NodeJS.Timeout | undefined;
  private running = 0;
  private closed = false;
  /**
   * Paths whose last check could not use its parts (a syntax error the user is still fixing,
   * top-level code the rules follow): checked whole on a worker until that changes, instead of in
   * parts and then again whole.
   */
  private readonly checkWhole = new Set<string>();

  constructor(private readonly options: OfflineRunnerOptions) {}

  /** Whether worker threads are up (they start on the first large file and stop when idle). */
  get workersRunning(): boolean {
    return this.pool !== undefined;
  }

  /** Whether `unit` goes to the worker threads. */
  splits(unit: ReviewUnit): boolean {
    return !this.closed && this.options.threads >= 2 && hasLines(unit.text, 2 * MIN_LINES_PER_PART) && existsSync(this.options.workerFile);
  }

  async check(unit: ReviewUnit, config: OfflineConfig): Promise<ReviewFinding[]> {
    if (!this.splits(unit)) return runOfflineChecks(unit, config);
    this.running += 1;
    clearTimeout(this.idleTimer);
    try {
      const pool = this.livePool();
      const result = await pool.checkInParts(unit, config, { whole: this.checkWhole.has(unit.path) });
      this.remember(unit.path, result.splitNextTime);
      return result.findings;
    } catch (error) {
      if (!(error instanceof OfflineWorkerError)) throw error;
      // Closing stops the workers under a running check; that is no failure worth a warning.
      if (!this.closed) this.options.warn(`Offline checks on worker threads failed, checking ${unit.path} on the main thread instead: ${errorMessage(error)}`);
      this.dropPool();
      return runOfflineChecks(unit, config);
    } finally {
      this.running -= 1;
      this.scheduleIdleStop();
    }
  }

  /** Stops the workers; later checks run inline. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.idleTimer);
    const pool = this.pool;
    this.pool = undefined;
    await pool?.close();
  }

  /** The pool, started on first need and replaced when a worker of it has stopped. */
  private livePool(): OfflinePool {
    if (this.pool && !this.pool.healthy) this.dropPool();
    this.pool ??= createOfflinePool({ workerFile: this.options.workerFile, size: this.options.threads, execArgv: this.options.execArgv });
    return this.pool;
  }

  private remember(path: string, splitNextTime: boolean): void {
    this.checkWhole.delete(path);
    if (splitNextTime) return;
    this.checkWhole.add(path);
    if (this.checkWhole.size > MAX_REMEMBERED_FILES) this.checkWhole.delete(this.checkWhole.values().next().value as string);
  }

  private dropPool(): void {
    const pool = this.pool;
    this.pool = undefined;
    pool?.close().catch((error: unknown) => this.options.warn(`Stopping the offline checks worker threads failed: ${errorMessage(error)}`));
  }

  private scheduleIdleStop(): void {
    if (this.running > 0 || !this.pool) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.running === 0) this.dropPool();
    }, this.options.idleMs ?? DEFAULT_IDLE_MS);
    // Waiting to stop idle workers must not keep a process alive.
    this.idleTimer.unref();
  }
}
