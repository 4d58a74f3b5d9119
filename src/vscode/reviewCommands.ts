import * as vscode from 'vscode';
import { FindingsPublisher } from './diagnostics';
import { estimateTokens } from '../core/providers/openaiCompatible';
import { previewReviewPrompt } from '../core/review/engine';
import { branchReviewArguments, openFailureMessage } from './common/commandArguments';
import { COMMANDS } from './common/commandIds';
import {
  changesAgainstBranch,
  findRepository,
  pickBranch,
  stagedChanges,
  uncommittedChanges,
  type DiffReviewInput,
} from './gitDiffs';
import {
  diffTargets,
  reportFailure,
  runReviewJob,
  selectedLines,
  unitFor,
  type ReviewCommandResult,
} from './reviewRunner';
import { showError } from './logging';
import { ReviewCancelledError } from '../core/review/errors';
import type { Services } from './services';
import { noteText } from './common/reviewNotes';
import { reviewFolder } from './folderReview';

/**
 * The URI a command was invoked with: a Uri or URI string (tests, explorer menus), or the
 * `rootUri` of a SourceControl (SCM title menu).
 */
function uriArgument(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string' && arg !== '') return vscode.Uri.parse(arg);
  if (
    typeof arg === 'object' &&
    arg !== null &&
    'rootUri' in arg &&
    (arg as { rootUri: unknown }).rootUri instanceof vscode.Uri
  )
    return (arg as { rootUri: vscode.Uri }).rootUri;
  return undefined;
}

/**
 * The document a command is about: its URI argument, else the active editor's document. A file that
 * cannot be opened as text (binary, too large) gives an error result naming it, already shown.
 */
async function targetDocument(services: Services, uri: unknown): Promise<vscode.TextDocument | ReviewCommandResult> {
  const target = uriArgument(uri);
  if (!target) return vscode.window.activeTextEditor?.document ?? noDocument();
  try {
    return await vscode.workspace.openTextDocument(target);
  } catch (error) {
    const message = openFailureMessage(FindingsPublisher.relativePath(target), error);
    void showError(services.logger, message);
    return { ok: false, cancelled: false, error: message };
  }
}

function isResult(value: vscode.TextDocument | ReviewCommandResult): value is ReviewCommandResult {
  return 'ok' in value;
}

function noDocument(): ReviewCommandResult {
  const message = 'Open a file to review (or pass its URI).';
  void vscode.window.showWarningMessage(`Backend Reviewer: ${message}`);
  return { ok: false, cancelled: false, error: message };
}

export async function reviewFile(
  services: Services,
  uri?: unknown,
  options: { quiet?: boolean; fresh?: boolean } = {},
): Promise<ReviewCommandResult> {
  const document = await targetDocument(services, uri);
  if (isResult(document)) return document;
  return runReviewJob(services, {
    key: document.uri.toString(),
    kind: 'file',
    title: FindingsPublisher.relativePath(document.uri),
    targets: [{ uri: document.uri, unit: unitFor(document), replace: 'all' }],
    quiet: options.quiet,
    fresh: options.fresh,
  });
}

/** Lines to review: the `range` argument (1-based), else the active editor's selection. */
async function reviewSelection(
  services: Services,
  uri?: unknown,
  range?: { startLine: number; endLine: number },
): Promise<ReviewCommandResult> {
  const document = await targetDocument(services, uri);
  if (isResult(document)) return document;
  const lines = range ?? selectedLines(vscode.window.activeTextEditor, document);
  if (!lines) {
    const message = 'Select the lines to review first (or use Review Current File).';
    void vscode.window.showWarningMessage(`Backend Reviewer: ${message}`);
    return { ok: false, cancelled: false, error: message };
  }
  return runReviewJob(services, {
    key: document.uri.toString(),
    kind: 'selection',
    title: `${FindingsPublisher.relativePath(document.uri)}:${lines.startLine}-${lines.endLine}`,
    targets: [{ uri: document.uri, unit: unitFor(document, lines), replace: lines }],
  });
}

async function reviewDiff(
  services: Services,
  kind: 'changes' | 'staged' | 'branch',
  collect: () => Promise<DiffReviewInput>,
): Promise<ReviewCommandResult> {
  let input: DiffReviewInput;
  try {
    input = await collect();
  } catch (error) {
    return reportFailure(services, error);
  }
  return runReviewJob(services, {
    key: `${kind}:${input.repository.rootUri.toString()}`,
    kind,
    title: input.description,
    targets: diffTargets(input, services.config().diffContextSlack),
    skipped: input.skipped,
    commitMessages: input.commitMessages,
  });
}

export async function reviewChanges(services: Services, uri?: unknown): Promise<ReviewCommandResult> {
  return reviewDiff(services, 'changes', async () =>
    uncommittedChanges(await findRepository(uriArgument(uri)), services.logger),
  );
}

const PROMPT_PREVIEW_SCHEME = 'backend-reviewer-prompt';
/** The text of each prompt preview, by its URI (the last preview of a file replaces the earlier one). */
const promptPreviews = new Map<string, string>();
const promptPreviewChanged = new vscode.EventEmitter<vscode.Uri>();

/** Shows exactly what a review of the file (or selection) would send, after redaction. Returns the text. */
async function showPromptPreview(services: Services, uri?: unknown): Promise<string | undefined> {
  const document = await targetDocument(services, uri);
  if (isResult(document)) return undefined;
  const selection = selectedLines(vscode.window.activeTextEditor, document);
  const unit = unitFor(document, selection);
  try {
    const prepared = await services.reviewContext.prepare({
      key: document.uri.toString(),
      kind: selection ? 'selection' : 'file',
      units: [unit],
    });
    const provider = prepared.provider;
    const preview = await previewReviewPrompt({
      context: prepared.context,
      units: [unit],
      persona: prepared.persona,
      mode: prepared.mode,
      guidelines: prepared.guidelines,
      teamDecisions: prepared.teamDecisions,
      maxInputTokens: provider?.maxInputTokens ?? Number.MAX_SAFE_INTEGER,
      countTokens: (text) => provider?.countTokens(text) ?? estimateTokens(text),
    });
    const parts = [
      `<!-- Backend Reviewer prompt preview: exactly what would be sent to ${provider?.id ?? 'the model'} for ${unit.path}, after redaction. Nothing was sent. -->`,
      '',
    ];
    preview.prompts.forEach((prompt, index) => {
      parts.push(
        `# Request ${index + 1} of ${preview.prompts.length}: ${prompt.file}`,
        '',
        '## System message',
        '',
        prompt.system,
        '',
        '## User message',
        '',
        prompt.user,
        '',
      );
    });
    for (const part of preview.skipped)
      parts.push(
        `> Not sent: ${part.file}${part.startLine !== undefined ? `:${part.startLine}-${part.endLine}` : ''}: ${part.reason}`,
      );
    for (const note of prepared.notes) parts.push(`> ${noteText(note)}`);
    const text = parts.join('\n');
    // A read-only virtual document: nothing to save, no "save changes?" on close.
    const previewUri = vscode.Uri.from({ scheme: PROMPT_PREVIEW_SCHEME, path: `/${unit.path}.prompt.md` });
    promptPreviews.set(previewUri.toString(), text);
    promptPreviewChanged.fire(previewUri);
    const previewDocument = await vscode.workspace.openTextDocument(previewUri);
    await vscode.languages.setTextDocumentLanguage(previewDocument, 'markdown');
    await vscode.window.showTextDocument(previewDocument, { preview: true, viewColumn: vscode.ViewColumn.Beside });
    return text;
  } catch (error) {
    reportFailure(services, error);
    return undefined;
  }
}

export function registerReviewCommands(context: vscode.ExtensionContext, services: Services): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(COMMANDS.reviewFile, (uri?: unknown) => reviewFile(services, uri)),
    vscode.commands.registerCommand(COMMANDS.reviewFileFresh, (uri?: unknown) =>
      reviewFile(services, uri, { fresh: true }),
    ),
    vscode.commands.registerCommand(
      COMMANDS.reviewSelection,
      (uri?: unknown, range?: { startLine: number; endLine: number }) => reviewSelection(services, uri, range),
    ),
    vscode.commands.registerCommand(COMMANDS.reviewChanges, (uri?: unknown) => reviewChanges(services, uri)),
    vscode.commands.registerCommand(COMMANDS.reviewStaged, (uri?: unknown) =>
      reviewDiff(services, 'staged', async () =>
        stagedChanges(await findRepository(uriArgument(uri)), services.logger),
      ),
    ),
    vscode.commands.registerCommand(COMMANDS.reviewAgainstBranch, (first?: unknown, second?: unknown) =>
      reviewDiff(services, 'branch', async () => {
        const { branch, location } = branchReviewArguments(first, second);
        const repository = await findRepository(uriArgument(location));
        const target = branch ?? (await pickBranch(repository));
        if (!target) throw new ReviewCancelledError('No branch chosen.');
        return changesAgainstBranch(repository, target, services.logger);
      }),
    ),
    vscode.commands.registerCommand(COMMANDS.reviewFolder, (uri?: unknown) => reviewFolder(services, uriArgument(uri))),
    vscode.commands.registerCommand(COMMANDS.previewPrompt, (uri?: unknown) => showPromptPreview(services, uri)),
    promptPreviewChanged,
    vscode.workspace.registerTextDocumentContentProvider(PROMPT_PREVIEW_SCHEME, {
      onDidChange: promptPreviewChanged.event,
      provideTextDocumentContent: (uri) =>
        promptPreviews.get(uri.toString()) ?? 'This prompt preview is gone: run Preview Prompt again.',
    }),
    vscode.workspace.onDidSaveTextDocument((document) => {
      if (!services.config().reviewOnSave || document.uri.scheme !== 'file') return;
      void reviewFile(services, document.uri, { quiet: true });
    }),
  );
}
