import parseDiff from 'parse-diff';
import type { SkippedPart } from '../findings';
import type { RemovedBlock, ReviewUnit } from './types';
import { ReviewInputError } from './errors';
import { DEFAULT_MAX_FILE_BYTES, sourceFromText, type SourceRead } from './files';

/**
 * Reads a file's new text for a diff review: a SourceRead (the shared file reading), a plain string
 * (checked the same way), or undefined when the file is not there (the text is rebuilt from the hunks).
 */
export type NewFileReader = (path: string) => Promise<SourceRead | string | undefined>;

/**
 * Unified diff text (as `git diff` prints it) → review units: the new file's text, the added lines
 * in new-file numbering and the removed lines placed where they stood. Deleted files, binary files
 * and pure renames have nothing to review and are reported as skipped.
 */
export interface DiffUnits {
  units: ReviewUnit[];
  skipped: SkippedPart[];
}

const BINARY_LINE = /^Binary files (?:"?a\/)?(.+?)"? and (?:"?b\/)?(.+?)"? differ$/gm;

/** Git's C-style escapes in a quoted path: `\303\251` (bytes, in octal), `\t`, `\"`, `\\`... */
const QUOTED_PATH_PIECE = /\\([0-3][0-7]{2}|[abtnvfr"\\])|[^\\]+|\\/g;
const C_ESCAPE_BYTES: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92 };

/**
 * A path as git wrote it in a diff header, with its quoting undone. Git quotes a path that holds a
 * byte outside printable ASCII, a `"` or a `\` (`"b/caf\303\251.ts"`); the diff parser drops the
 * quotes and the `a/`/`b/` prefix but keeps the escapes, so `café.ts` arrived as `caf\303\251.ts`
 * and was reviewed under a name that does not exist (its text rebuilt from the hunks, the project's
 * globs and the report's locations all missing it). An unquoted path never holds a `\`, so a path
 * with none is returned as it is.
 */
export function unquoteGitPath(path: string): string {
  if (!path.includes('\\')) return path;
  const bytes: number[] = [];
  for (const [piece, escape] of path.matchAll(QUOTED_PATH_PIECE)) {
    if (escape === undefined) bytes.push(...Buffer.from(piece, 'utf8'));
    else if (escape.length === 3) bytes.push(parseInt(escape, 8));
    else bytes.push(C_ESCAPE_BYTES[escape]);
  }
  return Buffer.from(bytes).toString('utf8');
}

function binaryPaths(diffText: string): Set<string> {
  const paths = new Set<string>();
  for (const match of diffText.matchAll(BINARY_LINE)) {
    paths.add(unquoteGitPath(match[1]));
    paths.add(unquoteGitPath(match[2]));
  }
  // `git diff --binary` prints patches instead of the "Binary files" line.
  for (const section of diffText.split(/^(?=diff --git )/m)) {
    if (!/^GIT binary patch$/m.test(section)) continue;
    const header = /^diff --git "?a\/(.+?)"? "?b\/(.+?)"?$/m.exec(section);
    if (header) paths.add(unquoteGitPath(header[2]));
  }
  return paths;
}

function isNoNewlineMarker(content: string): boolean {
  return content.startsWith('\\');
}

/**
 * The new file's lines as far as the hunks show them; lines outside hunks are empty. A CR inside a
 * line becomes a space: git's line numbers are kept and no CR can start a line of its own.
 */
function textFromHunks(file: parseDiff.File): string {
  const lines: string[] = [];
  const clean = (content: string): string => content.slice(1).replace(/\r$/, '').replace(/\r/g, ' ');
  for (const chunk of file.chunks) {
    for (const change of chunk.changes) {
      if (isNoNewlineMarker(change.content)) continue;
      if (change.type === 'add') lines[change.ln - 1] = clean(change.content);
      else if (change.type === 'normal') lines[change.ln2 - 1] = clean(change.content);
    }
  }
  return Array.from({ length: lines.length }, (_, i) => lines[i] ?? '').join('\n') + '\n';
}

function addedLines(file: parseDiff.File): number[] {
  const added: number[] = [];
  for (const chunk of file.chunks) {
    for (const change of chunk.changes) {
      if (change.type === 'add' && !isNoNewlineMarker(change.content)) added.push(change.ln);
    }
  }
  return added;
}

/**
 * The lines each hunk removed, in blocks of consecutive removals, each placed before the new-file
 * line that follows it (git's numbering). `@@ -5,2 +4,0 @@` removes two lines after new line 4.
 */
function removedBlocks(file: parseDiff.File): RemovedBlock[] {
  const blocks: RemovedBlock[] = [];
  const clean = (content: string): string => content.slice(1).replace(/\r$/, '');
  for (const chunk of file.chunks) {
    let nextNew = chunk.newLines === 0 ? chunk.newStart + 1 : chunk.newStart;
    let current: RemovedBlock | undefined;
    for (const change of chunk.changes) {
      if (isNoNewlineMarker(change.content)) continue;
      if (change.type === 'del') {
        if (!current) {
          current = { before: Math.max(1, nextNew), lines: [] };
          blocks.push(current);
        }
        current.lines.push(clean(change.content));
        continue;
      }
      current = undefined;
      nextNew = (change.type === 'add' ? change.ln : change.ln2) + 1;
    }
  }
  return blocks;
}

/** Parses diff text; throws ReviewInputError when non-empty text contains no file diff. */
export function parseUnifiedDiff(diffText: string): parseDiff.File[] {
  if (diffText.trim() === '') return [];
  const files = parseDiff(diffText);
  if (files.length === 0) {
    throw new ReviewInputError(
      'the diff text contains no file changes: expected unified diff output such as `git diff` prints ("diff --git", "---"/"+++" and "@@" lines)',
    );
  }
  for (const file of files) {
    if (!file.from && !file.to)
      throw new ReviewInputError(
        'the diff text has a file section without file names ("---"/"+++" or "diff --git" lines)',
      );
  }
  return files;
}

/** Git's line numbers (lines split at `\n` only) as lines of the normalised text. */
function remapLines(lines: number[], lineMap: number[] | undefined): number[] {
  if (!lineMap) return lines;
  const out: number[] = [];
  for (const line of lines) {
    const first = lineMap[line - 1];
    const next = lineMap[line];
    if (first === undefined) continue;
    for (let l = first; l < (next ?? first + 1); l++) out.push(l);
  }
  return out;
}

/** A removed block's place (git's line numbers) in the normalised text's lines. */
function remapBlocks(blocks: RemovedBlock[], lineMap: number[] | undefined): RemovedBlock[] {
  if (!lineMap) return blocks;
  const after = (lineMap[lineMap.length - 1] ?? 0) + 1;
  return blocks.map((block) => ({ ...block, before: lineMap[block.before - 1] ?? after }));
}

export interface DiffUnitsOptions {
  /** Files larger than this are skipped (default 512 KiB), as in a folder review. */
  maxFileBytes?: number;
}

export async function unitsFromDiff(
  diffText: string,
  readNewFile: NewFileReader,
  options: DiffUnitsOptions = {},
): Promise<DiffUnits> {
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const files = parseUnifiedDiff(diffText);
  const binary = binaryPaths(diffText);
  const units: ReviewUnit[] = [];
  const skipped: SkippedPart[] = [];
  const read = async (path: string): Promise<SourceRead | undefined> => {
    const raw = await readNewFile(path);
    return typeof raw === 'string' ? sourceFromText(raw, maxBytes, path) : raw;
  };

  for (const file of files) {
    const from = file.from && file.from !== '/dev/null' ? unquoteGitPath(file.from) : undefined;
    const to = file.to && file.to !== '/dev/null' ? unquoteGitPath(file.to) : undefined;
    if (file.deleted || !to) {
      skipped.push({ file: from ?? '(unknown)', reason: 'deleted in this diff: nothing to review' });
      continue;
    }
    if (binary.has(to)) {
      // Git calls UTF-16 text binary (it holds NUL bytes); the shared reading decodes it, and then
      // the whole file counts as changed since git gave no line-level diff.
      const source = await read(to);
      if (source?.ok) {
        const lineCount = source.text.split('\n').length;
        units.push({ path: to, text: source.text, changedLines: Array.from({ length: lineCount }, (_, i) => i + 1) });
      } else {
        skipped.push({
          file: to,
          reason: source?.reason ?? 'binary file: not reviewed',
          ...(source?.failed ? { failed: true } : {}),
        });
      }
      continue;
    }
    const changedLines = addedLines(file);
    const removed = removedBlocks(file);
    if (changedLines.length === 0 && removed.length === 0) {
      if (from && from !== to)
        skipped.push({ file: to, reason: `renamed from ${from} without added lines: nothing to review` });
      else skipped.push({ file: to, reason: 'no content change (mode or metadata only): nothing to review' });
      continue;
    }
    const source = await read(to);
    const withRemoved = (blocks: RemovedBlock[]): Pick<ReviewUnit, 'removed'> =>
      blocks.length > 0 ? { removed: blocks } : {};
    if (source === undefined) {
      units.push({ path: to, text: textFromHunks(file), changedLines, ...withRemoved(removed) });
    } else if (source.ok) {
      units.push({
        path: to,
        text: source.text,
        changedLines: remapLines(changedLines, source.lineMap),
        ...withRemoved(remapBlocks(removed, source.lineMap)),
      });
    } else {
      skipped.push({ file: to, reason: source.reason, ...(source.failed ? { failed: true } : {}) });
    }
  }
  return { units, skipped };
}
