import { Worker } from 'node:worker_threads';
import { errorMessage } from '../errorMessage';
import type { ReviewFinding } from '../findings';
import type { ReviewUnit } from '../review/types';
import { runOfflineChecksInParts, type CheckedFile, type PartResult, type SplitCheckResult } from './index';
import type { CheckPart } from './segments';
import type { OfflineConfig } from './types';

/**
 * Runs offline checks on worker threads. The checks are CPU-bound (tree-sitter parsing and rule
 * walks): the CLI spreads many files over the cores (on one thread a 100,000-line repository took
 * ~2.5 s of one core while the others idled, `npm run bench` row "scale"), and the editor splits
 * a large file into parts checked side by side (see segments.ts). Each worker loads the grammars once.
 */
export interface OfflineJob {
  id: number;
  unit: ReviewUnit;
  config: OfflineConfig;
  /** Check only this part of the file; the whole file when absent. */
  part?: CheckPart;
  /** Also read each finding's enclosing symbol from the tree (PartResult.symbols). */
  symbols?: boolean;
}

export type OfflineReply = ({ id: number } & PartResult) | { id: number; error: string };

export interface OfflinePool {
  readonly size: number;
  /** False once a worker has failed or stopped on its own (the others still answer; replace the pool). */
  readonly healthy: boolean;
  /** The unit's offline findings, computed by the least busy worker. */
  check(unit: ReviewUnit, config: OfflineConfig): Promise<ReviewFinding[]>;
  /** check, with each finding's enclosing symbol (runOfflineChecksWithSymbols). */
  checkWithSymbols(unit: ReviewUnit, config: OfflineConfig): Promise<CheckedFile>;
  /**
   * The unit's offline findings, the same as check gives, with a large file split into one part
   * per worker checked side by side (see runOfflineChecksInParts; `whole` skips the split).
   */
  checkInParts(unit: ReviewUnit, config: OfflineConfig, options?: { whole?: boolean }): Promise<SplitCheckResult>;
  /** Stops the workers; checks still pending are rejected. */
  close(): Promise<void>;
}

/**
 * A check the pool could not answer because a worker failed, stopped or the pool was closed (as
 * opposed to an error of the check itself, which a worker reports as a plain Error).
 */
export class OfflineWorkerError extends Error {
  override readonly name = 'OfflineWorkerError';
}

export interface OfflinePoolOptions {
  /** The worker script (dist/offlineWorker.js; tests pass the .ts source with a tsx execArgv). */
  workerFile: string;
  size: number;
  execArgv?: string[];
}

interface Pending {
  resolve(result: PartResult): void;
  reject(error: Error): void;
  path: string;
}

interface PoolWorker {
  worker: Worker;
  pending: Map<number, Pending>;
  /** Set when the worker failed or exited: it takes no more checks. */
  gone: boolean;
}

export function createOfflinePool(options: OfflinePoolOptions): OfflinePool {
  if (!Number.isInteger(options.size) || options.size < 1)
    throw new Error(`offline pool size must be a positive whole number, got ${options.size}`);
  let nextId = 0;
  let closed = false;

  const failAll = (entry: PoolWorker, reason: string): void => {
    for (const [id, pending] of entry.pending) {
      pending.reject(new OfflineWorkerError(`${pending.path}: the offline checks worker ${reason}`));
      entry.pending.delete(id);
    }
  };

  const startWorker = (): PoolWorker => {
    const entry: PoolWorker = {
      worker: new Worker(options.workerFile, { execArgv: options.execArgv }),
      pending: new Map(),
      gone: false,
    };
    entry.worker.on('message', ({ id, ...reply }: OfflineReply) => {
      const pending = entry.pending.get(id);
      if (!pending) return;
      entry.pending.delete(id);
      if ('error' in reply) pending.reject(new Error(`${pending.path}: ${reply.error}`));
      else pending.resolve(reply);
    });
    entry.worker.on('error', (error) => {
      entry.gone = true;
      failAll(entry, `failed: ${error.message} (${options.workerFile})`);
    });
    entry.worker.on('exit', (code) => {
      entry.gone = true;
      if (!closed) failAll(entry, `stopped unexpectedly with exit code ${code}`);
    });
    return entry;
  };

  const workers: PoolWorker[] = [];
  try {
    for (let index = 0; index < options.size; index += 1) workers.push(startWorker());
  } catch (error) {
    // `new Worker` throws at once for bad options: stop the ones already started.
    closed = true;
    for (const entry of workers) void entry.worker.terminate();
    throw new OfflineWorkerError(
      `the offline checks worker threads could not start: ${errorMessage(error)} (${options.workerFile})`,
    );
  }

  const send = (unit: ReviewUnit, config: OfflineConfig, part?: CheckPart, symbols?: boolean): Promise<PartResult> => {
    if (closed) return Promise.reject(new OfflineWorkerError(`${unit.path}: the offline checks pool is closed`));
    // A message to a worker that has exited is dropped without a word: send only to live ones.
    const live = workers.filter((candidate) => !candidate.gone);
    if (live.length === 0)
      return Promise.reject(new OfflineWorkerError(`${unit.path}: the offline checks workers have all stopped`));
    const entry = live.reduce((least, candidate) => (candidate.pending.size < least.pending.size ? candidate : least));
    const id = nextId++;
    return new Promise<PartResult>((resolve, reject) => {
      entry.pending.set(id, { resolve, reject, path: unit.path });
      entry.worker.postMessage({ id, unit, config, part, symbols } satisfies OfflineJob);
    });
  };

  return {
    size: options.size,
    get healthy() {
      return !closed && workers.every((entry) => !entry.gone);
    },
    async check(unit, config) {
      return (await send(unit, config)).findings;
    },
    async checkWithSymbols(unit, config) {
      const { findings, symbols } = await send(unit, config, undefined, true);
      return { findings, symbols };
    },
    checkInParts(unit, config, checkOptions) {
      return runOfflineChecksInParts(unit, options.size, (part) => send(unit, config, part), checkOptions);
    },
    async close() {
      closed = true;
      for (const entry of workers) failAll(entry, 'was stopped before it answered');
      await Promise.all(workers.map((entry) => entry.worker.terminate()));
    },
  };
}
