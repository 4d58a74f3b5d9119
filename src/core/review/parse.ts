import { jsonrepair } from 'jsonrepair';
import { errorMessage } from '../errorMessage';
import type { z } from 'zod';
import { CATEGORIES, SEVERITIES, fixSchema, modelFindingSchema, severityRank, type ModelFinding } from '../findings';
import { silentLogger, type Logger } from '../log';

/** Confidence given to a finding whose answer has none: neither trusted nor dismissed. */
export const DEFAULT_CONFIDENCE = 0.5;

export interface ParseOptions {
  /** The provider reported the answer stopped at the length limit. */
  truncated?: boolean;
  logger?: Logger;
}

export interface OverkillNote {
  title: string;
  reason: string;
}

/** `overkill` entries: objects with a title (and a reason), or plain strings; anything else ignored. */
export function readOverkill(value: unknown): OverkillNote[] {
  if (!Array.isArray(value)) return [];
  const notes: OverkillNote[] = [];
  for (const item of value) {
    if (typeof item === 'string' && item.trim() !== '') notes.push({ title: item.trim(), reason: '' });
    else if (item && typeof item === 'object') {
      const { title, reason } = item as { title?: unknown; reason?: unknown };
      if (typeof title === 'string' && title.trim() !== '')
        notes.push({ title: title.trim(), reason: typeof reason === 'string' ? reason.trim() : '' });
    }
  }
  return notes;
}

export interface DroppedFinding {
  /** Position of the finding in the model's `findings` array. */
  index: number;
  reason: string;
}

export interface ParsedAnswer {
  summary: string;
  findings: ModelFinding[];
  /** Ideas the model judged overkill for this code (title and why), instead of raising them. */
  overkill: OverkillNote[];
  dropped: DroppedFinding[];
  /** The JSON had to be repaired (cut off, trailing commas, comments...). */
  repaired: boolean;
  /** Valid findings beyond MAX_FINDINGS_PER_ANSWER, not kept (counted so the review can say so). */
  overCap: number;
}

/**
 * Reads the model's answer leniently: JSON inside code fences or prose, enum spelling differences,
 * numbers as strings, a missing `fix`/`confidence`, a cut-off answer. Every valid finding is kept
 * even when others are invalid; each dropped one is logged with the reason.
 * Throws only when the text holds no JSON at all.
 */
export function parseModelAnswer(text: string, options: ParseOptions = {}): ParsedAnswer {
  const logger = options.logger ?? silentLogger;
  if (text.length > MAX_ANSWER_CHARS) {
    throw new Error(
      `The model's answer is ${(text.length / (1024 * 1024)).toFixed(1)} MiB, over the ${MAX_ANSWER_CHARS / (1024 * 1024)} MiB this tool reads: nothing was read from it.`,
    );
  }
  const candidate = extractJsonCandidate(unwrapJsonStrings(text));
  if (candidate === undefined) {
    const preview = text.trim().slice(0, 120).replace(/\s+/g, ' ');
    throw new Error(
      `The model's answer contains no JSON object (it began with: "${preview}"). Expected {"summary": ..., "findings": [...]}.`,
    );
  }

  let root: unknown;
  let repaired = false;
  const parsed = tryParse(candidate);
  if (parsed.ok) {
    root = findAnswer(parsed.value, 0) ?? parsed.value;
  } else {
    const fixed = repairJson(candidate);
    if (!fixed.ok) throw new Error(`The model's answer is not valid JSON and could not be repaired: ${fixed.reason}`);
    root = fixed.value;
    repaired = true;
  }
  if (repaired) {
    logger.warn(
      `The model's answer was not valid JSON${options.truncated ? ' (it was cut off at the length limit)' : ''}; repaired it and kept only complete findings.`,
    );
  }

  const { summary, rawFindings } = readRoot(root, logger);
  const overkill =
    root && typeof root === 'object' && !Array.isArray(root)
      ? readOverkill((root as Record<string, unknown>).overkill)
      : [];
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
      if (dropped.length <= MAX_LOGGED_DROPS) logger.warn(`Dropped finding ${index}${describe(raw)}: ${result.reason}`);
    }
  });
  if (dropped.length > MAX_LOGGED_DROPS)
    logger.warn(`Dropped ${dropped.length - MAX_LOGGED_DROPS} more invalid findings (not listed one by one).`);
  // Over the cap, the most severe (then most confident) are kept, in the model's order.
  let kept = findings;
  if (findings.length > MAX_FINDINGS_PER_ANSWER) {
    const ranked = findings
      .map((finding, order) => ({ finding, order }))
      .sort(
        (a, b) =>
          severityRank(b.finding.severity) - severityRank(a.finding.severity) ||
          b.finding.confidence - a.finding.confidence ||
          a.order - b.order,
      )
      .slice(0, MAX_FINDINGS_PER_ANSWER)
      .sort((a, b) => a.order - b.order);
    kept = ranked.map((r) => r.finding);
  }
  return { summary, findings: kept, dropped, repaired, overCap: findings.length - kept.length, overkill };
}

/** Dropped findings named one by one in the log; the rest are counted. */
const MAX_LOGGED_DROPS = 20;

/**
 * Invalid JSON made readable: jsonrepair for answers of ordinary size (trailing commas, comments,
 * cut-off text); a longer one is cut after its last complete finding and closed, which is linear.
 */
function repairJson(candidate: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  if (candidate.length <= MAX_REPAIR_CHARS) {
    try {
      return { ok: true, value: JSON.parse(jsonrepair(candidate)) as unknown };
    } catch (error) {
      return { ok: false, reason: error instanceof RangeError ? 'nested too deeply' : errorMessage(error) };
    }
  }
  const cut = closeAfterLastCompleteFinding(candidate);
  const value = cut === undefined ? { ok: false as const } : tryParse(cut);
  return value.ok
    ? value
    : {
        ok: false,
        reason: `the answer is ${Math.round(candidate.length / 1024)} KiB and has no complete findings list to keep`,
      };
}

function describe(raw: unknown): string {
  if (raw && typeof raw === 'object' && typeof (raw as { title?: unknown }).title === 'string') {
    return ` ("${(raw as { title: string }).title.slice(0, 80)}")`;
  }
  return '';
}

/**
 * The summary and raw findings of the answer's root. A root that is not an answer at all (no
 * "summary" and no "findings", a "findings" that is not a list, not an object) throws: that part was
 * not reviewed, and the review must say so rather than count it as clean.
 */
function readRoot(root: unknown, logger: Logger): { summary: string; rawFindings: unknown[] } {
  if (Array.isArray(root)) {
    logger.warn('The model answered with a bare array; read it as the findings list (no summary).');
    return { summary: '', rawFindings: root };
  }
  if (!root || typeof root !== 'object') {
    throw new Error(`The model's answer is JSON but not an object (${root === null ? 'null' : typeof root}).`);
  }
  const record = root as Record<string, unknown>;
  const summary = typeof record.summary === 'string' ? record.summary.trim() : '';
  if (record.findings === undefined || record.findings === null) {
    if (!('summary' in record)) throw new Error('The model\'s answer has neither "summary" nor "findings".');
    return { summary, rawFindings: [] };
  }
  if (!Array.isArray(record.findings)) {
    throw new Error(`The model's "findings" is a ${typeof record.findings}, not a list.`);
  }
  return { summary, rawFindings: record.findings };
}

/** Answers longer than this are refused before any parsing: no model writes a review this long. */
export const MAX_ANSWER_CHARS = 4 * 1024 * 1024;
/** jsonrepair is superlinear on some inputs: larger candidates are only cut after their last complete finding. */
const MAX_REPAIR_CHARS = 64 * 1024;
/** Findings read from one answer; the rest are counted as over the cap. */
export const MAX_FINDINGS_PER_ANSWER = 50;

const ANSWER_KEY = /"(?:findings|summary)"\s*:/g;
/** A string literal holding an encoded answer names one of these keys (escaped once or more). */
const ENCODED_KEY = /\\+"(?:findings|summary|title)\\+"/;
/**
 * What one parse attempt is charged in the candidate search, in characters: a failed JSON.parse
 * throws, and an exception costs as much as scanning a few thousand characters.
 */
const PARSE_COST = 1024;

/** Work left for the candidate search, in characters scanned: a fixed multiple of the answer's length. */
interface Budget {
  left: number;
}

/**
 * The JSON part of the answer. Models wrap it in code fences or prose, and the prose may itself
 * contain braces (`function f() {}`), so every `{`/`[` is a possible start, preferring in order: a
 * complete value that parses and looks like the answer (or wraps one), a complete value that
 * mentions "findings"/"summary", a value cut off at the end of the text that does, and the first `{`.
 * The work is bounded: one scan resolves every bracket it meets outside strings (a stack), later
 * starts reuse it, and all scanning and parsing together stops at a budget linear in the length.
 */
function extractJsonCandidate(text: string): string | undefined {
  const budget: Budget = { left: 8 * text.length + 65_536 };
  const keyPositions: number[] = [];
  for (const match of text.matchAll(ANSWER_KEY)) keyPositions.push(match.index ?? 0);
  const hasKeyIn = (from: number, to: number): boolean => {
    // First key position >= from (binary search), then whether it is <= to.
    let lo = 0;
    let hi = keyPositions.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (keyPositions[mid] < from) lo = mid + 1;
      else hi = mid;
    }
    return lo < keyPositions.length && keyPositions[lo] <= to;
  };
  // Where the value opened at each position closes: -2 not scanned yet, -1 never closes.
  const ends = new Int32Array(text.length).fill(-2);
  // One typed stack shared by every scan: a million open brackets cost 4 MB and no garbage.
  const stack = new Int32Array(text.length);
  let firstStart = -1;
  let mentionsAnswer: string | undefined;
  let cutOff: string | undefined;
  let skipUntil = -1;
  for (let start = 0; start < text.length; start++) {
    const code = text.charCodeAt(start);
    if (code !== 0x7b && !(code === 0x5b && /^\[\s*[{\]]/.test(text.slice(start, start + 40)))) continue;
    if (firstStart === -1) firstStart = start;
    if (start <= skipUntil) continue;
    if (budget.left <= 0) break;
    if (ends[start] === -2) scanValues(text, start, ends, stack, budget);
    const end = ends[start] === -2 ? -1 : ends[start];
    if (end === -1) {
      if (cutOff === undefined && hasKeyIn(start, text.length)) cutOff = stripClosingFence(text.slice(start));
      continue;
    }
    const mentions = hasKeyIn(start, end);
    if (!mentions && code === 0x7b) continue;
    budget.left -= end - start + PARSE_COST;
    const slice = text.slice(start, end + 1);
    const value = tryParse(slice);
    if (value.ok) {
      const answer = findAnswer(value.value, 0, budget);
      if (answer !== undefined) return answer === value.value ? slice : JSON.stringify(answer);
      // A complete JSON value that is not the answer: nothing inside it is either.
      skipUntil = end;
      continue;
    }
    if (mentions && mentionsAnswer === undefined) mentionsAnswer = slice;
  }
  if (mentionsAnswer !== undefined || cutOff !== undefined) return mentionsAnswer ?? cutOff;
  const encoded = jsonInString(text, budget);
  if (encoded !== undefined) return encoded;
  if (firstStart === -1) return undefined;
  const end = ends[firstStart];
  return end < 0 ? stripClosingFence(text.slice(firstStart)) : text.slice(firstStart, end + 1);
}

/** An answer that is a JSON string literal (once or more) holding the answer: its content. */
function unwrapJsonStrings(text: string): string {
  let current = text;
  for (let depth = 0; depth < 3; depth++) {
    const trimmed = current.trim();
    if (!trimmed.startsWith('"') || !trimmed.endsWith('"')) break;
    const value = tryParse(trimmed);
    if (!value.ok || typeof value.value !== 'string') break;
    current = value.value;
  }
  return current;
}

function tryParse(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/**
 * The answer in a parsed value: the value itself when answer-shaped, an answer wrapped one or two
 * levels deep (`{"response": {...}}`), or JSON encoded a second time as a string.
 */
function findAnswer(value: unknown, depth: number, budget?: Budget): unknown {
  if (depth > 3) return undefined;
  if (typeof value === 'string') {
    const trimmed = value.trim();
    // Only a string shaped like a JSON object or list is worth a parse (a failed parse costs microseconds).
    if (trimmed.length > MAX_ANSWER_CHARS || !/^(?:\{[\s\S]*\}|\[[\s\S]*\])$/.test(trimmed)) return undefined;
    if (budget) budget.left -= trimmed.length + PARSE_COST;
    const inner = tryParse(trimmed);
    return inner.ok ? findAnswer(inner.value, depth + 1, budget) : undefined;
  }
  if (Array.isArray(value)) {
    return value.length === 0 || value.every((v) => v !== null && typeof v === 'object' && !Array.isArray(v))
      ? value
      : undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  if ('findings' in value || 'summary' in value) return value;
  const entries = Object.values(value);
  if (entries.length > 4) return undefined;
  for (const inner of entries) {
    if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) {
      if (typeof inner !== 'string') continue;
    }
    const found = findAnswer(inner, depth + 1, budget);
    if (found !== undefined && !Array.isArray(found)) return found;
  }
  return undefined;
}

/**
 * An answer sent as a JSON string holding the JSON (`"{\"summary\": ...}"`), alone or after prose:
 * the first string literal that decodes to an answer.
 */
function jsonInString(text: string, budget: Budget): string | undefined {
  const opening = /"\s*[{[]/g;
  for (let match = opening.exec(text); match !== null && budget.left > 0; match = opening.exec(text)) {
    const start = match.index;
    let end = start + 1;
    while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
    budget.left -= end - start;
    if (end >= text.length) return undefined;
    const raw = text.slice(start, end + 1);
    // An encoded answer names its keys (or a finding's title); other string literals are not parsed.
    if (ENCODED_KEY.test(raw)) {
      budget.left -= PARSE_COST;
      const literal = tryParse(raw);
      if (literal.ok) {
        const answer = findAnswer(literal.value, 0, budget);
        if (answer !== undefined && (Array.isArray(answer) ? answer.length > 0 : true)) return JSON.stringify(answer);
      }
    }
    opening.lastIndex = end + 1;
  }
  return undefined;
}

function stripClosingFence(slice: string): string {
  return slice.replace(/\s*```\s*$/, '');
}

/**
 * Scans the value starting at `start` as JSON (strings and escapes respected) and records in `ends`
 * where every bracket it opens outside a string closes, or -1 for those still open when the text
 * ends. A later start met by this scan is then known without scanning again.
 */
function scanValues(text: string, start: number, ends: Int32Array, stack: Int32Array, budget: Budget): void {
  let depth = 0;
  let inString = false;
  let escaped = false;
  let i = start;
  for (; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === 0x5c) escaped = true;
      else if (ch === 0x22) inString = false;
      continue;
    }
    if (ch === 0x22) inString = true;
    else if (ch === 0x7b || ch === 0x5b) stack[depth++] = i;
    else if (ch === 0x7d || ch === 0x5d) {
      if (depth > 0) ends[stack[--depth]] = i;
      if (depth === 0) break;
    }
  }
  budget.left -= i - start + 1;
  for (let d = 0; d < depth; d++) ends[stack[d]] = -1;
}

/**
 * Counts the elements of the root object's `findings` array (or of a bare root array) that are
 * complete in the text: every element followed by a comma, plus the last one if its closing brace
 * is there. Scans as a tokenizer so brackets and commas inside strings don't count.
 */
function countCompleteFindings(text: string): number {
  return scanFindings(text).complete;
}

/** The text cut after the last complete finding, with the brackets still open then closed. */
function closeAfterLastCompleteFinding(text: string): string | undefined {
  const { lastEnd, closers } = scanFindings(text);
  return lastEnd === -1 ? undefined : text.slice(0, lastEnd + 1) + closers;
}

function scanFindings(text: string): { complete: number; lastEnd: number; closers: string } {
  // The stack as bytes: OBJECT, ARRAY, or FINDINGS (the findings array, or a bare root array).
  const OBJECT = 1;
  const ARRAY = 2;
  const FINDINGS = 3;
  const stack = new Uint8Array(text.length + 1);
  let depth = 0;
  let inString = false;
  let escaped = false;
  let current = '';
  let lastString = '';
  let pendingKey: string | undefined;
  let separators = 0;
  let lastElementClosed = false;
  let lastEnd = -1;
  let closers = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (escaped) {
        escaped = false;
        if (current.length < 16) current += ch;
      } else if (ch === '\\') {
        escaped = true;
      } else if (ch === '"') {
        inString = false;
        lastString = current;
      } else if (current.length < 16) {
        // Only short strings can be the key "findings": longer ones need not be kept.
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
        if (depth > 0 && stack[depth - 1] === FINDINGS) {
          separators++;
          lastElementClosed = false;
        }
        pendingKey = undefined;
        break;
      case '{':
        stack[depth++] = OBJECT;
        pendingKey = undefined;
        break;
      case '[': {
        const isRootArray = depth === 0;
        const isFindingsKey = depth === 1 && stack[0] === OBJECT && pendingKey === 'findings';
        stack[depth++] = isRootArray || isFindingsKey ? FINDINGS : ARRAY;
        pendingKey = undefined;
        break;
      }
      case '}':
      case ']': {
        if (depth === 0) break;
        const closed = stack[--depth];
        if (closed === FINDINGS) return { complete: Number.POSITIVE_INFINITY, lastEnd: -1, closers: '' };
        if (depth > 0 && stack[depth - 1] === FINDINGS) {
          lastElementClosed = true;
          lastEnd = i;
          closers = '';
          for (let d = depth - 1; d >= 0; d--) closers += stack[d] === OBJECT ? '}' : ']';
        }
        break;
      }
      default:
        break;
    }
  }
  return { complete: separators + (lastElementClosed ? 1 : 0), lastEnd, closers };
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

  if (candidate.title === '')
    return { ok: false, reason: `findings[${index}].title is empty: a finding without a title cannot be told apart` };
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

/**
 * Missing → DEFAULT_CONFIDENCE; "0.8" → 0.8; a percentage (80 or "80%") → 0.8. A confidence that is
 * no number at all ("high", NaN) is not a reason to lose the finding: it gets the default.
 */
function normalizeConfidence(value: unknown): unknown {
  if (value === undefined || value === null) return DEFAULT_CONFIDENCE;
  let n: unknown = value;
  if (typeof value === 'string') {
    const percent = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(value);
    n = percent ? Number(percent[1]) / 100 : toNumber(value);
  }
  if (typeof n !== 'number' || !Number.isFinite(n)) return DEFAULT_CONFIDENCE;
  if (n > 1 && n <= 100) return n / 100;
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
