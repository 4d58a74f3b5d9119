// `npm run bench`: runs every bench module, prints one table and writes bench/results.json.
// Add a module by adding one line to MODULES.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { benchEngine } from './engine';
import { benchExtension } from './extension';
import { benchOffline } from './offline';
import { benchScale } from './scale';
import type { BenchModule, BenchRow } from './types';

const MODULES: Array<{ name: string; run: BenchModule }> = [
  { name: 'engine', run: benchEngine },
  { name: 'offline', run: benchOffline },
  { name: 'extension', run: benchExtension },
  { name: 'scale', run: benchScale },
];

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
  for (const module of MODULES) {
    try {
      results.push(...(await module.run()).map((row) => judge(module.name, row)));
    } catch (error) {
      failures.push(`${module.name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
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
