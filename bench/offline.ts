import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { loadGrammars, runOfflineChecks } from '../src/core/offline';
import { parserFor } from '../src/core/offline/grammars';
import { median, round } from './engine';
import { backendSource, type BenchLanguage } from './generate';
import type { BenchRow } from './types';

const LINES = 10_000;
const GRAMMAR_LOAD_TARGET_MS = 150;
const CHECK_TARGET_MS = 100;
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
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script], { cwd: path.join(__dirname, '..') });
    runs.push(JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<string, number>);
  }
  const medianOf = (name: string): number => median(runs.map((timings) => timings[name]));
  const rows: BenchRow[] = Object.keys(runs[0]).filter((name) => name !== 'total').map((name) => ({
    name: `offline: load ${name} grammar`, value: round(medianOf(name), 1), unit: 'ms',
    note: name === 'typescript' ? 'first grammar also initialises the web-tree-sitter runtime' : undefined,
  }));
  rows.push({ name: 'offline: load all grammars (cold, one process)', value: round(medianOf('total'), 1), unit: 'ms', target: GRAMMAR_LOAD_TARGET_MS, targetKind: 'max', note: `wall time, median of ${LOAD_RUNS} fresh processes` });
  return rows;
}

/**
 * A realistic 10,000-line file from the bench generator (see backendSource), without its final
 * newline so the text is exactly 10,000 '\n'-separated lines.
 */
export function syntheticFile(language: BenchLanguage): { path: string; text: string } {
  const extension = language === 'typescript' ? 'ts' : language === 'python' ? 'py' : 'go';
  return { path: `bench/large.${extension}`, text: backendSource(language, LINES).slice(0, -1) };
}

async function checkRows(): Promise<BenchRow[]> {
  await loadGrammars(['typescript', 'python', 'go']);
  const rows: BenchRow[] = [];
  for (const language of ['typescript', 'python', 'go'] as const) {
    const unit = syntheticFile(language);
    let findings = 0;
    const wall: number[] = [];
    const cpu: number[] = [];
    let firstWall = 0;
    let firstCpu = 0;
    for (let run = 0; run < WARMUP_RUNS + RUNS; run += 1) {
      const startCpu = process.cpuUsage();
      const start = performance.now();
      findings = (await runOfflineChecks(unit, { mode: 'backendpe' })).length;
      const elapsed = performance.now() - start;
      const used = process.cpuUsage(startCpu);
      if (run === 0) {
        firstWall = elapsed;
        firstCpu = (used.user + used.system) / 1000;
      }
      if (run < WARMUP_RUNS) continue; // warm-up: the JIT and WebAssembly tiers settle (an editor checks files over and over)
      wall.push(elapsed);
      cpu.push((used.user + used.system) / 1000);
    }
    // The floor: parsing alone (every check needs the tree), to show what the rules add on top.
    const parser = await parserFor(language);
    const parseCpu: number[] = [];
    for (let run = 0; run <= RUNS; run += 1) {
      const startCpu = process.cpuUsage();
      parser.parse(unit.text)?.delete();
      const used = process.cpuUsage(startCpu);
      if (run > 0) parseCpu.push((used.user + used.system) / 1000);
    }
    const wallMs = median(wall);
    const cpuMs = median(cpu);
    // Wall time on a shared machine swings with other jobs; process CPU time is the stable measure of
    // the work (it is what wall time would be on an idle core), so the target is judged on it.
    rows.push({ name: `offline: check 10,000-line ${language} file (CPU)`, value: round(cpuMs, 1), unit: 'ms', target: CHECK_TARGET_MS, targetKind: 'max', note: `median of ${RUNS} after ${WARMUP_RUNS} warm-up runs, ${findings} findings, ${unit.text.length} chars` });
    rows.push({ name: `offline: parse only, 10,000-line ${language} file (CPU)`, value: round(median(parseCpu), 1), unit: 'ms', note: 'tree-sitter parse + free, no rules' });
    rows.push({ name: `offline: check 10,000-line ${language} file (wall)`, value: round(wallMs, 1), unit: 'ms', note: 'depends on machine load' });
    rows.push({ name: `offline: first check of the ${language} file after loading (wall)`, value: round(firstWall, 1), unit: 'ms', note: `CPU ${round(firstCpu, 1)} ms: JIT and WebAssembly optimisation still running` });
    rows.push({ name: `offline: ${language} throughput (CPU)`, value: Math.round(LINES / (cpuMs / 1000)), unit: 'lines/s' });
  }
  return rows;
}

export async function benchOffline(): Promise<BenchRow[]> {
  return [...(await grammarLoadRows()), ...(await checkRows())];
}
