import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { errorMessage } from '../core/errorMessage';
import { terminalSafe } from '../core/output/terminal';
import type { ReviewFinding } from '../core/findings';
import { dismissalRates } from '../core/review/dismissalStats';
import { DISMISSALS_FILE, loadDismissals } from '../core/review/dismissals';
import { findRepositoryRoot } from '../core/review/files';
import { argumentError, EXIT, UsageError } from './errors';
import { PROJECT_CONFIG_FILE, PROJECT_RULE_LEVELS } from '../core/config/projectConfig';
import { setProjectRules } from '../core/config/projectConfigEdit';
import type { CliCommand } from './main';
import { pruneDismissals } from './teamFindings';

const HELP = [
  'Usage: backend-review dismissals [list|stale|prune|stats] [--report FILE]... [--json] [--apply [--apply-as LEVEL]]',
  '',
  `The team's dismissed findings, kept in ${DISMISSALS_FILE} at the repository root (the editor's`,
  'Dismiss writes it; commit it so every teammate and CI leave those findings out).',
  '',
  '  list     every dismissal: rule, file, reason, who and when (default)',
  '  stale    dismissals whose code is gone (the file deleted, or the dismissed code no longer in it)',
  '  prune    remove the stale ones from the file',
  '  stats    per rule and model category: how often dismissed, with a suggestion for rules the team',
  '           mostly dismisses. --report FILE (JSON reports of recent reviews, repeatable) adds how',
  '           often each rule was reported, for "dismissed 12 of 15 times".',
  `           --apply writes each suggested change into ${PROJECT_CONFIG_FILE} at the repository root`,
  '           (rules: { "<id>": "off" }); --apply-as low (or info, medium...) lowers them instead.',
  '  --json   machine-readable output',
].join('\n');

async function reportedFindings(files: string[], cwd: string): Promise<ReviewFinding[]> {
  const findings: ReviewFinding[] = [];
  for (const file of files) {
    let raw: { version?: unknown; findings?: unknown };
    try {
      raw = JSON.parse(await fs.readFile(path.resolve(cwd, file), 'utf8')) as typeof raw;
    } catch (error) {
      throw new UsageError(`--report ${file}: cannot read a JSON report (${errorMessage(error)})`);
    }
    if (raw.version !== 1 || !Array.isArray(raw.findings))
      throw new UsageError(`--report ${file}: not a backend-review JSON report (--format json)`);
    findings.push(...(raw.findings as ReviewFinding[]));
  }
  return findings;
}

export const dismissalsCommand: CliCommand = async (args, io) => {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: true,
      options: {
        report: { type: 'string', multiple: true },
        json: { type: 'boolean' },
        apply: { type: 'boolean' },
        'apply-as': { type: 'string' },
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
  const action = positionals[0] ?? 'list';
  if (!['list', 'stale', 'prune', 'stats'].includes(action) || positionals.length > 1)
    throw new UsageError(`unknown action "${positionals.join(' ')}": one of list, stale, prune, stats`);
  if ((values.apply || values['apply-as'] !== undefined) && action !== 'stats')
    throw new UsageError('--apply and --apply-as go with the stats action: backend-review dismissals stats --apply');
  const level = values['apply-as'] ?? 'off';
  if (values['apply-as'] !== undefined && !values.apply)
    throw new UsageError('--apply-as needs --apply (it says what --apply writes)');
  if (!(PROJECT_RULE_LEVELS as readonly string[]).includes(level) || level === 'on')
    throw new UsageError(
      `--apply-as ${level}: expected off or a severity (${PROJECT_RULE_LEVELS.filter((l) => l !== 'on').join(', ')})`,
    );
  const root = findRepositoryRoot(io.cwd) ?? io.cwd;

  if (action === 'stale' || action === 'prune') {
    const stale = await pruneDismissals(root, io, action === 'prune');
    if (values.json) io.stdout.write(JSON.stringify(stale, null, 2) + '\n');
    return EXIT.ok;
  }
  const loaded = await loadDismissals(root);
  for (const error of loaded.errors) io.stderr.write(`backend-review: warning: ${error}\n`);
  if (action === 'list') {
    if (values.json) io.stdout.write(JSON.stringify(loaded.entries, null, 2) + '\n');
    else {
      for (const e of loaded.entries)
        io.stdout.write(
          terminalSafe(
            `${e.file} [${e.ruleId}] ${e.reason}${e.note ? `: ${e.note}` : ''}${e.by ? ` (${e.by}${e.at ? `, ${e.at.slice(0, 10)}` : ''})` : ''}\n    ${e.code.replace(/\s+/g, ' ').slice(0, 160)}\n`,
          ),
        );
      io.stdout.write(
        `${loaded.entries.length} dismissals in ${path.relative(io.cwd, loaded.path) || DISMISSALS_FILE}.\n`,
      );
    }
    return EXIT.ok;
  }
  const reports = values.report ?? [];
  const rates = dismissalRates(
    loaded.entries,
    reports.length > 0 ? { findings: await reportedFindings(reports, io.cwd) } : undefined,
  );
  const changes = Object.fromEntries(
    rates.filter((rate) => rate.configChange).map((rate) => [rate.ruleId, level] as const),
  );
  let written: string | undefined;
  if (values.apply && Object.keys(changes).length > 0) {
    try {
      written = await setProjectRules(root, changes);
    } catch (error) {
      io.stderr.write(`backend-review: ${errorMessage(error)}\n`);
      return EXIT.usage;
    }
  }
  if (values.json) {
    io.stdout.write(JSON.stringify(rates, null, 2) + '\n');
    return EXIT.ok;
  }
  for (const rate of rates) {
    const share = rate.seen ? ` of ${rate.seen} (${Math.round((100 * rate.dismissed) / rate.seen)}%)` : '';
    io.stdout.write(terminalSafe(`${rate.ruleId.padEnd(28)} dismissed ${rate.dismissed}${share}\n`));
    if (rate.suggestion) io.stdout.write(terminalSafe(`    ${rate.suggestion}\n`));
  }
  if (rates.length === 0) io.stdout.write(`No dismissals in ${DISMISSALS_FILE}.\n`);
  if (written)
    for (const id of Object.keys(changes))
      io.stdout.write(
        terminalSafe(`Set ${id} to "${level}" in ${path.relative(io.cwd, written) || PROJECT_CONFIG_FILE}.\n`),
      );
  else if (values.apply)
    io.stdout.write(`No rule is dismissed often enough to change: ${PROJECT_CONFIG_FILE} left as it is.\n`);
  return EXIT.ok;
};
