// Row 7 of `npm run bench`: `review --offline` over a generated 500-file, 100,000-line repository,
// run as users run it (node dist/cli.js in a child process): wall time, lines per second, peak memory.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { median, round } from './engine';
import { writeRepository } from './generate';
import type { BenchRow } from './types';

const FILES = 500;
const LINES = 100_000;
const RUNS = 3;
const CLI = path.join(__dirname, '../dist/cli.js');
/** Row name read by run.ts to put the repository's throughput beside one check's. */
export const SCALE_LINES_PER_CPU_SECOND = 'scale: review --offline: lines per CPU-second';

interface CliRun {
  wallMs: number;
  maxRssMb: number;
  cpuMs: number;
  findings: number;
  files: number;
}

function runCli(repo: string, usageFile: string): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(
      process.execPath,
      [
        '--import',
        pathToFileURL(path.join(__dirname, 'resourceUsage.mjs')).href,
        CLI,
        'review',
        '.',
        '--offline',
        '--format',
        'json',
      ],
      {
        cwd: repo,
        // No model variables: an offline review must not depend on the caller's environment.
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? os.homedir(),
          BENCH_RESOURCE_USAGE_FILE: usageFile,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - start;
      if (code !== 0) {
        reject(
          new Error(
            `scale: node dist/cli.js review --offline exited ${code}: ${Buffer.concat(stderr).toString('utf8').slice(0, 500)}`,
          ),
        );
        return;
      }
      const report = JSON.parse(Buffer.concat(stdout).toString('utf8')) as {
        findings: { file: string }[];
        skipped: unknown[];
      };
      if (report.skipped.length > 0) {
        reject(
          new Error(
            `scale: the review skipped parts of the generated repository: ${JSON.stringify(report.skipped.slice(0, 3))}`,
          ),
        );
        return;
      }
      const usage = JSON.parse(fs.readFileSync(usageFile, 'utf8')) as { maxRssKb: number; cpuMs: number };
      resolve({
        wallMs,
        maxRssMb: usage.maxRssKb / 1024,
        cpuMs: usage.cpuMs,
        findings: report.findings.length,
        files: new Set(report.findings.map((finding) => finding.file)).size,
      });
    });
  });
}

/** The most recently changed source file under `dir`, so a stale bundle is not measured. */
function newestSource(dir: string): { file: string; mtimeMs: number } | undefined {
  let newest: { file: string; mtimeMs: number } | undefined;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const file = path.join(entry.parentPath, entry.name);
    const { mtimeMs } = fs.statSync(file);
    if (!newest || mtimeMs > newest.mtimeMs) newest = { file, mtimeMs };
  }
  return newest;
}

export async function benchScale(): Promise<BenchRow[]> {
  if (!fs.existsSync(CLI)) throw new Error('scale: dist/cli.js is missing: run npm run build first');
  const stale = newestSource(path.join(__dirname, '../src'));
  if (stale && stale.mtimeMs > fs.statSync(CLI).mtimeMs)
    throw new Error(
      `scale: dist/cli.js is older than ${path.relative(path.join(__dirname, '..'), stale.file)}: run npm run build first`,
    );
  const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'brv-bench-repo-'));
  try {
    const lines = writeRepository(repo, FILES, LINES);
    const usageFile = path.join(repo, '..', `${path.basename(repo)}.usage.json`);
    const runs: CliRun[] = [];
    try {
      for (let run = 0; run < RUNS; run += 1) runs.push(await runCli(repo, usageFile));
    } finally {
      fs.rmSync(usageFile, { force: true });
    }
    const wallMs = median(runs.map((run) => run.wallMs));
    const cpuMs = median(runs.map((run) => run.cpuMs));
    const peakMb = Math.max(...runs.map((run) => run.maxRssMb));
    const { findings, files } = runs[0];
    const note = `${FILES} files, ${lines} lines (TS/Python/Go), ${findings} findings in ${files} files; median of ${RUNS} runs, ${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(1)}`;
    return [
      {
        name: 'scale: review --offline, 100,000 lines: wall time',
        value: round(wallMs, 0),
        unit: 'ms',
        note: `node startup, file walk, grammar load, checks, JSON report; CPU ${round(cpuMs, 0)} ms (${round(lines / (cpuMs / 1000), 0)} lines per CPU-second)`,
      },
      {
        name: 'scale: review --offline: lines per second',
        value: round(lines / (wallMs / 1000), 0),
        unit: 'lines/s',
        note,
      },
      {
        name: SCALE_LINES_PER_CPU_SECOND,
        value: round(lines / (cpuMs / 1000), 0),
        unit: 'lines/s',
        note: 'all threads of the process, start-up to exit',
      },
      {
        name: 'scale: review --offline: peak memory (RSS)',
        value: round(peakMb, 0),
        unit: 'MB',
        target: 400,
        targetKind: 'max',
        note: `highest maxRSS of ${RUNS} runs`,
      },
    ];
  } finally {
    fs.rmSync(repo, { recursive: true, force: true });
  }
}
