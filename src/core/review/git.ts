import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ReviewInputError } from './errors';

/** Runs `git` without a shell; the diff of a large change can be big, hence the generous buffer. */
function git(args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      { cwd, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8', env: { ...process.env, GIT_PAGER: 'cat', LC_ALL: 'C' } },
      (error, stdout, stderr) => {
        if (!error) {
          resolve(stdout);
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
      },
    );
  });
}

async function gitRepositoryRoot(cwd: string): Promise<string> {
  return (await git(['rev-parse', '--show-toplevel'], cwd)).trim();
}

export interface GitDiffOptions {
  /** Compare the working tree with this revision (HEAD when absent); with `staged`, the index with it. */
  base?: string;
  /** Review the index (`git diff --staged`) instead of the working tree. */
  staged?: boolean;
}

export interface GitDiff {
  root: string;
  diffText: string;
  /** Reads a file as it is in the reviewed state (index for --staged, working tree otherwise). */
  readNewFile: (path: string) => Promise<string | undefined>;
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
  args.push('--');
  const diffText = await git(args, root);
  const read = options.staged
    ? (path: string): Promise<string> => git(['show', `:${path}`], root)
    : (path: string): Promise<string> => readFile(join(root, path), 'utf8');
  const readNewFile = async (path: string): Promise<string | undefined> => {
    try {
      return await read(path);
    } catch {
      return undefined; // the caller rebuilds the text from the hunks
    }
  };
  return { root, diffText, readNewFile };
}

async function hasHead(root: string): Promise<boolean> {
  try {
    await git(['rev-parse', '--verify', '--quiet', 'HEAD'], root);
    return true;
  } catch {
    return false;
  }
}
