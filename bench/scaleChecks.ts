// Child process for bench/scale.ts: the offline checks alone over the files of a repository, in a
// fresh process and on one thread, as cold as the checks of a `review --offline` run: the grammars
// are loaded and every file is read first, then each file is checked once (runOfflineChecks, the
// CLI's default mode, each file's role as the CLI classifies it without a project file). Prints one
// JSON line: the CPU time of the checks (all threads of the process, ms), the files and the findings.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadGrammars, runOfflineChecks } from '../src/core/offline';
import { classifyFile } from '../src/core/roles';

const EXTENSIONS = new Set(['.ts', '.py', '.go']);

async function main(): Promise<void> {
  const root = process.argv[2];
  if (!root || !fs.statSync(root, { throwIfNoEntry: false })?.isDirectory())
    throw new Error(`usage: scaleChecks.ts REPOSITORY (got ${String(root)})`);
  const units = fs
    .readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && EXTENSIONS.has(path.extname(entry.name)))
    .map((entry) => {
      const file = path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/');
      const text = fs.readFileSync(path.join(root, file), 'utf8');
      return { path: file, text, role: classifyFile(file, text).role };
    })
    .sort((a, b) => a.path.localeCompare(b.path));
  await loadGrammars(['typescript', 'python', 'go']);
  let findings = 0;
  const start = process.cpuUsage();
  for (const unit of units) findings += (await runOfflineChecks(unit, { mode: 'pragmatic' })).length;
  const used = process.cpuUsage(start);
  process.stdout.write(
    JSON.stringify({ cpuMs: (used.user + used.system) / 1000, files: units.length, findings }) + '\n',
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `scale checks bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
