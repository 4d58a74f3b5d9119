// What redaction costs (issue 13): `redactSecrets` over an 80 KB source file with nothing to redact,
// against the least any pattern scanner does over the same text, measured in pairs in the same run.
import { performance } from 'node:perf_hooks';
import { redactSecrets } from '../src/core/review/redact';
import { median, round } from './engine';
import { BENCH_LANGUAGES, backendSource, type BenchLanguage } from './generate';
import type { BenchRow } from './types';

const FILE_BYTES = 80 * 1024;
const PAIRS = 31;
const WARMUP = 5;
/**
 * Redaction ÷ the plain pass, at most. Measured 5.8–6.1× (worst language, Python; TypeScript and Go
 * about 4×) in three runs on the 2-core development VM at load 1.7–2.3: ~100 provider formats, names
 * in every config syntax and positional credentials, against one regex over the same runs of token
 * characters. The ceiling keeps today's cost with room for noise; a pattern that starts backtracking
 * over long lines shows as a multiple of it.
 */
export const REDACTION_OVER_PLAIN_TARGET = 10;

const EXTENSION: Record<BenchLanguage, string> = { typescript: 'ts', python: 'py', go: 'go' };

/** The generated backend source of a language, cut to 80 KB, with every line that holds something to redact removed. */
export function cleanSource(language: BenchLanguage): { text: string; path: string } {
  const path = `src/service.${EXTENSION[language]}`;
  const lines = backendSource(language, 6000).split('\n');
  const found = new Set(redactSecrets(lines.join('\n'), { path }).redactions.map((r) => r.line));
  const kept: string[] = [];
  let bytes = 0;
  for (const [index, line] of lines.entries()) {
    if (found.has(index + 1)) continue;
    if (bytes + line.length + 1 > FILE_BYTES) break;
    kept.push(line);
    bytes += line.length + 1;
  }
  return { text: kept.join('\n'), path };
}

/** The least a pattern scanner does: one regex over every run of token characters. */
function plainPass(text: string): number {
  let characters = 0;
  for (const match of text.matchAll(/[A-Za-z0-9_\-+/=.]+/g)) characters += match[0].length;
  return characters;
}

function timed(run: () => unknown): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

export async function benchRedaction(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const ratios: number[] = [];
  for (const language of BENCH_LANGUAGES) {
    const { text, path } = cleanSource(language);
    const left = redactSecrets(text, { path }).redactions.length;
    if (left > 0) throw new Error(`bench: the clean ${language} source still has ${left} things to redact`);
    for (let i = 0; i < WARMUP; i += 1) {
      redactSecrets(text, { path });
      plainPass(text);
    }
    const redaction: number[] = [];
    const plain: number[] = [];
    for (let i = 0; i < PAIRS; i += 1) {
      redaction.push(timed(() => redactSecrets(text, { path })));
      plain.push(timed(() => plainPass(text)));
    }
    const ratio = median(redaction) / median(plain);
    ratios.push(ratio);
    rows.push({
      name: `redaction: 80 KB ${language}, time`,
      value: round(median(redaction)),
      unit: 'ms',
      note: `median of ${PAIRS} (context: absolute); ${Math.round(text.length / 1024)} KB, nothing to redact; plain pass ${round(median(plain), 3)} ms`,
    });
  }
  rows.push({
    name: 'redaction ÷ plain pass over the same text, 80 KB with nothing to redact',
    value: round(Math.max(...ratios), 1),
    unit: '×',
    target: REDACTION_OVER_PLAIN_TARGET,
    targetKind: 'max',
    note: `worst of ${BENCH_LANGUAGES.map((language, i) => `${language} ${round(ratios[i], 1)}`).join(', ')}; plain pass: one regex over runs of token characters`,
  });
  return rows;
}
