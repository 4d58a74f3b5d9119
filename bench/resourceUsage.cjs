// Preloaded (`node --require`) into the CLI by bench/scale.ts: when the process exits, writes its
// peak resident memory (kilobytes) and CPU time (milliseconds, user + system, all threads) as JSON
// to BENCH_RESOURCE_USAGE_FILE. CommonJS on purpose: an ES-module preload (`--import`) sends the main
// script through Node's ES-module loader, which scans the 2 MB dist/cli.js for its CommonJS exports
// (cjs-module-lexer) before running it: about 0.5 s of CPU that `node dist/cli.js` and the
// `backend-review` bin never spend (measured on Node 20.20).
const fs = require('node:fs');

const target = process.env.BENCH_RESOURCE_USAGE_FILE;
if (!target)
  throw new Error('bench/resourceUsage.cjs: set BENCH_RESOURCE_USAGE_FILE to the file the usage is written to');
process.on('exit', () => {
  const usage = process.resourceUsage();
  fs.writeFileSync(
    target,
    JSON.stringify({ maxRssKb: usage.maxRSS, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000 }),
  );
});
