import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { z } from 'zod';
import { errorMessage } from '../errorMessage';
import { SEVERITIES } from '../findings';
import { OFFLINE_RULES } from '../offline/rules/meta';
import type { OfflineConfig, RuleOverride } from '../offline/types';
import { PackageManifests } from '../packageKinds';
import { ProjectFacts } from '../projectFacts';
import { listIfPresent, readIfPresent } from '../projectFiles';
import { describeFsError } from '../personas/readText';
import type { UnitFacts } from '../review/types';
import {
  classifyFile,
  holdsVersionedMigrations,
  type ProjectContext,
  compileRolePatterns,
  FILE_ROLES,
  globMatcher,
  normalisePath,
  ROLE_DESCRIPTIONS,
  type FileRole,
  type FileRoleResult,
  type RoleMatcher,
} from '../roles';

/**
 * `.backend-review.json` at the project root: what the CLI and the editor both read about a
 * project (which files, which rules, how roles are told apart). Each top-level field has its own
 * schema, so a bad field is reported by name and dropped while the others apply (the editor keeps
 * working; the CLI stops with a usage error, exit 2). Add a field by adding an entry to
 * PROJECT_CONFIG_FIELDS with a description: the JSON Schema shipped for the editor is generated
 * from it (schemas/backend-review.schema.json, kept in sync by a unit test).
 */
export const PROJECT_CONFIG_FILE = '.backend-review.json';

export const RULE_IDS = OFFLINE_RULES.map((rule) => rule.id) as [string, ...string[]];
export const PROJECT_RULE_LEVELS = ['off', 'on', ...SEVERITIES] as const;
export type ProjectRuleLevel = (typeof PROJECT_RULE_LEVELS)[number];

const ruleLevel = z
  .enum(PROJECT_RULE_LEVELS)
  .describe('"off", "on" (its default severity) or a severity: critical, high, medium, low, info.');
const rules = z
  .partialRecord(z.enum(RULE_IDS), ruleLevel)
  .describe('Per offline rule (`backend-review rules` lists the ids): "off", "on" or a severity.');
const globs = z.array(z.string().min(1, 'expected a non-empty glob'));
const roleName = z.enum(FILE_ROLES);

/** One schema per top-level field. */
export const PROJECT_CONFIG_FIELDS = {
  $schema: z.string().describe('The JSON Schema of this file, for editors.'),
  include: globs.describe(
    'Review only files matching one of these globs (relative to this file; a name without "/" matches at any depth; a folder matches everything under it).',
  ),
  exclude: globs.describe(
    'Never review files matching one of these globs (same syntax as include). Applied after include.',
  ),
  includeTests: z
    .boolean()
    .describe(
      'Report production-risk rules in test and fixture code too (default false: they report in production, script, migration and browser code as each rule declares).',
    ),
  rules: rules,
  roles: z
    .partialRecord(
      roleName,
      z
        .object({ rules: rules.optional() })
        .strict()
        .describe(
          'Settings for files of this role: "on" or a severity makes a rule report where it does not by default.',
        ),
    )
    .describe('Per file role: production, test, fixture, script, migration, generated, vendored, browser.'),
  rolePatterns: z
    .partialRecord(roleName, globs)
    .describe(
      'Globs that give files a role, ahead of the built-in conventions (test/, *.spec.ts, *_test.go, migrations/, …). Map a path to "production" to overrule a convention.',
    ),
} as const;

type Fields = typeof PROJECT_CONFIG_FIELDS;
export type ProjectConfig = { [K in keyof Fields]?: z.infer<Fields[K]> };

/** The whole file's schema (every field optional, no unknown fields): the source of the JSON Schema. */
export const projectConfigSchema = z
  .object(
    Object.fromEntries(Object.entries(PROJECT_CONFIG_FIELDS).map(([key, schema]) => [key, schema.optional()])) as {
      [K in keyof Fields]: z.ZodOptional<Fields[K]>;
    },
  )
  .strict()
  .describe('Backend Principal Reviewer project configuration (.backend-review.json).');

/** What each key of a rules or roles object means, shown by the editor's completion. */
const KEY_DESCRIPTIONS: Record<string, string> = {
  ...Object.fromEntries(OFFLINE_RULES.map((rule) => [rule.id, `${rule.title}. ${rule.shortDescription}`])),
  ...ROLE_DESCRIPTIONS,
};

/**
 * Records keyed by a fixed set of names become plain `properties` (with `additionalProperties:
 * false`): editors complete and describe property names from `properties`, not from `propertyNames`.
 */
function withNamedProperties(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withNamedProperties);
  if (typeof node !== 'object' || node === null) return node;
  const schema = Object.fromEntries(Object.entries(node).map(([key, value]) => [key, withNamedProperties(value)]));
  const names = (schema.propertyNames as { enum?: string[] } | undefined)?.enum;
  if (names && typeof schema.additionalProperties === 'object') {
    const value = schema.additionalProperties as Record<string, unknown>;
    delete schema.propertyNames;
    schema.properties = Object.fromEntries(
      names.map((name) => [name, KEY_DESCRIPTIONS[name] ? { ...value, description: KEY_DESCRIPTIONS[name] } : value]),
    );
    schema.additionalProperties = false;
  }
  return schema;
}

/** The JSON Schema contributed to VS Code for `.backend-review.json`. */
export function projectConfigJsonSchema(): Record<string, unknown> {
  return {
    ...(withNamedProperties(z.toJSONSchema(projectConfigSchema, { target: 'draft-7' })) as Record<string, unknown>),
    title: 'Backend Principal Reviewer project configuration',
  };
}

export interface ProjectConfigResult {
  config: ProjectConfig;
  /** One message per bad field, each naming the file and the field. */
  errors: string[];
}

function issueText(field: string, issue: z.core.$ZodIssue): string {
  const where = [field, ...issue.path.map(String)].join('.');
  if (issue.code !== 'unrecognized_keys') return `${where}: ${issue.message}`;
  const known = where.endsWith('rules') ? RULE_IDS : where === 'roles' || where === 'rolePatterns' ? FILE_ROLES : [];
  const names = issue.keys.map((key) => `"${key}"`).join(', ');
  return `${where}: unknown ${issue.keys.length === 1 ? 'name' : 'names'} ${names}${known.length > 0 ? ` (known: ${known.join(', ')})` : ''}`;
}

/** Where in the text a JSON.parse error points, as line:column (Node gives an offset). */
function parseErrorPosition(text: string, message: string): string {
  const offset = /position (\d+)/.exec(message);
  if (!offset) return '';
  const before = text.slice(0, Number(offset[1]));
  const line = before.split('\n').length;
  return ` (line ${line}, column ${before.length - before.lastIndexOf('\n')})`;
}

/** Parses the file's text. `file` names it in every message. */
export function parseProjectConfig(text: string, file: string): ProjectConfigResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    const message = errorMessage(error);
    return { config: {}, errors: [`${file}: not valid JSON${parseErrorPosition(text, message)}: ${message}`] };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return { config: {}, errors: [`${file}: expected a JSON object at the top level`] };
  const config: Record<string, unknown> = {};
  const errors: string[] = [];
  const known = Object.keys(PROJECT_CONFIG_FIELDS);
  for (const [field, value] of Object.entries(raw)) {
    const schema = PROJECT_CONFIG_FIELDS[field as keyof Fields] as z.ZodType | undefined;
    if (!schema) {
      errors.push(`${file}: unknown field "${field}" (known: ${known.filter((key) => key !== '$schema').join(', ')})`);
      continue;
    }
    const parsed = schema.safeParse(value);
    if (parsed.success) config[field] = parsed.data;
    else
      for (const issue of parsed.error.issues)
        errors.push(`${file}: ${issueText(field, issue)}; the field "${field}" is not used`);
  }
  return { config: config as ProjectConfig, errors };
}

/** Reads `file`; a file that is not there gives undefined, any other failure an error naming it. */
export async function readProjectConfig(file: string, shownAs = file): Promise<ProjectConfigResult | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return {
      config: {},
      errors: [`${shownAs}: cannot be read (${(error as NodeJS.ErrnoException).code ?? errorMessage(error)})`],
    };
  }
  return parseProjectConfig(text, shownAs);
}

function overridesFrom(levels: Partial<Record<string, ProjectRuleLevel>> | undefined): Record<string, RuleOverride> {
  const out: Record<string, RuleOverride> = {};
  for (const [id, level] of Object.entries(levels ?? {})) {
    if (level === undefined) continue;
    out[id] = level === 'off' ? { enabled: false } : level === 'on' ? { enabled: true } : { severity: level };
  }
  return out;
}

/**
 * A project's configuration applied: which files are reviewed, their roles, and the offline
 * layers it adds. Paths given to it are relative to `root` (the folder holding the file), `/`-separated.
 */
export interface ProjectScope {
  /** The folder paths are relative to: the configuration file's folder, or the project root without one. */
  root: string;
  /** Why a path is left out of reviews (`exclude "legacy/**"`), or undefined when it is reviewed. */
  excludedBy(relativePath: string): string | undefined;
  role(relativePath: string, text: string): FileRoleResult;
  /** Whether the project's own `rolePatterns` give the file its role (nothing built in may change it then). */
  patternedRole(relativePath: string): boolean;
  /**
   * What the files beside this one say about it (ReviewUnit.facts); undefined without a root. `text` is
   * the file as it is being checked (an editor's unsaved buffer); without it the file on disk is read.
   */
  facts(relativePath: string, text?: string): UnitFacts | undefined;
  /**
   * Forgets what was read from the folder of a file that was created, changed or deleted (facts,
   * migration and package folders), so an editor's long-lived scope answers from the files as they are.
   */
  forget(relativePath: string): void;
  /** The project file's layers of the offline configuration. */
  offline: Pick<OfflineConfig, 'projectRules' | 'roleRules' | 'includeTests'>;
  /**
   * The files `role` and `facts` wanted to read (a package.json, a NestJS module) that are there but
   * could not be read, by absolute path, with why. Their files were given what the defaults say
   * instead; front ends report them, so a decision made without them is never silent.
   */
  unreadable(): ReadonlyMap<string, string>;
}

/** What a file that could not be read left undecided, after why (describeFsError). */
export const UNREADABLE_NEIGHBOUR_EFFECT =
  'the file roles and settings it gives the files beside and below it were decided without it';

/**
 * `stamp` (the editor's: folderStamp) makes the scope read a folder's facts again when its stamp
 * changed, for a scope that lives while files change (ProjectFacts). `reviewed` (the CLI's): the
 * project-relative folders and files the review was asked for (see ProjectContext.reviewed).
 */
export function projectScope(
  config: ProjectConfig,
  root: string,
  stamp?: (absoluteDir: string, read: (name: string) => boolean) => string | undefined,
  reviewed?: readonly string[],
): ProjectScope {
  const include = config.include?.map((glob) => ({ glob, test: globMatcher(glob) }));
  const exclude = config.exclude?.map((glob) => ({ glob, test: globMatcher(glob) }));
  const patterns: RoleMatcher | undefined = compileRolePatterns(config.rolePatterns);
  const unreadable = new Map<string, string>();
  const noting =
    <T>(readOrList: (absolute: string) => T, fallback: T) =>
    (absolute: string): T => {
      try {
        return readOrList(absolute);
      } catch (error) {
        unreadable.set(absolute, `${describeFsError(error)}: ${UNREADABLE_NEIGHBOUR_EFFECT}`);
        return fallback;
      }
    };
  const read = noting<string | undefined>(readIfPresent, undefined);
  const list = noting<string[]>(listIfPresent, []);
  // Without a root (an editor file outside any folder) paths are not the project's: no package.json is read.
  const manifests = root === '' ? undefined : new PackageManifests(root, read, list);
  const facts = root === '' ? undefined : new ProjectFacts(root, list, read, stamp);
  const migrationFolders = new Map<string, boolean>();
  const packageFolders = new Map<string, boolean>();
  const project: ProjectContext | undefined = manifests && {
    get names() {
      return manifests.projectNames();
    },
    deployedBy: (relativePath) => manifests.deployedBy(relativePath),
    holdsVersionedMigrations(dir) {
      let found = migrationFolders.get(dir);
      if (found === undefined) {
        found = holdsVersionedMigrations((folder) => list(path.join(root, ...folder.split('/'))), dir);
        migrationFolders.set(dir, found);
      }
      return found;
    },
    reviewed,
    isPythonPackage(dir) {
      let found = packageFolders.get(dir);
      if (found === undefined) {
        found = list(path.join(root, ...dir.split('/'))).includes('__init__.py');
        packageFolders.set(dir, found);
      }
      return found;
    },
  };
  const roleRules: Partial<Record<FileRole, Record<string, RuleOverride>>> = {};
  for (const role of FILE_ROLES) {
    const levels = config.roles?.[role]?.rules;
    if (levels) roleRules[role] = overridesFrom(levels);
  }
  return {
    root,
    excludedBy(relativePath) {
      const normal = normalisePath(relativePath);
      if (include && include.length > 0 && !include.some((entry) => entry.test(normal)))
        return `not matched by include (${include.map((entry) => `"${entry.glob}"`).join(', ')})`;
      const hit = exclude?.find((entry) => entry.test(normal));
      return hit ? `exclude "${hit.glob}"` : undefined;
    },
    role(relativePath, text) {
      const normal = normalisePath(relativePath);
      return classifyFile(normal, text, patterns, manifests?.of(normal), project);
    },
    patternedRole(relativePath) {
      return patterns?.match(normalisePath(relativePath)) !== undefined;
    },
    facts(relativePath, text) {
      return facts?.of(normalisePath(relativePath), text);
    },
    forget(relativePath) {
      const normal = normalisePath(relativePath);
      facts?.forget(normal);
      // Keyed by folder, cheap to list again: a new `__init__.py` or migration file changes the answer.
      migrationFolders.clear();
      packageFolders.clear();
    },
    offline: {
      projectRules: config.rules ? overridesFrom(config.rules) : undefined,
      roleRules: Object.keys(roleRules).length > 0 ? roleRules : undefined,
      includeTests: config.includeTests,
    },
    unreadable: () => unreadable,
  };
}

/**
 * The path of `absolute` relative to `root` as the conventions and globs read it, or undefined
 * when it is outside the root (no project glob applies there).
 */
export function projectRelative(root: string, absolute: string): string | undefined {
  const relative = path.relative(root, absolute);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  return relative.split(path.sep).join('/');
}

/**
 * The `.backend-review.json` that applies to a folder: the nearest one at or above it, looking no
 * higher than `stopAt` (the repository root; without one only `start` itself is looked at), as
 * ESLint and Prettier find theirs. Undefined when there is none.
 */
export function locateProjectConfig(start: string, stopAt: string | undefined): string | undefined {
  let dir = path.resolve(start);
  const top = stopAt ? path.resolve(stopAt) : dir;
  for (;;) {
    const candidate = path.join(dir, PROJECT_CONFIG_FILE);
    if (existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (dir === top || parent === dir || projectRelative(top, dir) === undefined) return undefined;
    dir = parent;
  }
}
