import * as path from 'node:path';
import * as os from 'node:os';
import * as vscode from 'vscode';
import * as personas from '../core/personas';
import { errorMessage } from '../core/errorMessage';
import { OfflineRunner } from '../core/offline/runner';
import { FileReviewCache } from '../core/review/cache';
import { runReview } from '../core/review/engine';
import { DismissalStore } from './common/dismissals';
import { projectPath, projectRootFor, RepositoryDismissals } from './common/repositoryDismissals';
import { DISMISSALS_FILE, teamDecisionsFor } from '../core/review/dismissals';
import { FindingsPublisher } from './diagnostics';
import { OutputChannelLogger } from './logging';
import { createProvider } from './providerFactory';
import { FindingStore } from './common/findingStore';
import { ModeState } from './common/modeState';
import { ModeSettingStore, dropLegacyModeState } from './modeSetting';
import { ReviewContext, type PersonaApi } from './common/reviewContext';
import { ReviewService } from './common/reviewService';
import { SETTINGS_SECTION, type ReadConfigResult, type SettingKey, type ReviewerConfig } from '../core/config/settings';
import { resolvePersonaDirectories } from './common/settings';
import { ProjectConfigs } from './projectConfigs';
import { ReviewStatusBar } from './statusBar';
import type { SecretStore } from './common/state';
import { currentConfig } from './vscodeSettings';

/** Files and folders whose presence means an untrusted workspace has guidance we are leaving out: where the loaders read. */
const WORKSPACE_GUIDANCE = [...personas.guidelinePaths(), ...personas.workspacePersonaFolders()];

/** Settings, read again whenever they or the workspace trust change; problems are logged and shown once. */
export class ConfigWatcher implements vscode.Disposable {
  private current: ReadConfigResult = currentConfig();
  private readonly shown = new Set<string>();
  private readonly emitter = new vscode.EventEmitter<ReviewerConfig>();
  readonly onDidChange = this.emitter.event;
  private readonly disposables: vscode.Disposable[];

  constructor(private readonly logger: OutputChannelLogger) {
    this.disposables = [
      this.emitter,
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration(SETTINGS_SECTION)) this.reload();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.reload()),
    ];
    this.report();
  }

  get config(): ReviewerConfig {
    return this.current.config;
  }

  /** Whether the user gave `key` a value (rather than leaving its default). */
  isSet(key: SettingKey): boolean {
    return this.current.explicit.includes(key);
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
  }

  private reload(): void {
    this.current = currentConfig();
    this.report();
    this.emitter.fire(this.current.config);
  }

  private report(): void {
    for (const ignored of this.current.ignoredForTrust)
      this.logger.info(
        `${ignored} is set in this workspace but not used: the workspace is not trusted (user settings apply).`,
      );
    for (const problem of this.current.problems) {
      this.logger.warn(problem.message);
      if (this.shown.has(problem.message)) continue;
      this.shown.add(problem.message);
      void vscode.window.showWarningMessage(problem.message, 'Open Settings').then((picked) => {
        if (picked) void vscode.commands.executeCommand('workbench.action.openSettings', problem.setting);
      });
    }
  }
}

export interface Services {
  context: vscode.ExtensionContext;
  logger: OutputChannelLogger;
  settings: ConfigWatcher;
  config(): ReviewerConfig;
  mode: ModeState;
  personas: PersonaApi;
  secrets: SecretStore;
  dismissals: DismissalStore;
  /** The team's dismissals in `.backend-review-dismissals.json` (trusted workspaces only). */
  repositoryDismissals: RepositoryDismissals;
  publisher: FindingsPublisher;
  reviewContext: ReviewContext;
  reviewService: ReviewService;
  statusBar: ReviewStatusBar;
  /** Offline checks: inline for most files, large files split over worker threads. */
  offline: OfflineRunner;
  /** Each workspace folder's .backend-review.json: excluded files, roles, rule layers. */
  projects: ProjectConfigs;
}

function workspaceRoot(): string | undefined {
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder?.uri.scheme === 'file' ? folder.uri.fsPath : undefined;
}

function resolveUserDirs(dirs: string[], logger: OutputChannelLogger): string[] {
  const resolved = resolvePersonaDirectories(dirs, {
    workspaceRoot: workspaceRoot(),
    home: os.homedir(),
    trusted: vscode.workspace.isTrusted,
  });
  for (const reason of resolved.ignored) logger.warn(reason);
  return resolved.dirs;
}

async function workspaceHasGuidance(): Promise<boolean> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) return false;
  for (const relative of WORKSPACE_GUIDANCE) {
    try {
      await vscode.workspace.fs.stat(vscode.Uri.joinPath(folder.uri, relative));
      return true;
    } catch {
      // Not there: check the next location.
    }
  }
  return false;
}

/** Reloads personas and guidelines when one of their files in the workspace changes. */
function watchGuidance(onChange: () => void): vscode.Disposable[] {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) return [];
  const pattern = `{${WORKSPACE_GUIDANCE.map((entry) => (entry.endsWith('.md') ? entry : `${entry}/**`)).join(',')}}`;
  const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, pattern));
  return [watcher, watcher.onDidCreate(onChange), watcher.onDidChange(onChange), watcher.onDidDelete(onChange)];
}

/**
 * Loads the team's dismissals of every workspace folder's project and reloads a project's when its
 * file changes (a pull, a teammate's commit checked out, an edit), then re-renders the findings.
 */
function watchRepositoryDismissals(
  dismissals: RepositoryDismissals,
  onChange: () => void,
  logger: OutputChannelLogger,
): vscode.Disposable[] {
  const reload = (root: string | undefined): void => {
    if (!root) return;
    void dismissals
      .reload(root)
      .then(onChange, (error: unknown) =>
        logger.warn(`Could not read ${path.join(root, DISMISSALS_FILE)}: ${errorMessage(error)}`),
      );
  };
  for (const folder of vscode.workspace.workspaceFolders ?? []) reload(FindingsPublisher.projectRoot(folder.uri));
  const watcher = vscode.workspace.createFileSystemWatcher(`**/${DISMISSALS_FILE}`);
  const onFile = (uri: vscode.Uri): void => reload(path.dirname(uri.fsPath));
  return [watcher, watcher.onDidCreate(onFile), watcher.onDidChange(onFile), watcher.onDidDelete(onFile)];
}

/** Builds the long-lived objects once; every one is disposed with the extension. */
export function createServices(context: vscode.ExtensionContext, logger: OutputChannelLogger): Services {
  const settings = new ConfigWatcher(logger);
  const projects = new ProjectConfigs(logger);
  const config = () => settings.config;
  const mode = new ModeState(
    new ModeSettingStore(),
    () => settings.config.mode,
    () => settings.isSet('mode'),
  );
  void dropLegacyModeState(context.workspaceState).then((legacy) => {
    if (legacy !== undefined && legacy !== mode.get())
      logger.info(
        `The mode switched to ${legacy} by an earlier version was kept apart from the Mode setting; the setting (${mode.get()}) now applies everywhere.`,
      );
  });
  const dismissals = new DismissalStore(context.workspaceState);
  const repositoryDismissals = new RepositoryDismissals(() => vscode.workspace.isTrusted, logger);
  const publisher = new FindingsPublisher(
    new FindingStore(context.workspaceState),
    dismissals,
    repositoryDismissals,
    () => settings.config.minimumSeverity,
    logger,
  );
  const statusBar = new ReviewStatusBar(mode.get());
  const api: PersonaApi = personas;
  const offline = new OfflineRunner({
    workerFile: context.asAbsolutePath(path.join('dist', 'offlineWorker.js')),
    threads: Math.min(os.availableParallelism(), 4),
    warn: (message) => logger.warn(message),
  });
  const reviewContext = new ReviewContext({
    personas: api,
    config,
    mode,
    trusted: () => vscode.workspace.isTrusted,
    workspaceRoot,
    bundledDir: context.asAbsolutePath('skills'),
    resolveUserDirs: (dirs) => resolveUserDirs(dirs, logger),
    createProvider: (current) => createProvider(current, context.secrets, logger),
    teamDecisions: (unitPath) => {
      const folder = workspaceRoot();
      if (!folder || !vscode.workspace.isTrusted) return [];
      const file = path.resolve(folder, unitPath);
      const root = projectRootFor(file, folder);
      if (!root) return [];
      const entries = repositoryDismissals
        .list()
        .filter((item) => item.root === root)
        .map((item) => item.entry);
      return teamDecisionsFor(entries, projectPath(root, file));
    },
    cache: new FileReviewCache(path.join(context.globalStorageUri.fsPath, 'review-cache')),
    offlineFindings: (unit, checks) => {
      // The file's own project layers (its folder's .backend-review.json) under the prepared flags.
      const project = projects.forUnit(unit);
      return offline.check(
        { ...unit, role: unit.role ?? project.role, facts: unit.facts ?? project.facts },
        {
          ...checks,
          ...project.offline,
          includeTests: settings.config.offlineChecks.includeTests || project.offline.includeTests === true,
        },
      );
    },
    workspaceHasGuidance,
    logger,
  });
  const reviewService = new ReviewService({ runReview }, reviewContext.prepare, logger);
  const unsubscribeMode = mode.onDidChange((next) => statusBar.setMode(next));
  context.subscriptions.push(
    settings,
    projects,
    publisher,
    statusBar,
    { dispose: () => reviewService.dispose() },
    offline,
    { dispose: unsubscribeMode },
    // Also fires when the workspace is trusted (ConfigWatcher reloads then), which must reload personas and guidelines.
    settings.onDidChange(() => {
      reviewContext.invalidate();
      publisher.refresh();
      statusBar.setMode(mode.get());
    }),
    ...watchGuidance(() => reviewContext.invalidate()),
    ...watchRepositoryDismissals(repositoryDismissals, () => publisher.refresh(), logger),
  );
  void publisher.restoreStored();
  return {
    context,
    logger,
    settings,
    config,
    mode,
    personas: api,
    secrets: context.secrets,
    dismissals,
    repositoryDismissals,
    publisher,
    reviewContext,
    reviewService,
    statusBar,
    offline,
    projects,
  };
}
