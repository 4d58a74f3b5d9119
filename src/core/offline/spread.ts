import type { KnownSymbol } from '../fingerprint';
import type { ReviewFinding } from '../findings';
import type { ReviewUnit } from '../review/types';
import { runOfflineChecksWithSymbols, type CheckedFile } from './index';
import { createOfflinePool } from './pool';
import type { OfflineConfig } from './types';

/** Checks sent ahead to each worker, so that it is not idle while the main thread is busy with a file. */
const WORKER_QUEUE = 3;

export interface SpreadChecks {
  /** The unit's offline findings (the engine asks for them in the review's order). */
  findings: (unit: ReviewUnit) => Promise<ReviewFinding[]>;
  /** The enclosing symbol of a checked file's finding line, read from the check's tree (fingerprints). */
  knownSymbol: KnownSymbol;
  /** How many files each side has checked so far. */
  checked: () => { mainThread: number; workers: number };
  close: () => Promise<void>;
}

/**
 * The offline checks of many files, shared between the main thread and `workers` worker threads
 * (none: all on the main thread). The main thread checks files from the front of `units` as the
 * engine asks for them; the workers take files from the back, a few ahead each. The main thread is
 * one of the checkers because each worker is a fresh V8 that compiles and optimises the checks and
 * the grammars again: with two workers beside an idle main thread, a 100,000-line review cost about
 * 1.3 s more CPU than checking on one thread (session 8, docs/performance.md). Each finding's
 * symbol comes back with it, so fingerprinting need not parse every file again.
 */
export function spreadOfflineChecks(
  units: readonly ReviewUnit[],
  config: OfflineConfig,
  options: { workerFile: string; workers: number; execArgv?: string[] },
): SpreadChecks {
  const symbols = new Map<string, Map<number, string>>();
  const counts = { mainThread: 0, workers: 0 };
  const keep = (unit: ReviewUnit, result: CheckedFile): ReviewFinding[] => {
    if (result.symbols) {
      const lines = new Map<number, string>();
      result.findings.forEach((finding, index) => lines.set(finding.startLine, result.symbols![index]));
      symbols.set(unit.path, lines);
    }
    return result.findings;
  };
  const knownSymbol: KnownSymbol = (file, line) => symbols.get(file)?.get(line);
  const inline = async (unit: ReviewUnit): Promise<ReviewFinding[]> => {
    counts.mainThread += 1;
    return keep(unit, await runOfflineChecksWithSymbols(unit, config));
  };
  const checked = () => ({ ...counts });
  if (options.workers < 1) return { findings: inline, knownSymbol, checked, close: async () => {} };

  const pool = createOfflinePool({ workerFile: options.workerFile, size: options.workers, execArgv: options.execArgv });
  // Files not yet taken, in the review's order: the main thread takes from the front, the workers from the back.
  let front = 0;
  let back = units.length;
  const taken = new Set<ReviewUnit>();
  const sent = new Map<ReviewUnit, Promise<ReviewFinding[]>>();
  let inFlight = 0;
  const feed = (): void => {
    while (inFlight < pool.size * WORKER_QUEUE && back > front) {
      const unit = units[--back];
      if (taken.has(unit)) continue;
      taken.add(unit);
      inFlight += 1;
      const pending = pool.checkWithSymbols(unit, config).then((result) => {
        counts.workers += 1;
        return keep(unit, result);
      });
      // Marks the rejection handled until the engine awaits it (the engine reports it then).
      void pending
        .catch(() => undefined)
        .finally(() => {
          inFlight -= 1;
          feed();
        });
      sent.set(unit, pending);
    }
  };
  feed();
  const findings = async (unit: ReviewUnit): Promise<ReviewFinding[]> => {
    const pending = sent.get(unit);
    if (pending) return pending;
    taken.add(unit);
    while (front < back && taken.has(units[front])) front += 1;
    // A turn of the event loop first, so that the workers' answers are read and they are sent more files.
    await new Promise<void>((resolve) => setImmediate(resolve));
    return inline(unit);
  };
  return { findings, knownSymbol, checked, close: () => pool.close() };
}
