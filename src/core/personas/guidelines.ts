import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import picomatch from 'picomatch';
import { silentLogger, type Logger } from '../log';
import { describeType, splitFrontMatter } from './frontMatter';
import { describeFsError, readTextFile } from './readText';
import type { Guideline, PersonaLoadError } from './types';
import { errorMessage } from '../errorMessage';

/**
 * A guideline with no automatic scope: an `*.instructions.md` without `applyTo`, or a Cursor rule
 * with neither `globs` nor `alwaysApply: true` (Cursor attaches those on request only). Such
 * guidelines are loaded and listed but never returned by guidelinesFor.
 */
export type LoadedGuideline = Guideline & { manual?: true };

interface Candidate {
  relative: string;
  kind: Guideline['kind'];
}

async function listMatching(
  root: string,
  relativeDir: string,
  suffix: string,
  errors: PersonaLoadError[],
): Promise<Candidate[]> {
  const dir = path.join(root, relativeDir);
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      errors.push({ source: dir, message: `guideline folder ${describeFsError(error)}` });
    return [];
  }
  return names
    .filter((name) => name.toLowerCase().endsWith(suffix))
    .sort() // code-unit order, not the locale's: the same on every machine
    .map((name) => ({
      relative: `${relativeDir}/${name}`,
      kind: relativeDir.startsWith('.cursor') ? 'cursor' : 'instructions',
    }));
}

/** `"src/**, test/**"` or `["src/**"]` → trimmed non-empty globs; anything else is a field error. */
function globList(value: unknown, field: string): { globs: string[]; problem?: string } {
  if (value === undefined || value === null) return { globs: [] };
  const parts =
    typeof value === 'string'
      ? value.split(',')
      : Array.isArray(value) && value.every((v) => typeof v === 'string')
        ? value
        : undefined;
  if (!parts)
    return {
      globs: [],
      problem: `front matter field "${field}" must be a glob string or a list of glob strings, got ${describeType(value)}`,
    };
  return { globs: parts.map((g) => g.trim().replace(/^\.\//, '')).filter(Boolean) };
}

async function loadOne(
  root: string,
  candidate: Candidate,
  logger: Logger,
): Promise<LoadedGuideline | PersonaLoadError | undefined> {
  const full = path.join(root, candidate.relative);
  const read = await readTextFile(full);
  if (!read.ok) {
    if (/does not exist/.test(read.message)) {
      // Top-level files are probed whether or not they exist; only a broken symlink is worth a message.
      try {
        await fs.lstat(full);
      } catch {
        return undefined;
      }
    }
    return { source: full, message: read.message };
  }
  for (const warning of read.warnings) logger.warn(`guidelines: ${full}: ${warning}`);
  let split;
  try {
    split = splitFrontMatter(read.text);
  } catch (error) {
    return { source: full, message: errorMessage(error) };
  }
  const text = split.body.trim();
  if (!text) return { source: full, message: 'guideline has no text after its front matter' };
  const source = candidate.relative;
  // A legacy .cursorrules file is plain text that Cursor applies to every request: no globs to read.
  if (
    candidate.kind === 'instructions' ||
    (candidate.kind === 'cursor' && candidate.relative !== LEGACY_CURSOR_RULES)
  ) {
    const field = candidate.kind === 'instructions' ? 'applyTo' : 'globs';
    const { globs, problem } = globList(split.data[field], field);
    if (problem) return { source: full, message: problem };
    const always = split.data.alwaysApply;
    if (always !== undefined && typeof always !== 'boolean') {
      return {
        source: full,
        message: `front matter field "alwaysApply" must be true or false, got ${describeType(always)}`,
      };
    }
    // `applyTo: "**"` and `alwaysApply: true` both mean every file; an empty applyTo list means every file too.
    if (always === true || globs.includes('**') || globs.includes('**/*'))
      return { source, kind: candidate.kind, applyTo: [], text };
    if (globs.length === 0) return { source, kind: candidate.kind, applyTo: [], text, manual: true };
    return { source, kind: candidate.kind, applyTo: globs, text };
  }
  return { source, kind: candidate.kind, applyTo: [], text };
}

const LEGACY_CURSOR_RULES = '.cursorrules';

/** Where guidelines are read from, in prompt order: single files, and folders of files with a suffix. */
const GUIDELINE_LOCATIONS: ReadonlyArray<Candidate | { dir: string; suffix: string }> = [
  { relative: 'AGENTS.md', kind: 'agents' },
  { relative: '.github/copilot-instructions.md', kind: 'copilot' },
  { dir: '.github/instructions', suffix: '.instructions.md' },
  { dir: '.cursor/rules', suffix: '.mdc' },
  { relative: LEGACY_CURSOR_RULES, kind: 'cursor' },
  { relative: 'CLAUDE.md', kind: 'claude' },
  { relative: '.claude/CLAUDE.md', kind: 'claude' },
];

/** The workspace-relative files and folders guidelines are read from. */
export function guidelinePaths(): string[] {
  return GUIDELINE_LOCATIONS.map((location) => ('suffix' in location ? location.dir : location.relative));
}

/**
 * Loads the project's guidelines: AGENTS.md, CLAUDE.md (also .claude/CLAUDE.md),
 * .github/copilot-instructions.md, .github/instructions/*.instructions.md (`applyTo`) and
 * .cursor/rules/*.mdc (`globs`, `alwaysApply`) and a legacy .cursorrules (every file). `source` is the
 * path relative to the workspace root.
 */
export async function loadGuidelines(options: {
  workspaceRoot: string;
  logger?: Logger;
}): Promise<{ guidelines: LoadedGuideline[]; errors: PersonaLoadError[] }> {
  const root = path.resolve(options.workspaceRoot);
  const logger = options.logger ?? silentLogger;
  const errors: PersonaLoadError[] = [];
  const candidates: Candidate[] = [];
  for (const location of GUIDELINE_LOCATIONS) {
    if ('suffix' in location) candidates.push(...(await listMatching(root, location.dir, location.suffix, errors)));
    else candidates.push(location);
  }
  const guidelines: LoadedGuideline[] = [];
  for (const result of await Promise.all(candidates.map((c) => loadOne(root, c, logger)))) {
    if (!result) continue;
    if ('text' in result) guidelines.push(result);
    else errors.push(result);
  }
  for (const error of errors) logger.warn(`guidelines: ${error.source}: ${error.message}`);
  return { guidelines, errors };
}

const matchers = new Map<string, (p: string) => boolean>();

function matcherFor(glob: string): (p: string) => boolean {
  let matcher = matchers.get(glob);
  if (!matcher) {
    // A glob without a slash ("*.ts") matches the file name in any folder, as in .gitignore and Cursor.
    matcher = picomatch(glob, { dot: true, basename: !glob.includes('/') });
    matchers.set(glob, matcher);
  }
  return matcher;
}

/** The guidelines that apply to a workspace-relative path, in load order. */
export function guidelinesFor(guidelines: Guideline[], relativePath: string): Guideline[] {
  const normalised = relativePath.replace(/\\/g, '/').replace(/^\.\//, '');
  return guidelines.filter((g) => {
    if ((g as LoadedGuideline).manual) return false;
    if (g.applyTo.length === 0) return true;
    return g.applyTo.some((glob) => matcherFor(glob)(normalised));
  });
}
