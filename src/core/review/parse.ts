import { jsonrepair } from 'jsonrepair';
import type { z } from 'zod';
import { CATEGORIES, SEVERITIES, fixSchema, modelFindingSchema, type ModelFinding } from '../findings';
import { silentLogger, type Logger } from '../log';

/** Confidence given to a finding whose answer has none: neither trusted nor dismissed. */
export const DEFAULT_CONFIDENCE = 0.5;

export interface ParseOptions {
  /** The provider reported the answer stopped at the length limit. */
  truncated?: boolean;
  logger?: Logger;
}

export interface DroppedFinding {
  /** Position of the finding in the model's `findings` array. */
  index: number;
  reason: string;
}

export interface ParsedAnswer {
  summary: string;
  findings: ModelFinding[];
  dropped: DroppedFinding[];
  /** The JSON had to be repaired (cut off, trailing commas, comments...). */
  repaired: boolean;
}

/**
 * Reads the model's answer leniently: JSON inside code fences or prose, enum spelling differences,
 * numbers as strings, a missing `fix`/`confidence`, a cut-off answer. Every valid finding is kept
 * even when others are invalid; each dropped one is logged with the reason.
 * Throws only when the text holds no JSON at all.
 */
export function parseModelAnswer(text: string, options: ParseOptions = {}): ParsedAnswer {
  const logger = options.logger ?? silentLogger;
  const candidate = extractJsonCandidate(text);
  if (candidate === undefined) {
    const preview = text.trim().slice(0, 120).replace(/\s+/g, ' ');
    throw new Error(
      `The model's answer contains no JSON object (it began with: "${preview}"). Expected {"summary": ..., "findings": [...]}.`,
    );
  }

  let root: unknown;
  let repaired = false;
  try {
    root = JSON.parse(candidate);
  } catch (parseError) {
    try {
      root = JSON.parse(jsonrepair(candidate));
      repaired = true;
    } catch (repairError) {
      throw new Error(
        `The model's answer is not valid JSON and could not be repaired: ${(parseError as Error).message}; repair failed with: ${(repairError as Error).message}`,
      );
    }
  }
  if (repaired) {
    logger.warn(
      `The model's answer was not valid JSON${options.truncated ? ' (it was cut off at the length limit)' : ''}; repaired it and kept only complete findings.`,
    );
  }

  const { summary, rawFindings } = readRoot(root, logger);
  // A repaired answer may end inside a finding: jsonrepair closes it, which would invent a
  // finding from half of one. Only elements whose closing brace is in the original text count.
  const completeCount = repaired || options.truncated ? countCompleteFindings(candidate) : rawFindings.length;

  const findings: ModelFinding[] = [];
  const dropped: DroppedFinding[] = [];
  rawFindings.forEach((raw, index) => {
    const result =
      index >= completeCount
        ? { ok: false as const, reason: 'incomplete: the answer was cut off inside this finding' }
        : normalizeFinding(raw, index, logger);
    if (result.ok) {
      findings.push(result.finding);
    } else {
      dropped.push({ index, reason: result.reason });
      logger.warn(`Dropped finding ${index}${describe(raw)}: ${result.reason}`);
    }
  });
  return { summary, findings, dropped, repaired };
}

function describe(raw: unknown): string {
  if (raw && typeof raw === 'object' && typeof (raw as { title?: unknown }).title === 'string') {
    return ` ("${(raw as { title: string }).title.slice(0, 80)}")`;
  }
  return '';
}

function readRoot(root: unknown, logger: Logger): { summary: string; rawFindings: unknown[] } {
  if (Array.isArray(root)) {
    logger.warn('The model answered with a bare array; read it as the findings list (no summary).');
    return { summary: '', rawFindings: root };
  }
  if (!root || typeof root !== 'object') {
    logger.warn(`The model's answer is JSON but not an object (${typeof root}); no findings read.`);
    return { summary: '', rawFindings: [] };
  }
  const record = root as Record<string, unknown>;
  const summary = typeof record.summary === 'string' ? record.summary.trim() : '';
  if (record.findings === undefined || record.findings === null) {
    if (!('summary' in record))
      logger.warn('The model\'s answer has neither "summary" nor "findings"; no findings read.');
    return { summary, rawFindings: [] };
  }
  if (!Array.isArray(record.findings)) {
    logger.warn(`The model's "findings" is a ${typeof record.findings}, not a list; no findings read.`);
    return { summary, rawFindings: [] };
  }
  return { summary, rawFindings: record.findings };
}

/**
 * The JSON part of the answer. Models wrap it in code fences or prose, and the prose may itself
 * contain braces (`function f() {}`), so every `{`/`[` is tried as a start, preferring in order: a
 * complete value that parses and looks like the answer, a complete value that mentions
 * "findings"/"summary", a value cut off at the end of the text that does, and the first `{`.
 */
function extractJsonCandidate(text: string): string | undefined {
  const starts: number[] = [];
  for (let i = 0; i < text.length && starts.length < MAX_CANDIDATE_STARTS; i++) {
    if (text[i] === '{' || (text[i] === '[' && /^\[\s*[{\]]/.test(text.slice(i, i + 40)))) starts.push(i);
  }
  if (starts.length === 0) return undefined;
  let mentionsAnswer: string | undefined;
  let cutOff: string | undefined;
  for (const start of starts) {
    const end = valueEnd(text, start);
    const slice = end === -1 ? text.slice(start) : text.slice(start, end + 1);
    const looksLikeAnswer = /"(findings|summary)"\s*:/.test(slice);
    if (end === -1) {
      if (looksLikeAnswer && cutOff === undefined) cutOff = stripClosingFence(slice);
      continue;
    }
    if (isAnswerShaped(slice)) return slice;
    if (looksLikeAnswer && mentionsAnswer === undefined) mentionsAnswer = slice;
  }
  return (
    mentionsAnswer ??
    cutOff ??
    (() => {
      const first = starts[0];
      const end = valueEnd(text, first);
      return end === -1 ? stripClosingFence(text.slice(first)) : text.slice(first, end + 1);
    })()
  );
}

/** How many `{`/`[` positions are tried: enough for chatty answers, bounded for huge ones. */
const MAX_CANDIDATE_STARTS = 200;

function stripClosingFence(slice: string): string {
  return slice.replace(/\s*```\s*$/, '');
}

function isAnswerShaped(slice: string): boolean {
  try {
    const value: unknown = JSON.parse(slice);
    if (Array.isArray(value)) return value.length === 0 || value.every((v) => v !== null && typeof v === 'object');
    return value !== null && typeof value === 'object' && ('findings' in value || 'summary' in value);
  } catch {
    return false;
  }
}

/** Index of the bracket closing the value that starts at `start`, or -1 when the text ends first. */
function valueEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/**
 * Counts the elements of the root object's `findings` array (or of a bare root array) that are
 * complete in the text: every element followed by a comma, plus the last one if its closing brace
 * is there. Scans as a tokenizer so brackets and commas inside strings don't count.
 */
function countCompleteFindings(text: string): number {
  interface Frame {
    kind: '{' | '[';
    isFindings: boolean;
  }
  const stack: Frame[] = [];
  let inString = false;
  let escaped = false;
  let current = '';
  let lastString = '';
  let pendingKey: string | undefined;
  let separators = 0;
  let lastElementClosed = false;
  const inFindings = (): boolean => stack.length > 0 && stack[stack.length - 1].isFindings;
  for (const ch of text) {
    if (inString) {
      if (escaped) {
        escaped = false;
        current += ch;
      } else if (ch === '\\') {
        escaped = true;
      } else if (ch === '"') {
        inString = false;
        lastString = current;
      } else {
        current += ch;
      }
      continue;
    }
    switch (ch) {
      case '"':
        inString = true;
        current = '';
        break;
      case ':':
        pendingKey = lastString;
        break;
      case ',':
        if (inFindings()) {
          separators++;
          lastElementClosed = false;
        }
        pendingKey = undefined;
        break;
      case '{':
        stack.push({ kind: '{', isFindings: false });
        pendingKey = undefined;
        break;
      case '[': {
        const isRootArray = stack.length === 0;
        const isFindingsKey = stack.length === 1 && stack[0].kind === '{' && pendingKey === 'findings';
        stack.push({ kind: '[', isFindings: isRootArray || isFindingsKey });
        pendingKey = undefined;
        break;
      }
      case '}':
      case ']': {
        const closed = stack.pop();
        if (closed?.isFindings) return Number.POSITIVE_INFINITY;
        if (inFindings()) lastElementClosed = true;
        break;
      }
      default:
        break;
    }
  }
  return separators + (lastElementClosed ? 1 : 0);
}

type NormalizeResult = { ok: true; finding: ModelFinding } | { ok: false; reason: string };

function normalizeFinding(raw: unknown, index: number, logger: Logger): NormalizeResult {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    return {
      ok: false,
      reason: `findings[${index}]: expected an object, got ${Array.isArray(raw) ? 'a list' : typeof raw}`,
    };
  }
  const source = raw as Record<string, unknown>;
  const candidate: Record<string, unknown> = { ...source };

  candidate.title = typeof source.title === 'string' ? source.title.replace(/\s+/g, ' ').trim() : source.title;
  candidate.severity = matchEnum(source.severity, SEVERITIES);
  candidate.category = matchEnum(source.category, CATEGORIES);
  candidate.startLine = toNumber(source.startLine);
  candidate.endLine =
    source.endLine === undefined || source.endLine === null ? candidate.startLine : toNumber(source.endLine);
  if (
    typeof candidate.startLine === 'number' &&
    typeof candidate.endLine === 'number' &&
    candidate.startLine > candidate.endLine
  ) {
    [candidate.startLine, candidate.endLine] = [candidate.endLine, candidate.startLine];
  }
  if (source.quote === undefined || source.quote === null) candidate.quote = '';
  if (source.suggestion === undefined || source.suggestion === null) candidate.suggestion = '';
  candidate.confidence = normalizeConfidence(source.confidence);
  candidate.fix = normalizeFix(source.fix, index, logger);

  const parsed = modelFindingSchema.safeParse(candidate);
  if (!parsed.success) return { ok: false, reason: formatIssues(parsed.error, index) };
  // Keep only the contract's fields: extra keys the model invented don't travel further.
  const f = parsed.data;
  return {
    ok: true,
    finding: {
      title: f.title,
      severity: f.severity,
      category: f.category,
      startLine: f.startLine,
      endLine: f.endLine,
      quote: f.quote,
      message: f.message,
      suggestion: f.suggestion,
      fix: f.fix,
      confidence: f.confidence,
    },
  };
}

function formatIssues(error: z.ZodError, index: number): string {
  return error.issues
    .map(
      (issue) =>
        `findings[${index}]${issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}: ${issue.message}`,
    )
    .join('; ');
}

/**
 * Maps `"High"`, `" data integrity "`, `"Data_Integrity"` to the enum value; a unique prefix of at
 * least 4 letters (`"perf"`) also counts. Anything ambiguous is left as is so validation names it.
 */
function matchEnum<T extends string>(value: unknown, allowed: readonly T[]): unknown {
  if (typeof value !== 'string') return value;
  const key = value
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-');
  const exact = allowed.find((a) => a === key);
  if (exact) return exact;
  const compact = key.replace(/-/g, '');
  const byCompact = allowed.find((a) => a.replace(/-/g, '') === compact);
  if (byCompact) return byCompact;
  if (compact.length >= 4) {
    const prefixed = allowed.filter((a) => a.replace(/-/g, '').startsWith(compact));
    if (prefixed.length === 1) return prefixed[0];
  }
  return value;
}

function toNumber(value: unknown): unknown {
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value.trim())))
    return Number(value.trim());
  return value;
}

/** Missing → DEFAULT_CONFIDENCE; "0.8" → 0.8; a percentage (80 or "80%") → 0.8. */
function normalizeConfidence(value: unknown): unknown {
  if (value === undefined || value === null) return DEFAULT_CONFIDENCE;
  let n: unknown = value;
  if (typeof value === 'string') {
    const percent = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(value);
    n = percent ? Number(percent[1]) / 100 : toNumber(value);
  }
  if (typeof n === 'number' && n > 1 && n <= 100) return n / 100;
  return n;
}

/** Missing → null. A malformed fix is removed (logged) rather than losing the whole finding. */
function normalizeFix(value: unknown, index: number, logger: Logger): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) {
    logger.warn(
      `findings[${index}].fix: expected an object or null, got ${Array.isArray(value) ? 'a list' : typeof value}; fix removed, finding kept.`,
    );
    return null;
  }
  const fix = value as Record<string, unknown>;
  const candidate = {
    startLine: toNumber(fix.startLine),
    endLine: fix.endLine === undefined ? toNumber(fix.startLine) : toNumber(fix.endLine),
    replacement: fix.replacement,
  };
  const parsed = fixSchema.safeParse(candidate);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    logger.warn(`findings[${index}].fix is malformed (${why}); fix removed, finding kept.`);
    return null;
  }
  return parsed.data;
}
