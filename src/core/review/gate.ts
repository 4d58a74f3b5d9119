import {
  severityRank,
  type Fix,
  type Mode,
  type RelatedLocation,
  type ReviewFinding,
  type WithheldCounts,
} from '../findings';
import { counted } from '../counted';
import { similarTitles } from './merge';
import { splitLines } from './chunk';

/**
 * The noise gate: what a review keeps of the model's findings. Findings whose quote was not found
 * never get here (anchor.ts drops them); this module repairs or drops fixes, applies the confidence
 * floor, orders by severity and caps per part and per review, and folds repeats of the same
 * problem into one finding with related locations. Every finding kept from the user is counted.
 */
export interface GateLimits {
  /** Findings below this confidence (0..1) are withheld. */
  minimumConfidence: number;
  /** At most this many findings per request (part of a file). */
  maxPerPart: number;
  /** At most this many model findings per review. */
  maxPerReview: number;
}

/**
 * Per mode: Pragmatic wants fewer, certain findings; BackendPE reports every production concern,
 * so it keeps more and trusts a little less certainty. Measured on the eval set (`npm run eval`).
 */
export const GATE_DEFAULTS: Record<Mode, GateLimits> = {
  pragmatic: { minimumConfidence: 0.6, maxPerPart: 8, maxPerReview: 30 },
  backendpe: { minimumConfidence: 0.5, maxPerPart: 15, maxPerReview: 60 },
};

export function gateLimits(mode: Mode, minimumConfidence?: number): GateLimits {
  const defaults = GATE_DEFAULTS[mode];
  return minimumConfidence === undefined ? defaults : { ...defaults, minimumConfidence };
}

export function emptyWithheld(): WithheldCounts {
  return {
    unanchored: 0,
    lowConfidence: 0,
    overCap: 0,
    grouped: 0,
    offlineDuplicates: 0,
    fixesDropped: 0,
    fixesRepaired: 0,
  };
}

/**
 * `139 | code`, `  7 |code`, `12: code`, `12│ code`, and a diff review's `42 + | code`,
 * `41   | code`, `    - | code`: the prompt's numbering copied into a fix.
 */
const LINE_NUMBER_PREFIX = /^\s*(?:\d+\s?(?:\||│|:(?=\s))|\d+\s+\+?\s*\||-\s+\|)\s?/;

export type FixCheck = { fix: Fix; repaired: boolean } | { fix: null; reason: string };

/**
 * A fix as it may be applied to `fileText`: line-number prefixes the model copied from the prompt
 * removed when every line has one (a fix where only some lines have one is ambiguous and dropped),
 * and a fix that would leave the lines as they are dropped.
 */
export function checkFixText(fix: Fix, fileText: string | readonly string[]): FixCheck {
  let replacement = fix.replacement;
  let repaired = false;
  const lines = replacement.split(/\r?\n/);
  const content = lines.filter((l) => l.trim() !== '');
  const prefixed = content.filter((l) => LINE_NUMBER_PREFIX.test(l)).length;
  if (prefixed > 0) {
    if (prefixed < content.length) {
      return {
        fix: null,
        reason:
          'some of its lines start with line numbers copied from the prompt: applying it would write them into the code',
      };
    }
    replacement = lines.map((l) => (l.trim() === '' ? l : l.replace(LINE_NUMBER_PREFIX, ''))).join('\n');
    repaired = true;
  }
  const fileLines = typeof fileText === 'string' ? splitLines(fileText) : fileText;
  const original = fileLines.slice(fix.startLine - 1, fix.endLine);
  const normalise = (text: string): string =>
    text
      .split(/\r?\n/)
      .map((l) => l.trimEnd())
      .join('\n')
      .replace(/\n+$/, '');
  if (normalise(replacement) === normalise(original.join('\n'))) {
    return { fix: null, reason: 'it changes nothing' };
  }
  return { fix: { ...fix, replacement }, repaired };
}

function byImportance(a: ReviewFinding, b: ReviewFinding): number {
  return severityRank(b.severity) - severityRank(a.severity) || b.confidence - a.confidence;
}

/**
 * One part's findings through the floor and the per-part cap. Returns what is kept (most severe
 * first) and counts the rest into `withheld`.
 */
export function gatePart(findings: ReviewFinding[], limits: GateLimits, withheld: WithheldCounts): ReviewFinding[] {
  const sure = findings.filter((f) => f.confidence >= limits.minimumConfidence);
  withheld.lowConfidence += findings.length - sure.length;
  const ranked = [...sure].sort(byImportance);
  withheld.overCap += Math.max(0, ranked.length - limits.maxPerPart);
  return ranked.slice(0, limits.maxPerPart);
}

function relatedOf(f: ReviewFinding): RelatedLocation {
  const location: RelatedLocation = { file: f.file, startLine: f.startLine, endLine: f.endLine, quote: f.quote };
  if (f.startColumn !== undefined) location.startColumn = f.startColumn;
  if (f.endColumn !== undefined) location.endColumn = f.endColumn;
  return location;
}

function describeRelated(related: RelatedLocation[]): string {
  const lines = [...new Set(related.map((r) => r.startLine))].sort((a, b) => a - b);
  return `The same problem is also at ${lines.length === 1 ? 'line' : 'lines'} ${lines.join(', ')}.`;
}

/**
 * Model findings of the same kind (same file, same category, similar title) at different places
 * become one finding, the most important one, carrying the other places as related locations:
 * "missing X" said once with every place it applies, instead of once per function.
 */
export function groupRepeats(findings: ReviewFinding[], withheld: WithheldCounts): ReviewFinding[] {
  const ranked = [...findings].sort(byImportance);
  const groups: ReviewFinding[] = [];
  const byFileCategory = new Map<string, ReviewFinding[]>();
  const members = new Map<ReviewFinding, ReviewFinding[]>();
  for (const finding of ranked) {
    if (finding.origin !== 'model') {
      groups.push(finding);
      continue;
    }
    const key = `${finding.file}\u0000${finding.category}`;
    const candidates = byFileCategory.get(key) ?? [];
    const leader = candidates.find((c) => similarTitles(c.title, finding.title));
    if (leader) {
      members.get(leader)!.push(finding);
      withheld.grouped++;
      continue;
    }
    candidates.push(finding);
    byFileCategory.set(key, candidates);
    members.set(finding, []);
    groups.push(finding);
  }
  return groups.map((finding) => {
    const others = members.get(finding) ?? [];
    if (others.length === 0) return finding;
    const related = [...(finding.related ?? []), ...others.flatMap((o) => [relatedOf(o), ...(o.related ?? [])])].sort(
      (a, b) => a.startLine - b.startLine,
    );
    return { ...finding, related, message: `${finding.message.trim()} ${describeRelated(related)}`.trim() };
  });
}

/**
 * Each group (findings of one part that are one problem, e.g. race claims in one function) becomes
 * its most important finding, carrying the others' places as related locations; counted as grouped.
 */
export function foldGroups(
  findings: ReviewFinding[],
  groups: ReviewFinding[][],
  withheld: WithheldCounts,
): ReviewFinding[] {
  const folded = new Set<ReviewFinding>();
  const leaders = new Map<ReviewFinding, ReviewFinding>();
  for (const group of groups) {
    const [leader, ...others] = [...group].sort(byImportance);
    const related = [...(leader.related ?? []), ...others.flatMap((o) => [relatedOf(o), ...(o.related ?? [])])].sort(
      (a, b) => a.startLine - b.startLine,
    );
    leaders.set(leader, { ...leader, related, message: `${leader.message.trim()} ${describeRelated(related)}`.trim() });
    for (const other of others) folded.add(other);
    withheld.grouped += others.length;
  }
  return findings.filter((f) => !folded.has(f)).map((f) => leaders.get(f) ?? f);
}

/** The review-wide cap: the most important model findings stay; offline findings are not capped. */
export function capReview(findings: ReviewFinding[], limits: GateLimits, withheld: WithheldCounts): ReviewFinding[] {
  const model = findings.filter((f) => f.origin === 'model');
  if (model.length <= limits.maxPerReview) return findings;
  const keep = new Set([...model].sort(byImportance).slice(0, limits.maxPerReview));
  withheld.overCap += model.length - keep.size;
  return findings.filter((f) => f.origin !== 'model' || keep.has(f));
}

/** One sentence for the review's notes, or undefined when the gate withheld nothing. */
export function describeWithheld(withheld: WithheldCounts, limits: GateLimits): string | undefined {
  const parts: string[] = [];
  if (withheld.unanchored > 0)
    parts.push(`${withheld.unanchored} whose quoted code is not in the reviewed code (see the log)`);
  if (withheld.lowConfidence > 0)
    parts.push(`${withheld.lowConfidence} below the confidence floor of ${limits.minimumConfidence}`);
  if (withheld.overCap > 0)
    parts.push(
      `${withheld.overCap} of lower severity over the cap (${limits.maxPerPart} per part, ${limits.maxPerReview} per review)`,
    );
  if ((withheld.contradicted ?? 0) > 0)
    parts.push(`${withheld.contradicted} saying something is missing that the code shown has (see the log)`);
  if ((withheld.ungrounded ?? 0) > 0)
    parts.push(
      `${withheld.ungrounded} claiming a race, an injection or an N+1 the quoted code cannot have (see the log)`,
    );
  if ((withheld.unfounded ?? 0) > 0)
    parts.push(
      `${withheld.unfounded} resting on nothing the code shows (generic advice, what unseen callers may do, style that names nothing or any style in Pragmatic, errors said unhandled where they rise to the caller; see the log)`,
    );
  if (withheld.grouped > 0) parts.push(`${withheld.grouped} repeated elsewhere, shown as related locations`);
  if (withheld.offlineDuplicates > 0)
    parts.push(`${withheld.offlineDuplicates} already reported by the offline checks, merged into them`);
  if ((withheld.verifyRejected ?? 0) > 0)
    parts.push(`${withheld.verifyRejected} rejected when verified against the code`);
  const fixes: string[] = [];
  if (withheld.fixesRepaired > 0)
    fixes.push(`${counted(withheld.fixesRepaired, 'fix', 'fixes')} had copied line numbers removed`);
  if ((withheld.styleReRated ?? 0) > 0)
    fixes.push(`${counted(withheld.styleReRated ?? 0, 'style finding')} rated high re-rated low`);
  if ((withheld.verifyReRated ?? 0) > 0)
    fixes.push(`${counted(withheld.verifyReRated ?? 0, 'finding')} re-rated when verified`);
  if ((withheld.verifyUnsupported ?? 0) > 0)
    fixes.push(
      `${counted(withheld.verifyUnsupported ?? 0, 'finding')} kept: the verification rejected ${withheld.verifyUnsupported === 1 ? 'it' : 'them'} on code that is not in the code shown, or naming a guard without quoting it`,
    );
  if (withheld.fixesDropped > 0)
    fixes.push(`${counted(withheld.fixesDropped, 'fix', 'fixes')} dropped (unusable or changing nothing)`);
  if (parts.length === 0 && fixes.length === 0) return undefined;
  const shown = parts.length > 0 ? `model findings not shown: ${parts.join('; ')}` : '';
  return [shown, fixes.join('; ')].filter((s) => s !== '').join('; ');
}
