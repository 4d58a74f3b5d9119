import pLimit from 'p-limit';
import { severityRank, type ModelFinding, type ReviewFinding, type ReviewResult, type SkippedPart } from '../findings';
import { silentLogger, type Logger } from '../log';
import { ProviderError, type ChatProvider } from '../providers/provider';
import { anchorFindings } from './anchor';
import { reviewCacheKey } from './cache';
import { FINDINGS_JSON_SCHEMA, FINDINGS_SCHEMA_NAME } from './outputContract';
import { parseModelAnswer } from './parse';
import { REDACTION_MARK } from './redact';
import { unitPlanner, type PlannedChunk, type ReviewPlan } from './plan';
import type { ReviewCacheStore, ReviewOptions, ReviewUnit } from './types';
import { counted } from '../counted';

export { previewPrompt, planReview } from './plan';

export const DEFAULT_MAX_CONCURRENCY = 4;

/** What is cached per chunk: the parsed answer (built from redacted input, so nothing secret). */
interface CachedAnswer {
  summary: string;
  findings: ModelFinding[];
}

function isCachedAnswer(value: unknown): value is CachedAnswer {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.summary === 'string' && Array.isArray(v.findings);
}

function words(title: string): Set<string> {
  return new Set(
    title
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter((w) => w.length > 2),
  );
}

/** Titles say the same thing: one contains the other, or they share most of their words. */
export function similarTitles(a: string, b: string): boolean {
  const na = a.toLowerCase().replace(/\s+/g, ' ').trim();
  const nb = b.toLowerCase().replace(/\s+/g, ' ').trim();
  if (na === nb || na.includes(nb) || nb.includes(na)) return true;
  const wa = words(a);
  const wb = words(b);
  if (wa.size === 0 || wb.size === 0) return false;
  let shared = 0;
  for (const w of wa) if (wb.has(w)) shared++;
  return shared / (wa.size + wb.size - shared) >= 0.5;
}

function isDuplicate(a: ReviewFinding, b: ReviewFinding): boolean {
  return (
    a.file === b.file &&
    a.category === b.category &&
    a.startLine <= b.endLine &&
    b.startLine <= a.endLine &&
    similarTitles(a.title, b.title)
  );
}

/** Keeps the most severe, then most confident, of each group of duplicates; sorted by file and line. */
export function mergeFindings(findings: ReviewFinding[]): ReviewFinding[] {
  const ranked = [...findings].sort(
    (a, b) => severityRank(b.severity) - severityRank(a.severity) || b.confidence - a.confidence,
  );
  // Duplicates share a file, so each finding is compared with the kept ones of its file only:
  // comparing with every kept finding was quadratic in the whole review (seconds for a large repository).
  const keptByFile = new Map<string, ReviewFinding[]>();
  const kept: ReviewFinding[] = [];
  for (const finding of ranked) {
    const sameFile = keptByFile.get(finding.file) ?? [];
    if (sameFile.some((k) => isDuplicate(k, finding))) continue;
    sameFile.push(finding);
    keptByFile.set(finding.file, sameFile);
    kept.push(finding);
  }
  return kept.sort(
    (a, b) =>
      a.file.localeCompare(b.file) || a.startLine - b.startLine || severityRank(b.severity) - severityRank(a.severity),
  );
}

function cancelledError(error: unknown, signal?: AbortSignal): boolean {
  return signal?.aborted === true || (error instanceof ProviderError && error.kind === 'cancelled');
}

interface ChunkContext {
  provider: ChatProvider;
  cache?: ReviewCacheStore;
  options: ReviewOptions;
  logger: Logger;
  /** Streamed answer text arriving for a chunk: total characters so far. */
  onAnswerProgress?: (path: string, characters: number) => void;
}

async function answerFor(
  planned: PlannedChunk,
  ctx: ChunkContext,
  stats: ReviewResult['stats'],
): Promise<CachedAnswer> {
  const { provider, cache, options, logger } = ctx;
  const key = cache
    ? reviewCacheKey({
        providerId: provider.id,
        model: provider.modelName,
        mode: options.mode,
        personaText: options.persona.text,
        systemPrompt: planned.system,
        userPrompt: planned.user,
      })
    : undefined;
  if (cache && key) {
    let hit: string | undefined;
    try {
      hit = await cache.get(key);
    } catch (error) {
      logger.warn(`the review cache could not be read (${(error as Error).message}); asking the model`);
    }
    if (hit !== undefined) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(hit);
      } catch (error) {
        logger.warn(
          `review cache entry ${key} is not valid JSON (${(error as Error).message}); asking the model again`,
        );
      }
      if (isCachedAnswer(parsed)) {
        stats.cachedChunks++;
        return parsed;
      }
    }
  }
  stats.requests++;
  let received = 0;
  const onAnswerProgress = ctx.onAnswerProgress;
  const response = await provider.complete({
    messages: planned.messages,
    jsonSchema: { name: FINDINGS_SCHEMA_NAME, schema: FINDINGS_JSON_SCHEMA },
    signal: options.signal,
    onText: onAnswerProgress
      ? (text) => {
          received += text.length;
          onAnswerProgress(planned.unit.path, received);
        }
      : undefined,
  });
  stats.promptTokens += response.usage.promptTokens;
  stats.completionTokens += response.usage.completionTokens;
  const parsed = parseModelAnswer(response.text, { truncated: response.truncated, logger });
  for (const dropped of parsed.dropped) {
    logger.info(`${planned.unit.path}: dropped the model's finding #${dropped.index + 1}: ${dropped.reason}`);
  }
  const answer: CachedAnswer = { summary: parsed.summary, findings: parsed.findings };
  if (cache && key) {
    try {
      await cache.set(key, JSON.stringify(answer));
    } catch (error) {
      // The review itself worked; only the next run loses the shortcut.
      logger.warn(
        `the review cache could not be written (${(error as Error).message}); the next review of this code will ask the model again`,
      );
    }
  }
  return answer;
}

/** Lines (1-based) whose redacted text differs from the real text: the lines holding a secret. */
function redactedLineNumbers(realText: string, redactedText: string): Set<number> {
  const lines = new Set<number>();
  if (realText === redactedText) return lines;
  const real = realText.split('\n');
  const redacted = redactedText.split('\n');
  for (let i = 0; i < real.length; i++) if (real[i] !== redacted[i]) lines.add(i + 1);
  return lines;
}

/**
 * Why a fix must not be offered, or null when it may. A fix whose range holds a secret was written
 * against the placeholder: applying it would write the placeholder (or the model's rewording of it,
 * `<redacted:…>`) over the real secret, or silently drop text the model never saw.
 */
function unsafeFixReason(fix: NonNullable<ModelFinding['fix']>, secretLines: ReadonlySet<number>): string | null {
  if (fix.replacement.includes(REDACTION_MARK) || /redacted/i.test(fix.replacement)) return 'it contains redacted text';
  for (let line = fix.startLine; line <= fix.endLine; line++) {
    if (secretLines.has(line)) return `it replaces line ${line}, which holds a redacted secret`;
  }
  return null;
}

/**
 * A 1-based column in a redacted line, as a column of the real line. Text before the first and after
 * the last difference lines up (shifted by the length change); a column inside the redacted part maps
 * to the start (or, for an exclusive end column, the end) of the real secret.
 */
export function realColumn(realLine: string, redactedLine: string, column: number, side: 'start' | 'end'): number {
  if (realLine === redactedLine) return column;
  let prefix = 0;
  while (prefix < realLine.length && prefix < redactedLine.length && realLine[prefix] === redactedLine[prefix])
    prefix++;
  let suffix = 0;
  while (
    suffix < realLine.length - prefix &&
    suffix < redactedLine.length - prefix &&
    realLine[realLine.length - 1 - suffix] === redactedLine[redactedLine.length - 1 - suffix]
  )
    suffix++;
  const offset = column - 1;
  if (offset <= prefix) return column;
  if (offset >= redactedLine.length - suffix) return offset + realLine.length - redactedLine.length + 1;
  return side === 'start' ? prefix + 1 : realLine.length - suffix + 1;
}

function toReviewFinding(
  finding: ModelFinding & { startColumn: number; endColumn: number },
  unit: ReviewUnit,
): ReviewFinding {
  return {
    title: finding.title,
    severity: finding.severity,
    category: finding.category,
    startLine: finding.startLine,
    endLine: finding.endLine,
    quote: finding.quote,
    message: finding.message,
    suggestion: finding.suggestion,
    fix: finding.fix,
    confidence: finding.confidence,
    file: unit.path,
    ruleId: `review/${finding.category}`,
    startColumn: finding.startColumn,
    endColumn: finding.endColumn,
    origin: 'model',
  };
}

function summarise(
  summaries: { file: string; summary: string }[],
  findings: ReviewFinding[],
  modelUsed: boolean,
): string {
  const byFile = new Map<string, string[]>();
  for (const s of summaries) {
    const text = s.summary.trim();
    if (text === '') continue;
    byFile.set(s.file, [...(byFile.get(s.file) ?? []), text]);
  }
  if (byFile.size === 1) return [...byFile.values()][0].join(' ');
  if (byFile.size > 1) return [...byFile.entries()].map(([file, texts]) => `${file}: ${texts.join(' ')}`).join('\n');
  const files = new Set(findings.map((f) => f.file)).size;
  const what = modelUsed ? 'Review' : 'Offline checks';
  return findings.length === 0
    ? `${what}: no findings.`
    : `${what}: ${counted(findings.length, 'finding')} in ${counted(files, 'file')}.`;
}

/**
 * Reviews the units: offline findings (when given) plus, with a provider, the model's findings for
 * every chunk, anchored to the real file text, merged and de-duplicated. Parts not reviewed are in
 * `skipped` with the reason. When every model request failed with a ProviderError it is thrown (the
 * CLI exits 3); when some succeeded, the failed chunks are reported as skipped.
 */
export async function runReview(options: ReviewOptions): Promise<ReviewResult> {
  const started = Date.now();
  const logger = options.logger ?? silentLogger;
  const stats: ReviewResult['stats'] = {
    requests: 0,
    cachedChunks: 0,
    promptTokens: 0,
    completionTokens: 0,
    durationMs: 0,
  };
  const findings: ReviewFinding[] = [];
  const skipped: SkippedPart[] = [];
  const notes: string[] = [];
  const summaries: { file: string; summary: string }[] = [];

  if (options.offlineFindings) {
    for (const unit of options.units) {
      if (unit.text.includes('\u0000')) continue;
      try {
        findings.push(...(await options.offlineFindings(unit)));
      } catch (error) {
        const message = `${unit.path}: the offline checks failed: ${(error as Error).message}`;
        logger.error(message);
        notes.push(message);
      }
    }
  }

  const provider = options.provider;
  if (!provider) {
    for (const unit of options.units) {
      if (unit.text.includes('\u0000')) skipped.push({ file: unit.path, reason: 'binary file: not reviewed' });
    }
  } else {
    const planUnit = unitPlanner({
      persona: options.persona,
      mode: options.mode,
      guidelines: options.guidelines,
      maxInputTokens: provider.maxInputTokens,
      countTokens: (text) => provider.countTokens(text),
    });
    // Planning (redaction, chunking) runs file by file while the first files' requests are out.
    // Progress reported before planning ends is held back and released with the final total, so
    // the total a caller sees never changes (the extension turns done ÷ total into increments).
    const planSkipped: SkippedPart[] = [];
    const runSkipped: SkippedPart[] = [];
    const redactions: ReviewPlan['redactions'] = [];
    const limit = pLimit(Math.max(1, options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY));
    let done = 0;
    let total = 0;
    let planning = true;
    const heldProgress: { done: number; message: string }[] = [];
    const onProgress = options.onProgress;
    const report = onProgress
      ? (message: string): void => {
          if (planning) heldProgress.push({ done, message });
          else onProgress({ done, total, message });
        }
      : undefined;
    const ctx: ChunkContext = {
      provider,
      cache: options.cache,
      options,
      logger,
      onAnswerProgress: report
        ? (file, characters) => report(`${file}: receiving the answer (${characters} characters)`)
        : undefined,
    };
    const failures: { error: ProviderError; file: string }[] = [];
    let answered = 0;
    const where = (p: PlannedChunk): Pick<SkippedPart, 'file' | 'startLine' | 'endLine'> => ({
      file: p.unit.path,
      startLine: p.chunk.segments[0].startLine,
      endLine: p.chunk.segments[p.chunk.segments.length - 1].endLine,
    });

    let planningFailed = false;
    const reviewChunk = async (planned: PlannedChunk): Promise<void> => {
      // Planning a later file threw: the review fails with that error, so queued chunks are not sent.
      if (planningFailed) return;
      try {
        if (options.signal?.aborted) {
          runSkipped.push({ ...where(planned), reason: 'cancelled before it was reviewed' });
          return;
        }
        let answer: CachedAnswer;
        try {
          answer = await answerFor(planned, ctx, stats);
        } catch (error) {
          if (cancelledError(error, options.signal)) {
            runSkipped.push({ ...where(planned), reason: 'cancelled while it was being reviewed' });
          } else if (error instanceof ProviderError) {
            failures.push({ error, file: planned.unit.path });
            runSkipped.push({ ...where(planned), reason: `the model request failed: ${error.message}` });
          } else {
            // An unreadable answer: the request worked, the answer did not.
            answered++;
            logger.error(`${planned.unit.path}: ${(error as Error).message}`);
            runSkipped.push({
              ...where(planned),
              reason: `the model's answer could not be read: ${(error as Error).message}`,
            });
          }
          return;
        }
        answered++;
        if (answer.summary.trim() !== '') summaries.push({ file: planned.unit.path, summary: answer.summary });
        // A quote copied from a redacted line only matches the redacted text (same lines, shifted columns).
        const anchorOptions = {
          reviewedRanges: planned.chunk.segments,
          changedLines: planned.unit.changedLines,
          slack: options.diffContextSlack,
          logger,
        };
        const quotesRedacted = (f: ModelFinding): boolean => f.quote.includes(REDACTION_MARK);
        const plain = anchorFindings(
          answer.findings.filter((f) => !quotesRedacted(f)),
          planned.unit.text,
          anchorOptions,
        );
        const redacted = anchorFindings(answer.findings.filter(quotesRedacted), planned.redactedText, anchorOptions);
        // Columns found in the redacted text, moved to the real text the editor shows (split only when needed: 80 KB twice per answer).
        const realLines = redacted.kept.length > 0 ? planned.unit.text.split('\n') : [];
        const redactedLines = redacted.kept.length > 0 ? planned.redactedText.split('\n') : [];
        for (const finding of redacted.kept) {
          finding.startColumn = realColumn(
            realLines[finding.startLine - 1] ?? '',
            redactedLines[finding.startLine - 1] ?? '',
            finding.startColumn,
            'start',
          );
          finding.endColumn = realColumn(
            realLines[finding.endLine - 1] ?? '',
            redactedLines[finding.endLine - 1] ?? '',
            finding.endColumn,
            'end',
          );
        }
        const anchored = { kept: [...plain.kept, ...redacted.kept], dropped: [...plain.dropped, ...redacted.dropped] };
        for (const dropped of anchored.dropped) {
          logger.info(
            `${planned.unit.path}: dropped "${dropped.finding.title}" (lines ${dropped.finding.startLine}-${dropped.finding.endLine}): ${dropped.reason}`,
          );
        }
        const secretLines = redactedLineNumbers(planned.unit.text, planned.redactedText);
        for (const finding of anchored.kept) {
          const unsafe = finding.fix ? unsafeFixReason(finding.fix, secretLines) : null;
          if (unsafe) {
            logger.info(`${planned.unit.path}: removed the fix of "${finding.title}": ${unsafe}`);
            finding.fix = null;
          }
        }
        findings.push(...anchored.kept.map((f) => toReviewFinding(f, planned.unit)));
      } finally {
        done++;
        report?.(planned.unit.path);
      }
    };

    const tasks: Promise<void>[] = [];
    try {
      for (const unit of options.units) {
        // Lets the requests already queued leave before this file is planned.
        if (tasks.length > 0) await new Promise((resolve) => setImmediate(resolve));
        const unitPlan = planUnit(unit);
        planSkipped.push(...unitPlan.skipped);
        redactions.push(...unitPlan.redactions);
        for (const planned of unitPlan.chunks) {
          total++;
          const task = limit(() => reviewChunk(planned));
          // Handled here so a failing chunk is not an unhandled rejection while planning goes on;
          // `Promise.all` below still rejects with it.
          task.catch(() => undefined);
          tasks.push(task);
        }
      }
    } catch (error) {
      // Requests already sent finish (their answers are not used) before the planning error is the result.
      planningFailed = true;
      await Promise.allSettled(tasks);
      throw error;
    }
    planning = false;
    if (redactions.length > 0) {
      const files = new Set(redactions.map((r) => r.file)).size;
      const message = `redacted ${counted(redactions.length, 'secret')} in ${counted(files, 'file')} before sending`;
      logger.info(message);
      notes.push(message);
    }
    onProgress?.({ done: 0, total, message: total === 0 ? 'nothing to send' : `reviewing ${counted(total, 'chunk')}` });
    for (const held of heldProgress) onProgress?.({ done: held.done, total, message: held.message });
    await Promise.all(tasks);
    skipped.push(...planSkipped, ...runSkipped);

    if (options.signal?.aborted) notes.push('the review was cancelled: unreviewed parts are listed as skipped');
    // When nothing worked the error itself is the result (the caller reports it once); otherwise log each failure.
    if (failures.length > 0 && answered === 0 && !options.signal?.aborted) throw failures[0].error;
    for (const failure of failures) logger.error(`${failure.file}: ${failure.error.message}`);
    if (failures.length > 0)
      notes.push(`${failures.length} of ${total} model requests failed; those parts are listed as skipped`);
  }

  const merged = mergeFindings(findings);
  stats.durationMs = Date.now() - started;
  return { summary: summarise(summaries, merged, provider !== undefined), findings: merged, skipped, stats, notes };
}
