import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { isDeepStrictEqual, promisify } from 'node:util';
import { loadGrammars, runOfflineChecks } from '../src/core/offline';
import { parserFor } from '../src/core/offline/grammars';
import { IncrementalChecker } from '../src/core/offline/incremental';
import { OfflineRunner } from '../src/core/offline/runner';
import type { OfflineConfig } from '../src/core/offline/types';
import { median, round } from './engine';
import { BENCH_LANGUAGES, backendSource, type BenchLanguage } from './generate';
import type { BenchRow } from './types';

const LINES = 10_000;
/** Check CPU ÷ tree-sitter's parse-only CPU: what the rules add on top of the parse every check needs. */
const CHECK_OVER_PARSE_TARGET = 1.5;
const RUNS = 9;
// Warm-up until V8 has finished optimising the grammar's WebAssembly: during roughly the first ten
// checks of a language it compiles the hot functions with its optimising tier on background
// threads, which process CPU time counts (CPU ran up to 2x wall time in those runs). An editor
// checks files again and again, so the settled cost is the per-check cost; the first check after
// loading is reported separately.
const WARMUP_RUNS = 12;

const LOAD_RUNS = 3;

/** Cold grammar loading, each time in a fresh process (the runtime initialises once per process); median of LOAD_RUNS. */
async function grammarLoadRows(): Promise<BenchRow[]> {
  const script = path.join(__dirname, 'offlineGrammarLoad.ts');
  const runs: Array<Record<string, number>> = [];
  for (let run = 0; run < LOAD_RUNS; run += 1) {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script], {
      cwd: path.join(__dirname, '..'),
    });
    runs.push(JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<string, number>);
  }
  const medianOf = (name: string): number => median(runs.map((timings) => timings[name]));
  const rows: BenchRow[] = Object.keys(runs[0])
    .filter((name) => name !== 'total')
    .map((name) => ({
      name: `offline: load ${name} grammar`,
      value: round(medianOf(name), 1),
      unit: 'ms',
      note: name === 'typescript' ? 'first grammar also initialises the web-tree-sitter runtime' : undefined,
    }));
  rows.push({
    name: 'offline: load all grammars (cold, one process)',
    value: round(medianOf('total'), 1),
    unit: 'ms',
    note: `wall time, median of ${LOAD_RUNS} fresh processes (context: absolute times depend on the machine's load)`,
  });
  return rows;
}

interface WasmReads {
  total: number;
  byApi: Record<string, number>;
  byRule: Record<string, number>;
}

/**
 * WebAssembly round trips per check (calls into web-tree-sitter's Node API while checking each
 * 10,000-line file once), counted in a fresh process by bench/offlineWasmReads.ts: a count, so it
 * does not move with the machine's load the way the CPU rows do.
 */
async function wasmReadRows(): Promise<BenchRow[]> {
  const script = path.join(__dirname, 'offlineWasmReads.ts');
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script], {
    cwd: path.join(__dirname, '..'),
  });
  const counts = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<string, WasmReads>;
  const top = (entries: Record<string, number>, size: number): string =>
    Object.entries(entries)
      .slice(0, size)
      .map(([name, count]) => `${name} ${count}`)
      .join(', ');
  return BENCH_LANGUAGES.map((language) => {
    const reads = counts[language];
    if (!reads) throw new Error(`offline: the WebAssembly read count has no ${language} entry`);
    return {
      name: `offline: ${language} WebAssembly reads per check (count)`,
      value: reads.total,
      unit: 'calls',
      note: `calls into web-tree-sitter's Node API in one check of the 10,000-line file; by API: ${top(reads.byApi, 6)}; by rule: ${top(reads.byRule, 6)}`,
    };
  });
}

/**
 * A realistic 10,000-line file from the bench generator (see backendSource), without its final
 * newline so the text is exactly 10,000 '\n'-separated lines.
 */
export function syntheticFile(language: BenchLanguage): { path: string; text: string } {
  const extension = language === 'typescript' ? 'ts' : language === 'python' ? 'py' : 'go';
  return { path: `bench/large.${extension}`, text: backendSource(language, LINES).slice(0, -1) };
}

/** Row name read by run.ts to put the repository's throughput beside one check's. */
export function offlineThroughputRow(language: BenchLanguage): string {
  return `offline: ${language} throughput, one thread (CPU)`;
}

/** The editor's worker script, as built: the bench measures what ships. */
const WORKER_FILE = path.join(__dirname, '../dist/offlineWorker.js');
/** The editor's setting: one worker per core, up to 4 (src/vscode/services.ts). */
const THREADS = Math.min(availableParallelism(), 4);

interface Timed {
  wall: number[];
  cpu: number[];
  firstWall: number;
  firstCpu: number;
  findings: number;
}

/**
 * Runs `check` WARMUP_RUNS + RUNS times; keeps the first run and the runs after the warm-up.
 * `between(run)` runs after each check, outside its timing (a paired measurement of the same run).
 */
async function timeChecks(check: () => Promise<number>, between?: (run: number) => void): Promise<Timed> {
  const timed: Timed = { wall: [], cpu: [], firstWall: 0, firstCpu: 0, findings: 0 };
  for (let run = 0; run < WARMUP_RUNS + RUNS; run += 1) {
    const startCpu = process.cpuUsage();
    const start = performance.now();
    timed.findings = await check();
    const elapsed = performance.now() - start;
    const used = process.cpuUsage(startCpu);
    // Process CPU time: the main thread and, for checks in parts, the worker threads.
    const cpuMs = (used.user + used.system) / 1000;
    between?.(run);
    if (run === 0) {
      timed.firstWall = elapsed;
      timed.firstCpu = cpuMs;
    }
    if (run < WARMUP_RUNS) continue; // warm-up: the JIT and WebAssembly tiers settle (an editor checks files over and over)
    timed.wall.push(elapsed);
    timed.cpu.push(cpuMs);
  }
  return timed;
}

async function checkRows(): Promise<BenchRow[]> {
  if (!fs.existsSync(WORKER_FILE))
    throw new Error('offline: dist/offlineWorker.js is missing: run npm run build first');
  await loadGrammars([...BENCH_LANGUAGES]);
  const runner = new OfflineRunner({
    workerFile: WORKER_FILE,
    threads: THREADS,
    // Every check a fresh one in parts: the incremental re-check has its own row.
    keepTrees: false,
    warn: (message) => {
      throw new Error(`offline: ${message}`);
    },
  });
  const rows: BenchRow[] = [];
  try {
    for (const language of BENCH_LANGUAGES) {
      const unit = syntheticFile(language);
      const config = { mode: 'backendpe' as const };
      // As the editor checks it: in parts on worker threads when the machine has two cores or more.
      const split = runner.splits(unit);
      if (!isDeepStrictEqual(await runner.check(unit, config), await runOfflineChecks(unit, config)))
        throw new Error(`offline: ${language}: the findings in parts differ from one whole-file check`);
      const editor = await timeChecks(async () => (await runner.check(unit, config)).length);
      // One thread, no workers: what the CLI does for a single file, and the total work of a check;
      // each check is followed by the floor, parsing alone (every check needs the tree), so the two
      // sides of check ÷ parse are measured in turn under the same load rather than minutes apart.
      const parser = await parserFor(language);
      const parseCpu: number[] = [];
      const inline = await timeChecks(
        async () => (await runOfflineChecks(unit, config)).length,
        (run) => {
          const startCpu = process.cpuUsage();
          parser.parse(unit.text)?.delete();
          const used = process.cpuUsage(startCpu);
          if (run >= WARMUP_RUNS) parseCpu.push((used.user + used.system) / 1000);
        },
      );
      // Per-rule CPU over RUNS more checks, so a slow rule is visible.
      const ruleTimings = new Map<string, number>();
      for (let run = 0; run < RUNS; run += 1) await runOfflineChecks(unit, { ...config, ruleTimings });
      const how = split
        ? `${THREADS} parts on ${THREADS} worker threads, as the editor checks it`
        : `inline: ${THREADS} core(s), no worker threads`;
      rows.push({
        name: `offline: check 10,000-line ${language} file (wall)`,
        value: round(median(editor.wall), 1),
        unit: 'ms',
        note: `${how}; median of ${RUNS} after ${WARMUP_RUNS} warm-up runs; process CPU ${round(median(editor.cpu), 1)} ms; ${editor.findings} findings, ${unit.text.length} chars`,
      });
      rows.push({
        name: `offline: check 10,000-line ${language} file, one thread (wall)`,
        value: round(median(inline.wall), 1),
        unit: 'ms',
        note: 'runOfflineChecks inline (the CLI for a single file); depends on machine load',
      });
      rows.push({
        name: `offline: check 10,000-line ${language} file, one thread (CPU)`,
        value: round(median(inline.cpu), 1),
        unit: 'ms',
        note: 'the total work of one check',
      });
      rows.push({
        name: `offline: parse only, 10,000-line ${language} file (CPU)`,
        value: round(median(parseCpu), 1),
        unit: 'ms',
        note: 'tree-sitter parse + free, no rules',
      });
      rows.push({
        name: `offline: ${language} check CPU ÷ parse-only CPU`,
        // The median of each check's ratio to the parse right after it: a burst of load on one pair moves one ratio, not both medians.
        value: round(median(inline.cpu.map((cpu, run) => cpu / parseCpu[run]))),
        unit: '×',
        target: CHECK_OVER_PARSE_TARGET,
        targetKind: 'max',
        note: `${round(median(inline.cpu), 1)} ÷ ${round(median(parseCpu), 1)} ms (medians); median of ${RUNS} paired ratios, each check followed by a parse`,
      });
      const slowest = [...ruleTimings].sort((a, b) => b[1] - a[1]);
      rows.push({
        name: `offline: ${language} per-rule CPU (all rules)`,
        value: round(slowest.reduce((sum, [, ms]) => sum + ms, 0) / RUNS, 1),
        unit: 'ms',
        note: slowest.map(([id, ms]) => `${id} ${round(ms / RUNS, 1)}`).join(', '),
      });
      rows.push(await incrementalRow(language, unit, config, median(inline.cpu)));
      rows.push({
        name: `offline: first check of the ${language} file after loading, one thread (wall)`,
        value: round(inline.firstWall, 1),
        unit: 'ms',
        note: `CPU ${round(inline.firstCpu, 1)} ms: JIT and WebAssembly optimisation still running`,
      });
      rows.push({
        name: offlineThroughputRow(language),
        value: Math.round(LINES / (median(inline.cpu) / 1000)),
        unit: 'lines/s',
      });
    }
  } finally {
    await runner.close();
  }
  return rows;
}

/** Re-check after a one-line edit ÷ full check: a line typed inside a function in the middle of the file. */
const RECHECK_OVER_CHECK_TARGET = 0.25;

async function incrementalRow(
  language: BenchLanguage,
  unit: { path: string; text: string },
  config: OfflineConfig,
  fullCpu: number,
): Promise<BenchRow> {
  const lines = unit.text.split('\n');
  // A statement at the first level of a function body, followed by another: typing after it keeps the file valid.
  const statement =
    language === 'python' ? /^ {4}\S.*[^:,([{\\]$/ : language === 'go' ? /^\t\S.*[^,([{]$/ : /^ {2}\S.*;$/;
  // The top-level line that opens the block the candidate is in must open a function: the generated
  // file's fixtures change, and a line of a `var ( … )` block or a class body looks the same by indentation.
  const opensFunction =
    language === 'python'
      ? /^(?:async\s+)?def\s/
      : language === 'go'
        ? /^func\s/
        : /^(?:export\s+)?(?:default\s+)?(?:async\s+)?function\b/;
  const inFunction = (index: number): boolean => {
    for (let at = index - 1; at >= 0; at -= 1)
      if (/^[^\s})\]]/.test(lines[at]) && !/^(?:#|\/\/|@)/.test(lines[at])) return opensFunction.test(lines[at]);
    return false;
  };
  const middle = lines.findIndex(
    (line, index) =>
      index > lines.length / 2 && statement.test(line) && statement.test(lines[index + 1]) && inFunction(index),
  );
  if (middle < 0) throw new Error(`offline: ${language}: no statement inside a function to type after`);
  const typed =
    language === 'python' ? '    retries = 3' : language === 'go' ? '\tretries := 3' : '  const retries = 3;';
  const edited = { ...unit, text: [...lines.slice(0, middle + 1), typed, ...lines.slice(middle + 1)].join('\n') };
  const cpu: number[] = [];
  const modes = new Set<string>();
  const checker = new IncrementalChecker();
  try {
    for (let run = 0; run < WARMUP_RUNS + RUNS; run += 1) {
      await checker.check(unit, config);
      const startCpu = process.cpuUsage();
      const found = await checker.check(edited, config);
      const used = process.cpuUsage(startCpu);
      modes.add(checker.lastCheck);
      if (run === 0 && !isDeepStrictEqual(found, await runOfflineChecks(edited, config)))
        throw new Error(`offline: ${language}: the incremental re-check differs from a whole-file check`);
      if (run >= WARMUP_RUNS) cpu.push((used.user + used.system) / 1000);
    }
  } finally {
    checker.reset();
  }
  return {
    name: `offline: ${language} re-check after a one-line edit ÷ full check`,
    value: round(median(cpu) / fullCpu, 3),
    unit: '×',
    target: RECHECK_OVER_CHECK_TARGET,
    targetKind: 'max',
    note: `${round(median(cpu), 1)} ÷ ${round(fullCpu, 1)} ms CPU, 10,000-line file, one line typed inside a function (IncrementalChecker: ${[...modes].join('/')})`,
  };
}

export async function benchOffline(): Promise<BenchRow[]> {
  return [...(await grammarLoadRows()), ...(await checkRows()), ...(await wasmReadRows())];
}
