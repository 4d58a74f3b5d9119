import { parseArgs } from 'node:util';
import { OFFLINE_RULES, ruleHelpUri, type OfflineRuleMeta } from '../core/offline';
import { argumentError, EXIT, UsageError } from './errors';
import type { CliCommand } from './main';

const HELP = [
  'Usage:',
  '  backend-review rules [--json]',
  '  backend-review rules ID [--json]',
  '',
  'Lists the offline rules (id, default severity, category, languages, title), or prints one',
  "rule's explanation page: what it finds, why it hurts in production, how to fix it.",
  'Turn rules off or change their severity in `review` with --rule ID=off|on|critical|high|medium|low|info.',
  '',
  'Options:',
  '  --json      machine-readable output',
  '  -h, --help  this help',
].join('\n');

const LANGUAGE_NAMES: Record<string, string> = { js: 'ts/js', python: 'python', go: 'go' };

function languagesOf(rule: OfflineRuleMeta): string {
  return rule.languages.map((language) => LANGUAGE_NAMES[language]).join(',');
}

function asJson(rule: OfflineRuleMeta, withHelp: boolean): Record<string, unknown> {
  return {
    id: rule.id,
    severity: rule.defaultSeverity,
    category: rule.category,
    languages: rule.languages,
    roles: rule.roles,
    title: rule.title,
    shortDescription: rule.shortDescription,
    ...(rule.modes ? { modes: rule.modes } : {}),
    ...(rule.modesByLanguage ? { modesByLanguage: rule.modesByLanguage } : {}),
    helpUri: ruleHelpUri(rule.id),
    ...(withHelp ? { helpText: rule.helpText } : {}),
  };
}

/** ` (backendpe mode only)`, ` (ts/js: backendpe mode only)`: where a rule does not run in every mode. */
function modeNote(rule: OfflineRuleMeta): string {
  const notes = rule.modes ? [`${rule.modes.join(', ')} mode only`] : [];
  for (const [family, modes] of Object.entries(rule.modesByLanguage ?? {}))
    notes.push(`${LANGUAGE_NAMES[family as keyof typeof LANGUAGE_NAMES]}: ${(modes ?? []).join(', ')} mode only`);
  return notes.length > 0 ? ` (${notes.join('; ')})` : '';
}

function table(rules: readonly OfflineRuleMeta[]): string {
  const rows = rules.map((rule) => [
    rule.id,
    rule.defaultSeverity,
    rule.category,
    languagesOf(rule),
    rule.title + modeNote(rule),
  ]);
  const header = ['ID', 'SEVERITY', 'CATEGORY', 'LANGUAGES', 'TITLE'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  return [header, ...rows]
    .map((row) =>
      row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]))).join('  '),
    )
    .join('\n');
}

export const rulesCommand: CliCommand = async (args, io) => {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: true,
      options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    throw argumentError(error);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(HELP + '\n');
    return EXIT.ok;
  }
  if (positionals.length > 1)
    throw new UsageError(`unexpected argument "${positionals[1]}"; expected at most one rule id`);
  const [id] = positionals;
  if (id === undefined) {
    io.stdout.write(
      values.json
        ? JSON.stringify(
            OFFLINE_RULES.map((rule) => asJson(rule, false)),
            null,
            2,
          ) + '\n'
        : table(OFFLINE_RULES) + '\n',
    );
    return EXIT.ok;
  }
  const rule = OFFLINE_RULES.find((candidate) => candidate.id === id);
  if (!rule) throw new UsageError(`unknown rule "${id}"; run \`backend-review rules\` for the list`);
  io.stdout.write(values.json ? JSON.stringify(asJson(rule, true), null, 2) + '\n' : rule.helpText);
  return EXIT.ok;
};
