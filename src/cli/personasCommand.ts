import * as path from 'node:path';
import { parseArgs } from 'node:util';
import {
  bundledSkillsDir,
  findPersona,
  loadPersonaCatalog,
  personaRenderContext,
  renderPersona,
  type Persona,
  type PersonaCatalog,
} from '../core/personas';
import { terminalSafe } from '../core/output/terminal';
import { argumentError, EXIT, UsageError } from './errors';
import { resolvePersonaDirs } from './personaDirs';
import type { CliCommand, CliIo } from './main';

const HELP = [
  'Usage:',
  '  backend-review personas [--dir DIR]... [--json]',
  '  backend-review personas show ID [--dir DIR]... [--language LANG] [--json]',
  '',
  'Lists the bundled personas plus those in each DIR (persona files directly in DIR and every',
  'SKILL.md folder under it; later folders override earlier ones with the same id), or prints one',
  'persona exactly as the model receives it, rendered for LANG.',
  '',
  'Options:',
  '  --dir DIR        read personas from DIR (repeatable)',
  '  --language LANG  language of the reviewed code, for templated personas (show only)',
  '  --json           machine-readable output',
  '  -h, --help       this help',
].join('\n');

interface Parsed {
  dirs: string[];
  json: boolean;
  language?: string;
  showId?: string;
}

function parse(args: string[]): Parsed | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: true,
      options: {
        dir: { type: 'string', multiple: true },
        json: { type: 'boolean' },
        language: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw argumentError(error);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  const [verb, id, ...extra] = positionals;
  if (verb !== undefined && verb !== 'show')
    throw new UsageError(`unknown argument "${verb}"; expected "show ID" or no argument (see --help)`);
  if (verb === 'show' && !id) throw new UsageError('"show" needs a persona id, e.g. personas show backendpe');
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  if (values.language !== undefined && verb !== 'show')
    throw new UsageError('--language only applies to "personas show ID"');
  if (values.language !== undefined && !/^[A-Za-z0-9_+#.-]+$/.test(values.language)) {
    throw new UsageError(`--language "${values.language}" is not a language name (e.g. typescript, python, go)`);
  }
  return {
    dirs: values.dir ?? [],
    json: values.json === true,
    language: values.language,
    showId: verb === 'show' ? id : undefined,
  };
}

/** Paths near the current directory are shown relative (shorter tables); far-away ones stay absolute. */
function relativeSource(source: string, cwd: string): string {
  const relative = path.relative(cwd, source);
  const upLevels = relative.split(path.sep).filter((part) => part === '..').length;
  return upLevels > 2 ? source : relative;
}

/** The persona's warnings plus the override notice, if this persona replaced another. */
function warningsWithOverrides(persona: Persona, catalog: PersonaCatalog): string[] {
  const overrides = catalog.overrides.filter((line) => line.startsWith(`"${persona.id}" from ${persona.source} `));
  return [...persona.warnings, ...overrides];
}

function listJson(catalog: PersonaCatalog): string {
  return JSON.stringify(
    {
      personas: catalog.personas.map((p) => ({
        id: p.id,
        name: p.name,
        description: p.description,
        source: p.source,
        format: p.format,
        mode: p.mode,
        triggers: p.triggers,
        warnings: warningsWithOverrides(p, catalog),
      })),
      errors: catalog.errors.map((e) => ({ source: e.source, message: e.message })),
    },
    null,
    2,
  );
}

function listText(catalog: PersonaCatalog, cwd: string): string {
  const rows = catalog.personas.map((p) => [
    p.id,
    p.name,
    p.mode ?? '-',
    p.format,
    p.sourceKind,
    relativeSource(p.source, cwd),
  ]);
  const header = ['ID', 'NAME', 'MODE', 'FORMAT', 'FROM', 'SOURCE'];
  const widths = header.map((h, i) => Math.min(40, Math.max(h.length, ...rows.map((r) => r[i].length))));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const out = [line(header), ...rows.map(line)];
  const detailed = catalog.personas.filter(
    (p) => p.triggers.length > 0 || warningsWithOverrides(p, catalog).length > 0,
  );
  if (detailed.length > 0) out.push('');
  for (const p of detailed) {
    if (p.triggers.length > 0) out.push(`${p.id}: triggers: ${p.triggers.join(', ')}`);
    for (const warning of warningsWithOverrides(p, catalog)) out.push(`${p.id}: warning: ${warning}`);
  }
  if (catalog.errors.length > 0) {
    out.push('', `${catalog.errors.length} file(s) could not be loaded:`);
    for (const e of catalog.errors) out.push(`  ${relativeSource(e.source, cwd)}: ${e.message}`);
  }
  out.push('', `${catalog.personas.length} persona(s).`);
  return out.join('\n') + '\n';
}

export const personasCommand: CliCommand = async (args: string[], io: CliIo): Promise<number> => {
  const parsed = parse(args);
  if (parsed === 'help') {
    io.stdout.write(HELP + '\n');
    return EXIT.ok;
  }
  const userDirs = await resolvePersonaDirs(parsed.dirs, io.cwd);
  // The CLI has no workspace for personas: only bundled and --dir folders are read.
  const catalog = await loadPersonaCatalog({ bundledDir: bundledSkillsDir(), userDirs, includeWorkspace: false });

  if (parsed.showId === undefined) {
    // Names, descriptions and file names come from persona files (a persona pack, a repository's
    // agents folder): the table shows their control characters as visible escapes; JSON stays exact.
    io.stdout.write(parsed.json ? listJson(catalog) + '\n' : terminalSafe(listText(catalog, io.cwd)));
    return EXIT.ok;
  }

  const persona = findPersona(catalog, parsed.showId);
  if (!persona) {
    throw new UsageError(
      `no persona with id "${parsed.showId}"; known ids: ${catalog.personas.map((p) => p.id).join(', ')}`,
    );
  }
  const rendered = renderPersona(persona, personaRenderContext({ language: parsed.language, workspaceRoot: io.cwd }));
  if (parsed.json) {
    io.stdout.write(
      JSON.stringify(
        { ...rendered, source: persona.source, warnings: [...persona.warnings, ...rendered.warnings] },
        null,
        2,
      ) + '\n',
    );
  } else {
    // Exactly as the model receives it when piped or redirected; on a terminal, control characters
    // and escape sequences in the persona's text are shown as visible escapes instead of run.
    io.stdout.write(io.stdout.isTTY === true ? terminalSafe(rendered.text) : rendered.text);
    for (const warning of [...persona.warnings, ...rendered.warnings])
      io.stderr.write(`warning: ${persona.id}: ${warning}\n`);
  }
  return EXIT.ok;
};
