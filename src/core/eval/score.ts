import type { Category, ReviewFinding } from '../findings';
import { anchorFindings } from '../review/anchor';
import { parseModelAnswer } from '../review/parse';
import { splitLines } from '../review/chunk';
import type { LabeledBug, LabeledSet } from './labeledSet';

/**
 * Scores what a review delivered against the labeled set, and what was sent against what should
 * have been. Independent of the gate's own logic on purpose: a finding detects a bug when it is in
 * the bug's file, carries one of the bug's categories and its lines are within LINE_SLACK of the
 * bug's line (a related location counts too); everything else is a false positive.
 */
export const LINE_SLACK = 3;

/** One model request as it was sent and answered. */
export interface EvalExchange {
  /** `review` for a findings request, `verify` for a verification request. */
  kind: 'review' | 'verify';
  system: string;
  user: string;
  /** The model's raw answer text ('' when the request failed). */
  answer: string;
}

interface Place {
  file: string;
  startLine: number;
  endLine: number;
}

interface Scorable extends Place {
  category: Category;
  related?: Place[];
}

/**
 * The place is about the bug: it starts within `slack` lines of it (a finding spanning a whole call
 * or function is about where it starts, or it would claim every bug in its span).
 */
function near(place: Place, bug: LabeledBug, slack: number): boolean {
  if (place.file !== bug.file) return false;
  if (slack === 0) return place.startLine <= bug.endLine && bug.startLine <= place.endLine;
  return place.startLine - slack <= bug.endLine && bug.startLine <= place.startLine + slack;
}

/** The bugs a finding is about (its own place or a related one, in one of the bug's categories). */
export function bugsDetected(finding: Scorable, bugs: readonly LabeledBug[], slack = LINE_SLACK): LabeledBug[] {
  const places: Place[] = [finding, ...(finding.related ?? [])];
  return bugs.filter((bug) => bug.categories.includes(finding.category) && places.some((p) => near(p, bug, slack)));
}

export interface QualityScore {
  delivered: number;
  truePositives: number;
  /** truePositives ÷ delivered (null when nothing was delivered). */
  precision: number | null;
  detected: Set<string>;
  /** Labeled bugs detected ÷ labeled bugs. */
  recall: number;
}

export function scoreFindings(findings: readonly Scorable[], bugs: readonly LabeledBug[]): QualityScore {
  const detected = new Set<string>();
  let truePositives = 0;
  for (const finding of findings) {
    const hits = bugsDetected(finding, bugs);
    if (hits.length > 0) truePositives++;
    for (const bug of hits) detected.add(bug.id);
  }
  return {
    delivered: findings.length,
    truePositives,
    precision: findings.length === 0 ? null : truePositives / findings.length,
    detected,
    recall: bugs.length === 0 ? 1 : detected.size / bugs.length,
  };
}

/** Of the findings that are about a bug (at their own place), the share that cite its exact lines. */
export function lineAccuracy(findings: readonly Scorable[], bugs: readonly LabeledBug[]): number | null {
  let about = 0;
  let exact = 0;
  for (const finding of findings) {
    const own = { ...finding, related: [] };
    if (bugsDetected(own, bugs).length === 0) continue;
    about++;
    if (bugsDetected(own, bugs, 0).length > 0) exact++;
  }
  return about === 0 ? null : exact / about;
}

/** `139 | x`, `12: x`: a fix line that starts with the prompt's numbering. */
const NUMBERED_LINE = /^\s*\d+\s?(?:\||│|:(?=\s))/;

/** Delivered fixes that would write line numbers into the code, or change nothing. */
export function unusableFixes(findings: readonly ReviewFinding[], files: ReadonlyMap<string, string>): number {
  let count = 0;
  for (const finding of findings) {
    if (!finding.fix) continue;
    const lines = finding.fix.replacement.split(/\r?\n/);
    if (lines.some((line) => NUMBERED_LINE.test(line))) {
      count++;
      continue;
    }
    const text = files.get(finding.file);
    if (text === undefined) continue;
    const original = splitLines(text).slice(finding.fix.startLine - 1, finding.fix.endLine);
    const trim = (ls: string[]): string =>
      ls
        .map((l) => l.trimEnd())
        .join('\n')
        .replace(/\n+$/, '');
    if (trim(lines) === trim(original)) count++;
  }
  return count;
}

/** Delivered model findings about a bug an offline finding delivered in the same review is about too. */
export function offlineDuplicates(findings: readonly ReviewFinding[], bugs: readonly LabeledBug[]): number {
  const offline = new Set(
    findings.filter((f) => f.origin === 'offline').flatMap((f) => bugsDetected(f, bugs).map((b) => b.id)),
  );
  return findings.filter((f) => f.origin === 'model' && bugsDetected(f, bugs).some((b) => offline.has(b.id))).length;
}

/** The path a findings request is about: its `File:` line. */
export function requestFile(user: string): string | undefined {
  return /^File: (.*)$/m.exec(user)?.[1];
}

/**
 * The ungated pipeline: every finding of every answer, parsed and moved onto its quote where the
 * quote is in the file, else left at the lines the model cited; no dropping, floor, cap, merge or
 * verification; plus the offline findings. What the gate is measured against.
 */
export function ungatedFindings(
  exchanges: readonly EvalExchange[],
  offline: readonly ReviewFinding[],
  files: ReadonlyMap<string, string>,
): Scorable[] {
  const out: Scorable[] = [...offline];
  for (const exchange of exchanges) {
    if (exchange.kind !== 'review' || exchange.answer === '') continue;
    const file = requestFile(exchange.user);
    if (file === undefined) continue;
    let parsed;
    try {
      parsed = parseModelAnswer(exchange.answer);
    } catch {
      continue; // An answer with no JSON gives the ungated pipeline nothing either.
    }
    const anchored = anchorFindings(parsed.findings, files.get(file) ?? '');
    for (const f of [...anchored.kept, ...anchored.dropped.map((d) => d.finding)])
      out.push({ file, startLine: f.startLine, endLine: f.endLine, category: f.category });
  }
  return out;
}

/** Fenced blocks of the prompt (the code and anything else quoted as data): `(open)…(close)`. */
function fencedChars(text: string): number {
  let inside = 0;
  let fence: string | undefined;
  for (const line of text.split('\n')) {
    if (fence === undefined) {
      const open = /^(`{3,})[A-Za-z]+-[0-9a-f]{12}$/.exec(line);
      if (open) fence = open[1];
    } else if (line === fence) {
      fence = undefined;
    } else {
      inside += line.length + 1;
    }
  }
  return inside;
}

export interface ContextScore {
  /** Removed lines of the reviewed hunks whose text was sent with their file (null: none removed). */
  removedLinesSent: number | null;
  removedLines: number;
  sameFileCalleesSent: number | null;
  crossFileCalleesSent: number | null;
  /** Share of the characters sent that are not code or quoted data (task, rules, contract, labels). */
  instructionShare: number | null;
}

/**
 * What reached the model, from the requests as sent: removed lines (`removed`: per diff file, the
 * text of each removed line), callee definitions, and the share of the prompt that is instructions.
 */
export function scoreContext(
  exchanges: readonly EvalExchange[],
  set: LabeledSet,
  removed: ReadonlyMap<string, string[]>,
): ContextScore {
  const reviews = exchanges.filter((e) => e.kind === 'review');
  const sentFor = (file: string): string[] =>
    reviews.filter((e) => e.user.includes(`File: ${file}`)).map((e) => e.user);
  let removedTotal = 0;
  let removedSent = 0;
  for (const [file, lines] of removed) {
    const after = new Set(splitLines(set.files.get(file) ?? '').map((l) => l.trim()));
    const prompts = sentFor(file);
    for (const line of lines) {
      const text = line.trim();
      // Too short to tell apart (`}`), or still in the file: its presence proves nothing.
      if (text.length < 4 || after.has(text)) continue;
      removedTotal++;
      if (prompts.some((p) => p.includes(text))) removedSent++;
    }
  }
  const calleeShare = (sameFile: boolean): number | null => {
    const callees = set.callees.filter((c) => c.sameFile === sameFile);
    if (callees.length === 0) return null;
    return callees.filter((c) => sentFor(c.file).some((p) => p.includes(c.definition))).length / callees.length;
  };
  let total = 0;
  let data = 0;
  for (const e of reviews) {
    total += e.system.length + e.user.length;
    data += fencedChars(e.user);
  }
  return {
    removedLinesSent: removedTotal === 0 ? null : removedSent / removedTotal,
    removedLines: removedTotal,
    sameFileCalleesSent: calleeShare(true),
    crossFileCalleesSent: calleeShare(false),
    instructionShare: total === 0 ? null : (total - data) / total,
  };
}
