import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Sarif from 'sarif';
import type { Category, ReviewFinding, ReviewResult, Severity } from '../findings';
import { findingFingerprint, FINGERPRINT_VERSION } from '../fingerprint';
import { TOOL_INFORMATION_URI, TOOL_NAME, type ReportMeta, type RuleMetadata } from './meta';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
/** Key of our fingerprint in `partialFingerprints`; the version suffix changes if the recipe does. */
export const FINGERPRINT_KEY = `backendReview/v${FINGERPRINT_VERSION}`;

export function sarifLevel(severity: Severity): Sarif.Result.level {
  if (severity === 'critical' || severity === 'high') return 'error';
  if (severity === 'medium') return 'warning';
  return 'note';
}

function artifactUri(file: string): { uri: string; uriBaseId?: string } {
  if (isAbsolute(file)) return { uri: pathToFileURL(file).href };
  return { uri: file.split('\\').map(encodeURIComponent).join('/').replace(/%2F/g, '/'), uriBaseId: '%SRCROOT%' };
}

function modelRule(ruleId: string, category: Category): Sarif.ReportingDescriptor {
  return {
    id: ruleId,
    name: `Review${category
      .split('-')
      .map((w) => w[0].toUpperCase() + w.slice(1))
      .join('')}`,
    shortDescription: { text: `Model review: ${category}` },
    fullDescription: { text: `A ${category} problem found by the model reviewing the code with the selected persona.` },
    help: {
      text: `Read the finding's message and suggestion; the quote shows the code it is about. Findings of this rule come from a language model and carry a confidence.`,
    },
    defaultConfiguration: { level: 'warning' },
    properties: { category, origin: 'model' },
  };
}

function offlineRule(meta: RuleMetadata): Sarif.ReportingDescriptor {
  return {
    id: meta.id,
    name: meta.title,
    shortDescription: { text: meta.shortDescription },
    fullDescription: {
      text: meta.title === meta.shortDescription ? meta.helpText : `${meta.title}. ${meta.shortDescription}`,
    },
    help: { text: meta.helpText },
    defaultConfiguration: { level: sarifLevel(meta.defaultSeverity) },
    properties: { category: meta.category, origin: 'offline' },
  };
}

function unknownRule(finding: ReviewFinding): Sarif.ReportingDescriptor {
  return {
    id: finding.ruleId,
    shortDescription: { text: finding.title },
    defaultConfiguration: { level: sarifLevel(finding.severity) },
    properties: { category: finding.category, origin: finding.origin },
  };
}

function region(f: ReviewFinding): Sarif.Region {
  const r: Sarif.Region = { startLine: f.startLine, endLine: Math.max(f.startLine, f.endLine) };
  if (f.startColumn !== undefined) r.startColumn = Math.max(1, f.startColumn);
  if (f.endColumn !== undefined && (r.endLine !== r.startLine || f.endColumn > (r.startColumn ?? 1)))
    r.endColumn = f.endColumn;
  return r;
}

/**
 * Fingerprints per finding: the stable content hash plus an occurrence number (`:1`, `:2`, … in
 * file order) among findings with the same hash, so two identical calls in one file stay two results
 * in code scanning instead of being merged, and each keeps its identity when code moves.
 */
export function occurrenceFingerprints(findings: ReviewFinding[]): string[] {
  const order = findings
    .map((_finding, i) => i)
    .sort(
      (a, b) =>
        findings[a].file.localeCompare(findings[b].file) ||
        findings[a].startLine - findings[b].startLine ||
        (findings[a].startColumn ?? 0) - (findings[b].startColumn ?? 0) ||
        a - b,
    );
  const seen = new Map<string, number>();
  const out: string[] = new Array(findings.length);
  for (const i of order) {
    const base = findings[i].fingerprint ?? findingFingerprint(findings[i]);
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    out[i] = `${base}:${n}`;
  }
  return out;
}

function result(f: ReviewFinding, ruleIndex: number, fingerprint: string): Sarif.Result {
  const location = artifactUri(f.file);
  const text = [f.title, f.message.trim(), f.suggestion.trim() ? `Suggestion: ${f.suggestion.trim()}` : '']
    .filter((s) => s !== '')
    .join('\n\n');
  const out: Sarif.Result = {
    ruleId: f.ruleId,
    ruleIndex,
    level: sarifLevel(f.severity),
    message: { text },
    locations: [{ physicalLocation: { artifactLocation: location, region: region(f) } }],
    partialFingerprints: { [FINGERPRINT_KEY]: fingerprint },
    properties: {
      severity: f.severity,
      category: f.category,
      confidence: f.confidence,
      origin: f.origin,
      quote: f.quote,
      ...(f.role ? { role: f.role } : {}),
    },
  };
  if (f.suppression) {
    const { reason, note, by, at } = f.suppression;
    out.suppressions = [
      {
        kind: 'external',
        status: 'accepted',
        justification: [`${reason}${note ? `: ${note}` : ''}`, by ? `by ${by}` : '', at ? `on ${at.slice(0, 10)}` : '']
          .filter(Boolean)
          .join(' '),
      },
    ];
  }
  if (f.related && f.related.length > 0) {
    out.relatedLocations = f.related.map((r, i) => ({
      id: i + 1,
      physicalLocation: {
        artifactLocation: artifactUri(r.file),
        region: region({
          ...f,
          startLine: r.startLine,
          endLine: r.endLine,
          startColumn: r.startColumn,
          endColumn: r.endColumn,
        }),
      },
      message: { text: `Also here: ${f.title}` },
    }));
  }
  if (f.fix) {
    // Whole lines: a region without columns spans startLine's first to endLine's last character.
    out.fixes = [
      {
        description: { text: f.suggestion.trim() || f.title },
        artifactChanges: [
          {
            artifactLocation: location,
            replacements: [
              {
                deletedRegion: { startLine: f.fix.startLine, endLine: Math.max(f.fix.startLine, f.fix.endLine) },
                insertedContent: { text: f.fix.replacement.replace(/\r?\n$/, '') },
              },
            ],
          },
        ],
      },
    ];
  }
  return out;
}

/** SARIF 2.1.0 log with one run: a rule per ruleId used, a result per finding, skipped parts as notifications. */
export function formatSarif(res: ReviewResult, meta: ReportMeta): string {
  const known = new Map((meta.rules ?? []).map((r) => [r.id, r]));
  const rules: Sarif.ReportingDescriptor[] = [];
  const ruleIndex = new Map<string, number>();
  for (const f of [...res.findings, ...(res.dismissed ?? [])]) {
    if (ruleIndex.has(f.ruleId)) continue;
    const offline = known.get(f.ruleId);
    const descriptor = offline
      ? offlineRule(offline)
      : f.ruleId.startsWith('review/')
        ? modelRule(f.ruleId, f.category)
        : unknownRule(f);
    ruleIndex.set(f.ruleId, rules.length);
    rules.push(descriptor);
  }
  // Dismissed findings are results too, suppressed, so code scanning shows them as dismissed.
  const all = [...res.findings, ...(res.dismissed ?? [])];
  const fingerprints = occurrenceFingerprints(all);
  const log: Sarif.Log = {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: TOOL_NAME,
            version: meta.toolVersion,
            semanticVersion: meta.toolVersion,
            informationUri: TOOL_INFORMATION_URI,
            rules,
          },
        },
        // Relative paths resolve against %SRCROOT%: the folder the paths are relative to.
        ...(meta.sourceRoot
          ? {
              originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileURL(meta.sourceRoot.replace(/[\\/]*$/, '/')).href } },
            }
          : {}),
        results: all.map((f, i) => result(f, ruleIndex.get(f.ruleId) ?? 0, fingerprints[i])),
        invocations: [
          {
            executionSuccessful: true,
            toolExecutionNotifications: res.skipped.map((s) => ({
              level: 'note' as const,
              message: { text: `Not reviewed: ${s.reason}` },
              locations: [
                {
                  physicalLocation: {
                    artifactLocation: artifactUri(s.file),
                    ...(s.startLine !== undefined
                      ? { region: { startLine: s.startLine, endLine: s.endLine ?? s.startLine } }
                      : {}),
                  },
                },
              ],
            })),
          },
        ],
        columnKind: 'utf16CodeUnits',
        properties: {
          persona: meta.persona,
          mode: meta.mode,
          model: meta.model,
          summary: res.summary,
          stats: { ...res.stats },
        },
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}
