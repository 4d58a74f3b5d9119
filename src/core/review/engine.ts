import pLimit from 'p-limit';
import { errorMessage } from '../errorMessage';
import { isCancellation } from './errors';
import {
  severityRank,
  type ContextStats,
  type ModelFinding,
  type ReviewFinding,
  type ReviewResult,
  type SkippedPart,
  type WithheldCounts,
} from '../findings';
import { silentLogger, type Logger } from '../log';
import { ProviderError, type ChatProvider, type RetryNotice } from '../providers/provider';
import { anchorFindings } from './anchor';
import { MISSING_WORDS, withholdContradicted } from './absence';
import { decodeCacheEntry, encodeCacheEntry, reviewCacheKey, type CachedAnswer } from './cache';
import { FINDINGS_JSON_SCHEMA, FINDINGS_SCHEMA_NAME } from './outputContract';
import { MAX_FINDINGS_PER_ANSWER, parseModelAnswer, readOverkill } from './parse';
import { changedStretch, REDACTION_MARK, withoutSecrets } from './redact';
import {
  DEFAULT_CONTEXT_BUDGET_TOKENS,
  DEFAULT_DIFF_CONTEXT_LINES,
  regionsFor,
  unitPlanner,
  type PlanOptions,
  type PlannedChunk,
  type PromptPreview,
  type ReviewPlan,
} from './plan';
import { ContextGatherer, repositoryFilesOnDisk, type UnitContext } from './context';
import { lineCount, newlineCount, splitOnLineBreaks } from './chunk';
import * as path from 'node:path';
import {
  reviewFocusLines,
  type ReviewCacheStore,
  type ReviewContextOptions,
  type ReviewOptions,
  type ReviewUnit,
} from './types';
import { counted } from '../counted';
import { mergeFindings, mergeOfflineDuplicates, repeatsOffline } from './merge';
import { needsVerification, verifyFindings } from './verify';
import { MECHANISM_WORDS, withholdUngrounded } from './grounds';
import { UNFOUNDED_WORDS, withholdSpeculation } from './speculation';
import { languageFromPath } from '../language';
import { SharedTrees } from './trees';
import { binarySkipped, isBinaryText } from './binary';
import {
  capReview,
  checkFixText,
  describeWithheld,
  emptyWithheld,
  foldGroups,
  gateLimits,
  gatePart,
  groupRepeats,
} from './gate';

export { previewPrompt, planReview } from './plan';
export { mergeFindings, similarTitles } from './merge';

export const DEFAULT_MAX_CONCURRENCY = 4;
/** Model findings kept for one review; beyond it the most severe are kept and the rest counted. */
export const MAX_FINDINGS_PER_REVIEW = 500;
/** The per-request timeout the default deadline is derived from when none is given. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 120_000;
/** Room for retries (backoff, a capped retry-after) on top of the requests' own time. */
const DEADLINE_RETRY_ALLOWANCE_MS = 60_000;
/** setTimeout's ceiling (about 24.8 days): longer delays overflow to 1 ms. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * The overall deadline when none is set: every round of `concurrency` parts may take one request
 * timeout, plus one more round and a minute for retries. A review never runs past it, whatever a
 * server does (a slow drip, endless retries).
 */
export function defaultReviewDeadlineMs(parts: number, concurrency: number, requestTimeoutMs: number): number {
  const rounds = Math.ceil(Math.max(1, parts) / Math.max(1, concurrency));
  return Math.min(MAX_TIMER_MS, requestTimeoutMs * (rounds + 1) + DEADLINE_RETRY_ALLOWANCE_MS);
}

const seconds = (ms: number): string => `${Math.round(ms / 100) / 10}s`;

/** Most severe first; within a severity by file and line, so a reader meets what matters first. */
function orderBySeverity(findings: ReviewFinding[]): ReviewFinding[] {
  return [...findings].sort(
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) ||
      a.file.localeCompare(b.file) ||
      a.startLine - b.startLine ||
      (a.startColumn ?? 0) - (b.startColumn ?? 0),
  );
}

/** At most MAX_FINDINGS_PER_REVIEW model findings, the most severe; offline findings are all kept. */
function capModelFindings(findings: ReviewFinding[], stats: ReviewResult['stats'], notes: string[]): ReviewFinding[] {
  const model = findings.filter((f) => f.origin === 'model');
  if (model.length <= MAX_FINDINGS_PER_REVIEW) return findings;
  const keep = new Set(
    [...model]
      .sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || b.confidence - a.confidence)
      .slice(0, MAX_FINDINGS_PER_REVIEW),
  );
  const over = model.length - MAX_FINDINGS_PER_REVIEW;
  stats.findingsOverCap = (stats.findingsOverCap ?? 0) + over;
  notes.push(
    `the model gave ${model.length} findings in this review; kept the ${MAX_FINDINGS_PER_REVIEW} most severe (the cap per review), ${over} not kept`,
  );
  return findings.filter((f) => f.origin !== 'model' || keep.has(f));
}

interface ChunkContext {
  provider: ChatProvider;
  /**
   * Runs one model request in one of the review's `maxConcurrency` slots. Only the request holds a
   * slot: reading and checking its answer (anchoring, grounding, gates) and cache reads do not, so
   * the next request leaves while an answer is checked, as the bare SDK's fan-out sends it.
   */
  slot: <T>(request: () => Promise<T>) => Promise<T>;
  cache?: ReviewCacheStore;
  options: ReviewOptions;
  logger: Logger;
  /** Aborted by the caller's signal or by the review's deadline. */
  signal: AbortSignal;
  /** Notes for the result (dropped and over-cap findings, each naming the part). */
  notes: string[];
  /** What a chunk's model request is doing (sent and waiting, tokens arriving, retrying). */
  onRequestProgress?: (path: string, progress: RequestProgress) => void;
}

/** One model request's state, for progress reports. */
export type RequestProgress =
  | { stage: 'waiting'; promptTokens: number }
  | { stage: 'receiving'; tokens: number }
  | { stage: 'retrying'; notice: RetryNotice };

/** A request's progress as a user reads it ("a.ts: retry 1 of 2 after 503"). */
export function requestProgressText(path: string, progress: RequestProgress): string {
  switch (progress.stage) {
    case 'waiting':
      return `${path}: sent ~${progress.promptTokens} tokens, waiting for the model`;
    case 'receiving':
      return `${path}: receiving the answer (~${progress.tokens} tokens)`;
    case 'retrying':
      return `${path}: retry ${progress.notice.retry} of ${progress.notice.of} after ${progress.notice.after} (in ${seconds(progress.notice.delayMs)})`;
  }
}

/** The review's provider with each request waiting for a slot (verification requests count like reviews). */
function throughSlot(ctx: ChunkContext): ChatProvider {
  const { provider, slot } = ctx;
  return {
    id: provider.id,
    modelName: provider.modelName,
    maxInputTokens: provider.maxInputTokens,
    countTokens: (text) => provider.countTokens(text),
    complete: (request) => slot(() => provider.complete(request)),
  };
}

/** A part whose request was not sent: the review was cancelled or its deadline passed while it waited for a slot. */
class NotSent extends Error {}

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
      logger.warn(`the review cache could not be read (${errorMessage(error)}); asking the model`);
    }
    if (hit !== undefined) {
      const entry = decodeCacheEntry(key, hit);
      if (entry.ok) {
        stats.cachedChunks++;
        return entry.answer;
      }
      logger.warn(
        `review cache entry ${cache.location?.(key) ?? key} for ${planned.unit.path} was not used: ${entry.reason}; asking the model again`,
      );
    }
  }
  const onRequestProgress = ctx.onRequestProgress;
  const response = await ctx.slot(() => {
    stats.requests++;
    let received = 0;
    onRequestProgress?.(planned.unit.path, {
      stage: 'waiting',
      promptTokens: planned.messages.reduce((sum, m) => sum + provider.countTokens(m.content), 0),
    });
    return provider.complete({
      messages: planned.messages,
      jsonSchema: { name: FINDINGS_SCHEMA_NAME, schema: FINDINGS_JSON_SCHEMA },
      signal: ctx.signal,
      onText: onRequestProgress
        ? (text) => {
            received += provider.countTokens(text);
            onRequestProgress(planned.unit.path, { stage: 'receiving', tokens: received });
          }
        : undefined,
      onRetry: onRequestProgress
        ? (notice) => {
            received = 0;
            onRequestProgress(planned.unit.path, { stage: 'retrying', notice });
          }
        : undefined,
    });
  });
  if (response.promptCut) {
    stats.promptCut = (stats.promptCut ?? 0) + 1;
    stats.promptCutTokens = response.promptCut;
  }
  stats.promptTokens += response.usage.promptTokens;
  stats.completionTokens += response.usage.completionTokens;
  const parsed = parseModelAnswer(response.text, {
    truncated: response.truncated,
    logger: fileLogger(logger, planned.unit.path),
  });
  const part = describePart(planned);
  // Findings the model gave and none of them readable: the part was not reviewed, it is not clean.
  if (parsed.findings.length === 0 && parsed.overCap === 0 && parsed.dropped.length > 0)
    throw new Error(
      `its ${counted(parsed.dropped.length, 'finding')} ${parsed.dropped.length === 1 ? 'is' : 'are all'} invalid (first: ${parsed.dropped[0].reason})`,
    );
  if (parsed.dropped.length > 0)
    ctx.notes.push(
      `${part}: dropped ${counted(parsed.dropped.length, 'invalid finding')} from the model's answer (first: ${parsed.dropped[0].reason})`,
    );
  if (parsed.overCap > 0)
    ctx.notes.push(
      `${part}: the model gave ${parsed.findings.length + parsed.overCap} findings; kept the ${parsed.findings.length} most severe (at most ${MAX_FINDINGS_PER_ANSWER} per part), ${parsed.overCap} not kept`,
    );
  stats.findingsOverCap = (stats.findingsOverCap ?? 0) + parsed.overCap;
  const answer: CachedAnswer = { summary: parsed.summary, findings: parsed.findings, overkill: parsed.overkill };
  // An answer written without the review's instructions (the server cut the prompt) is not kept: once
  // the server's context is raised, the same prompt must reach the model again, not this answer.
  if (cache && key && !response.promptCut) {
    try {
      await cache.set(key, encodeCacheEntry(key, answer));
    } catch (error) {
      // The review itself worked; only the next run loses the shortcut.
      logger.warn(
        `the review cache could not be written (${errorMessage(error)}); the next review of this code will ask the model again`,
      );
    }
  }
  return answer;
}

/**
 * The verification pass over one part's gated findings (`options.verify`): the high and critical
 * ones are re-checked in a second request; a failed verification keeps them as they were, said in
 * the notes.
 */
async function verifyPart(
  planned: PlannedChunk,
  gated: ReviewFinding[],
  offline: readonly ReviewFinding[],
  ctx: ChunkContext,
  stats: ReviewResult['stats'],
  withheld: WithheldCounts,
): Promise<ReviewFinding[]> {
  // A repeat of an offline finding is folded into it later: nothing to verify.
  const toVerify = gated.filter((f) => needsVerification(f) && !offline.some((o) => repeatsOffline(f, o)));
  const count = toVerify.length;
  if (count === 0) return gated;
  const others = gated.filter((f) => !toVerify.includes(f));
  stats.requests++;
  try {
    const outcome = await verifyFindings(
      throughSlot(ctx),
      {
        path: planned.unit.path,
        language: planned.language ?? planned.unit.language,
        numbered: planned.chunk.numbered,
        context: planned.contextPieces,
        focusLines: planned.focusLines,
        findings: toVerify,
      },
      ctx.signal,
    );
    stats.promptTokens += outcome.usage.promptTokens;
    stats.completionTokens += outcome.usage.completionTokens;
    withheld.verifyRejected = (withheld.verifyRejected ?? 0) + outcome.rejected.length;
    withheld.verifyReRated = (withheld.verifyReRated ?? 0) + outcome.reRated;
    withheld.verifyUnsupported = (withheld.verifyUnsupported ?? 0) + outcome.unsupported.length;
    for (const { finding: f, evidence, why } of outcome.unsupported)
      ctx.logger.info(
        why === 'its evidence is not in the code shown'
          ? `${planned.unit.path}: kept "${f.title}" (lines ${f.startLine}-${f.endLine}): the verification rejected it on code that is not in the code shown (${JSON.stringify(evidence.slice(0, 200))})`
          : `${planned.unit.path}: kept "${f.title}" (lines ${f.startLine}-${f.endLine}): the verification rejected it, but ${why}`,
      );
    for (const f of outcome.rejected)
      ctx.logger.info(
        `${planned.unit.path}: the verification rejected "${f.title}" (lines ${f.startLine}-${f.endLine})`,
      );
    return [...others, ...outcome.findings];
  } catch (error) {
    const message = `${describePart(planned)}: the verification of ${counted(count, 'finding')} failed (${errorMessage(error)}); shown unverified`;
    ctx.logger.warn(message);
    ctx.notes.push(message);
    return gated;
  }
}

/** `path` or `path:12-80` when a file was sent in parts. */
function describePart(planned: PlannedChunk): string {
  const segments = planned.chunk.segments;
  const first = segments[0]?.startLine;
  const last = segments[segments.length - 1]?.endLine;
  const whole = first === 1 && last !== undefined && last >= newlineCount(planned.unit.text);
  return whole || first === undefined ? planned.unit.path : `${planned.unit.path}:${first}-${last}`;
}

/** The parser's messages prefixed with the file they are about. */
function fileLogger(logger: Logger, path: string): Logger {
  return {
    debug: (message) => logger.debug(`${path}: ${message}`),
    info: (message) => logger.info(`${path}: ${message}`),
    warn: (message) => logger.warn(`${path}: ${message}`),
    error: (message) => logger.error(`${path}: ${message}`),
  };
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
  const { prefix, suffix } = changedStretch(realLine, redactedLine);
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

/** Adds what one file's plan sends besides the code under review to the review's context figures. */
function countContext(plan: ReviewPlan, context: ContextStats): void {
  context.removedLines += plan.removedLines ?? 0;
  context.widened += plan.widened ?? 0;
  if (plan.callees) {
    context.sameFileCallees += plan.callees.sameFile;
    context.sameFileCalleesSent += plan.callees.sameFileSent;
    context.otherFileCallees += plan.callees.otherFile;
    context.otherFileCalleesSent += plan.callees.otherFileSent;
  }
  for (const chunk of plan.chunks) {
    context.removedLinesSent += chunk.removedLines?.shown ?? 0;
    if (!chunk.context) continue;
    context.tokens += chunk.context.tokens;
    context.leftOut += chunk.context.leftOut;
    context.signaturesOnly += chunk.context.signaturesOnly;
    for (const [kind, count] of Object.entries(chunk.context.pieces))
      context.pieces[kind] = (context.pieces[kind] ?? 0) + (count ?? 0);
  }
}

function emptyContextStats(budgetTokens: number): ContextStats {
  return {
    removedLines: 0,
    removedLinesSent: 0,
    tokens: 0,
    budgetTokens,
    pieces: {},
    leftOut: 0,
    signaturesOnly: 0,
    widened: 0,
    sameFileCallees: 0,
    sameFileCalleesSent: 0,
    otherFileCallees: 0,
    otherFileCalleesSent: 0,
  };
}

/** Whether a review sent anything besides the code under review (context, removed lines, wider regions). */
export function contextWasSent(context: ContextStats): boolean {
  return context.tokens > 0 || context.removedLines > 0 || context.widened > 0 || context.sameFileCallees > 0;
}

/** One line on what a review sent besides the code under review (the log, the CLI's stderr). */
export function describeContext(context: ContextStats): string {
  const parts = [`~${context.tokens} tokens of context (budget ${context.budgetTokens} per request)`];
  const pieces = Object.entries(context.pieces)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${kind} ${n}`);
  if (pieces.length > 0) parts.push(`pieces: ${pieces.join(', ')}`);
  if (context.signaturesOnly > 0)
    parts.push(`${counted(context.signaturesOnly, 'definition')} as the signature alone for the budget`);
  if (context.leftOut > 0) parts.push(`${context.leftOut} left out for the budget`);
  if (context.widened > 0)
    parts.push(`${counted(context.widened, 'region')} widened to the enclosing function or class`);
  if (context.removedLines > 0) parts.push(`removed lines sent ${context.removedLinesSent}/${context.removedLines}`);
  if (context.sameFileCallees > 0)
    parts.push(`same-file callees shown ${context.sameFileCalleesSent}/${context.sameFileCallees}`);
  if (context.otherFileCallees > 0)
    parts.push(`other-file callees shown ${context.otherFileCalleesSent}/${context.otherFileCallees}`);
  return parts.join('; ');
}

/**
 * Finds each unit's context (context.ts) for one review, sharing the repository's listing and parsed
 * files between units. A unit whose context cannot be worked out is reviewed on lines, and `warn` says why.
 */
function unitContextFinder(
  options: ReviewContextOptions | undefined,
  warn: (message: string) => void,
  trees?: SharedTrees,
): (unit: ReviewUnit) => Promise<UnitContext | undefined> {
  const gatherer = new ContextGatherer({
    repository:
      options?.repository ?? (options?.repositoryRoot ? repositoryFilesOnDisk(options.repositoryRoot) : undefined),
    repositoryPath: repositoryPathOf(options),
    contextLines: DEFAULT_DIFF_CONTEXT_LINES,
    trees,
  });
  return async (unit) => {
    if (isBinaryText(unit.text) || unit.text.trim() === '') return undefined;
    try {
      const base = regionsFor(unit, lineCount(unit.text), DEFAULT_DIFF_CONTEXT_LINES);
      return await gatherer.forUnit(unit, base);
    } catch (error) {
      warn(
        `${unit.path}: the code around the change could not be worked out (${errorMessage(error)}); sending the changed lines with the lines around them`,
      );
      return undefined;
    }
  };
}

/**
 * Exactly the messages a review would send for these units, context included (the editor's Preview
 * Prompt); nothing is sent.
 */
export async function previewReviewPrompt(
  options: PlanOptions & { context?: ReviewContextOptions },
): Promise<{ prompts: PromptPreview[]; skipped: SkippedPart[] }> {
  const warnings: string[] = [];
  const contextFor = unitContextFinder(options.context, (message) => warnings.push(message));
  const planOne = unitPlanner({
    ...options,
    note: options.note ?? options.context?.note,
    commitMessages: options.commitMessages ?? options.context?.commitMessages,
    contextBudgetTokens: options.contextBudgetTokens ?? options.context?.budgetTokens,
  });
  const prompts: PromptPreview[] = [];
  const skipped: SkippedPart[] = [];
  for (const unit of options.units) {
    const plan = planOne(unit, await contextFor(unit));
    prompts.push(...plan.chunks.map((c) => ({ file: c.unit.path, system: c.system, user: c.user })));
    skipped.push(...plan.skipped);
  }
  if (warnings.length > 0) skipped.push(...warnings.map((reason) => ({ file: '(context)', reason })));
  return { prompts, skipped };
}

/** A unit's path as a repository-relative path, when units are relative to another folder. */
function repositoryPathOf(context: ReviewOptions['context']): ((unitPath: string) => string) | undefined {
  const root = context?.repositoryRoot;
  const unitRoot = context?.unitRoot;
  if (!root || !unitRoot) return undefined;
  return (unitPath) => path.relative(root, path.resolve(unitRoot, unitPath)).split(path.sep).join('/');
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
  const limits = gateLimits(options.mode, options.minimumConfidence);
  const withheld = emptyWithheld();
  const notes: string[] = [];
  const summaries: { file: string; summary: string }[] = [];
  const overkill: NonNullable<ReviewResult['overkill']> = [];

  // Offline findings per unit: shown to the model as already reported, then merged with its answer.
  const offlineByUnit = new Map<ReviewUnit, ReviewFinding[]>();
  if (options.offlineFindings) {
    for (const unit of options.units) {
      if (isBinaryText(unit.text)) continue;
      try {
        // Offline findings quote the source and fix whole lines: nothing the redaction hides may reach an output.
        const found = withoutSecrets(await options.offlineFindings(unit), unit);
        offlineByUnit.set(unit, found);
        findings.push(...found);
      } catch (error) {
        const message = `${unit.path}: the offline checks failed: ${errorMessage(error)}`;
        logger.error(message);
        notes.push(message);
      }
    }
  }

  const provider = options.provider;
  // Each file's syntax tree, parsed once for its context and the checks of its answers (trees.ts).
  const trees = new SharedTrees();
  // One signal for the caller's cancel and the deadline; `deadlinePassed` tells the two apart.
  const reviewAbort = new AbortController();
  let deadlinePassed = false;
  let deadlineTimer: ReturnType<typeof setTimeout> | undefined;
  let deadlineMs: number | undefined;
  const armDeadline = (ms: number): void => {
    deadlineMs = ms;
    clearTimeout(deadlineTimer);
    deadlineTimer = setTimeout(
      () => {
        deadlinePassed = true;
        reviewAbort.abort();
      },
      Math.min(MAX_TIMER_MS, Math.max(0, started + ms - Date.now())),
    );
  };
  const onCallerAbort = (): void => reviewAbort.abort();
  if (options.signal?.aborted) reviewAbort.abort();
  options.signal?.addEventListener('abort', onCallerAbort, { once: true });
  if (options.deadlineMs !== undefined) armDeadline(options.deadlineMs);
  try {
    if (!provider) {
      for (const unit of options.units) {
        if (isBinaryText(unit.text)) skipped.push(binarySkipped(unit.path));
      }
    } else {
      const planUnit = unitPlanner({
        persona: options.persona,
        mode: options.mode,
        guidelines: options.guidelines,
        teamDecisions: options.teamDecisions,
        maxInputTokens: provider.maxInputTokens,
        countTokens: (text) => provider.countTokens(text),
        alreadyReported: (unit) => offlineByUnit.get(unit) ?? [],
        note: options.context?.note,
        commitMessages: options.context?.commitMessages,
        contextBudgetTokens: options.context?.budgetTokens,
      });
      // Planning (redaction, chunking) runs file by file while the first files' requests are out.
      // Progress reported before planning ends is held back and released with the final total, so
      // the total a caller sees never changes (the extension turns done ÷ total into increments).
      const context: ContextStats = emptyContextStats(options.context?.budgetTokens ?? DEFAULT_CONTEXT_BUDGET_TOKENS);
      const contextFor = unitContextFinder(
        options.context,
        (message) => {
          logger.warn(message);
          notes.push(message);
        },
        trees,
      );
      stats.context = context;
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
      let planningFailed = false;
      const ctx: ChunkContext = {
        provider,
        // Cancelled, out of time or failed in planning while waiting for a slot: not sent.
        slot: (request) =>
          limit(() => (planningFailed || reviewAbort.signal.aborted ? Promise.reject(new NotSent()) : request())),
        cache: options.cache,
        options,
        logger,
        signal: reviewAbort.signal,
        notes,
        onRequestProgress: report ? (file, progress) => report(requestProgressText(file, progress)) : undefined,
      };
      const failures: { error: ProviderError; file: string }[] = [];
      let answered = 0;
      const where = (p: PlannedChunk): Pick<SkippedPart, 'file' | 'startLine' | 'endLine'> => ({
        file: p.unit.path,
        startLine: p.chunk.segments[0].startLine,
        endLine: p.chunk.segments[p.chunk.segments.length - 1].endLine,
      });

      // A part starts as soon as it is planned; a later planning error stops it at its slot (ctx.slot).
      const reviewChunk = async (planned: PlannedChunk): Promise<void> => {
        try {
          const stopped = (when: string): string =>
            deadlinePassed
              ? `the review's deadline (${seconds(deadlineMs ?? 0)}) passed ${when} it was reviewed`
              : `cancelled ${when} it was reviewed`;
          if (reviewAbort.signal.aborted) {
            runSkipped.push({ ...where(planned), reason: stopped('before'), failed: true });
            return;
          }
          let answer: CachedAnswer;
          try {
            answer = await answerFor(planned, ctx, stats);
          } catch (error) {
            if (error instanceof NotSent) {
              runSkipped.push({ ...where(planned), reason: stopped('before'), failed: true });
            } else if (isCancellation(error, reviewAbort.signal)) {
              runSkipped.push({ ...where(planned), reason: stopped('while'), failed: true });
            } else if (error instanceof ProviderError) {
              failures.push({ error, file: planned.unit.path });
              runSkipped.push({
                ...where(planned),
                reason: `the model request failed: ${error.message}`,
                failed: true,
              });
            } else {
              // An unreadable answer: the request worked, the answer did not.
              answered++;
              logger.error(`${planned.unit.path}: ${errorMessage(error)}`);
              runSkipped.push({
                ...where(planned),
                reason: `the model's answer could not be read: ${errorMessage(error)}`,
                failed: true,
              });
            }
            return;
          }
          answered++;
          if (answer.summary.trim() !== '') summaries.push({ file: planned.unit.path, summary: answer.summary });
          for (const note of readOverkill(answer.overkill)) overkill.push({ file: planned.unit.path, ...note });
          // A quote copied from a redacted line only matches the redacted text (same lines, shifted columns).
          const anchorOptions = {
            reviewedRanges: planned.chunk.segments,
            changedLines: planned.anchorLines ?? reviewFocusLines(planned.unit),
            removedBefore: planned.removedBefore,
            slack: options.diffContextSlack,
            logger,
          };
          const quotesRedacted = (f: ModelFinding): boolean => f.quote.includes(REDACTION_MARK);
          // The file's lines, split once for the checks of this answer (anchoring, speculation, absence).
          let split: string[] | undefined;
          const fileSplit = (): string[] => (split ??= splitOnLineBreaks(planned.unit.text));
          const plainFindings = answer.findings.filter((f) => !quotesRedacted(f));
          const plain = anchorFindings(plainFindings, planned.unit.text, {
            ...anchorOptions,
            split: plainFindings.length > 0 ? fileSplit() : undefined,
          });
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
          const anchored = {
            kept: [...plain.kept, ...redacted.kept],
            dropped: [...plain.dropped, ...redacted.dropped],
          };
          for (const dropped of anchored.dropped) {
            if (dropped.unanchored) withheld.unanchored++;
            logger.info(
              `${planned.unit.path}: dropped "${dropped.finding.title}" (lines ${dropped.finding.startLine}-${dropped.finding.endLine}): ${dropped.reason}`,
            );
          }
          // Only a fix needs the lines holding a secret and the file's lines (each a split of the whole text).
          const withFix = anchored.kept.some((f) => f.fix);
          const secretLines = withFix
            ? redactedLineNumbers(planned.unit.text, planned.redactedText)
            : new Set<number>();
          const fileLines = withFix ? fileSplit() : [];
          for (const finding of anchored.kept) {
            if (!finding.fix) continue;
            const unsafe = unsafeFixReason(finding.fix, secretLines);
            const checked = unsafe ? { fix: null, reason: unsafe } : checkFixText(finding.fix, fileLines);
            if (checked.fix === null) {
              logger.info(`${planned.unit.path}: removed the fix of "${finding.title}": ${checked.reason}`);
              withheld.fixesDropped++;
            } else if (checked.repaired) {
              logger.info(
                `${planned.unit.path}: removed line numbers copied from the prompt from the fix of "${finding.title}"`,
              );
              withheld.fixesRepaired++;
            }
            finding.fix = checked.fix;
          }
          const speculation = withholdSpeculation(
            anchored.kept.map((f) => toReviewFinding(f, planned.unit)),
            planned.unit.text,
            planned.chunk.segments,
            options.mode,
            languageFromPath(planned.unit.path),
            anchored.kept.length > 0 ? fileSplit() : undefined,
          );
          for (const { from, finding } of speculation.moved)
            logger.info(
              `${planned.unit.path}: moved "${finding.title}" from line ${from} to line ${finding.startLine}, where the code it names is`,
            );
          for (const { finding, why } of speculation.withheld) {
            withheld.unfounded = (withheld.unfounded ?? 0) + 1;
            logger.info(
              `${planned.unit.path}: withheld "${finding.title}" (lines ${finding.startLine}-${finding.endLine}): ${UNFOUNDED_WORDS[why]}`,
            );
          }
          for (const { finding, line } of speculation.handled) {
            withheld.contradicted = (withheld.contradicted ?? 0) + 1;
            logger.info(
              `${planned.unit.path}: withheld "${finding.title}" (lines ${finding.startLine}-${finding.endLine}): it says errors are not handled, but line ${line} handles them: ${fileSplit()[line - 1]?.trim() ?? ''}`,
            );
          }
          for (const finding of speculation.reRated) {
            withheld.styleReRated = (withheld.styleReRated ?? 0) + 1;
            logger.info(
              `${planned.unit.path}: re-rated "${finding.title}" (line ${finding.startLine}) low: a style finding`,
            );
          }
          const claims = await withholdContradicted(
            speculation.kept,
            planned.unit,
            planned.chunk.segments,
            trees,
            speculation.kept.length > 0 ? fileSplit() : undefined,
          );
          for (const { finding, evidence } of claims.withheld) {
            withheld.contradicted = (withheld.contradicted ?? 0) + 1;
            logger.info(
              `${planned.unit.path}: withheld "${finding.title}" (lines ${finding.startLine}-${finding.endLine}): it says ${evidence
                .map((e) => `${MISSING_WORDS[e.thing]} is missing, but line ${e.line} has it: ${e.text}`)
                .join('; ')}`,
            );
          }
          const grounded = await withholdUngrounded(claims.kept, planned.unit, planned.chunk.segments, trees);
          for (const { finding, mechanism } of grounded.withheld) {
            withheld.ungrounded = (withheld.ungrounded ?? 0) + 1;
            logger.info(
              `${planned.unit.path}: withheld "${finding.title}" (lines ${finding.startLine}-${finding.endLine}): it claims ${MECHANISM_WORDS[mechanism].claim}, but the quoted code ${MECHANISM_WORDS[mechanism].lacks}`,
            );
          }
          for (const group of grounded.sameRace)
            logger.info(
              `${planned.unit.path}: folded ${group.length} race claims in one function into one (lines ${group.map((f) => f.startLine).join(', ')})`,
            );
          const gated = gatePart(foldGroups(grounded.kept, grounded.sameRace, withheld), limits, withheld);
          findings.push(
            ...(options.verify
              ? await verifyPart(planned, gated, offlineByUnit.get(planned.unit) ?? [], ctx, stats, withheld)
              : gated),
          );
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
          // The file's tree is read for its context now and again for each part's answer.
          trees.expect(unit, 1);
          const unitPlan = planUnit(unit, await contextFor(unit));
          trees.expect(unit, unitPlan.chunks.length);
          trees.done(unit);
          countContext(unitPlan, context);
          planSkipped.push(...unitPlan.skipped);
          redactions.push(...unitPlan.redactions);
          for (const planned of unitPlan.chunks) {
            total++;
            const task = reviewChunk(planned).finally(() => trees.done(planned.unit));
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
      if (total > 0 && contextWasSent(context)) logger.info(`context: ${describeContext(context)}`);
      if (options.deadlineMs === undefined) {
        armDeadline(
          defaultReviewDeadlineMs(
            total,
            Math.max(1, options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY),
            options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
          ),
        );
      }
      if (redactions.length > 0) {
        const files = new Set(redactions.map((r) => r.file)).size;
        const message = `redacted ${counted(redactions.length, 'secret')} in ${counted(files, 'file')} before sending`;
        logger.info(message);
        notes.push(message);
      }
      onProgress?.({
        done: 0,
        total,
        message: total === 0 ? 'nothing to send' : `reviewing ${counted(total, 'chunk')}`,
      });
      for (const held of heldProgress) onProgress?.({ done: held.done, total, message: held.message });
      await Promise.all(tasks);
      skipped.push(...planSkipped, ...runSkipped);

      if (stats.promptCut && stats.promptCutTokens)
        notes.push(
          `the model server cut the prompt of ${counted(stats.promptCut, 'request')} to fit its context window (it counted ${stats.promptCutTokens.countedTokens} tokens of about ${stats.promptCutTokens.sentTokens} sent): those parts were reviewed without the review's instructions. Raise the server's context length (Ollama: num_ctx or OLLAMA_CONTEXT_LENGTH) or lower the input budget (maxInputTokens) to at most what it holds`,
        );
      if (deadlinePassed)
        notes.push(
          `the review stopped at its deadline of ${seconds(deadlineMs ?? 0)}: the parts not reviewed are listed as skipped`,
        );
      else if (options.signal?.aborted) notes.push('the review was cancelled: unreviewed parts are listed as skipped');
      // When nothing worked the error itself is the result (the caller reports it once); otherwise log each failure.
      if (failures.length > 0 && answered === 0 && !reviewAbort.signal.aborted) throw failures[0].error;
      if (deadlinePassed && answered === 0 && stats.cachedChunks === 0 && total > 0)
        throw new ProviderError(
          `the review's deadline of ${seconds(deadlineMs ?? 0)} passed before the model answered any part (${provider.id.replace(/^[^:]*:/, '')}): raise the deadline, or review less code at once.`,
          'timeout',
        );
      for (const failure of failures) logger.error(`${failure.file}: ${failure.error.message}`);
      if (failures.length > 0)
        notes.push(`${failures.length} of ${total} model requests failed; those parts are listed as skipped`);
    }
  } finally {
    clearTimeout(deadlineTimer);
    options.signal?.removeEventListener('abort', onCallerAbort);
    trees.dispose();
  }

  const hybrid = mergeOfflineDuplicates(findings);
  withheld.offlineDuplicates += hybrid.merged;
  const merged = capModelFindings(
    orderBySeverity(capReview(groupRepeats(mergeFindings(hybrid.findings), withheld), limits, withheld)),
    stats,
    notes,
  );
  const gateNote = describeWithheld(withheld, limits);
  if (gateNote) {
    notes.push(gateNote);
    stats.withheld = withheld;
  }
  stats.durationMs = Date.now() - started;
  const result: ReviewResult = {
    summary: summarise(summaries, merged, provider !== undefined),
    findings: merged,
    skipped,
    stats,
    notes,
  };
  if (overkill.length > 0) result.overkill = overkill;
  return result;
}
