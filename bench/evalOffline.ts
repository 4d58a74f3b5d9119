/**
 * `npm run eval:offline -- [--labels FILE]... [--roles ROLE,...] [--mistakes] [--unlabeled-out FILE] DIR...`
 *
 * Runs the offline checks over every TypeScript/JavaScript, Python and Go file under each DIR and
 * prints precision and recall per rule and language (see bench/evalScore.ts for how findings are
 * judged). Files carrying `ruleid:` / `ok:` annotations (peer suites) are scored by them; files
 * under a labels file's root are scored by its labels. `--unlabeled-out` writes the findings no
 * label covers as label entries marked `?`, ready to be judged by reading the code. `--roles
 * production` scores only the files of those roles (classified as the CLI does, from the path
 * relative to DIR), the figure the precision targets are about; every file is scored without it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OFFLINE_RULES, runOfflineChecks } from '../src/core/offline';
import { classifyFile, type FileRole } from '../src/core/roles';
import {
  annotations,
  parseRoles,
  Scoreboard,
  scoreAnnotated,
  scoreLabeled,
  type Language,
  type LabelEntry,
  type Mistake,
} from './evalScore';

const LANGUAGE_BY_EXTENSION: Record<string, Language> = {
  '.ts': 'js',
  '.tsx': 'js',
  '.js': 'js',
  '.jsx': 'js',
  '.mjs': 'js',
  '.cjs': 'js',
  '.py': 'python',
  '.go': 'go',
};
const SKIPPED_FOLDERS = new Set(['node_modules', '.git']);
/** Larger files are generated or bundled; peers' suites have none. */
const MAX_BYTES = 1_000_000;

interface Options {
  dirs: string[];
  labelFiles: string[];
  mistakes: boolean;
  unlabeledOut?: string;
  roles?: Set<FileRole>;
}

const USAGE =
  'usage: npm run eval:offline -- [--labels FILE]... [--roles ROLE,...] [--mistakes] [--unlabeled-out FILE] DIR...';

function parseArgs(argv: string[]): Options {
  const options: Options = { dirs: [], labelFiles: [], mistakes: false };
  for (let at = 0; at < argv.length; at += 1) {
    const arg = argv[at];
    if (arg === '--labels' || arg === '--unlabeled-out' || arg === '--roles') {
      const value = argv[at + 1];
      if (!value) throw new Error(`${arg} needs ${arg === '--roles' ? 'a comma-separated list of roles' : 'a file'}`);
      if (arg === '--labels') options.labelFiles.push(value);
      else if (arg === '--roles') options.roles = parseRoles(value);
      else options.unlabeledOut = value;
      at += 1;
    } else if (arg === '--mistakes') options.mistakes = true;
    else if (arg.startsWith('--')) throw new Error(`unknown option ${arg}`);
    else options.dirs.push(arg);
  }
  if (options.dirs.length === 0) throw new Error(USAGE);
  return options;
}

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_FOLDERS.has(entry.name)) yield* sourceFiles(full);
    } else if (entry.isFile() && path.extname(entry.name) in LANGUAGE_BY_EXTENSION) {
      // `x.fixed.py` is a peer suite's expected autofix output, not a test case.
      if (!/\.fixed\.\w+$/.test(entry.name)) yield full;
    }
  }
}

/** Labels by absolute file path. */
function readLabels(files: string[]): Map<string, LabelEntry[]> {
  const byFile = new Map<string, LabelEntry[]>();
  for (const file of files) {
    let parsed: { root?: string; entries?: LabelEntry[] };
    try {
      parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof parsed;
    } catch (error) {
      throw new Error(`labels file ${file}: ${(error as Error).message}`);
    }
    if (!Array.isArray(parsed.entries)) throw new Error(`labels file ${file}: "entries" must be an array`);
    const root = path.resolve(path.dirname(file), parsed.root ?? '.');
    parsed.entries.forEach((entry, index) => {
      const where = `labels file ${file}, entry ${index}`;
      if (typeof entry.path !== 'string' || typeof entry.rule !== 'string')
        throw new Error(`${where}: needs path and rule`);
      if (!('count' in entry) && !['tp', 'fp', 'fn'].includes(entry.label))
        throw new Error(`${where}: label must be tp, fp or fn (found ${JSON.stringify(entry.label)})`);
      const key = path.resolve(root, entry.path);
      byFile.set(key, [...(byFile.get(key) ?? []), entry]);
    });
  }
  return byFile;
}

function formatMistakes(file: string, mistakes: Mistake[]): string[] {
  return mistakes.map((m) => `${m.kind === 'fp' ? 'false alarm' : 'miss       '} ${m.rule} ${file}:${m.line}`);
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const labels = readLabels(options.labelFiles);
  const ourIds = new Set(OFFLINE_RULES.map((rule) => rule.id));
  const annotated = new Scoreboard();
  const labeled = new Scoreboard();
  const mistakes: string[] = [];
  const unlabeled: Array<LabelEntry & { message: string }> = [];
  let annotatedFiles = 0;
  let labeledFiles = 0;
  let skippedByRole = 0;
  for (const dir of options.dirs) {
    const root = path.resolve(dir);
    for (const file of sourceFiles(root)) {
      if (fs.statSync(file).size > MAX_BYTES) continue;
      const text = fs.readFileSync(file, 'utf8');
      const language = LANGUAGE_BY_EXTENSION[path.extname(file)];
      const notes = annotations(text, ourIds);
      const fileLabels = labels.get(file);
      if (notes.length === 0 && !fileLabels && options.labelFiles.length === 0) continue;
      const relative = path.relative(process.cwd(), file);
      // The role is read from the path inside the project, as the CLI reads it.
      const role = classifyFile(path.relative(root, file), text).role;
      if (options.roles && !options.roles.has(role)) {
        skippedByRole += 1;
        continue;
      }
      const findings = await runOfflineChecks({ path: relative, text, role }, { mode: 'backendpe' });
      const scored = findings.map((finding) => ({ ruleId: finding.ruleId as string, line: finding.startLine }));
      if (notes.length > 0) {
        annotatedFiles += 1;
        const result = scoreAnnotated(notes, scored);
        annotated.add(language, result.byRule);
        mistakes.push(...formatMistakes(relative, result.mistakes));
        continue;
      }
      labeledFiles += 1;
      const result = scoreLabeled(fileLabels ?? [], scored);
      labeled.add(language, result.byRule);
      mistakes.push(...formatMistakes(relative, result.mistakes));
      const judged = new Set(
        (fileLabels ?? []).map((entry) => ('line' in entry ? `${entry.line} ${entry.rule}` : entry.rule)),
      );
      for (const finding of findings) {
        if (judged.has(`${finding.startLine} ${finding.ruleId}`) || judged.has(finding.ruleId as string)) continue;
        unlabeled.push({
          path: file,
          line: finding.startLine,
          rule: finding.ruleId as string,
          label: '?' as 'tp',
          message: finding.message,
        });
      }
    }
  }
  if (annotatedFiles > 0) console.log(`Annotated files (peer suites): ${annotatedFiles}\n${annotated.table()}\n`);
  if (labeledFiles > 0) console.log(`Labeled files: ${labeledFiles}\n${labeled.table()}\n`);
  if (options.roles)
    console.log(`Scored only ${[...options.roles].join(', ')} files; ${skippedByRole} files of other roles left out.`);
  if (annotatedFiles + labeledFiles === 0) console.log('No annotated or labeled files found under the given folders.');
  if (options.mistakes && mistakes.length > 0) console.log(mistakes.join('\n'));
  if (options.unlabeledOut) {
    fs.writeFileSync(options.unlabeledOut, JSON.stringify({ root: '/', entries: unlabeled }, null, 1));
    console.log(`${unlabeled.length} unlabeled findings written to ${options.unlabeledOut}`);
  }
}

main().catch((error: unknown) => {
  console.error(`eval:offline: ${(error as Error).message}`);
  process.exitCode = 2;
});
