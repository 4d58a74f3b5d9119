import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type * as Sarif from 'sarif';
import { version as TOOL_VERSION } from '../../package.json';
import { errorMessage } from '../core/errorMessage';
import { MODES, SEVERITIES, severityRank, type Mode, type ReviewFinding, type ReviewResult } from '../core/findings';
import { OFFLINE_RULES } from '../core/offline';
import { FINGERPRINT_KEY, formatJson, formatSarif, JSON_REPORT_VERSION, type ReportMeta } from '../core/output';
import { argumentError, EXIT, UsageError } from './errors';
import type { CliCommand } from './main';

const HELP = [
  'Usage: backend-review merge REPORT... [--format json|sarif] [--output FILE] [--fail-on SEVERITY]',
  '',
  'Combines the reports of several reviews (for example the jobs of a CI matrix run with --shard K/N)',
  'into one: findings, skipped parts, dismissed findings and statistics. Reports are `--format json`',
  'or `--format sarif` files; the output is JSON when every input is JSON, else SARIF (--format sarif',
  'turns JSON inputs into SARIF; JSON output needs JSON inputs). A finding present in two reports',
  '(the same fingerprint at the same place) is kept once.',
  '',
  'Exit codes: 0, or 1 with --fail-on when a merged finding is at or above it; 2 for a bad report.',
].join('\n');

interface JsonReport {
  persona: string;
  mode: Mode;
  model: string | null;
  result: ReviewResult;
}

type Input = { file: string; kind: 'json'; report: JsonReport } | { file: string; kind: 'sarif'; log: Sarif.Log };

function asFindings(value: unknown, file: string, field: string): ReviewFinding[] {
  if (!Array.isArray(value)) throw new UsageError(`${file}: "${field}" is not an array`);
  return value.map((item, index) => {
    const f = item as Partial<ReviewFinding> & { dismissal?: ReviewFinding['suppression'] };
    if (
      typeof f?.file !== 'string' ||
      typeof f.ruleId !== 'string' ||
      typeof f.startLine !== 'number' ||
      !SEVERITIES.includes(f.severity as never)
    )
      throw new UsageError(`${file}: ${field}[${index}] is not a finding (needs file, ruleId, startLine, severity)`);
    const { dismissal, ...finding } = f;
    return { ...(finding as ReviewFinding), ...(dismissal ? { suppression: dismissal } : {}) };
  });
}

function parseInput(file: string, text: string): Input {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, '')) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`${file}: not JSON (${errorMessage(error)})`);
  }
  if (raw && Array.isArray(raw.runs)) return { file, kind: 'sarif', log: raw as unknown as Sarif.Log };
  if (raw?.version !== JSON_REPORT_VERSION || !Array.isArray(raw.findings))
    throw new UsageError(`${file}: not a backend-review JSON report (version ${JSON_REPORT_VERSION}) or a SARIF log`);
  const stats = (raw.stats ?? {}) as Partial<ReviewResult['stats']>;
  const number = (n: unknown): number => (typeof n === 'number' && Number.isFinite(n) ? n : 0);
  return {
    file,
    kind: 'json',
    report: {
      persona: String(raw.persona ?? ''),
      mode: MODES.includes(raw.mode as Mode) ? (raw.mode as Mode) : 'pragmatic',
      model: typeof raw.model === 'string' ? raw.model : null,
      result: {
        summary: '',
        findings: asFindings(raw.findings, file, 'findings'),
        dismissed: raw.dismissed === undefined ? [] : asFindings(raw.dismissed, file, 'dismissed'),
        skipped: Array.isArray(raw.skipped) ? (raw.skipped as ReviewResult['skipped']) : [],
        stats: {
          requests: number(stats.requests),
          cachedChunks: number(stats.cachedChunks),
          promptTokens: number(stats.promptTokens),
          completionTokens: number(stats.completionTokens),
          durationMs: number(stats.durationMs),
        },
        notes: [],
      },
    },
  };
}

function identity(f: ReviewFinding): string {
  return `${f.fingerprint ?? ''}\u0000${f.file}\u0000${f.startLine}\u0000${f.ruleId}\u0000${f.title}`;
}

function unique(findings: ReviewFinding[]): ReviewFinding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = identity(f);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The JSON reports as one result. */
function mergeJson(reports: JsonReport[]): ReviewResult {
  const sum = (key: 'requests' | 'cachedChunks' | 'promptTokens' | 'completionTokens'): number =>
    reports.reduce((n, r) => n + (r.result.stats[key] ?? 0), 0);
  return {
    summary: '',
    findings: unique(reports.flatMap((r) => r.result.findings)),
    dismissed: unique(reports.flatMap((r) => r.result.dismissed ?? [])),
    skipped: reports.flatMap((r) => r.result.skipped),
    stats: {
      requests: sum('requests'),
      cachedChunks: sum('cachedChunks'),
      promptTokens: sum('promptTokens'),
      completionTokens: sum('completionTokens'),
      // The jobs ran side by side: the merged review took as long as the slowest.
      durationMs: Math.max(0, ...reports.map((r) => r.result.stats.durationMs)),
    },
    notes: [],
  };
}

/** SARIF logs as one log with one run: rules merged by id, results re-indexed, notifications kept. */
function mergeSarif(logs: Sarif.Log[]): Sarif.Log {
  const runs = logs.flatMap((log) => log.runs);
  const first = runs[0];
  const rules: Sarif.ReportingDescriptor[] = [];
  const ruleIndex = new Map<string, number>();
  const results: Sarif.Result[] = [];
  const seen = new Set<string>();
  const notifications: Sarif.Notification[] = [];
  for (const run of runs) {
    const runRules = run.tool.driver.rules ?? [];
    for (const rule of runRules) {
      if (!ruleIndex.has(rule.id)) {
        ruleIndex.set(rule.id, rules.length);
        rules.push(rule);
      }
    }
    for (const result of run.results ?? []) {
      const id = result.ruleId ?? (result.ruleIndex !== undefined ? runRules[result.ruleIndex]?.id : undefined);
      const where = result.locations?.[0]?.physicalLocation;
      const key = `${result.partialFingerprints?.[FINGERPRINT_KEY] ?? ''}\u0000${where?.artifactLocation?.uri ?? ''}\u0000${where?.region?.startLine ?? ''}\u0000${id ?? ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      results.push({ ...result, ...(id !== undefined && ruleIndex.has(id) ? { ruleIndex: ruleIndex.get(id) } : {}) });
    }
    for (const invocation of run.invocations ?? [])
      notifications.push(...(invocation.toolExecutionNotifications ?? []));
  }
  return {
    $schema: logs[0].$schema,
    version: '2.1.0',
    runs: [
      {
        ...first,
        tool: { ...first.tool, driver: { ...first.tool.driver, rules } },
        results,
        invocations: [
          {
            executionSuccessful: runs.every((run) => (run.invocations ?? []).every((i) => i.executionSuccessful)),
            toolExecutionNotifications: notifications,
          },
        ],
      },
    ],
  };
}

function sarifLevelRank(result: Sarif.Result): number {
  const severity = (result.properties as { severity?: string } | undefined)?.severity;
  if (severity && SEVERITIES.includes(severity as never)) return severityRank(severity as never);
  return result.level === 'error' ? severityRank('high') : result.level === 'warning' ? severityRank('medium') : 1;
}

export const mergeCommand: CliCommand = async (args, io) => {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: true,
      options: {
        format: { type: 'string' },
        output: { type: 'string' },
        'fail-on': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw argumentError(error);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(HELP + '\n');
    return EXIT.ok;
  }
  if (positionals.length === 0) throw new UsageError('give the reports to merge (see --help)');
  if (values.format !== undefined && values.format !== 'json' && values.format !== 'sarif')
    throw new UsageError(`--format "${values.format}" is not one of json, sarif`);
  const failOn = values['fail-on'];
  if (failOn !== undefined && failOn !== 'none' && !SEVERITIES.includes(failOn as never))
    throw new UsageError(`--fail-on "${failOn}" is not one of ${[...SEVERITIES, 'none'].join(', ')}`);

  const inputs: Input[] = [];
  for (const file of positionals) {
    let text: string;
    try {
      text = await fs.readFile(path.resolve(io.cwd, file), 'utf8');
    } catch (error) {
      throw new UsageError(`${file}: cannot read (${errorMessage(error)})`);
    }
    inputs.push(parseInput(file, text));
  }
  const allJson = inputs.every((input) => input.kind === 'json');
  const format = values.format ?? (allJson ? 'json' : 'sarif');
  if (format === 'json' && !allJson) {
    const sarif = inputs.find((input) => input.kind === 'sarif');
    throw new UsageError(`--format json needs JSON reports; ${sarif?.file} is SARIF (use --format sarif)`);
  }
  const jsonReports = inputs.flatMap((input) => (input.kind === 'json' ? [input.report] : []));
  const first = jsonReports[0];
  const meta: ReportMeta = {
    persona: first?.persona ?? '',
    mode: first?.mode ?? 'pragmatic',
    model: first?.model ?? null,
    toolVersion: TOOL_VERSION,
    rules: [...OFFLINE_RULES],
    sourceRoot: io.cwd,
  };
  for (const report of jsonReports.slice(1)) {
    if (report.persona !== meta.persona || report.mode !== meta.mode || report.model !== meta.model)
      io.stderr.write(
        `backend-review merge: warning: the reports were made with different personas, modes or models (${meta.persona}/${meta.mode}/${meta.model} and ${report.persona}/${report.mode}/${report.model})\n`,
      );
  }

  let text: string;
  let failing = false;
  const threshold = failOn && failOn !== 'none' ? severityRank(failOn as never) : Infinity;
  if (format === 'json') {
    const merged = mergeJson(jsonReports);
    failing = merged.findings.some((f) => severityRank(f.severity) >= threshold);
    text = formatJson(merged, meta);
  } else {
    const log = mergeSarif(
      inputs.map((input) =>
        input.kind === 'sarif'
          ? input.log
          : (JSON.parse(
              formatSarif(input.report.result, {
                ...meta,
                persona: input.report.persona,
                mode: input.report.mode,
                model: input.report.model,
              }),
            ) as Sarif.Log),
      ),
    );
    failing = (log.runs[0].results ?? []).some(
      (r) => (r.suppressions ?? []).length === 0 && sarifLevelRank(r) >= threshold,
    );
    text = JSON.stringify(log, null, 2) + '\n';
  }
  if (values.output !== undefined) {
    try {
      await fs.writeFile(path.resolve(io.cwd, values.output), text, 'utf8');
    } catch (error) {
      throw new UsageError(`--output ${values.output}: cannot write (${errorMessage(error)})`);
    }
  } else {
    io.stdout.write(text);
  }
  return failing ? EXIT.findings : EXIT.ok;
};
