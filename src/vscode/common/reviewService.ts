import type { Mode, ReviewResult, SkippedPart } from '../../core/findings';
import type { Logger } from '../../core/log';
import type { ChatProvider } from '../../core/providers/provider';
import type { ReviewOptions, ReviewProgress, ReviewUnit } from '../../core/review/types';
import { counted } from '../../core/counted';
import { ReviewCancelledError } from '../../core/review/errors';
import { runConvergentReview, type FileConvergence, type ReviewedFile } from '../../core/review/convergent';
import type { ReviewNote } from '../../core/review/prepare';
import { noteText } from './reviewNotes';

/**
 * Runs reviews for the editor: one at a time per key (a second review of the same file cancels the
 * first), with the persona, mode, guidelines and provider that `prepare` resolves at that moment.
 * Pure: the VS Code side supplies `prepare` and shows progress and outcomes.
 */
export type ReviewKind = 'file' | 'selection' | 'changes' | 'staged' | 'branch' | 'folder' | 'chat';

export interface ReviewRequest {
  /** Reviews with the same key cancel each other (a file URI, or e.g. `changes:<repo root>`). */
  key: string;
  kind: ReviewKind;
  units: ReviewUnit[];
  /** Parts left out before the engine ran (binary files, deleted files...), reported with the result. */
  skipped?: SkippedPart[];
  signal?: AbortSignal;
  onProgress?: (progress: ReviewProgress) => void;
  /** Use this model instead of the configured one (the chat passes the model the user picked). */
  provider?: ChatProvider;
  /**
   * A file review that ignores what is known about the file: the whole file is sent and no cached
   * answer is used. Otherwise a file reviewed before is reviewed only where it changed (convergent.ts).
   */
  fresh?: boolean;
  /** The user's own words about this review (the chat's `/review` text): sent to the model as context. */
  note?: string;
  /** The messages of the commits under review (a branch review), newest first: sent as the author's claims, as context. */
  commitMessages?: string[];
}

/**
 * Everything a review needs besides its units, resolved per review from settings and the workspace
 * (ReviewContext.prepare, over core/review/prepare.ts).
 */
export type ReviewSetup = Omit<ReviewOptions, 'units' | 'signal' | 'onProgress'> & {
  /** Shown in outcomes and diagnostics, e.g. "Pragmatic Reviewer". */
  personaName: string;
  /** Things to tell the user that are not findings (persona fallbacks, untrusted workspace...). */
  notes: ReviewNote[];
};

export interface ReviewOutcome {
  result: ReviewResult;
  /** The mode whose rubric was sent. */
  mode: Mode;
  /** The preparation's notes, typed (their words are in `result.notes` too). */
  notes: ReviewNote[];
  personaName: string;
  kind: ReviewKind;
  /** A file review: what was sent again, kept and resolved since the file's last review. */
  convergence?: FileConvergence[];
}

export interface ReviewEngine {
  runReview(options: ReviewOptions): Promise<ReviewResult>;
}

/** Files whose last review is remembered for convergent re-review (the oldest are forgotten first). */
const REMEMBERED_FILES = 100;

export class ReviewService {
  private readonly running = new Map<string, AbortController>();
  /** The last complete review of each file, by request key and path (in memory: the text is not stored). */
  private readonly reviewed = new Map<string, ReviewedFile>();

  constructor(
    private readonly engine: ReviewEngine,
    private readonly prepare: (request: ReviewRequest) => Promise<ReviewSetup>,
    private readonly logger: Logger,
  ) {}

  /** Keys of the reviews in flight. */
  inFlight(): string[] {
    return [...this.running.keys()];
  }

  cancel(key: string): boolean {
    const controller = this.running.get(key);
    if (!controller) return false;
    controller.abort();
    this.running.delete(key);
    return true;
  }

  async review(request: ReviewRequest): Promise<ReviewOutcome> {
    const previous = this.running.get(request.key);
    if (previous) {
      this.logger.info(`A new review of ${request.key} cancels the one still running.`);
      previous.abort();
    }
    const controller = new AbortController();
    this.running.set(request.key, controller);
    const onOuterAbort = () => controller.abort();
    request.signal?.addEventListener('abort', onOuterAbort);
    if (request.signal?.aborted) controller.abort();
    try {
      const prepared = await this.prepare(request);
      if (controller.signal.aborted) throw new ReviewCancelledError();
      const { personaName, notes, ...options } = prepared;
      const started = Date.now();
      this.logger.info(
        `Reviewing ${request.units.length} file(s) (${request.kind}) with ${personaName}, mode ${options.mode}, provider ${options.provider?.id ?? 'none (offline checks only)'}.`,
      );
      const reviewOptions = {
        ...options,
        ...(request.fresh ? { cache: undefined } : {}),
        units: request.units,
        signal: controller.signal,
        onProgress: request.onProgress,
      };
      let result: ReviewResult;
      let convergence: FileConvergence[] | undefined;
      if (request.kind === 'file') {
        const remembered = (path: string): string => `${request.key}\u0000${path}`;
        const converged = await runConvergentReview(
          reviewOptions,
          (path) => (request.fresh ? undefined : this.reviewed.get(remembered(path))),
          (engineOptions) => this.engine.runReview(engineOptions),
        );
        if (controller.signal.aborted) throw new ReviewCancelledError();
        result = converged.result;
        convergence = converged.files;
        for (const file of converged.reviewed) this.remember(remembered(file.path), file);
        for (const file of converged.files)
          for (const gone of file.resolved)
            this.logger.info(`Resolved since the last review: ${file.path}:${gone.startLine} ${gone.title}`);
      } else {
        result = await this.engine.runReview(reviewOptions);
      }
      if (controller.signal.aborted) throw new ReviewCancelledError();
      const merged: ReviewResult = {
        ...result,
        skipped: [...(request.skipped ?? []), ...result.skipped],
        notes: [...notes.map(noteText), ...result.notes],
      };
      this.logger.info(`Review of ${request.key} done in ${Date.now() - started} ms: ${formatOutcome(merged)}`);
      // Pragmatic's "this would be overkill": each idea with its reason, where the CLI prints them.
      for (const o of merged.overkill ?? [])
        this.logger.info(`Overkill here (${o.file}): ${o.title}${o.reason !== '' ? ` — ${o.reason}` : ''}`);
      return { result: merged, mode: options.mode, notes, personaName, kind: request.kind, convergence };
    } catch (error) {
      if (controller.signal.aborted && !(error instanceof ReviewCancelledError)) throw new ReviewCancelledError();
      throw error;
    } finally {
      request.signal?.removeEventListener('abort', onOuterAbort);
      if (this.running.get(request.key) === controller) this.running.delete(request.key);
    }
  }

  /** Forgets every file's last review: the next review of each sends the whole file. */
  forget(): void {
    this.reviewed.clear();
  }

  private remember(key: string, file: ReviewedFile): void {
    this.reviewed.delete(key);
    this.reviewed.set(key, file);
    while (this.reviewed.size > REMEMBERED_FILES) {
      const oldest = this.reviewed.keys().next();
      if (oldest.done) break;
      this.reviewed.delete(oldest.value);
    }
  }

  dispose(): void {
    this.reviewed.clear();
    for (const controller of this.running.values()) controller.abort();
    this.running.clear();
  }
}

/**
 * One line for the notification: findings, skipped parts and why, tokens used; incomplete reviews say
 * so first. `dismissed`: how many of the findings are dismissed (not shown, so not counted as findings).
 * `overkillListedBelow`: the ideas left out as overkill are listed after this line (chat), so only counted.
 */
export function formatOutcome(result: ReviewResult, dismissed = 0, overkillListedBelow = false): string {
  const hidden = Math.min(dismissed, result.findings.length);
  const parts = [
    `${counted(result.findings.length - hidden, 'finding')}${hidden > 0 ? ` (${hidden} more dismissed, not shown)` : ''}`,
  ];
  // What the noise gate (and a verification) kept from the user, counted as the setting descriptions
  // promise; the reasons are in the notes (log, chat). Grouped and merged findings are shown, not counted.
  const withheld = withheldCount(result);
  if (withheld > 0) parts.push(`${counted(withheld, 'model finding')} not shown by the noise gate (the log says why)`);
  const overkill = result.overkill ?? [];
  if (overkill.length > 0 && overkillListedBelow)
    parts.push(`${counted(overkill.length, 'idea')} left out as overkill here (listed below)`);
  else if (overkill.length > 0) {
    const titles = overkill.slice(0, 2).map((o) => o.title);
    const more = overkill.length > 2 ? `; and ${overkill.length - 2} more` : '';
    parts.push(`left out as overkill here: ${titles.join('; ')}${more}`);
  }
  const failed = result.skipped.filter((part) => part.failed === true).length;
  if (failed > 0)
    parts.unshift(
      `Review incomplete: ${counted(failed, 'part')} could not be reviewed, so these findings are not the whole picture`,
    );
  if (result.skipped.length > 0) {
    const reasons = result.skipped.slice(0, 3).map((part) => {
      const where =
        part.startLine !== undefined ? `${part.file}:${part.startLine}-${part.endLine ?? part.startLine}` : part.file;
      return `${where}: ${part.reason}`;
    });
    const more = result.skipped.length > 3 ? `; and ${result.skipped.length - 3} more` : '';
    parts.push(`${counted(result.skipped.length, 'part')} skipped (${reasons.join('; ')}${more})`);
  }
  const tokens = result.stats.promptTokens + result.stats.completionTokens;
  const cached = result.stats.cachedChunks > 0 ? `, ${counted(result.stats.cachedChunks, 'chunk')} from cache` : '';
  parts.push(
    `${tokens.toLocaleString('en-US')} tokens (${result.stats.promptTokens.toLocaleString('en-US')} in, ${result.stats.completionTokens.toLocaleString('en-US')} out)${cached}`,
  );
  return parts.join(' · ');
}

/** Model findings the gate or a verification withheld (not those grouped or merged into a shown one). */
function withheldCount(result: ReviewResult): number {
  const w = result.stats.withheld;
  if (!w) return 0;
  return (
    w.unanchored +
    w.lowConfidence +
    w.overCap +
    (w.contradicted ?? 0) +
    (w.ungrounded ?? 0) +
    (w.unfounded ?? 0) +
    (w.verifyRejected ?? 0)
  );
}

/**
 * What a file review did with what was known about the file, for the outcome message: '' for a
 * first review; else which lines were sent again, how many findings on unchanged code were kept and
 * how many were resolved.
 */
export function formatConvergence(files: readonly FileConvergence[] | undefined): string {
  const parts: string[] = [];
  for (const file of files ?? []) {
    if (file.kind === 'fresh') continue;
    const kept = file.carried > 0 ? `, ${counted(file.carried, 'finding')} on unchanged code kept` : '';
    if (file.kind === 'unchanged') {
      parts.push(`${file.path} unchanged since its last review: nothing sent${kept}`);
      continue;
    }
    const lines = file.sentLines
      .map((r) => (r.startLine === r.endLine ? `${r.startLine}` : `${r.startLine}-${r.endLine}`))
      .join(', ');
    const resolved = file.resolved.length > 0 ? `, ${counted(file.resolved.length, 'finding')} resolved` : '';
    parts.push(`only the changed lines sent (${lines})${kept}${resolved}`);
  }
  return parts.join(' · ');
}
