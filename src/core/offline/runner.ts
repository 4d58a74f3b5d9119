import { existsSync } from 'node:fs';
import type { ReviewFinding } from '../findings';
import type { ReviewUnit } from '../review/types';
import { runOfflineChecks } from './index';
import { createOfflinePool, type OfflinePool } from './pool';
import { MIN_LINES_PER_PART } from './segments';
import type { OfflineConfig } from './types';
import { errorMessage } from '../errorMessage';

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

/** True when the text has at least `lines` lines (stops counting there). */
function hasLines(text: string, lines: number): boolean {
  let count = 1;
  for (let index = text.indexOf('\n'); index >= 0 && count < lines; index = text.indexOf('\n', index + 1)) count += 1;
  return count >= lines;
}

/**
 * Offline checks for a long-lived host (the editor). Most files are checked inline in a few
 * milliseconds; a file long enough for two parts (see segments.ts) is split and checked on worker
 * threads side by side, which roughly halves the wait for a 10,000-line file on two cores. The
 * workers start on the first such file and stop after a quiet minute. If they fail, the failure is
 * reported through `warn` and the file is checked inline, so findings never go missing.
 */
export class OfflineRunner {
  private pool: OfflinePool | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private running = 0;

  constructor(private readonly options: OfflineRunnerOptions) {}

  /** Whether worker threads are up (they start on the first large file and stop when idle). */
  get workersRunning(): boolean {
    return this.pool !== undefined;
  }

  /** Whether `unit` would be split over worker threads. */
  splits(unit: ReviewUnit): boolean {
    return this.options.threads >= 2 && hasLines(unit.text, 2 * MIN_LINES_PER_PART) && existsSync(this.options.workerFile);
  }

  async check(unit: ReviewUnit, config: OfflineConfig): Promise<ReviewFinding[]> {
    if (!this.splits(unit)) return runOfflineChecks(unit, config);
    const pool = this.startPool();
    this.running += 1;
    try {
      return await pool.checkInParts(unit, config);
    } catch (error) {
      this.options.warn(`Offline checks on worker threads failed, checking ${unit.path} on the main thread instead: ${errorMessage(error)}`);
      // A broken pool is not reused: the next large file starts fresh workers.
      if (this.pool === pool) this.pool = undefined;
      this.stop(pool);
      return runOfflineChecks(unit, config);
    } finally {
      this.running -= 1;
      this.scheduleIdleStop();
    }
  }

  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    const pool = this.pool;
    this.pool = undefined;
    await pool?.close();
  }

  private stop(pool: OfflinePool): void {
    pool.close().catch((error: unknown) => this.options.warn(`Stopping the offline checks worker threads failed: ${errorMessage(error)}`));
  }

  private startPool(): OfflinePool {
    clearTimeout(this.idleTimer);
    this.pool ??= createOfflinePool({ workerFile: this.options.workerFile, size: this.options.threads, execArgv: this.options.execArgv });
    return this.pool;
  }

  private scheduleIdleStop(): void {
    if (this.running > 0 || !this.pool) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.running > 0 || !this.pool) return;
      const pool = this.pool;
      this.pool = undefined;
      this.stop(pool);
    }, this.options.idleMs ?? DEFAULT_IDLE_MS);
    // Waiting to stop idle workers must not keep a process alive.
    this.idleTimer.unref();
  }
}
