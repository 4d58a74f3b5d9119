import * as path from 'node:path';
import * as vscode from 'vscode';
import { FindingsPublisher } from './diagnostics';
import { supportedLanguage } from '../core/offline';
import { relocateFindings } from './common/relocate';
import { neighbourFiles } from './common/neighbourFiles';
import { unitFor } from './reviewRunner';
import { offlineConfigFor } from '../core/config/settings';
import type { Services } from './services';

/** What this feature uses of the extension's services, and nothing more. */
export type OfflineCheckDeps = Pick<
  Services,
  'config' | 'logger' | 'mode' | 'offline' | 'projects' | 'publisher' | 'settings'
>;
import { errorMessage } from '../core/errorMessage';

/** Files above this size are left to explicit reviews: on-open checks must stay instant. */
const MAX_OFFLINE_BYTES = 1024 * 1024;
/** The pause after a change on disk before the open files beside the changed ones are checked again. */
const NEIGHBOUR_PAUSE_MS = 300;
/** The pause in typing after which an edited document is checked again (offlineChecks.onType). */
const TYPING_PAUSE_MS = 500;

/**
 * Runs the offline checks (no model, nothing leaves the machine) when a supported file is opened or
 * saved, if `backendReviewer.offlineChecks.onOpenAndSave` is on, and after a pause in typing if
 * `offlineChecks.onType` is on too. The runner keeps each open document's tree, so a re-check after
 * an edit checks only the edited declarations (core/offline/incremental.ts); the tree is dropped
 * when the document closes. Their findings carry the source "Backend Reviewer · offline" and replace
 * only earlier offline findings of the file.
 */
export class OfflineChecker implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[];
  private readonly generation = new Map<string, number>();
  private readonly typingTimers = new Map<string, NodeJS.Timeout>();
  private readonly changedNeighbours = new Map<string, vscode.Uri>();
  private neighbourTimer: NodeJS.Timeout | undefined;

  constructor(private readonly services: OfflineCheckDeps) {
    this.disposables = [
      vscode.workspace.onDidOpenTextDocument((document) => this.check(document)),
      vscode.workspace.onDidSaveTextDocument((document) => this.check(document)),
      vscode.workspace.onDidChangeTextDocument((event) => this.checkAfterTyping(event.document)),
      vscode.workspace.onDidCloseTextDocument((document) => {
        this.clearTypingTimer(document.uri.toString());
        this.services.offline.forget(unitFor(document).path);
      }),
      services.settings.onDidChange(() => this.checkOpen()),
      services.projects.onDidChange(() => this.checkOpen()),
      services.projects.onDidChangeNeighbourFacts((changed) => this.checkNeighbours(changed)),
    ];
    this.checkOpen();
  }

  private checkAfterTyping(document: vscode.TextDocument): void {
    if (!this.services.config().offlineChecks.onType) return;
    const key = document.uri.toString();
    this.clearTypingTimer(key);
    const timer = setTimeout(() => {
      this.typingTimers.delete(key);
      void this.check(document);
    }, TYPING_PAUSE_MS);
    this.typingTimers.set(key, timer);
  }

  private clearTypingTimer(key: string): void {
    clearTimeout(this.typingTimers.get(key));
    this.typingTimers.delete(key);
  }

  /**
   * Collects files whose change may change their neighbours' facts; the open files beside them (below
   * a go.mod) are checked once NEIGHBOUR_PAUSE_MS after the first of them, so a `git checkout` touching
   * many files of a folder costs one check per open file, not one per changed file. The changed files themselves are
   * checked by their own save or open.
   */
  private checkNeighbours(changed: vscode.Uri): void {
    this.changedNeighbours.set(changed.toString(), changed);
    // Changes within the pause join the pending batch; the timer is not restarted, so a steady stream
    // of events (a long checkout, a watcher that polls) cannot hold the checks back for good.
    if (this.neighbourTimer !== undefined) return;
    this.neighbourTimer = setTimeout(() => {
      this.neighbourTimer = undefined;
      const changedFiles = [...this.changedNeighbours.values()];
      this.changedNeighbours.clear();
      const open = vscode.workspace.textDocuments.filter((document) => document.uri.scheme === 'file');
      const wanted = new Set(
        neighbourFiles(
          changedFiles.map((uri) => uri.fsPath),
          open.map((document) => document.uri.fsPath),
          path,
        ),
      );
      for (const document of open) if (wanted.has(document.uri.fsPath)) void this.check(document);
    }, NEIGHBOUR_PAUSE_MS);
  }

  checkOpen(): void {
    for (const document of vscode.workspace.textDocuments) this.check(document);
  }

  /** Returns the number of offline findings published, or undefined when the file was not checked. */
  async check(document: vscode.TextDocument): Promise<number | undefined> {
    const config = this.services.config();
    if (!config.offlineChecks.onOpenAndSave) return undefined;
    if (document.uri.scheme !== 'file' && document.uri.scheme !== 'untitled') return undefined;
    if (!supportedLanguage(document.languageId) && !supportedLanguage(document.fileName)) return undefined;
    const text = document.getText();
    if (text.length > MAX_OFFLINE_BYTES) return undefined;
    const key = document.uri.toString();
    // A newer check of the same file (a save while the open check runs) wins.
    const generation = (this.generation.get(key) ?? 0) + 1;
    this.generation.set(key, generation);
    const mode = this.services.mode.get();
    try {
      await this.services.projects.ready;
      const project = this.services.projects.forUri(document.uri, text);
      // A file the project excludes gets no offline findings (earlier ones go).
      const findings = project.excludedBy
        ? []
        : await this.services.publisher.withFingerprints(
            document.uri,
            text,
            await this.services.offline.check(
              { ...unitFor(document), role: project.role, ...(project.facts ? { facts: project.facts } : {}) },
              offlineConfigFor(mode, config, project),
            ),
          );
      if (this.generation.get(key) !== generation || document.isClosed) return undefined;
      // The document may have been edited while the checks ran: findings go onto the text it holds
      // now, and those whose lines changed are left out (the next save checks the file again).
      const current = document.getText();
      this.services.publisher.publish(document.uri, current, relocateFindings(findings, text, current).kept, {
        mode,
        replace: 'offline',
      });
      return findings.length;
    } catch (error) {
      this.services.logger.error(
        `Offline checks of ${FindingsPublisher.relativePath(document.uri)} failed: ${errorMessage(error)}`,
      );
      return undefined;
    }
  }

  dispose(): void {
    clearTimeout(this.neighbourTimer);
    for (const timer of this.typingTimers.values()) clearTimeout(timer);
    this.typingTimers.clear();
    for (const disposable of this.disposables) disposable.dispose();
  }
}

export function registerOfflineChecks(context: vscode.ExtensionContext, services: OfflineCheckDeps): OfflineChecker {
  const checker = new OfflineChecker(services);
  context.subscriptions.push(checker);
  return checker;
}
