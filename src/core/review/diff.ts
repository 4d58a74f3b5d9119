import parseDiff from 'parse-diff';
import type { SkippedPart } from '../findings';
import type { ReviewUnit } from './types';
import { ReviewInputError } from './errors';

/**
 * Unified diff text (as `git diff` prints it) → review units: the new file's text plus the added
 * lines in new-file numbering. Deletions, binary files and pure renames have nothing to review and
 * are reported as skipped.
 */
export interface DiffUnits {
  units: ReviewUnit[];
  skipped: SkippedPart[];
}

const BINARY_LINE = /^Binary files (?:"?a\/)?(.+?)"? and (?:"?b\/)?(.+?)"? differ$/gm;

function binaryPaths(diffText: string): Set<string> {
  const paths = new Set<string>();
  for (const match of diffText.matchAll(BINARY_LINE)) {
    paths.add(match[1]);
    paths.add(match[2]);
  }
  // `git diff --binary` prints patches instead of the "Binary files" line.
  for (const section of diffText.split(/^(?=diff --git )/m)) {
    if (!/^GIT binary patch$/m.test(section)) continue;
    const header = /^diff --git a\/(.+?) b\/(.+)$/m.exec(section);
    if (header) paths.add(header[2]);
  }
  return paths;
}

function isNoNewlineMarker(content: string): boolean {
  return content.startsWith('\\');
}

/** The new file's lines as far as the hunks show them; lines outside hunks are empty. */
function textFromHunks(file: parseDiff.File): string {
  const lines: string[] = [];
  for (const chunk of file.chunks) {
    for (const change of chunk.changes) {
      if (isNoNewlineMarker(change.content)) continue;
      if (change.type === 'add') lines[change.ln - 1] = change.content.slice(1);
      else if (change.type === 'normal') lines[change.ln2 - 1] = change.content.slice(1);
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

export async function unitsFromDiff(
  diffText: string,
  readNewFile: (path: string) => Promise<string | undefined>,
): Promise<DiffUnits> {
  const files = parseUnifiedDiff(diffText);
  const binary = binaryPaths(diffText);
  const units: ReviewUnit[] = [];
  const skipped: SkippedPart[] = [];

  for (const file of files) {
    const from = file.from && file.from !== '/dev/null' ? file.from : undefined;
    const to = file.to && file.to !== '/dev/null' ? file.to : undefined;
    if (file.deleted || !to) {
      skipped.push({ file: from ?? '(unknown)', reason: 'deleted in this diff: nothing to review' });
      continue;
    }
    if (binary.has(to)) {
      skipped.push({ file: to, reason: 'binary file: not reviewed' });
      continue;
    }
    const changedLines = addedLines(file);
    if (changedLines.length === 0) {
      if (from && from !== to)
        skipped.push({ file: to, reason: `renamed from ${from} without added lines: nothing to review` });
      else if (file.chunks.length === 0)
        skipped.push({ file: to, reason: 'no content change (mode or metadata only): nothing to review' });
      else skipped.push({ file: to, reason: 'only deletions in this file: nothing to review' });
      continue;
    }
    const text = (await readNewFile(to)) ?? textFromHunks(file);
    units.push({ path: to, text, changedLines });
  }
  return { units, skipped };
}
