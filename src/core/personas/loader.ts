import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { silentLogger, type Logger } from '../log';
import { parsePersonaText, slugify } from './parse';
import { describeFsError, readTextFile } from './readText';
import type { Persona, PersonaCatalog, PersonaLoadError, PersonaSourceKind } from './types';
import { errorMessage } from '../errorMessage';

/** Extensions of persona files read directly from a persona folder. */
const PERSONA_FILE = /\.(md|mdc|txt)$/i;
/** Each `references/*.md` is cut at this size, and a skill's references together at the total. */
export const MAX_REFERENCE_BYTES = 32 * 1024;
export const MAX_REFERENCES_TOTAL_BYTES = 96 * 1024;
/** How deep a persona folder is searched for SKILL.md folders. */
const MAX_SKILL_DEPTH = 4;
const SKIPPED_DIRS = new Set(['node_modules', '.git']);

export interface LoadPersonaCatalogOptions {
  /** The bundled `skills/` folder (see bundledSkillsDir). */
  bundledDir: string;
  /** Folders from the user setting / the CLI's --dir, in order; later ones override earlier ones. */
  userDirs?: string[];
  workspaceRoot?: string;
  /** Default true; false in an untrusted workspace (its files are then not read at all). */
  includeWorkspace?: boolean;
  logger?: Logger;
}

/** One place personas are read from; places later in the list override earlier ones by id. */
interface Location {
  kind: PersonaSourceKind;
  dir: string;
  /** `folder`: persona files directly in dir + SKILL.md folders under it. `files`: dir/*<suffix>. `skills`: dir/<name>/SKILL.md. */
  layout: { type: 'folder' } | { type: 'files'; suffix: string } | { type: 'skills' };
  /** A missing folder is an error only where the user named it explicitly. */
  required: boolean;
}

/** The workspace folders personas are read from, in override order. */
const WORKSPACE_PERSONA_FOLDERS: ReadonlyArray<{ relative: string; layout: Location['layout'] }> = [
  { relative: '.vscode/personas', layout: { type: 'folder' } },
  { relative: '.github/agents', layout: { type: 'files', suffix: '.agent.md' } },
  { relative: '.github/chatmodes', layout: { type: 'files', suffix: '.chatmode.md' } },
  { relative: '.claude/agents', layout: { type: 'files', suffix: '.md' } },
  { relative: '.github/skills', layout: { type: 'skills' } },
  { relative: '.claude/skills', layout: { type: 'skills' } },
];

/** The workspace-relative folders personas are read from. */
export function workspacePersonaFolders(): string[] {
  return WORKSPACE_PERSONA_FOLDERS.map((folder) => folder.relative);
}

function workspaceLocations(root: string): Location[] {
  return WORKSPACE_PERSONA_FOLDERS.map(({ relative, layout }) => ({
    kind: 'workspace',
    dir: path.join(root, relative),
    layout,
    required: false,
  }));
}

/** A directory entry, with symlinks followed for isDir. */
interface Entry {
  name: string;
  full: string;
  isDir: boolean;
}

interface Collected {
  personas: Persona[];
  errors: PersonaLoadError[];
}

function fitToBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  // Cut on a character boundary: decode the byte prefix and drop a trailing partial character.
  return Buffer.from(text, 'utf8')
    .subarray(0, maxBytes)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
}

async function loadReferences(skillDir: string, warnings: string[]): Promise<Persona['references']> {
  const referencesDir = path.join(skillDir, 'references');
  let names: string[];
  try {
    const entries = await fs.readdir(referencesDir, { withFileTypes: true });
    names = entries.filter((e) => !e.isDirectory() && /\.md$/i.test(e.name)).map((e) => e.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    warnings.push(`references/ ${describeFsError(error)}; no references loaded`);
    return [];
  }
  // The default sort compares UTF-16 code units, not the locale: the same files give the same prompt on every machine.
  names.sort();
  const references: Persona['references'] = [];
  let total = 0;
  for (const name of names) {
    const relative = `references/${name}`;
    const result = await readTextFile(path.join(referencesDir, name));
    if (!result.ok) {
      warnings.push(`${relative}: ${result.message}; skipped`);
      continue;
    }
    warnings.push(...result.warnings.map((w) => `${relative}: ${w}`));
    const remaining = MAX_REFERENCES_TOTAL_BYTES - total;
    if (remaining <= 0) {
      warnings.push(
        `${relative}: skipped, the references already reach the ${MAX_REFERENCES_TOTAL_BYTES / 1024} KiB total limit`,
      );
      continue;
    }
    const cap = Math.min(MAX_REFERENCE_BYTES, remaining);
    let text = result.text;
    if (Buffer.byteLength(text, 'utf8') > cap) {
      text = fitToBytes(text, cap);
      warnings.push(
        `${relative}: cut to ${Math.floor(cap / 1024)} KiB (references are capped at ${MAX_REFERENCE_BYTES / 1024} KiB each, ${MAX_REFERENCES_TOTAL_BYTES / 1024} KiB in total)`,
      );
    }
    total += Buffer.byteLength(text, 'utf8');
    references.push({ path: relative, text });
  }
  return references;
}

/** Reads one persona file (a SKILL.md also brings its references). */
export async function loadPersonaFile(filePath: string, kind: PersonaSourceKind): Promise<Persona | PersonaLoadError> {
  const source = path.resolve(filePath);
  const read = await readTextFile(source);
  if (!read.ok) return { source, message: read.message };
  let parsed;
  try {
    parsed = parsePersonaText(read.text, source);
  } catch (error) {
    return { source, message: errorMessage(error) };
  }
  const warnings = [...read.warnings, ...parsed.warnings];
  const references = path.basename(source) === 'SKILL.md' ? await loadReferences(path.dirname(source), warnings) : [];
  return {
    id: slugify(parsed.name),
    name: parsed.name,
    description: parsed.description,
    source,
    sourceKind: kind,
    format: parsed.format,
    mode: parsed.mode,
    triggers: parsed.triggers,
    body: parsed.body,
    bodyLine: parsed.bodyLine,
    templated: parsed.templated,
    references,
    metadata: parsed.metadata,
    warnings,
  };
}

const isLoadError = (value: Persona | PersonaLoadError): value is PersonaLoadError => !('id' in value);

/** Lists a directory, following symlinks for the entry types; undefined (with an error recorded) when it cannot be read. */
async function listDir(dir: string, errors: PersonaLoadError[]): Promise<Entry[] | undefined> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (error) {
    errors.push({ source: dir, message: `folder ${describeFsError(error)}` });
    return undefined;
  }
  names.sort();
  const entries: Entry[] = [];
  for (const name of names) {
    const full = path.join(dir, name);
    try {
      entries.push({ name, full, isDir: (await fs.stat(full)).isDirectory() });
    } catch (error) {
      // A broken or looping symlink is reported only when it looks like a persona file/folder.
      if (PERSONA_FILE.test(name) || !name.includes('.'))
        errors.push({ source: full, message: describeFsError(error) });
    }
  }
  return entries;
}

/** SKILL.md files in folders under `dir` (not dir itself), depth-limited, symlink loops reported. */
async function findSkillFiles(
  dir: string,
  errors: PersonaLoadError[],
  ancestors: string[],
  depth: number,
  // The caller may pass the listing it already made, so a broken entry is reported once, not twice.
  listed?: Entry[],
): Promise<string[]> {
  if (depth > MAX_SKILL_DEPTH) return [];
  const entries = listed ?? (await listDir(dir, errors));
  if (!entries) return [];
  const found: string[] = [];
  for (const entry of entries) {
    if (!entry.isDir || SKIPPED_DIRS.has(entry.name)) continue;
    let real: string;
    try {
      real = await fs.realpath(entry.full);
    } catch (error) {
      errors.push({ source: entry.full, message: describeFsError(error) });
      continue;
    }
    if (ancestors.includes(real)) {
      errors.push({ source: entry.full, message: `symlink loop: the folder points back to ${real}; not followed` });
      continue;
    }
    const skill = path.join(entry.full, 'SKILL.md');
    if (await isFile(skill)) found.push(skill);
    else found.push(...(await findSkillFiles(entry.full, errors, [...ancestors, real], depth + 1)));
  }
  return found;
}

async function isFile(filePath: string): Promise<boolean> {
  try {
    return (await fs.stat(filePath)).isFile();
  } catch {
    // Absent (the usual case for a folder without SKILL.md), broken or looping: not a skill folder.
    return false;
  }
}

async function personaPathsIn(location: Location, errors: PersonaLoadError[]): Promise<string[]> {
  const { dir, layout } = location;
  let stat;
  try {
    stat = await fs.stat(dir);
  } catch (error) {
    if (location.required || (error as NodeJS.ErrnoException).code !== 'ENOENT') {
      errors.push({ source: dir, message: `persona folder ${describeFsError(error)}` });
    }
    return [];
  }
  if (!stat.isDirectory()) {
    errors.push({ source: dir, message: 'persona folder is a file, expected a directory' });
    return [];
  }
  const entries = await listDir(dir, errors);
  if (!entries) return [];
  if (layout.type === 'files') {
    return entries.filter((e) => !e.isDir && e.name.toLowerCase().endsWith(layout.suffix)).map((e) => e.full);
  }
  if (layout.type === 'skills') {
    const skills: string[] = [];
    for (const entry of entries.filter((e) => e.isDir)) {
      const skill = path.join(entry.full, 'SKILL.md');
      if (await isFile(skill)) skills.push(skill);
    }
    return skills;
  }
  const files = entries.filter((e) => !e.isDir && PERSONA_FILE.test(e.name)).map((e) => e.full);
  return [...files, ...(await findSkillFiles(dir, errors, [await fs.realpath(dir)], 1, entries))];
}

/** Loads one location; ids stay unique within it (a repeat gets a numeric suffix and a warning). */
async function loadLocation(location: Location): Promise<Collected> {
  const errors: PersonaLoadError[] = [];
  const paths = await personaPathsIn(location, errors);
  const results = await Promise.all(paths.map((p) => loadPersonaFile(p, location.kind)));
  const personas: Persona[] = [];
  const taken = new Map<string, string>();
  for (const result of results) {
    if (isLoadError(result)) {
      errors.push(result);
      continue;
    }
    const wanted = result.id;
    let id = wanted;
    for (let n = 2; taken.has(id); n += 1) id = `${wanted}-${n}`;
    if (id !== wanted) {
      result.warnings.push(
        `id "${wanted}" is already used by ${taken.get(wanted)} in the same folder; this persona is "${id}"`,
      );
      result.id = id;
    }
    taken.set(id, result.source);
    personas.push(result);
  }
  return { personas, errors };
}

/** The id a workspace persona gets when its own id is a bundled or user persona's (`workspace:pragmatic`). */
export const WORKSPACE_ID_PREFIX = 'workspace:';

/**
 * Loads personas from bundled → user folders → workspace locations. A later persona with the same id
 * replaces the earlier one (in its place in the list) and the override is reported, not an error,
 * except that a workspace persona never replaces a bundled or user one: the repository's files are
 * the repository's, and a pull request must not swap the reviewer by adding `pragmatic.agent.md`.
 * Such a persona keeps its file and gets its own id, `workspace:<id>`, and the user is told.
 */
export async function loadPersonaCatalog(options: LoadPersonaCatalogOptions): Promise<PersonaCatalog> {
  const logger = options.logger ?? silentLogger;
  const locations: Location[] = [
    { kind: 'bundled', dir: path.resolve(options.bundledDir), layout: { type: 'folder' }, required: true },
    ...(options.userDirs ?? []).map((dir): Location => ({
      kind: 'user',
      dir: path.resolve(dir),
      layout: { type: 'folder' },
      required: true,
    })),
  ];
  if (options.workspaceRoot && options.includeWorkspace !== false)
    locations.push(...workspaceLocations(path.resolve(options.workspaceRoot)));

  const loaded = await Promise.all(locations.map(loadLocation));
  const byId = new Map<string, Persona>();
  const errors: PersonaLoadError[] = [];
  const overrides: string[] = [];
  for (const { personas, errors: locationErrors } of loaded) {
    errors.push(...locationErrors);
    for (const persona of personas) {
      const trustedOwner = byId.get(persona.id);
      if (persona.sourceKind === 'workspace' && trustedOwner && trustedOwner.sourceKind !== 'workspace') {
        const own = `${WORKSPACE_ID_PREFIX}${persona.id}`;
        const line = `"${persona.id}" from ${persona.source} (workspace) does not replace the ${trustedOwner.sourceKind} persona of that id; it is "${own}" (choose it by that id)`;
        overrides.push(line);
        logger.info(`personas: ${line}`);
        persona.id = own;
      }
      const previous = byId.get(persona.id);
      if (previous) {
        const line = `"${persona.id}" from ${persona.source} (${persona.sourceKind}) overrides the one from ${previous.source} (${previous.sourceKind})`;
        overrides.push(line);
        logger.info(`personas: ${line}`);
      }
      byId.set(persona.id, persona);
    }
  }
  for (const error of errors) logger.warn(`personas: ${error.source}: ${error.message}`);
  for (const persona of byId.values())
    for (const warning of persona.warnings) logger.warn(`personas: ${persona.source}: ${warning}`);
  return { personas: [...byId.values()], errors, overrides };
}

export function findPersona(catalog: PersonaCatalog, id: string): Persona | undefined {
  const wanted = id.trim().toLowerCase();
  return catalog.personas.find((p) => p.id === wanted) ?? catalog.personas.find((p) => p.id === slugify(id));
}
