import * as vscode from 'vscode';
import type { Mode, ReviewFinding, Severity } from '../core/findings';
import type { Logger } from '../core/log';
import { HELP_SCHEME } from './common/commandIds';
import { DismissalStore } from './common/dismissals';
import { projectRootFor, withFingerprints, type RepositoryDismissals } from './common/repositoryDismissals';
import { findingHelpPath, helpPath } from './common/helpDocs';
import { trackEdits, type LineChange } from './common/findingTracker';
import { FindingStore, keepOnClose, restoreFromDisk } from './common/findingStore';
import {
  contentHash,
  diagnosticLevel,
  folderNameInPaths,
  isShown,
  keepOnPublish,
  REVIEWER_NAME,
  toPublished,
  type PublishedFinding,
  type Replace,
} from './common/publishedFindings';
import { errorMessage } from '../core/errorMessage';
import { memberIds, oneFindingPerProblem, type ShownFinding } from './common/sameProblem';
import { ROLE_DESCRIPTIONS } from '../core/roles';

const LEVELS: Record<ReturnType<typeof diagnosticLevel>, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
};

/** The explanation of one finding of a file: `backend-reviewer:/findings/<id>.md?<file URI>`. */
export function findingHelpUri(file: vscode.Uri, findingId: string): vscode.Uri {
  return vscode.Uri.from({ scheme: HELP_SCHEME, path: findingHelpPath(findingId), query: file.toString() });
}

/** Where a rule's or category's explanation opens (a read-only document, see ruleDocs.ts). */
export function helpUri(ruleId: string): vscode.Uri {
  return vscode.Uri.from({ scheme: HELP_SCHEME, path: helpPath(ruleId) });
}

interface FileEntry {
  findings: PublishedFinding[];
  /** Hash of the text the findings belong to; null once they follow live edits of an open document. */
  textHash: string | null;
  /** Messages shown as Information diagnostics at the top of the file (why something was not used). */
  notices: string[];
}

/**
 * Owns the one diagnostic collection: publishes findings, moves them with edits, hides those below
 * `minimumSeverity` or dismissed, persists them per file, restores them after a reload.
 */
export class FindingsPublisher implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('backendReviewer');
  private readonly files = new Map<string, FileEntry>();
  private readonly disposables: vscode.Disposable[] = [this.collection];
  private readonly changeEmitter = new vscode.EventEmitter<vscode.Uri>();
  /** Fires with a file's URI whenever its findings change. */
  readonly onDidChange = this.changeEmitter.event;

  constructor(
    private readonly store: FindingStore,
    private readonly dismissals: DismissalStore,
    private readonly repositoryDismissals: RepositoryDismissals,
    private readonly minimumSeverity: () => Severity,
    private readonly logger: Logger,
  ) {
    this.disposables.push(
      this.changeEmitter,
      vscode.workspace.onDidChangeTextDocument((event) => this.onEdit(event)),
      vscode.workspace.onDidSaveTextDocument((document) => this.persist(document.uri, document.getText())),
      vscode.workspace.onDidOpenTextDocument((document) => this.restore(document)),
      vscode.workspace.onDidCloseTextDocument((document) => {
        void this.onClose(document).then(undefined, (error: unknown) =>
          this.logger.warn(
            `Could not update the findings of closed ${document.uri.toString()}: ${errorMessage(error)}`,
          ),
        );
      }),
    );
    for (const document of vscode.workspace.textDocuments) this.restore(document);
  }

  /** Brings back stored findings of files that are not shown yet, when the file on disk is unchanged. */
  async restoreStored(): Promise<void> {
    for (const key of this.store.uris()) {
      if (this.files.has(key)) continue;
      await this.restoreFromDisk(vscode.Uri.parse(key));
    }
  }

  /** Restores the stored findings of one file against its text on disk (see `restoreFromDisk`). */
  private async restoreFromDisk(uri: vscode.Uri): Promise<void> {
    const key = uri.toString();
    let text: string;
    try {
      text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    } catch (error) {
      this.logger.info(`Stored findings of ${key} dropped: ${errorMessage(error)}`);
      await this.store.remove(key);
      return;
    }
    // Checked after the read: a publish or an open document may have come in meanwhile.
    const open = vscode.workspace.textDocuments.find((document) => document.uri.toString() === key);
    const decision = restoreFromDisk(this.store, key, text, { shown: this.files.has(key), openText: open?.getText() });
    if (decision.action === 'remove') {
      await this.store.remove(key);
    } else if (decision.action === 'restore') {
      this.files.set(key, { findings: decision.findings, textHash: contentHash(text), notices: [] });
      this.render(uri);
    }
  }

  /**
   * A closed document's findings stay only when they belong to the text on disk; findings that
   * followed unsaved edits (now discarded) are replaced by those stored for the disk text, or dropped.
   */
  private async onClose(document: vscode.TextDocument): Promise<void> {
    const key = document.uri.toString();
    const entry = this.files.get(key);
    if (!entry) return;
    let diskText: string | undefined;
    try {
      diskText = new TextDecoder().decode(await vscode.workspace.fs.readFile(document.uri));
    } catch (error) {
      this.logger.info(
        `${key} could not be read after it was closed (${errorMessage(error)}): its findings were removed.`,
      );
    }
    // A publish or a reopen while reading replaced the entry: that one is current.
    if (this.files.get(key) !== entry || keepOnClose(entry.textHash, diskText)) return;
    this.files.delete(key);
    this.render(document.uri);
    if (diskText !== undefined) await this.restoreFromDisk(document.uri);
  }

  /**
   * Workspace-relative path used in review units, findings and dismissals (one function, so they
   * agree); prefixed with the folder name in a multi-root workspace.
   */
  static relativePath(uri: vscode.Uri): string {
    return vscode.workspace.asRelativePath(uri, folderNameInPaths(vscode.workspace.workspaceFolders?.length ?? 0));
  }

  /**
   * The project (repository root, else workspace folder) a file belongs to: where its dismissals
   * file is and what fingerprints are relative to. Undefined for files outside any (untitled, remote).
   */
  static projectRoot(uri: vscode.Uri): string | undefined {
    if (uri.scheme !== 'file') return undefined;
    return projectRootFor(uri.fsPath, vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath);
  }

  /** Findings with their stable fingerprints, computed on `text` (the text they are anchored to). */
  async withFingerprints<F extends ReviewFinding>(uri: vscode.Uri, text: string, findings: readonly F[]): Promise<F[]> {
    try {
      return await withFingerprints(
        findings,
        text,
        uri.scheme === 'file' ? uri.fsPath : undefined,
        FindingsPublisher.projectRoot(uri),
      );
    } catch (error) {
      // Without fingerprints the findings still show; only repository dismissals cannot match them.
      this.logger.warn(
        `Could not fingerprint the findings of ${FindingsPublisher.relativePath(uri)}: ${errorMessage(error)}`,
      );
      return [...findings];
    }
  }

  /**
   * Replaces the findings of a file. `replace: 'offline'` replaces only offline-check findings
   * (a model review's findings stay); `'all'` replaces everything (a re-review).
   */
  publish(
    uri: vscode.Uri,
    text: string,
    findings: readonly ReviewFinding[],
    options: { mode: Mode; replace: Replace; notices?: string[] },
  ): PublishedFinding[] {
    const key = uri.toString();
    const textHash = contentHash(text);
    let previous = this.files.get(key);
    // Earlier findings are anchored to the text they were published on. When the file changed since
    // without its edits being tracked (on disk while closed: a checkout, a pull), their lines no longer
    // mean anything: they go, as on opening such a file (restore), and are not kept around this publish.
    if (previous && previous.textHash !== null && previous.textHash !== textHash) {
      this.logger.info(
        `${FindingsPublisher.relativePath(uri)} changed since its last review: its earlier findings were removed.`,
      );
      previous = undefined;
    }
    const kept = previous ? previous.findings.filter((f) => keepOnPublish(f, options.replace)) : [];
    const published = toPublished(findings, {
      text,
      relativePath: FindingsPublisher.relativePath(uri),
      mode: options.mode,
    }).map((finding) => ({ ...finding, id: `${finding.id}:${Date.now().toString(36)}` }));
    const entry: FileEntry = {
      findings: [...kept, ...published],
      textHash,
      notices: options.notices ?? (options.replace === 'offline' ? (previous?.notices ?? []) : []),
    };
    this.files.set(key, entry);
    this.render(uri);
    void this.store
      .save(key, text, entry.findings)
      .then(undefined, (error: unknown) =>
        this.logger.warn(`Could not save findings of ${key}: ${errorMessage(error)}`),
      );
    return published;
  }

  /** Every finding of a file as published (including hidden ones and both halves of a merged pair). */
  findings(uri: vscode.Uri): PublishedFinding[] {
    return this.files.get(uri.toString())?.findings ?? [];
  }

  /**
   * The findings of a file as the user sees them: severity and dismissals applied, and one finding
   * per problem (see common/sameProblem.ts). Diagnostics, counts, code actions and fixes use these.
   */
  shown(uri: vscode.Uri): ShownFinding[] {
    return oneFindingPerProblem(this.findings(uri).filter((f) => this.visible(f)));
  }

  /** A shown finding by id, else a published one (alone). */
  find(uri: vscode.Uri, id: string): ShownFinding | undefined {
    const shown = this.shown(uri).find((f) => f.id === id);
    if (shown) return shown;
    const published = this.findings(uri).find((f) => f.id === id);
    return published ? { ...published, mergedFrom: [] } : undefined;
  }

  /** The finding a diagnostic of this collection stands for (code actions get copies of diagnostics). */
  findingFor(uri: vscode.Uri, diagnostic: vscode.Diagnostic): ShownFinding | undefined {
    if (!diagnostic.source?.startsWith(REVIEWER_NAME)) return undefined;
    const code = typeof diagnostic.code === 'object' ? String(diagnostic.code.value) : String(diagnostic.code ?? '');
    return this.shown(uri).find(
      (f) =>
        f.ruleId === code && f.startLine - 1 === diagnostic.range.start.line && this.message(f) === diagnostic.message,
    );
  }

  /** URIs with at least one finding. */
  uris(): vscode.Uri[] {
    return [...this.files.entries()]
      .filter(([, entry]) => entry.findings.length > 0)
      .map(([key]) => vscode.Uri.parse(key));
  }

  /** Removes findings by id; a shown finding's id removes every finding merged into it too. */
  remove(uri: vscode.Uri, ids: readonly string[]): void {
    const entry = this.files.get(uri.toString());
    if (!entry) return;
    const removed = new Set(ids);
    for (const shown of this.shown(uri)) if (removed.has(shown.id)) for (const id of memberIds(shown)) removed.add(id);
    entry.findings = entry.findings.filter((f) => !removed.has(f.id));
    this.render(uri);
  }

  clear(uri?: vscode.Uri): void {
    const uris = uri ? [uri] : this.uris();
    for (const target of uris) {
      this.files.delete(target.toString());
      this.collection.delete(target);
      void this.store.remove(target.toString());
      this.changeEmitter.fire(target);
    }
    if (!uri) {
      this.collection.clear();
      void this.store.clear();
    }
  }

  /** Re-renders every file (after `minimumSeverity` or dismissals change). */
  refresh(): void {
    for (const key of this.files.keys()) this.render(vscode.Uri.parse(key));
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
  }

  /** Whether a published finding is dismissed (personally or by the team), so Problems leaves it out. */
  isDismissed(finding: PublishedFinding): boolean {
    return this.dismissals.isDismissed(finding.dismissal) || this.repositoryDismissals.isDismissed(finding.fingerprint);
  }

  private visible(finding: PublishedFinding): boolean {
    return isShown(finding, this.minimumSeverity()) && !this.isDismissed(finding);
  }

  /**
   * One line in the Problems panel: title and message. The suggestion, the rule link and the rest
   * are in the rendered hover (findingHover.ts).
   */
  private message(finding: PublishedFinding): string {
    // Outside production code the file's role is said: a credential in a test fixture reads differently.
    const role = finding.role && finding.role !== 'production' ? ` (in ${ROLE_DESCRIPTIONS[finding.role]})` : '';
    return `${finding.title}${role}: ${finding.message.trim().replace(/\s*\n\s*/g, ' ')}`;
  }

  private toDiagnostic(finding: PublishedFinding, uri: vscode.Uri): vscode.Diagnostic {
    const start = new vscode.Position(Math.max(0, finding.startLine - 1), Math.max(0, (finding.startColumn ?? 1) - 1));
    // The squiggle marks the first line only (a call spanning ten lines is not underlined whole);
    // the finding keeps its full range for its fix, the hover and edit tracking.
    const end =
      finding.endColumn !== undefined && finding.endLine === finding.startLine
        ? new vscode.Position(start.line, Math.max(0, finding.endColumn - 1))
        : new vscode.Position(start.line, Number.MAX_SAFE_INTEGER);
    const diagnostic = new vscode.Diagnostic(
      new vscode.Range(start, end),
      this.message(finding),
      LEVELS[diagnosticLevel(finding.severity)],
    );
    diagnostic.source = finding.source;
    // A model finding's link explains that finding; an offline finding's, its rule.
    diagnostic.code = {
      value: finding.ruleId,
      target: finding.origin === 'model' ? findingHelpUri(uri, finding.id) : helpUri(finding.ruleId),
    };
    // Repeats of the same problem were grouped into this finding (same file): each place is listed.
    const related = (finding.related ?? []).filter((r) => r.file === finding.file);
    if (related.length > 0) {
      diagnostic.relatedInformation = related.map(
        (r) =>
          new vscode.DiagnosticRelatedInformation(
            new vscode.Location(
              uri,
              new vscode.Range(
                Math.max(0, r.startLine - 1),
                Math.max(0, (r.startColumn ?? 1) - 1),
                Math.max(0, r.endLine - 1),
                r.endColumn !== undefined ? Math.max(0, r.endColumn - 1) : Number.MAX_SAFE_INTEGER,
              ),
            ),
            `Also here: ${finding.title}`,
          ),
      );
    }
    return diagnostic;
  }

  private render(uri: vscode.Uri): void {
    const entry = this.files.get(uri.toString());
    if (!entry) {
      this.collection.delete(uri);
    } else {
      const diagnostics = this.shown(uri).map((f) => this.toDiagnostic(f, uri));
      for (const notice of entry.notices) {
        const diagnostic = new vscode.Diagnostic(
          new vscode.Range(0, 0, 0, 0),
          notice,
          vscode.DiagnosticSeverity.Information,
        );
        diagnostic.source = REVIEWER_NAME;
        diagnostics.push(diagnostic);
      }
      this.collection.set(uri, diagnostics);
    }
    this.changeEmitter.fire(uri);
  }

  private onEdit(event: vscode.TextDocumentChangeEvent): void {
    const entry = this.files.get(event.document.uri.toString());
    if (!entry || event.contentChanges.length === 0) return;
    const changes: LineChange[] = event.contentChanges.map((change) => ({
      startLine: change.range.start.line,
      startCharacter: change.range.start.character,
      endLine: change.range.end.line,
      endCharacter: change.range.end.character,
      text: change.text,
    }));
    const { kept, changed } = trackEdits(entry.findings, changes);
    entry.textHash = null;
    if (!changed) return;
    entry.findings = kept;
    this.render(event.document.uri);
  }

  private persist(uri: vscode.Uri, text: string): void {
    const entry = this.files.get(uri.toString());
    if (!entry) return;
    entry.textHash = contentHash(text);
    void this.store
      .save(uri.toString(), text, entry.findings)
      .then(undefined, (error: unknown) =>
        this.logger.warn(`Could not save findings of ${uri.toString()}: ${errorMessage(error)}`),
      );
  }

  /** On open: stored findings come back when the text is unchanged; in-memory ones for a changed file go. */
  private restore(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    const entry = this.files.get(key);
    if (entry) {
      if (entry.textHash !== null && entry.textHash !== contentHash(document.getText())) {
        this.logger.info(
          `${FindingsPublisher.relativePath(document.uri)} changed since its review: its findings were removed.`,
        );
        this.files.delete(key);
        this.render(document.uri);
      }
      return;
    }
    const stored = this.store.load(key, document.getText());
    if (!stored || stored.length === 0) return;
    this.files.set(key, { findings: stored, textHash: contentHash(document.getText()), notices: [] });
    this.render(document.uri);
  }
}
