import type { ReviewFinding, ReviewResult } from '../findings';
import { findingFingerprint } from '../fingerprint';
import type { ReportMeta } from './meta';

/** Version of the JSON report shape; bump on an incompatible change. */
export const JSON_REPORT_VERSION = 1;

function reportFinding(f: ReviewFinding) {
  return {
    file: f.file,
    ruleId: f.ruleId,
    title: f.title,
    severity: f.severity,
    category: f.category,
    startLine: f.startLine,
    endLine: f.endLine,
    startColumn: f.startColumn,
    endColumn: f.endColumn,
    quote: f.quote,
    message: f.message,
    suggestion: f.suggestion,
    fix: f.fix,
    confidence: f.confidence,
    origin: f.origin,
    fingerprint: f.fingerprint ?? findingFingerprint(f),
    role: f.role,
    ...(f.related && f.related.length > 0 ? { related: f.related } : {}),
    ...(f.confirmedByModel ? { confirmedByModel: true } : {}),
  };
}

/**
 * The `--format json` report: `{version, persona, mode, model, findings, skipped, overkill, stats, dismissed, files}`
 * where each finding is the findings contract plus `file`, `ruleId` (and `startColumn`, `endColumn`,
 * `origin`, `fingerprint`, `role`); `overkill` lists what the model left out as overkill (`{file, title, reason}`);
 * `dismissed` lists the findings the team dismissed in the repository, each with
 * `dismissal: {reason, note?, by?, at?}`; `files` lists every reviewed file with its role
 * (added compatibly: version stays 1).
 */
export function formatJson(result: ReviewResult, meta: ReportMeta): string {
  const report = {
    version: JSON_REPORT_VERSION,
    persona: meta.persona,
    mode: meta.mode,
    model: meta.model,
    findings: result.findings.map(reportFinding),
    skipped: result.skipped,
    overkill: result.overkill ?? [],
    /** False when some part could not be reviewed (a skipped part with `failed: true`). */
    complete: !result.skipped.some((part) => part.failed === true),
    notes: result.notes,
    stats: {
      requests: result.stats.requests,
      cachedChunks: result.stats.cachedChunks,
      promptTokens: result.stats.promptTokens,
      completionTokens: result.stats.completionTokens,
      durationMs: result.stats.durationMs,
      findingsOverCap: result.stats.findingsOverCap ?? 0,
      ...(result.stats.withheld ? { withheld: result.stats.withheld } : {}),
      ...(result.stats.context ? { context: result.stats.context } : {}),
      ...(result.stats.promptCut ? { promptCut: result.stats.promptCut } : {}),
    },
    dismissed: (result.dismissed ?? []).map((f) => ({ ...reportFinding(f), dismissal: f.suppression })),
    ...(meta.files ? { files: meta.files } : {}),
  };
  return JSON.stringify(report, null, 2) + '\n';
}
