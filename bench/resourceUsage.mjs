// Preloaded (`node --import`) into the CLI by bench/scale.ts: when the process exits, writes its
// peak resident memory (kilobytes) and CPU time (milliseconds, user + system, all threads) as JSON
// to BENCH_RESOURCE_USAGE_FILE.
import * as fs from 'node:fs';

const target = process.env.BENCH_RESOURCE_USAGE_FILE;
if (!target)
  throw new Error('bench/resourceUsage.mjs: set BENCH_RESOURCE_USAGE_FILE to the file the usage is written to');
process.on('exit', () => {
  const usage = process.resourceUsage();
  fs.writeFileSync(
    target,
    JSON.stringify({ maxRssKb: usage.maxRSS, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000 }),
  );
});
