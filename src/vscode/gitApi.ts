import type * as vscode from 'vscode';

/**
 * The few parts of the built-in Git extension's API (`vscode.git`, `getAPI(1)`) the reviewer uses,
 * declared here because the extension ships its typings only in its own repository.
 */
export interface GitChange {
  readonly uri: vscode.Uri;
  readonly originalUri: vscode.Uri;
  readonly renameUri: vscode.Uri | undefined;
  /** Git's Status enum; 6 = DELETED, 7 = UNTRACKED, 2 = INDEX_DELETED. */
  readonly status: number;
}

export interface GitRef {
  readonly type: number;
  readonly name?: string;
  readonly commit?: string;
  readonly remote?: string;
}

export interface GitRepositoryState {
  readonly HEAD: GitRef | undefined;
  readonly workingTreeChanges: GitChange[];
  readonly indexChanges: GitChange[];
  readonly untrackedChanges?: GitChange[];
}

export interface GitCommit {
  readonly hash: string;
  readonly message: string;
}

export interface GitRepository {
  readonly rootUri: vscode.Uri;
  readonly state: GitRepositoryState;
  diff(cached?: boolean): Promise<string>;
  diffWithHEAD(): Promise<GitChange[]>;
  diffWithHEAD(path: string): Promise<string>;
  diffWith(ref: string): Promise<GitChange[]>;
  diffWith(ref: string, path: string): Promise<string>;
  show(ref: string, path: string): Promise<string>;
  getMergeBase(ref1: string, ref2: string): Promise<string | undefined>;
  /** Commits of a range (`A..B`), newest first. */
  log(options?: { range?: string; maxEntries?: number }): Promise<GitCommit[]>;
  getBranches(query: {
    remote?: boolean;
    sort?: 'alphabetically' | 'committerdate';
    count?: number;
  }): Promise<GitRef[]>;
}

export interface GitApi {
  readonly repositories: GitRepository[];
  getRepository(uri: vscode.Uri): GitRepository | null;
}

export interface GitExtensionExports {
  readonly enabled: boolean;
  getAPI(version: 1): GitApi;
}

export const GIT_STATUS_DELETED = 6;
export const GIT_STATUS_INDEX_DELETED = 2;
export const GIT_STATUS_UNTRACKED = 7;
