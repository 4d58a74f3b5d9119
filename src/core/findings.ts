import { z } from 'zod';
import type { FileRole } from './roles';
import { SEVERITIES, type Severity } from './severity';

export { SEVERITIES, type Severity } from './severity';

/**
 * The findings contract: the JSON the model is asked for. Keep it exactly; extend only compatibly.
 * Bump CONTRACT_VERSION when the prompt's contract text or this schema changes, so cached answers expire.
 */
export const CONTRACT_VERSION = 2;

export const CATEGORIES = [
  'security',
  'reliability',
  'performance',
  'correctness',
  'data-integrity',
  'concurrency',
  'observability',
  'api-design',
  'scalability',
  'maintainability',
  'testing',
] as const;
export type Category = (typeof CATEGORIES)[number];

export const MODES = ['backendpe', 'pragmatic'] as const;
export type Mode = (typeof MODES)[number];

/** Rank for comparisons: a higher number is more severe. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.length - SEVERITIES.indexOf(severity);
}

export const fixSchema = z.object({
  startLine: z.number().int(),
  endLine: z.number().int(),
  replacement: z.string(),
});
export type Fix = z.infer<typeof fixSchema>;

export const modelFindingSchema = z.object({
  title: z.string().min(1),
  severity: z.enum(SEVERITIES),
  category: z.enum(CATEGORIES),
  startLine: z.number().int(),
  endLine: z.number().int(),
  quote: z.string(),
  message: z.string(),
  suggestion: z.string(),
  fix: fixSchema.nullable(),
  confidence: z.number().min(0).max(1),
});
export type ModelFinding = z.infer<typeof modelFindingSchema>;

export const modelAnswerSchema = z.object({
  summary: z.string(),
  findings: z.array(z.unknown()),
});

/**
 * A finding as the rest of the product sees it: the model's finding (or an offline rule's),
 * re-anchored to the file, with where it is and what produced it.
 */
export interface ReviewFinding extends ModelFinding {
  /** Path as given by the source (workspace- or cwd-relative where possible). */
  file: string;
  /** `review/<category>` for model findings; the rule id (e.g. `http-no-timeout`) for offline ones. */
  ruleId: string;
  /** 1-based columns on startLine/endLine; endColumn is exclusive. Whole lines when unknown. */
  startColumn?: number;
  endColumn?: number;
  origin: 'model' | 'offline';
  /** Stable identity (src/core/fingerprint.ts), set once the file's text has been read for it. */
  fingerprint?: string;
  /** Set on findings the team dismissed (repository dismissals): why, by whom. */
  suppression?: Suppression;
  /** The role of the finding's file (production, test, …; see roles.ts) when it is known. */
  role?: FileRole;
  /** An offline finding the model reported too (folded into it by the hybrid merge): two sources agree. */
  confirmedByModel?: boolean;
  /**
   * Other places with the same problem, grouped into this finding instead of repeating it
   * (SARIF `relatedLocations`, a diagnostic's related information).
   */
  related?: RelatedLocation[];
}

export const DISMISSAL_REASONS = ['false-positive', 'wont-fix', 'acceptable-here'] as const;
export type DismissalReason = (typeof DISMISSAL_REASONS)[number];

/** Why a finding is not reported: a dismissal recorded in the repository. */
export interface Suppression {
  reason: DismissalReason;
  /** The dismisser's own words, if any. */
  note?: string;
  by?: string;
  at?: string;
}

/** Another place a grouped finding applies to (same file unless `file` says otherwise). */
export interface RelatedLocation {
  file: string;
  startLine: number;
  endLine: number;
  startColumn?: number;
  endColumn?: number;
  quote: string;
}

/** A part of the input that was not reviewed, and why. Never truncate silently. */
export interface SkippedPart {
  file: string;
  /** Line range when only part of a file was skipped. */
  startLine?: number;
  endLine?: number;
  reason: string;
  /**
   * True when the part was meant to be reviewed but could not be (the request failed, the answer
   * could not be read, the deadline passed, the file could not be read): the review is incomplete.
   * Absent for parts left out by policy (binary, over the size cap, vendored, deleted).
   */
  failed?: boolean;
}

export interface ReviewStats {
  requests: number;
  cachedChunks: number;
  promptTokens: number;
  completionTokens: number;
  durationMs: number;
  /** Valid model findings not kept because a part or the review went over its findings cap. */
  findingsOverCap?: number;
  /** Model findings not shown, by why (the noise gate); absent when nothing was withheld. */
  withheld?: WithheldCounts;
  /** What the model was shown besides the code under review; absent when no model was asked. */
  context?: ContextStats;
  /** Requests whose prompt the model server cut to fit its context window (ChatResponse.promptCut); absent when none. */
  promptCut?: number;
  /** The last cut request's counted and sent prompt tokens. */
  promptCutTokens?: { countedTokens: number; sentTokens: number };
}

/** The context sent with the code under review (see docs/engine.md, "Context"). */
export interface ContextStats {
  /** Diff reviews: lines the change removed in the reviewed files, and how many of them were sent. */
  removedLines: number;
  removedLinesSent: number;
  /** Tokens of context sent over all requests, and the budget of one request. */
  tokens: number;
  budgetTokens: number;
  /** Pieces of context sent, by kind (note, commits, callee, imports, definition). */
  pieces: Record<string, number>;
  /** Pieces of context not sent because a request's budget was used up. */
  leftOut: number;
  /** Definitions sent as their signature alone because their whole text was over the budget. */
  signaturesOnly: number;
  /** Changed regions (or selections) widened to the function or class they are in. */
  widened: number;
  /** Functions the reviewed lines call that the same file defines, and how many of those the model was shown. */
  sameFileCallees: number;
  sameFileCalleesSent: number;
  /** Functions the reviewed lines call that other files of the repository define (found), and how many were shown. */
  otherFileCallees: number;
  otherFileCalleesSent: number;
}

/** How many model findings the noise gate kept from the user, by reason. */
export interface WithheldCounts {
  /** The quoted code is nowhere in the reviewed code. */
  unanchored: number;
  /** Confidence below the floor. */
  lowConfidence: number;
  /** Over the per-part or per-review cap (the least severe go first). */
  overCap: number;
  /** Folded into another finding of the same kind elsewhere in the file (its location kept as related). */
  grouped: number;
  /** The same problem an offline check reported at the same place: folded into the offline finding. */
  offlineDuplicates: number;
  /** Fixes removed: line-number prefixes that could not be repaired, or fixes that change nothing. */
  fixesDropped: number;
  /** Fixes whose copied line-number prefixes were removed. */
  fixesRepaired: number;
  /**
   * Findings saying something is missing (a timeout, a close, a transaction, a lock) that the code
   * shown has, in the quoted statement or the function around it (absence.ts). Present when counted.
   */
  contradicted?: number;
  /**
   * Findings claiming a race, an injection or a query per item where the quoted code has no state
   * outliving a call, builds no string from a value, or is in no loop (grounds.ts). Present when counted.
   */
  ungrounded?: number;
  /**
   * Findings resting on nothing the code shows (speculation.ts): generic advice naming no code,
   * claims about what unseen callers may do, and (Pragmatic) style. Present when counted.
   */
  unfounded?: number;
  /** BackendPE: style findings rated high or critical, re-rated low. Present when counted. */
  styleReRated?: number;
  /** With verification (`--verify`): high/critical findings the second request judged wrong, dropped. */
  verifyRejected?: number;
  /**
   * With verification: rejections whose evidence is not in the code shown (a guard assumed outside
   * it, or invented); those findings are kept as they were.
   */
  verifyUnsupported?: number;
  /** With verification: findings the second request re-rated to another severity. */
  verifyReRated?: number;
}

export interface ReviewResult {
  summary: string;
  findings: ReviewFinding[];
  skipped: SkippedPart[];
  stats: ReviewStats;
  /** Things the user should know that are not findings (dropped findings, fallbacks taken...). */
  notes: string[];
  /**
   * Findings left out because the team dismissed them (each with `suppression`): not in `findings`,
   * not counted for `--fail-on`, reported as suppressed in SARIF and listed apart in JSON.
   */
  dismissed?: ReviewFinding[];
  /** Suggestions the model judged overkill for this code and left out (Pragmatic says so). */
  overkill?: { file: string; title: string; reason: string }[];
}
