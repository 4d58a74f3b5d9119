// Child process for bench/offline.ts: measures cold grammar loading (the runtime initialises
// once per process, so it must be measured in a fresh one). Prints one JSON line of timings in ms.
import { performance } from 'node:perf_hooks';
import { loadGrammars } from '../src/core/offline';
import { GRAMMARS } from '../src/core/offline/types';

async function main(): Promise<void> {
  const timings: Record<string, number> = {};
  const start = performance.now();
  for (const grammar of GRAMMARS) {
    const before = performance.now();
    await loadGrammars([grammar]);
    timings[grammar] = performance.now() - before;
  }
  timings.total = performance.now() - start;
  process.stdout.write(JSON.stringify(timings) + '\n');
}

main().catch((error: unknown) => {
  process.stderr.write(
    `grammar load bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
