import * as vscode from 'vscode';
import type { SkippedPart } from '../core/findings';
import { languageFromPath } from '../core/language';
import type { Logger } from '../core/log';
import { unitsFromDiff } from '../core/review/diff';
import { DEFAULT_MAX_FILE_BYTES, decodeSource, tooLarge, type SourceRead } from '../core/review/files';
import { MAX_COMMIT_MESSAGES } from '../core/review/git';
import type { ReviewUnit } from '../core/review/types';
import {
  GIT_STATUS_DELETED,
  GIT_STATUS_INDEX_DELETED,
  GIT_STATUS_UNTRACKED,
  type GitApi,
  type GitChange,
  type GitExtensionExports,
  type GitRepository,
} from './gitApi';
import { UnreadableFiles } from './common/unreadableFiles';
import { errorMessage } from '../core/errorMessage';

/** No Git extension or no repository: the message says what to do. */
export class NoRepositoryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoRepositoryError';
  }
}

export interface DiffReviewInput {
  repository: GitRepository;
  units: ReviewUnit[];
  skipped: SkippedPart[];
  /** What was compared, for messages: "working tree vs HEAD". */
  description: string;
  /** The messages of the commits the diff covers (a branch review: merge base..HEAD), newest first; sent as context. */
  commitMessages?: string[];
}

async function gitApi(): Promise<GitApi> {
  const extension = vscode.extensions.getExtension<GitExtensionExports>('vscode.git');
  if (!extension)
    throw new NoRepositoryError(
      'The built-in Git extension is not installed, so there are no changes to review. Use Review Current File instead.',
    );
  const exports = extension.isActive ? extension.exports : await extension.activate();
  if (!exports.enabled)
    throw new NoRepositoryError(
      'Git is disabled (setting git.enabled), so there are no changes to review. Enable it or use Review Current File.',
    );
  return exports.getAPI(1);
}

/** The repository of the given file, else of the active editor, else the only one open. */
export async function findRepository(uri?: vscode.Uri): Promise<GitRepository> {
  const api = await gitApi();
  const target = uri ?? vscode.window.activeTextEditor?.document.uri;
  const byUri = target ? api.getRepository(target) : null;
  if (byUri) return byUri;
  if (api.repositories.length === 1) return api.repositories[0];
  if (api.repositories.length === 0) {
    throw new NoRepositoryError(
      'No Git repository is open in this window. Open a folder that is a Git repository (or run "git init"), or use Review Current File.',
    );
  }
  const picked = await vscode.window.showQuickPick(
    api.repositories.map((repository) => ({
      label: vscode.workspace.asRelativePath(repository.rootUri, true) || repository.rootUri.fsPath,
      repository,
    })),
    { title: 'Backend Reviewer: which repository?' },
  );
  if (!picked) throw new NoRepositoryError('No repository chosen.');
  return picked.repository;
}

function relative(repository: GitRepository, uri: vscode.Uri): string {
  const root = repository.rootUri.path.replace(/\/$/, '');
  return uri.path.startsWith(`${root}/`) ? uri.path.slice(root.length + 1) : uri.path;
}

/** The working-tree file read the way the CLI reads it (size cap, BOM/UTF-16, line endings, binary). */
async function readWorkingFile(repository: GitRepository, path: string): Promise<SourceRead> {
  const uri = vscode.Uri.joinPath(repository.rootUri, path);
  const stat = await vscode.workspace.fs.stat(uri);
  if (stat.size > DEFAULT_MAX_FILE_BYTES) return tooLarge(stat.size, DEFAULT_MAX_FILE_BYTES, path);
  return decodeSource(await vscode.workspace.fs.readFile(uri), DEFAULT_MAX_FILE_BYTES, path);
}

/** Units of a diff whose new text comes from `read`; files it cannot read are logged and reported as skipped. */
async function diffUnits(
  diff: string,
  what: string,
  read: (path: string) => Promise<string | SourceRead>,
  logger: Logger,
): Promise<{ units: ReviewUnit[]; skipped: SkippedPart[] }> {
  const unreadable = new UnreadableFiles(what);
  const { units, skipped, failures } = unreadable.exclude(await unitsFromDiff(diff, unreadable.reader(read)));
  for (const { path, reason } of failures)
    logger.warn(`${path}: ${what} could not be read (${reason}); the file was not reviewed.`);
  return { units, skipped };
}

async function patchesFor(changes: readonly GitChange[], patch: (path: string) => Promise<string>): Promise<string> {
  const wanted = changes.filter(
    (change) =>
      change.status !== GIT_STATUS_DELETED &&
      change.status !== GIT_STATUS_INDEX_DELETED &&
      change.status !== GIT_STATUS_UNTRACKED,
  );
  // The Git API takes absolute paths (it makes them relative to the repository itself).
  const patches = await Promise.all(wanted.map((change) => patch((change.renameUri ?? change.uri).fsPath)));
  return patches.filter((text) => text.trim() !== '').join('\n');
}

function deletedParts(changes: readonly GitChange[], repository: GitRepository): SkippedPart[] {
  return changes
    .filter((change) => change.status === GIT_STATUS_DELETED || change.status === GIT_STATUS_INDEX_DELETED)
    .map((change) => ({ file: relative(repository, change.uri), reason: 'deleted: nothing to review' }));
}

/** Working tree vs HEAD, plus untracked files reviewed as new files. */
export async function uncommittedChanges(repository: GitRepository, logger: Logger): Promise<DiffReviewInput> {
  const changes = await repository.diffWithHEAD();
  const diff = await patchesFor(changes, (path) => repository.diffWithHEAD(path));
  const { units, skipped } = await diffUnits(
    diff,
    'the working-tree file',
    (path) => readWorkingFile(repository, path),
    logger,
  );
  const untracked =
    repository.state.untrackedChanges ??
    repository.state.workingTreeChanges.filter((change) => change.status === GIT_STATUS_UNTRACKED);
  for (const change of untracked) {
    const path = relative(repository, change.uri);
    try {
      const stat = await vscode.workspace.fs.stat(change.uri);
      if (stat.type !== vscode.FileType.File) continue;
      const read = await readWorkingFile(repository, path);
      if (!read.ok) {
        skipped.push({ file: path, reason: `untracked file ${read.reason}`, ...(read.failed ? { failed: true } : {}) });
        continue;
      }
      const text = read.text;
      const lineCount = text.split('\n').length;
      units.push({
        path,
        text,
        language: languageFromPath(path),
        changedLines: Array.from({ length: lineCount }, (_, i) => i + 1),
      });
    } catch (error) {
      skipped.push({ file: path, reason: `untracked file could not be read: ${errorMessage(error)}`, failed: true });
    }
  }
  return {
    repository,
    units,
    skipped: [...deletedParts(changes, repository), ...skipped],
    description: 'uncommitted changes (working tree vs HEAD)',
  };
}

/** The index vs HEAD; the new text of each file is the staged one. */
export async function stagedChanges(repository: GitRepository, logger: Logger): Promise<DiffReviewInput> {
  const diff = await repository.diff(true);
  // Ref "" makes the Git extension run `git show :<path>`: the staged text.
  const { units, skipped } = await diffUnits(
    diff,
    'the staged text',
    (path) => repository.show('', vscode.Uri.joinPath(repository.rootUri, path).fsPath),
    logger,
  );
  return {
    repository,
    units,
    skipped: [...deletedParts(repository.state.indexChanges, repository), ...skipped],
    description: 'staged changes (index vs HEAD)',
  };
}

/** The working tree vs the merge base of HEAD and the branch (what a pull request would show). */
export async function changesAgainstBranch(
  repository: GitRepository,
  branch: string,
  logger: Logger,
): Promise<DiffReviewInput> {
  const base = await repository.getMergeBase('HEAD', branch);
  if (!base)
    throw new NoRepositoryError(
      `HEAD and ${branch} have no common ancestor, so there is no merge-base diff to review.`,
    );
  const changes = await repository.diffWith(base);
  const diff = await patchesFor(changes, (path) => repository.diffWith(base, path));
  const { units, skipped } = await diffUnits(
    diff,
    'the working-tree file',
    (path) => readWorkingFile(repository, path),
    logger,
  );
  // What the commits since the merge base say about the change: context for the model, as the CLI's --diff BASE sends.
  const commits = await repository.log({ range: `${base}..HEAD`, maxEntries: MAX_COMMIT_MESSAGES });
  return {
    repository,
    units,
    skipped: [...deletedParts(changes, repository), ...skipped],
    description: `changes against ${branch} (merge base ${base.slice(0, 8)})`,
    commitMessages: commits.map((commit) => commit.message.trim()).filter((message) => message !== ''),
  };
}

/** Branches to compare against, local first, the current one left out. */
export async function pickBranch(repository: GitRepository): Promise<string | undefined> {
  const [local, remote] = await Promise.all([
    repository.getBranches({ remote: false, sort: 'committerdate' }),
    repository.getBranches({ remote: true, sort: 'committerdate' }),
  ]);
  const current = repository.state.HEAD?.name;
  const names = [...local, ...remote]
    .map((ref) =>
      ref.remote && ref.name && !ref.name.startsWith(`${ref.remote}/`) ? `${ref.remote}/${ref.name}` : ref.name,
    )
    .filter((name): name is string => !!name && name !== current && !name.endsWith('/HEAD'));
  const unique = [...new Set(names)];
  if (unique.length === 0) throw new NoRepositoryError('There is no other branch to compare against.');
  return vscode.window.showQuickPick(unique, {
    title: 'Backend Reviewer: review changes against which branch?',
    placeHolder: 'The diff is taken from the merge base of HEAD and this branch',
  });
}
