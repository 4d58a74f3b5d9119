import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import type { SkippedPart } from '../findings';
import type { ReviewUnit } from './types';
import { ReviewInputError } from './errors';
import { looksBinary } from '../personas/encoding';

/**
 * Collects the files to review from the paths the user gave: folders are walked honouring
 * `.gitignore` files (from the repository root down), skipping vendored and generated code, binaries
 * and files over the size cap. Every skipped file is reported with its reason.
 */
export const DEFAULT_MAX_FILE_BYTES = 512 * 1024;

const VENDORED_DIRECTORIES = new Set([
  'node_modules',
  'vendor',
  'dist',
  'build',
  '.git',
  'third_party',
  'bower_components',
  '.venv',
  'venv',
  '__pycache__',
  '.next',
  'target',
  'out',
]);
/** Prose, not code: not walked into from folders (a file named explicitly is still reviewed). */
const DOCUMENTATION_FILES =
  /(?:\.(?:md|markdown|mdx|rst|txt|adoc)|(?:^|[\\/])(?:LICEN[CS]E|COPYING|NOTICE|AUTHORS)(?:\.\w+)?)$/i;
const VENDORED_FILES = [
  /\.min\.(?:js|css)$/i,
  /\.map$/i,
  /(?:^|[\\/])(?:package-lock\.json|yarn\.lock|pnpm-lock\.yaml|npm-shrinkwrap\.json|Cargo\.lock|poetry\.lock|Pipfile\.lock|go\.sum|composer\.lock|Gemfile\.lock|uv\.lock)$/i,
];

export interface CollectOptions {
  /** Paths in findings are relative to this directory. */
  cwd: string;
  maxFileBytes?: number;
}

export interface CollectedFiles {
  units: ReviewUnit[];
  skipped: SkippedPart[];
}

function displayPath(cwd: string, absolutePath: string): string {
  const rel = relative(cwd, absolutePath);
  const shown = rel === '' || rel.startsWith('..') || isAbsolute(rel) ? absolutePath : rel;
  return shown.split(sep).join('/');
}

/** The nearest folder at or above `start` that holds a `.git` entry, or undefined. */
export function findRepositoryRoot(start: string): string | undefined {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, '.git'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

interface IgnoreScope {
  dir: string;
  rules: Ignore;
}

async function loadGitignore(dir: string): Promise<IgnoreScope | undefined> {
  try {
    const text = await readFile(join(dir, '.gitignore'), 'utf8');
    return { dir, rules: ignore().add(text) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function isIgnored(scopes: IgnoreScope[], absolutePath: string, isDirectory: boolean): boolean {
  for (const scope of scopes) {
    const rel = relative(scope.dir, absolutePath).split(sep).join('/');
    if (rel === '' || rel.startsWith('..')) continue;
    if (scope.rules.ignores(isDirectory ? `${rel}/` : rel)) return true;
  }
  return false;
}

function isVendoredFile(path: string): boolean {
  return VENDORED_FILES.some((pattern) => pattern.test(path));
}

async function loadFile(absolutePath: string, cwd: string, maxBytes: number, out: CollectedFiles): Promise<void> {
  const shown = displayPath(cwd, absolutePath);
  const info = await stat(absolutePath);
  if (info.size > maxBytes) {
    out.skipped.push({
      file: shown,
      reason: `larger than the ${Math.round(maxBytes / 1024)} KiB size cap (${Math.round(info.size / 1024)} KiB): not reviewed`,
    });
    return;
  }
  // Under the size cap: read once, then look for NUL bytes in what was read.
  const content = await readFile(absolutePath);
  if (looksBinary(content)) {
    out.skipped.push({ file: shown, reason: 'binary file: not reviewed' });
    return;
  }
  out.units.push({ path: shown, text: content.toString('utf8') });
}

async function walk(
  dir: string,
  scopes: IgnoreScope[],
  options: Required<CollectOptions>,
  out: CollectedFiles,
): Promise<void> {
  const own = await loadGitignore(dir);
  const active = own ? [...scopes, own] : scopes;
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (VENDORED_DIRECTORIES.has(entry.name) || isIgnored(active, full, true)) continue;
      await walk(full, active, options, out);
    } else if (entry.isFile()) {
      if (
        isVendoredFile(entry.name) ||
        DOCUMENTATION_FILES.test(entry.name) ||
        entry.name === '.gitignore' ||
        isIgnored(active, full, false)
      )
        continue;
      await loadFile(full, options.cwd, options.maxFileBytes, out);
    }
  }
}

/** Throws ReviewInputError for a path that does not exist or cannot be read. */
export async function collectFiles(paths: string[], options: CollectOptions): Promise<CollectedFiles> {
  const resolved: Required<CollectOptions> = {
    cwd: options.cwd,
    maxFileBytes: options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
  };
  const out: CollectedFiles = { units: [], skipped: [] };
  for (const given of paths) {
    const absolutePath = resolve(options.cwd, given);
    let info;
    try {
      info = await stat(absolutePath);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new ReviewInputError(
        code === 'ENOENT'
          ? `${given}: no such file or directory`
          : `${given}: cannot be read (${code ?? (error as Error).message})`,
      );
    }
    try {
      if (info.isDirectory()) {
        // .gitignore files between the repository root and the folder apply too.
        const root = findRepositoryRoot(absolutePath);
        const scopes: IgnoreScope[] = [];
        if (root) {
          const chain: string[] = [];
          for (let dir = dirname(absolutePath); dir.startsWith(root); dir = dirname(dir)) {
            chain.unshift(dir);
            if (dir === root) break;
          }
          for (const dir of chain) {
            const scope = await loadGitignore(dir);
            if (scope) scopes.push(scope);
          }
        }
        const before = out.units.length;
        await walk(absolutePath, scopes, resolved, out);
        if (
          out.units.length === before &&
          !out.skipped.some((s) => s.file.startsWith(displayPath(options.cwd, absolutePath)))
        ) {
          out.skipped.push({
            file: displayPath(options.cwd, absolutePath),
            reason: 'folder has no reviewable files (all ignored, vendored or empty)',
          });
        }
      } else if (info.isFile()) {
        await loadFile(absolutePath, options.cwd, resolved.maxFileBytes, out);
      } else {
        throw new ReviewInputError(`${given}: not a regular file or folder`);
      }
    } catch (error) {
      if (error instanceof ReviewInputError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      throw new ReviewInputError(`${given}: cannot be read (${code ?? (error as Error).message})`);
    }
  }
  // The same file given twice (or inside two given folders) is reviewed once.
  const unique = new Map(out.units.map((u) => [u.path, u]));
  return { units: [...unique.values()], skipped: out.skipped };
}
