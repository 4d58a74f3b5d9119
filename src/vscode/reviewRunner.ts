import { readableTargets } from './common/documentSource';
import * as vscode from 'vscode';
import { FindingsPublisher } from './diagnostics';
import type { ReviewResult, SkippedPart } from '../core/findings';
import { languageFromPath } from '../core/language';
import { ProviderError } from '../core/providers/provider';
import { reviewFocusLines, type ReviewUnit } from '../core/review/types';
import { NoRepositoryError, type DiffReviewInput } from './gitDiffs';
import { relocateFindings, relocateRange, relocationNote } from './common/relocate';
import { showError, type OutputChannelLogger } from './logging';
import { NoModelError } from './providerFactory';
import { offerModelChoices, type ModelPickerDeps } from './modelPicker';
import { changedRanges, type LineRange, type PublishedFinding, type Replace } from './common/publishedFindings';
import { noteText, promptCutWarning } from './common/reviewNotes';
import { COMMANDS } from './common/commandIds';
import { formatConvergence, formatOutcome, type ReviewKind, type ReviewOutcome } from './common/reviewService';
import { isCancellation } from '../core/review/errors';
import { modeName } from '../core/personas/modes';
import type { Services } from './services';
import { errorMessage } from '../core/errorMessage';
import { adviseFailure } from './common/failureAdvice';
import { ReviewProgressText } from './common/reviewProgress';
import { counted } from '../core/counted';

/** What review commands return (the integration tests read it). */
export type ReviewCommandResult =
  | { ok: true; result: ReviewResult; files: { uri: string; findings: PublishedFinding[] }[]; message: string }
  | { ok: false; cancelled: boolean; error: string; buttons?: string[] };

/** One reviewed file: where its findings go and what they replace. */
export interface ReviewTarget {
  uri: vscode.Uri;
  unit: ReviewUnit;
  replace: Replace;
}

export interface ReviewJob {
  key: string;
  kind: ReviewKind;
  title: string;
  targets: ReviewTarget[];
  skipped?: SkippedPart[];
  /** Background reviews (on save) show progress in the status bar only and no outcome notification. */
  quiet?: boolean;
  /** Send the whole file and use no cached answer, whatever was reviewed before. */
  fresh?: boolean;
  /** The messages of the commits reviewed (a branch review), sent to the model as context. */
  commitMessages?: string[];
}

/** The selected lines of an editor (1-based); a selection ending at column 0 does not include that line. */
export function selectedLines(
  editor: vscode.TextEditor | undefined,
  document: vscode.TextDocument,
): { startLine: number; endLine: number } | undefined {
  if (!editor || editor.document !== document || editor.selection.isEmpty) return undefined;
  const { start, end } = editor.selection;
  return { startLine: start.line + 1, endLine: end.character === 0 && end.line > start.line ? end.line : end.line + 1 };
}

/**
 * The files of a diff review: each replaces only the findings in and near its changed lines (where
 * the review could report something: `slack` is the `diffContextSlack` setting); findings about the
 * rest of the file stay.
 */
export function diffTargets(input: DiffReviewInput, slack: number): ReviewTarget[] {
  return input.units.map((unit) => ({
    uri: vscode.Uri.joinPath(input.repository.rootUri, unit.path),
    unit,
    replace: unit.changedLines
      ? {
          ranges: changedRanges(reviewFocusLines(unit) ?? [], slack),
          offlineRanges: changedRanges(unit.changedLines, 0),
        }
      : 'all',
  }));
}

export function unitFor(document: vscode.TextDocument, range?: { startLine: number; endLine: number }): ReviewUnit {
  const path = FindingsPublisher.relativePath(document.uri);
  return { path, text: document.getText(), language: languageFromPath(path) ?? document.languageId, range };
}

/** The text a file holds now: the open document's (unsaved edits included), else the file on disk. */
async function currentText(uri: vscode.Uri): Promise<string> {
  const open = vscode.workspace.textDocuments.find((document) => document.uri.toString() === uri.toString());
  if (open) return open.getText();
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
}

/** What a publish replaces, on the current text (a partial review's ranges move with the edits). */
function replacedRange(target: ReviewTarget, currentText: string): Replace {
  const replace = target.replace;
  if (typeof replace !== 'object') return replace;
  if ('ranges' in replace) {
    const move = (ranges: LineRange[]): LineRange[] =>
      ranges.map((range) => relocateRange(range, target.unit.text, currentText));
    return { ranges: move(replace.ranges), offlineRanges: move(replace.offlineRanges) };
  }
  return relocateRange(replace, target.unit.text, currentText);
}

/**
 * Publishes the outcome's findings per target file (a file with no findings gets its old ones
 * cleared). Findings are placed onto the text the file holds now, which may differ from the
 * reviewed text (edits during the review, unsaved edits under a diff review, staged text): see
 * relocate.ts. `notes` say what was dropped on the way; they are also added to the outcome's notes.
 */
export async function publishOutcome(
  services: Services,
  targets: readonly ReviewTarget[],
  outcome: ReviewOutcome,
): Promise<{ files: { uri: string; findings: PublishedFinding[] }[]; notes: string[] }> {
  // Shown in the Problems panel with the file's findings, so a quiet review (on save) says them too.
  const notices = outcome.notes.map(noteText);
  const files: { uri: string; findings: PublishedFinding[] }[] = [];
  const notes: string[] = [];
  for (const target of targets) {
    // Fingerprints on the reviewed text, which the findings are anchored to (they do not move with lines).
    const findings = await services.publisher.withFingerprints(
      target.uri,
      target.unit.text,
      outcome.result.findings
        .filter((f) => f.file === target.unit.path)
        .map((f) => (f.role || !target.unit.role ? f : { ...f, role: target.unit.role })),
    );
    let text: string;
    try {
      text = await currentText(target.uri);
    } catch (error) {
      const reason = errorMessage(error);
      services.logger.warn(
        `${target.unit.path} could not be read after its review (${reason}): its findings were not published.`,
      );
      if (findings.length > 0)
        notes.push(
          `${target.unit.path}: ${counted(findings.length, 'finding')} not shown because the file could not be read after the review (${reason}).`,
        );
      services.publisher.clear(target.uri);
      files.push({ uri: target.uri.toString(), findings: [] });
      continue;
    }
    const relocated = relocateFindings(findings, target.unit.text, text);
    const note = relocationNote(target.unit.path, relocated);
    if (note !== '') notes.push(note);
    const published = services.publisher.publish(target.uri, text, relocated.kept, {
      mode: outcome.mode,
      replace: replacedRange(target, text),
      notices,
    });
    files.push({ uri: target.uri.toString(), findings: published });
  }
  outcome.result.notes.push(...notes);
  return { files, notes };
}

/**
 * A persona setting naming no loaded persona: the review ran with the mode's persona, and the user
 * is told so where it cannot be missed (also in the Problems panel, as a notice), with the way out.
 */
function warnUnknownPersona(outcome: ReviewOutcome): void {
  const note = outcome.notes.find((n) => n.kind === 'unknown-persona');
  if (!note) return;
  void vscode.window.showWarningMessage(noteText(note), 'Choose Persona…').then((picked) => {
    if (picked) void vscode.commands.executeCommand(COMMANDS.selectPersona);
  });
}

/** Cut prompts are said where they cannot be missed, with the setting that fixes our side. */
function warnPromptCut(result: ReviewResult): void {
  const message = promptCutWarning(result.stats);
  if (!message) return;
  void vscode.window.showWarningMessage(message, 'Open Settings').then((picked) => {
    if (picked) void vscode.commands.executeCommand('workbench.action.openSettings', 'backendReviewer.maxInputTokens');
  });
}

/**
 * Turns a failure into the right message (with its ways out) and a result value. A model failure is
 * said in the editor's terms with the buttons that fit it (failureAdvice.ts); `retry` runs the same
 * review again when the user picks "Retry".
 */
export function reportFailure(
  deps: ModelPickerDeps & { logger: OutputChannelLogger },
  error: unknown,
  retry?: () => unknown,
): ReviewCommandResult {
  const logger = deps.logger;
  if (isCancellation(error)) {
    logger.info('Review cancelled.');
    return { ok: false, cancelled: true, error: 'cancelled' };
  }
  const message = errorMessage(error);
  if (error instanceof NoModelError) {
    void offerModelChoices(error, deps);
    return { ok: false, cancelled: false, error: message };
  }
  if (error instanceof NoRepositoryError) {
    logger.warn(message);
    void vscode.window.showWarningMessage(message);
    return { ok: false, cancelled: false, error: message };
  }
  if (error instanceof Error && !(error instanceof ProviderError) && error.stack) logger.debug(error.stack);
  const advice = adviseFailure(error, message);
  const buttons = advice.buttons.filter((button) => button !== 'Retry' || retry !== undefined);
  void showError(logger, `Backend Reviewer: ${advice.message}`, ...buttons).then((picked) => {
    if (picked === 'Retry') void retry?.();
    else if (picked === 'Set API Key') void vscode.commands.executeCommand(COMMANDS.setApiKey);
    else if (picked === 'Open Settings')
      void vscode.commands.executeCommand('workbench.action.openSettings', advice.settingsQuery);
  });
  return { ok: false, cancelled: false, error: advice.message, buttons };
}

/** Runs a review with progress and cancel, publishes the findings, reports the outcome. */
export async function runReviewJob(services: Services, unscoped: ReviewJob): Promise<ReviewCommandResult> {
  // The project file (.backend-review.json) gives each file its role and leaves excluded files out, saying why.
  await services.projects.ready;
  const scoped = services.projects.scopeUnits(unscoped.targets);
  // The size cap and binary check of the CLI's reading, for open documents and selections too.
  const readable = readableTargets(scoped.kept);
  const job: ReviewJob = {
    ...unscoped,
    targets: readable.targets,
    skipped: [...(unscoped.skipped ?? []), ...scoped.skipped, ...readable.skipped],
  };
  if (job.targets.length === 0 && (job.skipped?.length ?? 0) === 0) {
    const message = `Nothing to review: ${job.title.toLowerCase()} has no files.`;
    if (!job.quiet) void vscode.window.showInformationMessage(message);
    return {
      ok: true,
      result: {
        summary: message,
        findings: [],
        skipped: [],
        notes: [],
        stats: { requests: 0, cachedChunks: 0, promptTokens: 0, completionTokens: 0, durationMs: 0 },
      },
      files: [],
      message,
    };
  }
  const mode = services.mode.get();
  const location = job.quiet ? vscode.ProgressLocation.Window : vscode.ProgressLocation.Notification;
  try {
    return await vscode.window.withProgress(
      { location, title: `Backend Reviewer (${modeName(mode)}): ${job.title}`, cancellable: !job.quiet },
      async (progress, token) => {
        const controller = new AbortController();
        const subscription = token.onCancellationRequested(() => controller.abort());
        const steps = new ReviewProgressText();
        const statusToken = services.statusBar.begin(job.key, steps.text());
        const show = (increment: number): void => {
          const text = steps.text();
          services.statusBar.progress(statusToken, text);
          progress.report({ message: text, increment });
        };
        // The elapsed time ticks on while the model thinks, so a slow answer is not mistaken for a hang.
        const ticker = setInterval(() => show(0), 1000);
        try {
          const outcome = await services.reviewService.review({
            key: job.key,
            kind: job.kind,
            units: job.targets.map((t) => t.unit),
            skipped: job.skipped,
            signal: controller.signal,
            onProgress: (report) => show(steps.update(report) * 100),
            fresh: job.fresh,
            commitMessages: job.commitMessages,
          });
          const { files, notes: relocationNotes } = await publishOutcome(services, job.targets, outcome);
          const converged = formatConvergence(outcome.convergence);
          const dismissed = files.flatMap((file) => file.findings).filter((f) => services.publisher.isDismissed(f));
          const message = `Backend Reviewer (${modeName(outcome.mode)}): ${[formatOutcome(outcome.result, dismissed.length), ...(converged ? [converged] : []), ...relocationNotes].join(' · ')}`;
          services.logger.info(message);
          for (const note of outcome.result.notes.filter((n) => !relocationNotes.includes(n)))
            services.logger.info(`Note: ${note}`);
          if (!job.quiet) {
            warnUnknownPersona(outcome);
            warnPromptCut(outcome.result);
            const buttons = outcome.result.findings.length > dismissed.length ? ['Show Problems'] : [];
            void vscode.window.showInformationMessage(message, ...buttons).then((picked) => {
              if (picked) void vscode.commands.executeCommand('workbench.actions.view.problems');
            });
          }
          return { ok: true as const, result: outcome.result, files, message };
        } finally {
          clearInterval(ticker);
          subscription.dispose();
          services.statusBar.end(statusToken);
        }
      },
    );
  } catch (error) {
    return reportFailure(services, error, () => runReviewJob(services, unscoped));
  }
}
