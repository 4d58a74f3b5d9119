import { execFile, spawn } from 'node:child_process';
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { ReviewInputError } from './errors';
import { DEFAULT_MAX_FILE_BYTES, decodeSource, readSourceFile, tooLarge, type SourceRead } from './files';
import type { SkippedPart } from '../findings';

/**
 * The diff text is held in memory whole: files over the size cap are left out of it before it is
 * made (see gitDiff), so this bounds what many files under the cap add up to.
 */
export const MAX_DIFF_BYTES = 64 * 1024 * 1024;

const GIT_ENV = (): NodeJS.ProcessEnv => ({ ...process.env, GIT_PAGER: 'cat', LC_ALL: 'C' });

/** Runs `git` without a shell. */
function git(args: string[], cwd: string, maxBuffer = MAX_DIFF_BYTES): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, maxBuffer, encoding: 'utf8', env: GIT_ENV() }, (error, stdout, stderr) => {
      if (!error) {
        resolve(stdout);
        return;
      }
      if ((error as NodeJS.ErrnoException).code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
        reject(
          new ReviewInputError(
            `git ${args.join(' ')}: the output is larger than ${Math.round(maxBuffer / (1024 * 1024))} MiB: review a smaller range of changes, or limit it to some paths`,
          ),
        );
        return;
      }
      const detail = (stderr || error.message).trim();
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new ReviewInputError('git is not installed or not on PATH: --diff and --staged need it'));
      } else if (/not a git repository/i.test(detail)) {
        reject(
          new ReviewInputError(
            `${cwd} is not inside a git repository: --diff and --staged review git changes (run it inside a repository, or pass paths instead)`,
          ),
        );
      } else {
        reject(new ReviewInputError(`git ${args.join(' ')} failed: ${detail}`));
      }
    });
  });
}

async function gitRepositoryRoot(cwd: string): Promise<string> {
  return (await git(['rev-parse', '--show-toplevel'], cwd)).trim();
}

/** `git cat-file --batch-check` for many objects in one process: each spec's size, undefined when missing. */
function objectSizes(root: string, specs: string[]): Promise<(number | undefined)[]> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['cat-file', '--batch-check=%(objectsize)'], { cwd: root, env: GIT_ENV() });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (data: string) => (out += data));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new ReviewInputError(`git cat-file --batch-check failed (exit ${code})`));
        return;
      }
      const lines = out.split('\n');
      resolve(specs.map((_, i) => (/^\d+$/.test(lines[i] ?? '') ? Number(lines[i]) : undefined)));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(specs.map((spec) => `${spec}\n`).join(''));
  });
}

/** Reads a staged blob without holding more than the size cap (git says the size first). */
function readBlob(root: string, path: string, size: number, maxBytes: number): Promise<SourceRead> {
  return new Promise((resolve) => {
    execFile(
      'git',
      ['cat-file', 'blob', `:${path}`],
      { cwd: root, maxBuffer: Math.min(size, maxBytes) + 1, encoding: 'buffer', env: GIT_ENV() },
      (error, stdout) => {
        if (error) {
          resolve({
            ok: false,
            reason: `the staged text could not be read (${error.message.split('\n')[0]}): not reviewed`,
            failed: true,
          });
          return;
        }
        resolve(decodeSource(stdout, maxBytes, path));
      },
    );
  });
}

export interface GitDiffOptions {
  /** Compare the working tree with this revision (HEAD when absent); with `staged`, the index with it. */
  base?: string;
  /** Review the index (`git diff --staged`) instead of the working tree. */
  staged?: boolean;
  /** Files larger than this are left out of the diff and reported as skipped (default 512 KiB). */
  maxFileBytes?: number;
}

export interface GitDiff {
  root: string;
  diffText: string;
  /** Reads a file as it is in the reviewed state (index for --staged, working tree otherwise). */
  readNewFile: (path: string) => Promise<SourceRead | undefined>;
  /** Changed files over the size cap, left out of `diffText`, with why. */
  oversized: SkippedPart[];
  /**
   * Reads a file as it is in the base revision (HEAD when none was given); undefined when it is not
   * there. What the change under review cannot have altered (the team's dismissals) is read this way.
   */
  readBaseFile: (path: string) => Promise<string | undefined>;
}

export async function gitDiff(cwd: string, options: GitDiffOptions): Promise<GitDiff> {
  const root = await gitRepositoryRoot(cwd);
  if (options.base !== undefined && options.base.startsWith('-')) {
    throw new ReviewInputError(`"${options.base}" is not a revision: --diff takes a revision such as main or HEAD~1`);
  }
  const args = ['diff', '--no-color', '--no-ext-diff', '--find-renames'];
  if (options.staged) args.push('--staged');
  if (options.base !== undefined) {
    args.push(options.base);
  } else if (!options.staged) {
    // Working tree vs HEAD (staged and unstaged changes), not vs the index as plain `git diff` would.
    if (!(await hasHead(root))) {
      throw new ReviewInputError(
        'the repository has no commits yet, so there is no HEAD to diff against: commit first, or use --staged',
      );
    }
    args.push('HEAD');
  }
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  // Sizes first, so that a huge file never enters the diff text (nor memory): it is left out by an
  // exclude pathspec and reported as skipped, like a huge file in a folder review.
  const names = (await git([...args, '--name-only', '-z', '--'], root)).split('\0').filter((name) => name !== '');
  const sizes = options.staged
    ? await objectSizes(
        root,
        names.map((name) => (name.includes('\n') ? ':' : `:${name}`)),
      )
    : await Promise.all(
        names.map((name) =>
          lstat(join(root, name)).then(
            (info) => (info.isFile() ? info.size : undefined),
            () => undefined,
          ),
        ),
      );
  const oversized: SkippedPart[] = [];
  const excludes: string[] = [];
  names.forEach((name, i) => {
    const size = sizes[i];
    if (size === undefined || size <= maxBytes) return;
    const read = tooLarge(size, maxBytes, name);
    if (!read.ok) oversized.push({ file: name, reason: read.reason, ...(read.failed ? { failed: true } : {}) });
    excludes.push(`:(exclude,literal)${name}`);
  });
  const diffText = await git([...args, '--', ...excludes], root);
  const stagedSize = new Map(names.map((name, i) => [name, sizes[i]]));
  const readNewFile = async (path: string): Promise<SourceRead | undefined> => {
    if (options.staged) {
      const size = stagedSize.get(path) ?? (await objectSizes(root, [`:${path}`]))[0];
      return size === undefined ? undefined : readBlob(root, path, size, maxBytes);
    }
    const read = await readSourceFile(join(root, path), maxBytes);
    // Gone from the working tree (or never there): the caller rebuilds the text from the hunks.
    if (!read.ok && read.errno === 'ENOENT') return undefined;
    return read;
  };
  const baseRevision = options.base ?? 'HEAD';
  // `main...HEAD` compares with the merge base: that is the revision to read.
  const readBaseFile = (path: string): Promise<string | undefined> => readFileAtRevision(root, baseRevision, path);
  return { root, diffText, readNewFile, oversized, readBaseFile };
}

/** Whether git tracks any file under `path` (repository-relative) in the index: part of the repository, not a local folder. */
export async function isTracked(root: string, path: string): Promise<boolean> {
  return (await git(['ls-files', '-z', '--', path], root)) !== '';
}

async function hasHead(root: string): Promise<boolean> {
  try {
    await git(['rev-parse', '--verify', '--quiet', 'HEAD'], root);
    return true;
  } catch {
    return false;
  }
}

/** A file of a revision's tree, as `filesAtRevision` lists it. */
export interface RevisionFile {
  /** Repository-relative path, with `/`. */
  path: string;
  /** The file's bytes; absent when it was not read (see `left`). */
  bytes?: Buffer;
  /** Why the file was not read: a symlink or submodule (not followed), or over the size limit. */
  left?: string;
}

/**
 * The files under `paths` (files or folders, repository-relative) as they are in `revision`, read
 * from git's objects, never from the working tree. Symlinks and submodules are listed, not followed:
 * a link's target is read from the working tree, which is what the caller wants to avoid. Files over
 * `maxBytes` are listed, not read. `undefined` when the revision does not exist (no commit yet).
 */
export async function filesAtRevision(
  root: string,
  revision: string,
  paths: readonly string[],
  maxBytes: number,
  /** Only the files this keeps are listed and read (default: all under `paths`). */
  keep: (path: string) => boolean = () => true,
): Promise<RevisionFile[] | undefined> {
  const commit = await baseCommit(root, revision);
  if (commit === undefined) return undefined;
  if (paths.length === 0) return [];
  const listing = await git(['ls-tree', '-r', '-l', '-z', '--full-tree', commit, '--', ...paths], root);
  const files: RevisionFile[] = [];
  for (const entry of listing.split('\0')) {
    // <mode> SP <type> SP <object> SP+ <size> TAB <path>
    const match = /^(\d+) (\w+) ([0-9a-f]+) +(-|\d+)\t([\s\S]+)$/.exec(entry);
    if (!match) continue;
    const [, mode, type, object, size, path] = match;
    if (!keep(path)) continue;
    if (type !== 'blob' || mode === '120000') {
      files.push({ path, left: mode === '120000' ? 'a symlink, not followed' : `a ${type}, not read` });
      continue;
    }
    if (Number(size) > maxBytes) {
      files.push({ path, left: `${Math.ceil(Number(size) / 1024)} KiB, over the ${maxBytes / 1024} KiB limit` });
      continue;
    }
    files.push({ path, bytes: await blobBytes(root, object, Number(size)) });
  }
  return files;
}

/**
 * The commit a diff's base names: the revision itself, the left side of `A..B`, or the merge base of
 * `A...B` (what `git diff` compares with). `undefined` when there is none (no commit yet).
 */
export async function baseCommit(root: string, revision: string): Promise<string | undefined> {
  if (revision.startsWith('-')) throw new ReviewInputError(`"${revision}" is not a revision`);
  const verify = async (rev: string): Promise<string | undefined> => {
    try {
      return (await git(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], root)).trim() || undefined;
    } catch {
      return undefined;
    }
  };
  const symmetric = /^(.*?)\.\.\.(.*)$/.exec(revision);
  if (symmetric) {
    const [left, right] = [symmetric[1] || 'HEAD', symmetric[2] || 'HEAD'];
    if (left.startsWith('-') || right.startsWith('-')) return undefined;
    try {
      return (await git(['merge-base', left, right], root)).trim() || undefined;
    } catch {
      return undefined;
    }
  }
  const range = /^(.*?)\.\.(.*)$/.exec(revision);
  return verify(range ? range[1] || 'HEAD' : revision);
}

function blobBytes(root: string, object: string, size: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      ['cat-file', 'blob', object],
      { cwd: root, maxBuffer: size + 1, encoding: 'buffer', env: GIT_ENV() },
      (error, stdout) => {
        if (error) reject(new ReviewInputError(`git cat-file blob ${object} failed: ${error.message.split('\n')[0]}`));
        else resolve(stdout);
      },
    );
  });
}

/** A file's text as it is in a diff's base (see baseCommit); undefined when the file or the commit is not there. */
export async function readFileAtRevision(root: string, revision: string, path: string): Promise<string | undefined> {
  const commit = await baseCommit(root, revision);
  if (commit === undefined) return undefined;
  try {
    return await git(['show', `${commit}:${path}`], root);
  } catch {
    return undefined;
  }
}

/** Commit messages sent with a diff review, at most. */
export const MAX_COMMIT_MESSAGES = 20;

/**
 * The messages of the commits a `--diff BASE` review covers (`BASE..HEAD`, or the range as given
 * when BASE is one), newest first, at most MAX_COMMIT_MESSAGES. A working-tree or staged review
 * against HEAD covers no commit: none.
 */
export async function commitMessages(root: string, base: string | undefined): Promise<string[]> {
  if (base === undefined || base === 'HEAD') return [];
  if (base.startsWith('-')) throw new ReviewInputError(`"${base}" is not a revision`);
  const range = base.includes('..') ? base : `${base}..HEAD`;
  const out = await git(
    ['log', '--no-color', `--max-count=${MAX_COMMIT_MESSAGES}`, '--format=%B%x00', range, '--'],
    root,
  );
  return out
    .split('\0')
    .map((message) => message.trim())
    .filter((message) => message !== '');
}
