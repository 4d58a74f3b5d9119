// Row 7 of `npm run bench`: `review --offline` over a generated 500-file, 100,000-line repository,
// run as users run it (node dist/cli.js in a child process): wall time, lines per second, peak memory.
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
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
        // A CommonJS preload, so the CLI starts as `node dist/cli.js` does (see resourceUsage.cjs).
        '--require',
        path.join(__dirname, 'resourceUsage.cjs'),
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

/** Row name read by run.ts to put the repository's throughput beside one check's. */
export const SCALE_OVER_CHECKS = 'scale: repository lines per CPU-second ÷ the same checks alone (both cold)';
/** Whole-repository throughput ÷ the checks' own, on the same files in the same (cold) state. */
const REPOSITORY_OVER_CHECKS_TARGET = 0.6;

interface ChecksRun {
  cpuMs: number;
  files: number;
  findings: number;
}

/**
 * The offline checks alone over the same files, in a fresh process on one thread (bench/scaleChecks.ts):
 * the same cold V8 a `review --offline` run starts with, without start-up, reading, workers,
 * redaction, fingerprints and the report.
 */
function runChecksAlone(repo: string): Promise<ChecksRun> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path.join(__dirname, 'scaleChecks.ts'), repo],
      { cwd: path.join(__dirname, '..') },
      (error, stdout) => {
        if (error) reject(new Error(`scale: bench/scaleChecks.ts failed: ${error.message}`));
        else resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as ChecksRun);
      },
    );
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
    const alone: ChecksRun[] = [];
    try {
      // Each review is followed by the checks alone on the same files, so both sides see the same load.
      for (let run = 0; run < RUNS; run += 1) {
        runs.push(await runCli(repo, usageFile));
        alone.push(await runChecksAlone(repo));
      }
    } finally {
      fs.rmSync(usageFile, { force: true });
    }
    const wallMs = median(runs.map((run) => run.wallMs));
    const cpuMs = median(runs.map((run) => run.cpuMs));
    const peakMb = Math.max(...runs.map((run) => run.maxRssMb));
    const { findings, files } = runs[0];
    if (alone.some((run) => run.findings !== findings))
      throw new Error(
        `scale: the checks alone found ${alone.map((run) => run.findings).join(', ')} findings, the review ${findings}: not the same work`,
      );
    const checksCpuMs = median(alone.map((run) => run.cpuMs));
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
        name: 'scale: the same files, offline checks alone in a fresh process: lines per CPU-second',
        value: round(lines / (checksCpuMs / 1000), 0),
        unit: 'lines/s',
        note: `one thread, grammars loaded and files read first, each file checked once (cold, as in a review); ${round(checksCpuMs, 0)} ms CPU, median of ${RUNS}`,
      },
      {
        name: SCALE_OVER_CHECKS,
        // The median of each review's ratio to the checks run right after it.
        value: round(median(runs.map((run, index) => alone[index].cpuMs / run.cpuMs))),
        unit: '×',
        target: REPOSITORY_OVER_CHECKS_TARGET,
        targetKind: 'min',
        note: `${round(checksCpuMs, 0)} ÷ ${round(cpuMs, 0)} ms CPU (medians); median of ${RUNS} paired ratios: what start-up, reading, worker threads, redaction, fingerprints and the JSON report add to the checks`,
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
