import type { TeamDecision } from './dismissals';
import type { Mode, ReviewFinding, SkippedPart } from '../findings';
import { languageFromPath } from '../language';
import type { Guideline, RenderedPersona } from '../personas/types';
import type { ChatMessage } from '../providers/provider';
import { chunkRegions, regionsAroundLines, splitLines, type LineRange, type ReviewChunk } from './chunk';
import { buildMessages, buildSystemPrompt, buildUserPrompt } from './prompt';
import { redactSecrets, type Redaction } from './redact';
import type { ReviewUnit } from './types';

/**
 * Everything that would be sent, worked out before anything is sent: redaction, regions, chunks
 * and the exact messages. `runReview` sends these; `previewPrompt` shows them.
 */
export const DEFAULT_DIFF_CONTEXT_LINES = 5;
/** Tokens kept free for the per-chunk parts of the user prompt that the estimate cannot know. */
const PROMPT_MARGIN_TOKENS = 64;

export interface PlannedChunk {
  unit: ReviewUnit;
  /** The unit's text after redaction: what the model sees. */
  redactedText: string;
  chunk: ReviewChunk;
  system: string;
  user: string;
  messages: ChatMessage[];
}

export interface ReviewPlan {
  chunks: PlannedChunk[];
  skipped: SkippedPart[];
  redactions: (Redaction & { file: string })[];
}

export interface PlanOptions {
  units: ReviewUnit[];
  persona: RenderedPersona;
  mode: Mode;
  guidelines?: (path: string) => Guideline[];
  /** The team's dismissals concerning a file (already bounded; redacted again here). */
  teamDecisions?: (path: string) => TeamDecision[];
  /** Input budget of one request, prompt included (provider.maxInputTokens). */
  maxInputTokens: number;
  countTokens: (text: string) => number;
  /** Context lines around changed lines in diff reviews. */
  diffContextLines?: number;
  /**
   * Findings the offline checks already reported for a unit: listed in its prompt as "do not
   * repeat", so the model spends its answer on what the checks cannot see.
   */
  alreadyReported?: (unit: ReviewUnit) => ReviewFinding[];
}

function regionsFor(unit: ReviewUnit, lineCount: number, contextLines: number): LineRange[] {
  if (unit.changedLines) return regionsAroundLines(unit.changedLines, lineCount, contextLines);
  if (unit.range) {
    const startLine = Math.max(1, Math.min(unit.range.startLine, lineCount));
    const endLine = Math.max(startLine, Math.min(unit.range.endLine, lineCount));
    return [{ startLine, endLine }];
  }
  return [{ startLine: 1, endLine: lineCount }];
}

/**
 * Everything sent besides the code is redacted too: a persona or a project guideline may quote a
 * real connection string or key, and a path may hold credentials (`https://user:pw@host/x.ts`).
 * Most files of a review get the same guideline objects, so each is redacted once per planner.
 */
function guidelineRedactor(): (guidelines: Guideline[]) => Guideline[] {
  const redacted = new WeakMap<Guideline, Guideline>();
  return (guidelines) =>
    guidelines.map((guideline) => {
      let done = redacted.get(guideline);
      if (!done) {
        done = { ...guideline, text: redactSecrets(guideline.text, { path: guideline.source }).text };
        redacted.set(guideline, done);
      }
      return done;
    });
}

/**
 * Plans one unit at a time with what the units share worked out once (the redacted persona and
 * guidelines), so a review can send the first file's requests while it plans the next ones.
 * `planReview` is this applied to every unit in order.
 */
export function unitPlanner(options: Omit<PlanOptions, 'units'>): (unit: ReviewUnit) => ReviewPlan {
  const contextLines = options.diffContextLines ?? DEFAULT_DIFF_CONTEXT_LINES;
  const persona: RenderedPersona = { ...options.persona, text: redactSecrets(options.persona.text).text };
  const redactedGuidelines = guidelineRedactor();
  return (unit) => planUnit(unit, options, persona, contextLines, redactedGuidelines);
}

export function planReview(options: PlanOptions): ReviewPlan {
  const plan: ReviewPlan = { chunks: [], skipped: [], redactions: [] };
  const planOne = unitPlanner(options);
  for (const unit of options.units) {
    const unitPlan = planOne(unit);
    plan.chunks.push(...unitPlan.chunks);
    plan.skipped.push(...unitPlan.skipped);
    plan.redactions.push(...unitPlan.redactions);
  }
  return plan;
}

function planUnit(
  unit: ReviewUnit,
  options: Omit<PlanOptions, 'units'>,
  persona: RenderedPersona,
  contextLines: number,
  redactedGuidelines: (guidelines: Guideline[]) => Guideline[],
): ReviewPlan {
  const plan: ReviewPlan = { chunks: [], skipped: [], redactions: [] };
  if (unit.text.includes('\u0000')) {
    plan.skipped.push({ file: unit.path, reason: 'binary file: not reviewed' });
    return plan;
  }
  if (unit.text.trim() === '') {
    plan.skipped.push({ file: unit.path, reason: 'empty file: nothing to review' });
    return plan;
  }
  const redacted = redactSecrets(unit.text, { path: unit.path });
  plan.redactions.push(...redacted.redactions.map((r) => ({ ...r, file: unit.path })));
  const lines = splitLines(redacted.text);
  const language = unit.language ?? languageFromPath(unit.path);
  const system = buildSystemPrompt({ persona, mode: options.mode });
  const guidelines = redactedGuidelines(options.guidelines?.(unit.path) ?? []);
  const shownPath = redactSecrets(unit.path).text;
  const decisions = (options.teamDecisions?.(unit.path) ?? []).map((d) => ({
    ...d,
    code: redactSecrets(d.code, { path: unit.path }).text,
    note: d.note === undefined ? undefined : redactSecrets(d.note).text,
  }));
  const regions = regionsFor(unit, lines.length, contextLines);
  if (regions.length === 0) {
    plan.skipped.push({ file: unit.path, reason: 'no changed lines inside the file: nothing to review' });
    return plan;
  }

  const reported = options.alreadyReported?.(unit) ?? [];
  const reportedLines = (segments: LineRange[]): { line: number; ruleId: string; title: string }[] =>
    reported
      .filter((f) => segments.some((s) => f.startLine <= s.endLine && f.endLine >= s.startLine))
      .map((f) => ({ line: f.startLine, ruleId: f.ruleId, title: redactSecrets(f.title).text }));
  const skeleton = buildUserPrompt({
    alreadyReported: reportedLines(regions),
    path: shownPath,
    language,
    numbered: '',
    segments: regions,
    focusLines: unit.changedLines,
    selection: unit.range,
    note: 'Part 99 of 99 of this file.',
    teamDecisions: decisions,
    guidelines,
  });
  const budget =
    options.maxInputTokens - options.countTokens(system) - options.countTokens(skeleton) - PROMPT_MARGIN_TOKENS;
  if (budget <= 0) {
    plan.skipped.push({
      file: unit.path,
      reason: `the system prompt and instructions alone fill the model's input budget (${options.maxInputTokens} tokens): nothing left for code`,
    });
    return plan;
  }

  const { chunks, skipped } = chunkRegions(lines, regions, {
    budgetTokens: budget,
    countTokens: options.countTokens,
    focusLines: unit.changedLines,
  });
  plan.skipped.push(
    ...skipped.map((s) => ({ file: unit.path, startLine: s.startLine, endLine: s.endLine, reason: s.reason })),
  );
  chunks.forEach((chunk, index) => {
    if (unit.changedLines && (chunk.focusLines ?? []).length === 0) return;
    const user = buildUserPrompt({
      alreadyReported: reportedLines(chunk.segments),
      path: shownPath,
      language,
      numbered: chunk.numbered,
      segments: chunk.segments,
      focusLines: chunk.focusLines,
      selection: unit.range,
      note: chunks.length > 1 ? `Part ${index + 1} of ${chunks.length} of this file.` : undefined,
      teamDecisions: decisions,
      guidelines,
    });
    plan.chunks.push({ unit, redactedText: redacted.text, chunk, system, user, messages: buildMessages(system, user) });
  });
  return plan;
}

export interface PromptPreview {
  file: string;
  system: string;
  user: string;
}

/** Exactly the messages a review would send for these units (after redaction and chunking). */
export function previewPrompt(options: PlanOptions): { prompts: PromptPreview[]; skipped: SkippedPart[] } {
  const plan = planReview(options);
  return {
    prompts: plan.chunks.map((c) => ({ file: c.unit.path, system: c.system, user: c.user })),
    skipped: plan.skipped,
  };
}
