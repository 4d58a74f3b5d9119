import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  PROJECT_CONFIG_FILE,
  projectRelative,
  projectScope,
  readProjectConfig,
  type ProjectScope,
} from '../core/config/projectConfig';
import type { OfflineConfig } from '../core/offline/types';
import { normalisePath, type FileRole } from '../core/roles';
import type { ReviewUnit, UnitFacts } from '../core/review/types';
import type { SkippedPart } from '../core/findings';
import { errorMessage } from '../core/errorMessage';
import type { OutputChannelLogger } from './logging';
import { changesNeighbourFacts } from '../core/projectFacts';
import { folderStamp } from '../core/projectFiles';

/** What the project configuration says about one file. */
export interface FileInProject {
  role: FileRole;
  /** Why the file is left out of reviews and offline checks, or undefined. */
  excludedBy?: string;
  /** The project file's layers of the offline configuration (empty without a file). */
  offline: Pick<OfflineConfig, 'projectRules' | 'roleRules' | 'includeTests'>;
  /** What the files beside it say about it (ReviewUnit.facts). */
  facts?: UnitFacts;
  /** Files of its folder's project that are there and could not be read (ProjectScope.unreadable), when any. */
  unreadable?: ReadonlyMap<string, string>;
}

interface FolderProject {
  folder: vscode.WorkspaceFolder;
  scope: ProjectScope;
}

export const UNTRUSTED_PROJECT_CONFIG_NOTE = `${PROJECT_CONFIG_FILE} is not read: this workspace is not trusted (Restricted Mode), so its own files cannot turn checks off or exclude code. Trust the workspace to apply it.`;

/**
 * `.backend-review.json` of each workspace folder, read when the workspace is trusted, watched, and
 * applied to offline checks and reviews: excluded files, roles (with the file's rolePatterns) and
 * rule layers. Errors name the file and field, are logged and shown once; the good fields apply.
 * In an untrusted workspace the file is not read, which is said once in the log and in a notice.
 */
export class ProjectConfigs implements vscode.Disposable {
  private readonly projects = new Map<string, FolderProject>();
  /** Folders without a configuration file: the defaults, with the folder's package.json files read for roles. */
  private readonly plainScopes = new Map<string, ProjectScope>();
  private readonly shown = new Set<string>();
  private untrustedNoticeShown = false;
  /** What was said about the files (errors, the untrusted notice), for the log and the integration tests. */
  readonly notes: string[] = [];
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private readonly neighbourEmitter = new vscode.EventEmitter<vscode.Uri>();
  /**
   * A file whose change can change what the files of its folder are told about it (a Go package's
   * querying functions, a NestJS module, a go.mod) changed on disk: the open files there need a new check.
   */
  readonly onDidChangeNeighbourFacts = this.neighbourEmitter.event;
  private readonly disposables: vscode.Disposable[] = [this.emitter, this.neighbourEmitter];
  /** Settles when the latest load is done (tests and the first offline checks wait for it). */
  ready: Promise<void>;

  constructor(private readonly logger: OutputChannelLogger) {
    const watcher = vscode.workspace.createFileSystemWatcher(`**/${PROJECT_CONFIG_FILE}`);
    // package.json files tell front-end and command-line packages apart (file roles).
    const manifests = vscode.workspace.createFileSystemWatcher('**/package.json');
    // Any file of the workspace: what a scope read from a folder (a Go package's querying functions,
    // NestJS modules, migration and package folders) is forgotten when a file there changes, so a
    // long-lived scope answers from the files as they are. Cheap per event: a few map deletions.
    const files = vscode.workspace.createFileSystemWatcher('**/*');
    const reload = (): void => {
      this.ready = this.load().then(() => this.emitter.fire());
    };
    this.disposables.push(
      watcher,
      manifests,
      files,
      files.onDidChange((uri) => this.forget(uri)),
      files.onDidCreate((uri) => this.forget(uri)),
      files.onDidDelete((uri) => this.forget(uri)),
      manifests.onDidChange(reload),
      manifests.onDidCreate(reload),
      manifests.onDidDelete(reload),
      watcher.onDidCreate(reload),
      watcher.onDidChange(reload),
      watcher.onDidDelete(reload),
      vscode.workspace.onDidChangeWorkspaceFolders(reload),
      vscode.workspace.onDidGrantWorkspaceTrust(reload),
    );
    this.ready = this.load();
  }

  /** What the configuration says about the file at `uri`. */
  forUri(uri: vscode.Uri, text: string): FileInProject {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    const project = folder ? this.projects.get(folder.uri.toString()) : undefined;
    const relative = folder && uri.scheme === 'file' ? projectRelative(folder.uri.fsPath, uri.fsPath) : undefined;
    return this.describe(
      project,
      relative ?? normalisePath(vscode.workspace.asRelativePath(uri, false)),
      text,
      relative === undefined ? undefined : folder,
    );
  }

  /** The same for a review unit's path (workspace-relative, prefixed with the folder's name in a multi-root workspace). */
  forUnit(unit: ReviewUnit): FileInProject {
    const folders = vscode.workspace.workspaceFolders ?? [];
    let folder: vscode.WorkspaceFolder | undefined = folders.length === 1 ? folders[0] : undefined;
    let relative = normalisePath(unit.path);
    if (path.isAbsolute(unit.path)) {
      return this.forUri(vscode.Uri.file(unit.path), unit.text);
    } else if (folders.length > 1) {
      const [name, ...rest] = relative.split('/');
      folder = folders.find((candidate) => candidate.name === name);
      if (folder) relative = rest.join('/');
    }
    const project = folder ? this.projects.get(folder.uri.toString()) : undefined;
    return this.describe(project, relative, unit.text, folder);
  }

  /**
   * A review's units with their roles; excluded ones are left out and reported as skipped parts,
   * so an explicit review of an excluded file says why nothing was reviewed.
   */
  scopeUnits<T extends { unit: ReviewUnit }>(targets: readonly T[]): { kept: T[]; skipped: SkippedPart[] } {
    const kept: T[] = [];
    const skipped: SkippedPart[] = [];
    const unreadable = new Map<string, string>();
    for (const target of targets) {
      const file = this.forUnit(target.unit);
      for (const [absolute, reason] of file.unreadable ?? []) unreadable.set(absolute, reason);
      if (file.excludedBy)
        skipped.push({ file: target.unit.path, reason: `excluded by ${PROJECT_CONFIG_FILE} (${file.excludedBy})` });
      else
        kept.push({
          ...target,
          unit: { ...target.unit, role: file.role, ...(file.facts ? { facts: file.facts } : {}) },
        });
    }
    // The units were given the defaults in place of what those files say: the review is incomplete.
    for (const [absolute, reason] of unreadable)
      skipped.push({ file: vscode.workspace.asRelativePath(absolute, true), reason, failed: true });
    return { kept, skipped };
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
  }

  /** Makes the scopes of the file's workspace folder forget what they read from its folder. */
  forget(uri: vscode.Uri): void {
    const folder = uri.scheme === 'file' ? vscode.workspace.getWorkspaceFolder(uri) : undefined;
    const relative = folder ? projectRelative(folder.uri.fsPath, uri.fsPath) : undefined;
    if (!folder || relative === undefined) return;
    const key = folder.uri.toString();
    this.projects.get(key)?.scope.forget(relative);
    this.plainScopes.get(key)?.forget(relative);
    if (changesNeighbourFacts(relative)) this.neighbourEmitter.fire(uri);
  }

  private describe(
    project: FolderProject | undefined,
    relative: string,
    text: string,
    folder: vscode.WorkspaceFolder | undefined,
  ): FileInProject {
    const scope = project?.scope ?? this.plainScope(folder);
    const facts = scope.facts(relative, text);
    const role = scope.role(relative, text).role;
    const unreadable = scope.unreadable();
    for (const [file, reason] of unreadable) {
      const message = `${file}: ${reason}`;
      if (!this.shown.has(message)) this.reportError(message, file);
    }
    return {
      role,
      excludedBy: scope.excludedBy(relative),
      offline: scope.offline,
      ...(facts ? { facts } : {}),
      ...(unreadable.size > 0 ? { unreadable } : {}),
    };
  }

  /**
   * The default scope of a folder without a configuration file. Its package.json files are read
   * only in a trusted workspace, like the configuration file: they decide roles, hence which checks run.
   */
  private plainScope(folder: vscode.WorkspaceFolder | undefined): ProjectScope {
    if (!folder || folder.uri.scheme !== 'file' || !vscode.workspace.isTrusted) return projectScope({}, '');
    const key = folder.uri.toString();
    let scope = this.plainScopes.get(key);
    if (!scope) {
      scope = projectScope({}, folder.uri.fsPath, folderStamp);
      this.plainScopes.set(key, scope);
    }
    return scope;
  }

  private async load(): Promise<void> {
    this.plainScopes.clear();
    const folders = (vscode.workspace.workspaceFolders ?? []).filter((folder) => folder.uri.scheme === 'file');
    const next = new Map<string, FolderProject>();
    for (const folder of folders) {
      const file = path.join(folder.uri.fsPath, PROJECT_CONFIG_FILE);
      if (!vscode.workspace.isTrusted) {
        if (existsSync(file)) this.reportUntrusted(file);
        continue;
      }
      const shownAs = folders.length > 1 ? `${folder.name}/${PROJECT_CONFIG_FILE}` : PROJECT_CONFIG_FILE;
      try {
        const read = await readProjectConfig(file, shownAs);
        if (!read) continue;
        for (const error of read.errors) this.reportError(error, file);
        next.set(folder.uri.toString(), { folder, scope: projectScope(read.config, folder.uri.fsPath, folderStamp) });
        this.logger.info(
          `Read ${shownAs}${read.errors.length > 0 ? ` (${read.errors.length} field(s) not used)` : ''}.`,
        );
      } catch (error) {
        this.reportError(`${shownAs}: ${errorMessage(error)}`, file);
      }
    }
    this.projects.clear();
    for (const [key, project] of next) this.projects.set(key, project);
  }

  private reportError(message: string, file: string): void {
    this.logger.warn(message);
    if (this.shown.has(message)) return;
    this.shown.add(message);
    this.notes.push(message);
    void vscode.window.showWarningMessage(`Backend Reviewer: ${message}`, 'Open File').then((picked) => {
      if (picked) void vscode.window.showTextDocument(vscode.Uri.file(file));
    });
  }

  private reportUntrusted(file: string): void {
    if (this.untrustedNoticeShown) return;
    this.untrustedNoticeShown = true;
    this.notes.push(UNTRUSTED_PROJECT_CONFIG_NOTE);
    this.logger.info(`${file}: ${UNTRUSTED_PROJECT_CONFIG_NOTE}`);
    void vscode.window.showInformationMessage(`Backend Reviewer: ${UNTRUSTED_PROJECT_CONFIG_NOTE}`);
  }
}
