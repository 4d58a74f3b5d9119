// Realistic backend source for the benchmarks: the labeled offline fixtures (real handlers,
// repositories, workers with their risky code and near-misses) stitched into files of any length.
import * as fs from 'node:fs';
import * as path from 'node:path';

export const BENCH_LANGUAGES = ['typescript', 'python', 'go'] as const;
export type BenchLanguage = (typeof BENCH_LANGUAGES)[number];

const FIXTURES = path.join(__dirname, '../test/fixtures/offline');
const EXTENSIONS: Record<BenchLanguage, string> = { typescript: 'ts', python: 'py', go: 'go' };

const sourceCache = new Map<BenchLanguage, string[][]>();

function sources(language: BenchLanguage): string[][] {
  const cached = sourceCache.get(language);
  if (cached) return cached;
  const dir = path.join(FIXTURES, language);
  const files = fs
    .readdirSync(dir)
    .filter((name) => !name.endsWith('.tsx'))
    .sort();
  if (files.length === 0) throw new Error(`bench: no fixture sources in ${dir}`);
  const loaded = files.map((name) => fs.readFileSync(path.join(dir, name), 'utf8').replace(/\n+$/, '').split('\n'));
  sourceCache.set(language, loaded);
  return loaded;
}

/**
 * A file of exactly `lineCount` lines: whole fixture files of the language one after another (top-level
 * functions and types renamed per copy, Go keeping one package clause and import block), then short
 * declarations to reach the length. `seed` rotates the order so files of a repository differ.
 */
export function backendSource(language: BenchLanguage, lineCount: number, seed = 0): string {
  const all = sources(language);
  const lines: string[] = [];
  for (let copy = 0, added = true; added; copy += 1) {
    added = false;
    for (let index = 0; index < all.length; index += 1) {
      let body = all[(index + seed) % all.length];
      if (language === 'go' && lines.length > 0) {
        const importEnd = body.findIndex((line, at) => at > 0 && line === ')');
        body = body.slice(importEnd + 1);
      }
      if (lines.length + body.length > lineCount) continue;
      const suffix = `_${seed}_${copy}`;
      lines.push(
        ...body.map((line) =>
          line.replace(/^(export (?:async )?function |async def |def |func |class |type )(\w+)/, `$1$2${suffix}`),
        ),
      );
      added = true;
    }
  }
  for (let index = 0; lines.length < lineCount; index += 1) {
    lines.push(
      language === 'python'
        ? `RETRY_LIMIT_${index} = ${index % 7}`
        : language === 'go'
          ? `var retryLimit${index} = ${index % 7}`
          : `export const retryLimit${index} = ${index % 7};`,
    );
  }
  return lines.join('\n') + '\n';
}

function fileName(language: BenchLanguage, stem: string): string {
  return `${stem}.${EXTENSIONS[language]}`;
}

/**
 * Writes a repository of `files` files totalling `totalLines` lines (TypeScript, Python and Go in
 * turn, spread over service folders) under `root`; returns the number of lines written.
 */
export function writeRepository(root: string, files: number, totalLines: number): number {
  const languages: readonly BenchLanguage[] = BENCH_LANGUAGES;
  const perFile = Math.floor(totalLines / files);
  let written = 0;
  for (let index = 0; index < files; index += 1) {
    const language = languages[index % languages.length];
    const lineCount = index === files - 1 ? totalLines - written : perFile;
    const dir = path.join(root, `service${index % 25}`, language === 'go' ? 'internal' : 'src');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, fileName(language, `module${index}`)), backendSource(language, lineCount, index));
    written += lineCount;
  }
  return written;
}
