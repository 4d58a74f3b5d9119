import { createHash } from 'node:crypto';
import { CONTRACT_VERSION, severityRank, type ReviewFinding, type ReviewResult } from '../findings';
import { normaliseCode } from '../fingerprint';
import { regionsAroundLines, splitLines, type LineRange } from './chunk';
import { lineMapping, mapSpan, splitTextLines } from './lineMapping';
import { DEFAULT_DIFF_CONTEXT_LINES } from './plan';
import type { ReviewOptions, ReviewUnit } from './types';

/**
 * Convergent re-review: a file reviewed before is reviewed again only where it changed. The lines
 * that differ from the last reviewed text are sent with their context (as a diff review sends
 * them); findings on unchanged code are kept and moved to where their lines are now; findings
 * whose lines changed and that the model does not report again are resolved. A file whose text is
 * the reviewed text makes no request. A different model, mode, persona or guidelines, or more than
 * half of the file changed, means a whole review again.
 *
 * The front end keeps the `ReviewedFile`s a review returns and hands them back on the next review.
 */
export interface ReviewedFile {
  path: string;
  /** The text that was reviewed. */
  text: string;
  /** What it was reviewed with (convergenceSetup); another setup reviews the whole file again. */
  setup: string;
  /** The model's findings on `text`, and offline findings the model confirmed. */
  findings: ReviewFinding[];
  summary: string;
}

/** Above this share of changed lines the whole file is reviewed again (the model needs the context). */
export const MAX_CHANGED_SHARE = 0.5;
/** An old finding in changed code counts as reported again when the same rule is this close to it. */
const SAME_PLACE_LINES = 3;

export type ConvergentPlan =
  | { kind: 'fresh'; unit: ReviewUnit; reason: string }
  | { kind: 'unchanged'; unit: ReviewUnit; carried: ReviewFinding[]; summary: string }
  | {
      kind: 'changed';
      unit: ReviewUnit;
      /** Lines (1-based, in the new text) that differ from the reviewed text, deletions marked on their neighbours. */
      changedLines: number[];
      /** Old findings whose lines are all still there, moved onto the new text. */
      carried: ReviewFinding[];
      /** Old findings whose lines changed, with about where they would be now: resolved unless reported again. */
      open: { finding: ReviewFinding; near: number }[];
    };

/** What a review of one file did and decided, for the outcome message. */
export interface FileConvergence {
  path: string;
  kind: ConvergentPlan['kind'];
  /** Why the whole file was reviewed (fresh only). */
  reason?: string;
  /** The lines sent to the model (with their context); the whole file for a fresh review, none when unchanged. */
  sentLines: LineRange[];
  /** Findings kept from the last review because their code did not change. */
  carried: number;
  /** Findings of the last review whose code changed and that the model did not report again. */
  resolved: ReviewFinding[];
}

export interface ConvergentResult {
  result: ReviewResult;
  files: FileConvergence[];
  /** What to hand back on the next review (files reviewed without a failed part). */
  reviewed: ReviewedFile[];
}

/**
 * What a review of `path` is done with: provider and model, mode, persona, guidelines and the
 * confidence floor. Team decisions are left out (a dismissed finding is hidden, not re-reviewed).
 */
export function convergenceSetup(options: ReviewOptions, path: string): string {
  const hash = createHash('sha256');
  const parts = [
    `contract:${CONTRACT_VERSION}`,
    options.provider?.id ?? '',
    options.provider?.modelName ?? '',
    options.mode,
    options.persona.text,
    String(options.minimumConfidence ?? ''),
    ...(options.guidelines?.(path) ?? []).map((g) => `${g.source}\u0000${g.text}`),
  ];
  for (const part of parts) hash.update(`${part.length}:`).update(part);
  return hash.digest('hex');
}

/** The new line (1-based) closest to where old line `oldLine` (1-based) was: after the nearest kept line above it. */
function nearLine(mapping: Int32Array, oldLine: number): number {
  for (let i = oldLine - 1; i >= 0; i--) if (mapping[i] >= 0) return mapping[i] + 1 + (oldLine - 1 - i);
  return oldLine;
}

/** Lines of `after` (1-based) that are not lines of `before`, plus the neighbours of each place lines were removed. */
export function changedLinesBetween(
  before: readonly string[],
  after: readonly string[],
  mapping: Int32Array,
): number[] {
  const kept = new Uint8Array(after.length);
  for (const target of mapping) if (target >= 0) kept[target] = 1;
  const changed = new Set<number>();
  for (let j = 0; j < after.length; j++) if (!kept[j]) changed.add(j + 1);
  // A deletion leaves no new line: the lines on either side of it are what the reader must look at.
  let lastKept = -1;
  for (let i = 0; i < before.length; i++) {
    if (mapping[i] >= 0) {
      lastKept = mapping[i];
      continue;
    }
    let next = i + 1;
    while (next < before.length && mapping[next] < 0) next++;
    const nextKept = next < before.length ? mapping[next] : after.length;
    if (nextKept === lastKept + 1) {
      if (lastKept >= 0) changed.add(lastKept + 1);
      if (nextKept < after.length) changed.add(nextKept + 1);
    }
    i = next - 1;
  }
  return [...changed].sort((a, b) => a - b);
}

/** A finding on old lines moved onto the new text, or null when its own lines changed. */
function carry(finding: ReviewFinding, mapping: Int32Array): ReviewFinding | null {
  const span = mapSpan(mapping, finding.startLine, finding.endLine);
  if (!span) return null;
  const fixSpan = finding.fix ? mapSpan(mapping, finding.fix.startLine, finding.fix.endLine) : null;
  const related = finding.related
    ?.map((r) => {
      const moved = r.file === finding.file ? mapSpan(mapping, r.startLine, r.endLine) : { ...r };
      return moved ? { ...r, ...moved } : null;
    })
    .filter((r): r is NonNullable<typeof r> => r !== null);
  const carried: ReviewFinding = {
    ...finding,
    ...span,
    fix: finding.fix && fixSpan ? { ...finding.fix, ...fixSpan } : null,
  };
  if (related !== undefined) carried.related = related;
  return carried;
}

/** How to review `unit` again given its last review (see the module comment). */
export function planConvergence(previous: ReviewedFile | undefined, unit: ReviewUnit, setup: string): ConvergentPlan {
  if (unit.range || unit.changedLines) return { kind: 'fresh', unit, reason: 'part of the file was asked for' };
  if (!previous) return { kind: 'fresh', unit, reason: 'no earlier review of this file in this session' };
  if (previous.setup !== setup)
    return { kind: 'fresh', unit, reason: 'the model, mode, persona or guidelines changed since its last review' };
  if (previous.text === unit.text)
    return { kind: 'unchanged', unit, carried: previous.findings, summary: previous.summary };
  const before = splitTextLines(previous.text);
  const after = splitTextLines(unit.text);
  const mapping = lineMapping(before, after);
  const changedLines = changedLinesBetween(before, after, mapping);
  const carried: ReviewFinding[] = [];
  const open: { finding: ReviewFinding; near: number }[] = [];
  for (const finding of previous.findings) {
    const moved = carry(finding, mapping);
    if (moved) carried.push(moved);
    else open.push({ finding, near: nearLine(mapping, finding.startLine) });
  }
  if (changedLines.length === 0) return { kind: 'unchanged', unit, carried, summary: previous.summary };
  const lineCount = splitLines(unit.text).length;
  if (changedLines.length > MAX_CHANGED_SHARE * lineCount)
    return {
      kind: 'fresh',
      unit,
      reason: `${changedLines.length} of its ${lineCount} lines changed since its last review`,
    };
  return { kind: 'changed', unit, changedLines, carried, open };
}

const sameCode = (a: ReviewFinding, b: ReviewFinding): boolean =>
  a.ruleId === b.ruleId && normaliseCode(a.quote) === normaliseCode(b.quote);

/**
 * The file's model findings after a re-review of its changed lines: the carried ones (unless the
 * model reported the same code again: the new report wins) and the new ones; old findings in
 * changed code that nothing new matches (same rule, same code or about the same place) are resolved.
 */
export function settleConvergence(
  plan: Extract<ConvergentPlan, { kind: 'changed' }>,
  reported: readonly ReviewFinding[],
): { findings: ReviewFinding[]; resolved: ReviewFinding[] } {
  const carried = plan.carried.filter(
    (old) => !reported.some((f) => sameCode(f, old) && Math.abs(f.startLine - old.startLine) <= SAME_PLACE_LINES),
  );
  const resolved = plan.open
    .filter(
      ({ finding, near }) =>
        !reported.some(
          (f) =>
            f.ruleId === finding.ruleId && (sameCode(f, finding) || Math.abs(f.startLine - near) <= SAME_PLACE_LINES),
        ),
    )
    .map(({ finding }) => finding);
  return { findings: [...carried, ...reported], resolved };
}

/** What the model said about a file: its findings and the offline findings it confirmed. */
const modelSaid = (f: ReviewFinding): boolean => f.origin === 'model' || f.confirmedByModel === true;

function bySeverity(a: ReviewFinding, b: ReviewFinding): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    a.file.localeCompare(b.file) ||
    a.startLine - b.startLine ||
    (a.startColumn ?? 0) - (b.startColumn ?? 0)
  );
}

function sumStats(a: ReviewResult['stats'], b: ReviewResult['stats']): ReviewResult['stats'] {
  const stats: ReviewResult['stats'] = {
    requests: a.requests + b.requests,
    cachedChunks: a.cachedChunks + b.cachedChunks,
    promptTokens: a.promptTokens + b.promptTokens,
    completionTokens: a.completionTokens + b.completionTokens,
    durationMs: a.durationMs + b.durationMs,
  };
  if (a.findingsOverCap !== undefined || b.findingsOverCap !== undefined)
    stats.findingsOverCap = (a.findingsOverCap ?? 0) + (b.findingsOverCap ?? 0);
  if (a.withheld ?? b.withheld) stats.withheld = a.withheld ?? b.withheld;
  if (a.promptCut || b.promptCut) {
    stats.promptCut = (a.promptCut ?? 0) + (b.promptCut ?? 0);
    stats.promptCutTokens = b.promptCutTokens ?? a.promptCutTokens;
  }
  return stats;
}

/**
 * Reviews `options.units` convergently: files reviewed before (`previous`) with the same setup are
 * reviewed only where they changed, unchanged ones make no request (their offline checks still
 * run). `run` is the engine's runReview. Without a provider this is a plain review.
 */
export async function runConvergentReview(
  options: ReviewOptions,
  previous: (path: string) => ReviewedFile | undefined,
  run: (options: ReviewOptions) => Promise<ReviewResult>,
): Promise<ConvergentResult> {
  if (!options.provider || options.units.length === 0) return { result: await run(options), files: [], reviewed: [] };
  const setups = new Map(options.units.map((unit) => [unit, convergenceSetup(options, unit.path)]));
  const plans = options.units.map((unit) => planConvergence(previous(unit.path), unit, setups.get(unit) ?? ''));
  // A changed file goes to the engine with its changed lines; its offline checks still cover the whole file.
  const whole = new Map<ReviewUnit, ReviewUnit>();
  const modelUnits = plans
    .filter((plan) => plan.kind !== 'unchanged')
    .map((plan) => {
      if (plan.kind !== 'changed') return plan.unit;
      const partial = { ...plan.unit, changedLines: plan.changedLines };
      whole.set(partial, plan.unit);
      return partial;
    });
  const offlineOnly = plans.filter((plan) => plan.kind === 'unchanged').map((plan) => plan.unit);
  const offline = options.offlineFindings;
  const results: ReviewResult[] = [];
  if (modelUnits.length > 0)
    results.push(
      await run({
        ...options,
        units: modelUnits,
        offlineFindings: offline ? (unit) => offline(whole.get(unit) ?? unit) : undefined,
      }),
    );
  if (offlineOnly.length > 0)
    results.push(await run({ ...options, units: offlineOnly, provider: undefined, cache: undefined }));

  const found = results.flatMap((r) => r.findings);
  const failed = new Set(results.flatMap((r) => r.skipped.filter((s) => s.failed === true).map((s) => s.file)));
  const findings: ReviewFinding[] = [];
  const files: FileConvergence[] = [];
  const reviewed: ReviewedFile[] = [];
  const summaries: string[] = [];
  const contextLines = DEFAULT_DIFF_CONTEXT_LINES;
  for (const plan of plans) {
    const path = plan.unit.path;
    const engine = found.filter((f) => f.file === path);
    const offlineFound = engine.filter((f) => !modelSaid(f));
    let modelFound = engine.filter(modelSaid);
    let resolved: ReviewFinding[] = [];
    let carried = 0;
    if (plan.kind !== 'fresh') {
      let fromBefore = plan.carried;
      if (plan.kind === 'changed') {
        const settled = settleConvergence(plan, modelFound);
        resolved = settled.resolved;
        fromBefore = plan.carried.filter((f) => settled.findings.includes(f));
        // Confirmed offline findings come back through the offline checks' own finding (below).
        modelFound = settled.findings.filter((f) => f.origin === 'model' || !fromBefore.includes(f));
      } else {
        modelFound = plan.carried.filter((f) => f.origin === 'model');
      }
      carried = fromBefore.length;
      // An offline finding the model confirmed before stays as it was merged (the model's fix and
      // severity included) while its code is unchanged and the offline checks still report it.
      for (const confirmed of fromBefore.filter((f) => f.origin === 'offline')) {
        const index = offlineFound.findIndex(
          (f) => f.ruleId === confirmed.ruleId && f.startLine === confirmed.startLine,
        );
        if (index >= 0) {
          modelFound.push(confirmed);
          offlineFound.splice(index, 1);
        }
      }
    }
    const fileFindings = [...offlineFound, ...modelFound].sort(bySeverity);
    findings.push(...fileFindings);
    const lineCount = splitLines(plan.unit.text).length;
    files.push({
      path,
      kind: plan.kind,
      reason: plan.kind === 'fresh' ? plan.reason : undefined,
      sentLines:
        plan.kind === 'unchanged'
          ? []
          : plan.kind === 'changed'
            ? regionsAroundLines(plan.changedLines, lineCount, contextLines)
            : [plan.unit.range ?? { startLine: 1, endLine: lineCount }],
      carried,
      resolved,
    });
    if (plan.kind === 'unchanged' && plan.summary.trim() !== '') summaries.push(plan.summary);
    if (!failed.has(path) && !plan.unit.range && !plan.unit.changedLines)
      reviewed.push({
        path,
        text: plan.unit.text,
        setup: setups.get(plan.unit) ?? '',
        findings: fileFindings.filter(modelSaid),
        summary: plan.kind === 'unchanged' ? plan.summary : (results[0]?.summary ?? ''),
      });
  }
  const modelSummary = modelUnits.length > 0 ? results[0].summary : '';
  const result: ReviewResult = {
    summary: [modelSummary, ...summaries].filter((s) => s.trim() !== '').join('\n') || (results[0]?.summary ?? ''),
    findings: findings.sort(bySeverity),
    skipped: results.flatMap((r) => r.skipped),
    notes: results.flatMap((r) => r.notes),
    stats: results.map((r) => r.stats).reduce(sumStats),
  };
  const overkill = results.flatMap((r) => r.overkill ?? []);
  if (overkill.length > 0) result.overkill = overkill;
  return { result, files, reviewed };
}
