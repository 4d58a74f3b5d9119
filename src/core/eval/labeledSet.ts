import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { CATEGORIES, SEVERITIES, type Category, type Severity } from '../findings';
import { splitLines } from '../review/chunk';

/**
 * The labeled set the review is measured on (`npm run eval`, `backend-review eval`): a small
 * repository of backend code in TypeScript, Python and Go (`repo/`, the state after a change; `base/`,
 * the changed files as they were before it), the bugs seeded in it and the functions the changed
 * code calls. Anything a review reports that is not a labeled bug is a false positive: the clean
 * files must stay clean.
 */
const bugSchema = z.object({
  id: z.string().min(1),
  file: z.string().min(1),
  /** Text of the bug's line, unique in the file: the label survives edits above it. */
  quote: z.string().min(1),
  /** Categories a finding about this bug may carry. */
  categories: z.array(z.enum(CATEGORIES)).min(1),
  severity: z.enum(SEVERITIES),
  title: z.string().min(1),
  /**
   * The bug is visible only to a reviewer shown this text (removed code, for example): a scripted
   * model reports it only when the prompt holds it.
   */
  seenOnlyWith: z.string().min(1).optional(),
});

const calleeSchema = z.object({
  /** The changed file whose changed lines call it. */
  file: z.string().min(1),
  name: z.string().min(1),
  definedIn: z.string().min(1),
  /** The definition's first line, as it is in `definedIn`. */
  definition: z.string().min(1),
});

const reviewSchema = z.object({
  id: z.string().min(1),
  kind: z.enum(['files', 'diff']),
  paths: z.array(z.string().min(1)).min(1),
});

const labelsSchema = z.object({
  about: z.string().optional(),
  commitMessage: z.string().min(1),
  reviews: z.array(reviewSchema).min(1),
  bugs: z.array(bugSchema),
  callees: z.array(calleeSchema),
});

export type EvalReviewKind = z.infer<typeof reviewSchema>['kind'];

export interface LabeledBug {
  id: string;
  file: string;
  /** 1-based lines of the bug in `repo/` (where its quote is). */
  startLine: number;
  endLine: number;
  quote: string;
  categories: Category[];
  severity: Severity;
  title: string;
  seenOnlyWith?: string;
  /** The review (`files` or `diff`) that covers the bug's file. */
  review: string;
}

export interface LabeledCallee {
  file: string;
  name: string;
  definedIn: string;
  definition: string;
  sameFile: boolean;
}

export interface LabeledSet {
  dir: string;
  commitMessage: string;
  reviews: { id: string; kind: EvalReviewKind; paths: string[] }[];
  bugs: LabeledBug[];
  callees: LabeledCallee[];
  /** Every file of the repository after the change, by repository-relative path. */
  files: Map<string, string>;
  /** The changed files as they were before the change. */
  baseFiles: Map<string, string>;
}

/** The set shipped with the tool: `eval/set` next to `dist/` (bundled) or at the repository root (sources). */
export function bundledEvalSetDir(): string {
  const candidates = [
    path.resolve(__dirname, '..', 'eval', 'set'),
    path.resolve(__dirname, '..', '..', '..', 'eval', 'set'),
  ];
  const found = candidates.find((dir) => existsSync(path.join(dir, 'labels.json')));
  if (!found) throw new Error(`the eval set was not found: looked for labels.json in ${candidates.join(' and ')}`);
  return found;
}

async function readTree(root: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile())
        files.set(path.relative(root, full).split(path.sep).join('/'), await fs.readFile(full, 'utf8'));
    }
  };
  try {
    await walk(root);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return files;
    throw error;
  }
  return files;
}

/** Reads and checks a labeled set; every error names the file and the label. */
export async function loadLabeledSet(dir: string): Promise<LabeledSet> {
  const labelsFile = path.join(dir, 'labels.json');
  let raw: unknown;
  try {
    raw = JSON.parse(await fs.readFile(labelsFile, 'utf8'));
  } catch (error) {
    throw new Error(`${labelsFile}: ${(error as Error).message}`);
  }
  const parsed = labelsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${labelsFile}: ${issue.path.join('.')}: ${issue.message}`);
  }
  const labels = parsed.data;
  const files = await readTree(path.join(dir, 'repo'));
  const baseFiles = await readTree(path.join(dir, 'base'));
  const reviewOf = new Map<string, string>();
  for (const review of labels.reviews) {
    for (const p of review.paths) {
      if (!files.has(p)) throw new Error(`${labelsFile}: review "${review.id}" lists ${p}, which is not in repo/`);
      if (review.kind === 'diff' && !baseFiles.has(p))
        throw new Error(
          `${labelsFile}: review "${review.id}" lists ${p}, which is not in base/ (so it did not change)`,
        );
      reviewOf.set(p, review.id);
    }
  }
  const bugs: LabeledBug[] = labels.bugs.map((bug) => {
    const text = files.get(bug.file);
    const review = reviewOf.get(bug.file);
    if (text === undefined || review === undefined)
      throw new Error(`${labelsFile}: bug "${bug.id}": ${bug.file} is not a reviewed file of repo/`);
    const lines = splitLines(text);
    const at = lines.flatMap((line, i) => (line.includes(bug.quote) ? [i + 1] : []));
    if (at.length !== 1)
      throw new Error(
        `${labelsFile}: bug "${bug.id}": its quote is on ${at.length === 0 ? 'no line' : `${at.length} lines`} of ${bug.file}; it must be on exactly one`,
      );
    return { ...bug, startLine: at[0], endLine: at[0], review };
  });
  const callees = labels.callees.map((callee) => {
    const text = files.get(callee.definedIn);
    if (text === undefined || !text.includes(callee.definition))
      throw new Error(`${labelsFile}: callee "${callee.name}": its definition is not in ${callee.definedIn}`);
    return { ...callee, sameFile: callee.file === callee.definedIn };
  });
  return {
    dir,
    commitMessage: labels.commitMessage,
    reviews: labels.reviews,
    bugs,
    callees,
    files,
    baseFiles,
  };
}
