// `npm run bench`: runs every bench module, prints one table and writes bench/results.json.
// Add a module by adding one line to MODULES.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { benchConvergent, benchEngine } from './engine';
import { benchExtension } from './extension';
import { round } from './engine';
import { BENCH_LANGUAGES } from './generate';
import { benchOffline, offlineThroughputRow } from './offline';
import { benchRedaction } from './redaction';
import { benchScale, SCALE_LINES_PER_CPU_SECOND, SCALE_OVER_CHECKS } from './scale';
import type { BenchModule, BenchRow } from './types';

const MODULES: Array<{ name: string; run: BenchModule }> = [
  { name: 'engine', run: benchEngine },
  { name: 'convergent', run: benchConvergent },
  { name: 'offline', run: benchOffline },
  { name: 'extension', run: benchExtension },
  { name: 'scale', run: benchScale },
  { name: 'redaction', run: benchRedaction },
];

/**
 * Ratios between modules, from rows of this same run: the repository review's throughput against the
 * mean one-thread throughput of a single warm check over the three languages it holds. Context, not a
 * target: the review is a fresh process whose checks run cold (V8 has optimised nothing yet), the
 * single check is measured after 12 warm-up checks. The judged ratio compares the review with the
 * same checks in the same cold state (scale.ts, SCALE_OVER_CHECKS).
 */
function crossModuleRows(rows: readonly BenchRow[]): BenchRow[] {
  const value = (name: string): number | undefined => rows.find((row) => row.name === name)?.value;
  const repository = value(SCALE_LINES_PER_CPU_SECOND);
  const single = BENCH_LANGUAGES.map((language) => value(offlineThroughputRow(language)));
  if (repository === undefined || single.some((throughput) => throughput === undefined)) return [];
  const mean = (single as number[]).reduce((sum, throughput) => sum + throughput, 0) / single.length;
  return [
    {
      name: 'scale: repository lines per CPU-second ÷ warm single-check throughput',
      value: round(repository / mean),
      unit: '×',
      note: `context (judged until session 8 against ≥ 0.6): ${repository} ÷ ${Math.round(mean)} lines/s (mean of the three languages' one-thread checks after 12 warm-ups); the review's checks run cold, see the row "${SCALE_OVER_CHECKS}"`,
    },
  ];
}

interface ResultRow extends BenchRow {
  module: string;
  ratio?: number;
  pass?: boolean;
}

function judge(module: string, row: BenchRow): ResultRow {
  // Not measured (NaN): a note, never a pass or a failure.
  if (row.target === undefined || Number.isNaN(row.value)) return { module, ...row };
  // A target of 0 (e.g. requests made) has no ratio; pass or fail says it all.
  const ratio = row.target === 0 ? Number.NaN : row.value / row.target;
  const pass = row.targetKind === 'min' ? row.value >= row.target : row.value <= row.target;
  return { module, ...row, ratio: Number.isNaN(ratio) ? undefined : Math.round(ratio * 100) / 100, pass };
}

function table(rows: ResultRow[]): string {
  const cells = rows.map((row) => [
    row.name,
    Number.isNaN(row.value) ? 'n/a' : String(row.value),
    row.unit,
    row.target === undefined ? '' : `${row.targetKind === 'min' ? '>=' : '<='} ${row.target}`,
    row.ratio === undefined ? '' : row.ratio.toFixed(2),
    row.pass === undefined ? '' : row.pass ? 'pass' : 'FAIL',
    row.note ?? '',
  ]);
  const header = ['name', 'value', 'unit', 'target', 'ratio', 'result', 'note'];
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((row) => row[column].length)));
  return [header, ...cells]
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

async function main(): Promise<void> {
  const results: ResultRow[] = [];
  const failures: string[] = [];
  // `npm run bench -- offline scale` runs only the named modules (all by default).
  const only = process.argv.slice(2);
  const unknown = only.filter((name) => !MODULES.some((module) => module.name === name));
  if (unknown.length > 0) {
    process.stderr.write(
      `bench: unknown module(s) ${unknown.join(', ')}; known: ${MODULES.map((m) => m.name).join(', ')}\n`,
    );
    process.exitCode = 2;
    return;
  }
  for (const module of MODULES.filter((candidate) => only.length === 0 || only.includes(candidate.name))) {
    try {
      results.push(...(await module.run()).map((row) => judge(module.name, row)));
    } catch (error) {
      failures.push(`${module.name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  results.push(...crossModuleRows(results).map((row) => judge('scale', row)));
  process.stdout.write(table(results) + '\n');
  const out = path.join(__dirname, 'results.json');
  fs.writeFileSync(
    out,
    JSON.stringify({ date: new Date().toISOString(), node: process.version, rows: results, failures }, null, 2) + '\n',
  );
  process.stdout.write(`\nwrote ${path.relative(process.cwd(), out)}\n`);
  for (const failure of failures) process.stderr.write(`bench module failed: ${failure}\n`);
  const missed = results.filter((row) => row.pass === false);
  if (missed.length > 0)
    process.stderr.write(`${missed.length} target(s) missed: ${missed.map((row) => row.name).join(', ')}\n`);
  process.exitCode = failures.length > 0 || missed.length > 0 ? 1 : 0;
}

void main();
