import * as path from 'node:path';
import type { ReviewResult, Severity } from '../findings';
import type { ReportMeta } from './meta';
import { occurrenceFingerprints } from './sarif';

/**
 * GitLab's Code Quality report (`artifacts: reports: codequality`): a JSON array of issues, each
 * with description, check_name, fingerprint (unique per issue: GitLab compares the merge request's
 * report with the target branch's by it, so it must not move with lines), severity and
 * location.path + location.lines.begin. Shown in the merge request widget and the diff.
 */
export type GitlabSeverity = 'info' | 'minor' | 'major' | 'critical' | 'blocker';

const SEVERITY: Record<Severity, GitlabSeverity> = {
  critical: 'blocker',
  high: 'critical',
  medium: 'major',
  low: 'minor',
  info: 'info',
};

export function gitlabSeverity(severity: Severity): GitlabSeverity {
  return SEVERITY[severity];
}

/** The findings (dismissed ones left out) as a Code Quality report. */
export function formatGitlab(result: ReviewResult, meta: Pick<ReportMeta, 'sourceRoot' | 'projectRoot'> = {}): string {
  const { sourceRoot, projectRoot } = meta;
  const repoPath = (file: string): string =>
    sourceRoot && projectRoot
      ? path.relative(projectRoot, path.resolve(sourceRoot, file)).split(path.sep).join('/')
      : file.replace(/\\/g, '/');
  const fingerprints = occurrenceFingerprints(result.findings);
  const issues = result.findings.map((f, i) => ({
    type: 'issue',
    check_name: f.ruleId,
    description: `${f.title}${f.message.trim() ? `: ${f.message.trim()}` : ''}`,
    content: { body: f.suggestion.trim() ? `Suggestion: ${f.suggestion.trim()}` : f.message.trim() },
    severity: gitlabSeverity(f.severity),
    // One issue per occurrence: GitLab drops issues that share a fingerprint.
    fingerprint: fingerprints[i].replace(':', '-'),
    location: { path: repoPath(f.file), lines: { begin: f.startLine, end: Math.max(f.startLine, f.endLine) } },
  }));
  return JSON.stringify(issues, null, 2) + '\n';
}
