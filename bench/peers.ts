// `npm run bench:peers [-- DIR]`: the offline checks side by side with the peer tools users compare
// them with, on the same files in the same run: bandit on the Python files, ESLint with
// eslint-plugin-security on the TypeScript/JavaScript files. Each peer is timed only when it is
// installed (bandit on PATH; eslint-plugin-security resolvable from here, e.g. `npm i --no-save
// eslint-plugin-security`); neither is a dependency of the project, so this is not part of CI.
// Without DIR, a generated repository (bench/generate.ts) is used. Prints CPU time (user + system of
// the child process, from GNU time) and ours ÷ theirs.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { median, round } from './engine';
import { writeRepository } from './generate';

const ROOT = path.join(__dirname, '..');
const CLI = path.join(ROOT, 'dist/cli.js');
const RUNS = 3;
const TARGET = 0.25;

interface Timing {
  cpuMs: number;
  wallMs: number;
}

/** CPU and wall time of one command, measured by GNU time (`/usr/bin/time`), median of RUNS. */
function timeCommand(command: string, args: string[], cwd: string, okCodes: number[]): Timing {
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    const report = path.join(os.tmpdir(), `brv-peers-${process.pid}-${run}.time`);
    const result = spawnSync('/usr/bin/time', ['-o', report, '-f', '%U %S %e', command, ...args], {
      cwd,
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
    if (result.error) throw new Error(`${command}: ${result.error.message}`);
    if (!okCodes.includes(result.status ?? -1))
      throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr.slice(0, 400)}`);
    const [user, system, elapsed] = fs.readFileSync(report, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
    fs.rmSync(report, { force: true });
    cpu.push((user + system) * 1000);
    wall.push(elapsed * 1000);
  }
  return { cpuMs: median(cpu), wallMs: median(wall) };
}

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}

function resolvable(moduleName: string): boolean {
  try {
    require.resolve(moduleName, { paths: [ROOT] });
    return true;
  } catch {
    return false;
  }
}

/** Copies the files with the given extensions into a fresh folder, so each tool sees exactly the same set. */
function subset(source: string, extensions: string[]): { dir: string; files: number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brv-peers-subset-'));
  let files = 0;
  for (const entry of fs.readdirSync(source, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !extensions.includes(path.extname(entry.name))) continue;
    const from = path.join(entry.parentPath, entry.name);
    const to = path.join(dir, path.relative(source, from));
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(from, to);
    files += 1;
  }
  return { dir, files };
}

function ours(dir: string): Timing {
  // Exit 0 (nothing at --fail-on) or 1 (findings): both are a completed check.
  return timeCommand(process.execPath, [CLI, 'review', '.', '--offline', '--format', 'json'], dir, [0, 1]);
}

function eslintConfig(dir: string): string {
  const file = path.join(dir, 'eslint.peers.config.mjs');
  fs.writeFileSync(
    file,
    [
      `import security from ${JSON.stringify(require.resolve('eslint-plugin-security', { paths: [ROOT] }))};`,
      `import tseslint from ${JSON.stringify(require.resolve('typescript-eslint', { paths: [ROOT] }))};`,
      'export default [',
      "  { files: ['**/*.ts', '**/*.tsx'], languageOptions: { parser: tseslint.parser } },",
      '  security.configs.recommended,',
      '];',
    ].join('\n'),
  );
  return file;
}

function main(): void {
  if (!fs.existsSync(CLI)) throw new Error('bench:peers: dist/cli.js is missing: run npm run build first');
  if (!fs.existsSync('/usr/bin/time'))
    throw new Error('bench:peers: GNU time (/usr/bin/time, Debian package "time") is needed');
  const given = process.argv[2];
  const source = given ? path.resolve(given) : fs.mkdtempSync(path.join(os.tmpdir(), 'brv-peers-repo-'));
  if (!given) writeRepository(source, 300, 60_000);
  const rows: string[][] = [['peer', 'files', 'ours CPU ms', 'theirs CPU ms', 'ours ÷ theirs', `target <= ${TARGET}`]];
  const cleanup: string[] = given ? [] : [source];
  try {
    if (onPath('bandit')) {
      const python = subset(source, ['.py']);
      cleanup.push(python.dir);
      const theirs = timeCommand('bandit', ['-r', '.', '-q', '-f', 'json', '-o', os.devNull], python.dir, [0, 1]);
      const mine = ours(python.dir);
      const ratio = mine.cpuMs / theirs.cpuMs;
      rows.push([
        'bandit (Python)',
        String(python.files),
        String(round(mine.cpuMs, 0)),
        String(round(theirs.cpuMs, 0)),
        String(round(ratio)),
        ratio <= TARGET ? 'pass' : 'FAIL',
      ]);
    } else rows.push(['bandit (Python)', '', '', '', 'not installed', '']);
    if (resolvable('eslint-plugin-security') && resolvable('typescript-eslint')) {
      const scripts = subset(source, ['.ts', '.tsx', '.js', '.jsx']);
      cleanup.push(scripts.dir);
      const config = eslintConfig(os.tmpdir());
      cleanup.push(config);
      const eslint = path.join(ROOT, 'node_modules/eslint/bin/eslint.js');
      const theirs = timeCommand(
        process.execPath,
        [eslint, '--config', config, '--format', 'json', '.'],
        scripts.dir,
        [0, 1],
      );
      const mine = ours(scripts.dir);
      const ratio = mine.cpuMs / theirs.cpuMs;
      rows.push([
        'ESLint + eslint-plugin-security (TS/JS)',
        String(scripts.files),
        String(round(mine.cpuMs, 0)),
        String(round(theirs.cpuMs, 0)),
        String(round(ratio)),
        ratio <= TARGET ? 'pass' : 'FAIL',
      ]);
    } else rows.push(['ESLint + eslint-plugin-security (TS/JS)', '', '', '', 'not installed', '']);
  } finally {
    for (const entry of cleanup) fs.rmSync(entry, { recursive: true, force: true });
  }
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  process.stdout.write(rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i])).join('  ')).join('\n') + '\n');
  process.stdout.write(`CPU = user + system of each whole process (start-up included), median of ${RUNS} runs.\n`);
  if (rows.some((row) => row[5] === 'FAIL')) process.exitCode = 1;
}

main();
