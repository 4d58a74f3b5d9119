import type { ReviewFinding, ReviewResult, Severity } from '../findings';
import { ruleHelpUri } from '../offline/rules/meta';
import { TOOL_INFORMATION_URI, TOOL_NAME, type ReportMeta } from './meta';

/**
 * reviewdog's Diagnostic Format as one JSON document (`rdjson`, the DiagnosticResult message of
 * reviewdog's proto/rdf/reviewdog.proto), for `reviewdog -f=rdjson`: it posts the findings as review
 * comments, and a fix as a suggested change, on GitHub, GitLab, Bitbucket or Gerrit.
 *
 * Ranges are whole lines (columns left out): the format counts columns in UTF-8 bytes, our findings
 * in UTF-16 units, and a line range is what a review comment anchors to anyway. A linewise range
 * includes its end line, so a suggestion replaces lines startLine..endLine with its text.
 */
export type RdjsonSeverity = 'ERROR' | 'WARNING' | 'INFO';

export function rdjsonSeverity(severity: Severity): RdjsonSeverity {
  if (severity === 'critical' || severity === 'high') return 'ERROR';
  if (severity === 'medium') return 'WARNING';
  return 'INFO';
}

function ruleUrl(finding: ReviewFinding, offlineRules: ReadonlySet<string>): string | undefined {
  return offlineRules.has(finding.ruleId)
    ? `${TOOL_INFORMATION_URI}/blob/main/${ruleHelpUri(finding.ruleId)}`
    : undefined;
}

function diagnostic(f: ReviewFinding, offlineRules: ReadonlySet<string>) {
  const message = [
    `[${f.severity}] ${f.title}`,
    f.message.trim(),
    f.suggestion.trim() ? `Suggestion: ${f.suggestion.trim()}` : '',
  ]
    .filter((s) => s !== '')
    .join('\n\n');
  const url = ruleUrl(f, offlineRules);
  return {
    message,
    location: {
      path: f.file,
      range: { start: { line: f.startLine }, end: { line: Math.max(f.startLine, f.endLine) } },
    },
    severity: rdjsonSeverity(f.severity),
    code: { value: f.ruleId, ...(url ? { url } : {}) },
    ...(f.fix
      ? {
          suggestions: [
            {
              range: {
                start: { line: f.fix.startLine },
                end: { line: Math.max(f.fix.startLine, f.fix.endLine) },
              },
              text: f.fix.replacement.replace(/\r?\n$/, ''),
            },
          ],
        }
      : {}),
  };
}

/** The findings (dismissed ones left out) as an rdjson DiagnosticResult. */
export function formatRdjson(result: ReviewResult, meta: ReportMeta): string {
  const offlineRules = new Set((meta.rules ?? []).map((r) => r.id));
  const report = {
    source: { name: TOOL_NAME, url: TOOL_INFORMATION_URI },
    diagnostics: result.findings.map((f) => diagnostic(f, offlineRules)),
  };
  return JSON.stringify(report, null, 2) + '\n';
}
