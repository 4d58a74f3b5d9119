import { errorMessage } from '../errorMessage';
import type { ReviewFinding, ReviewResult } from '../findings';
import { FINGERPRINT_VERSION } from '../fingerprint';

/** The key our SARIF results carry their fingerprint under (also in output/sarif.ts). */
const SARIF_FINGERPRINT_KEY = `backendReview/v${FINGERPRINT_VERSION}`;

/**
 * A baseline: the fingerprints of a previous report (our JSON or SARIF), counted, so that two
 * identical findings in the baseline excuse two now and a third is new.
 */
export type Baseline = Map<string, number>;

function add(baseline: Baseline, fingerprint: string): void {
  baseline.set(fingerprint, (baseline.get(fingerprint) ?? 0) + 1);
}

/**
 * Reads a previous report: `--format json` (findings[].fingerprint, dismissed[] too) or `--format
 * sarif` (partialFingerprints["backendReview/v2"], occurrence suffix dropped). Throws an Error
 * naming `name` when the text is neither, or was written with another fingerprint recipe.
 */
export function parseBaseline(text: string, name: string): Baseline {
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new Error(`${name}: not a JSON or SARIF report (${errorMessage(error)})`);
  }
  const baseline: Baseline = new Map();
  const report = raw as { version?: unknown; findings?: unknown; dismissed?: unknown; runs?: unknown };
  if (Array.isArray(report.runs)) {
    let results = 0;
    for (const run of report.runs as Array<{ results?: unknown }>) {
      if (!Array.isArray(run?.results)) continue;
      for (const result of run.results as Array<{ partialFingerprints?: Record<string, unknown> }>) {
        results++;
        const print = result?.partialFingerprints?.[SARIF_FINGERPRINT_KEY];
        if (typeof print !== 'string') {
          throw new Error(
            `${name}: a SARIF result has no "${SARIF_FINGERPRINT_KEY}" fingerprint (written by another tool or an older version: write the baseline again with --write-baseline)`,
          );
        }
        add(baseline, print.replace(/:\d+$/, ''));
      }
    }
    if (results === 0 && !(report.runs as unknown[]).every((run) => run && typeof run === 'object'))
      throw new Error(`${name}: runs[] holds something that is not a SARIF run`);
    return baseline;
  }
  if (report.version === 1 && Array.isArray(report.findings)) {
    const all = [...report.findings, ...(Array.isArray(report.dismissed) ? report.dismissed : [])] as Array<{
      fingerprint?: unknown;
    }>;
    all.forEach((finding, index) => {
      if (typeof finding?.fingerprint !== 'string' || !/^[0-9a-f]{32}$/.test(finding.fingerprint))
        throw new Error(
          `${name}: findings[${index}] has no fingerprint (written by an older version: write the baseline again with --write-baseline)`,
        );
      add(baseline, finding.fingerprint);
    });
    return baseline;
  }
  throw new Error(`${name}: not a backend-review JSON report (version 1) or a SARIF log`);
}

/**
 * Keeps only the findings not in the baseline. Findings need their `fingerprint`. Returns the new
 * result and how many findings the baseline accounted for.
 */
export function newSinceBaseline(result: ReviewResult, baseline: Baseline): { result: ReviewResult; known: number } {
  const left = new Map(baseline);
  const fresh: ReviewFinding[] = [];
  let known = 0;
  // File order, so which of several identical findings counts as new does not depend on run order.
  const ordered = [...result.findings].sort(
    (a, b) => a.file.localeCompare(b.file) || a.startLine - b.startLine || (a.startColumn ?? 0) - (b.startColumn ?? 0),
  );
  const isKnown = new Set<ReviewFinding>();
  for (const finding of ordered) {
    const n = finding.fingerprint ? (left.get(finding.fingerprint) ?? 0) : 0;
    if (n > 0) {
      left.set(finding.fingerprint!, n - 1);
      isKnown.add(finding);
      known++;
    }
  }
  for (const finding of result.findings) if (!isKnown.has(finding)) fresh.push(finding);
  return { result: { ...result, findings: fresh }, known };
}
