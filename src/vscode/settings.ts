import * as path from 'node:path';
import { z } from 'zod';
import { MODES, SEVERITIES, type Mode, type Severity } from '../core/findings';
import type { RuleOverride } from '../core/offline/types';
import { keysInSettings, type SettingScope } from './apiKey';

/**
 * Typed access to the `backendReviewer.*` settings. Pure: the VS Code side only supplies raw values
 * through `RawSettingsSource`, so parsing, defaults, trust rules and error messages test in Node.
 */
export const SETTINGS_SECTION = 'backendReviewer';

export const PROVIDERS = ['vscode-lm', 'openai-compatible'] as const;
export type ProviderKind = (typeof PROVIDERS)[number];

export const RULE_LEVELS = ['off', ...SEVERITIES] as const;
export type RuleLevel = (typeof RULE_LEVELS)[number];

/** One schema per setting, so a bad value falls back to its default alone and names itself. */
const settingSchemas = {
  provider: z.enum(PROVIDERS),
  'vscodeLm.vendor': z.string(),
  'vscodeLm.family': z.string(),
  'openai.baseUrl': z.string().refine((value) => /^https?:\/\/[^\s]+$/i.test(value), 'expected an http(s) URL'),
  'openai.model': z.string().min(1, 'expected a model name'),
  mode: z.enum(MODES),
  persona: z.string(),
  personaDirectories: z.array(z.string()),
  minimumSeverity: z.enum(SEVERITIES),
  reviewOnSave: z.boolean(),
  diffContextSlack: z.number().int().min(0).max(200),
  maxConcurrency: z.number().int().min(1).max(16),
  requestTimeoutMs: z.number().int().min(1000).max(3_600_000),
  'offlineChecks.onOpenAndSave': z.boolean(),
  'offlineChecks.rules': z.record(z.string(), z.enum(RULE_LEVELS)),
} as const;

export type SettingKey = keyof typeof settingSchemas;
export const SETTING_KEYS = Object.keys(settingSchemas) as SettingKey[];

export const SETTING_DEFAULTS: { [K in SettingKey]: z.infer<(typeof settingSchemas)[K]> } = {
  provider: 'vscode-lm',
  'vscodeLm.vendor': 'copilot',
  'vscodeLm.family': '',
  'openai.baseUrl': 'http://127.0.0.1:1234/v1',
  'openai.model': 'gpt-4o-mini',
  mode: 'pragmatic',
  persona: '',
  personaDirectories: [],
  minimumSeverity: 'low',
  reviewOnSave: false,
  diffContextSlack: 3,
  maxConcurrency: 2,
  requestTimeoutMs: 120_000,
  'offlineChecks.onOpenAndSave': true,
  'offlineChecks.rules': {},
};

/**
 * Settings that could send code elsewhere or steer the model, `reviewOnSave` (which would make an
 * untrusted workspace send code without being asked), and `minimumSeverity` / `offlineChecks.rules`
 * (which would let it hide findings about its own code). In an untrusted workspace they are read
 * from user settings only; package.json lists them in `restrictedConfigurations`.
 */
export const RESTRICTED_SETTINGS: readonly SettingKey[] = [
  'provider',
  'vscodeLm.vendor',
  'vscodeLm.family',
  'openai.baseUrl',
  'openai.model',
  'persona',
  'personaDirectories',
  'reviewOnSave',
  'minimumSeverity',
  'offlineChecks.rules',
];

/** A key someone may have put in settings by hand; it is offered to move into SecretStorage. */
export const LEGACY_API_KEY_SETTING = 'openai.apiKey';

export interface ReviewerConfig {
  provider: ProviderKind;
  vscodeLm: { vendor: string; family: string };
  openai: { baseUrl: string; model: string };
  mode: Mode;
  /** Persona id that overrides the mode's persona; undefined when not set. */
  persona?: string;
  personaDirectories: string[];
  minimumSeverity: Severity;
  reviewOnSave: boolean;
  diffContextSlack: number;
  maxConcurrency: number;
  requestTimeoutMs: number;
  offlineChecks: { onOpenAndSave: boolean; rules: Record<string, RuleLevel> };
}

/** Raw values as VS Code resolves them; `undefined` means "not set". */
export interface RawSettingsSource {
  /** Effective value (workspace folder over workspace over user), undefined when only the default applies. */
  get(key: string): unknown;
  /** Value from user settings only (`inspect().globalValue`). */
  getUserValue(key: string): unknown;
}

export interface SettingsProblem {
  setting: string;
  message: string;
}

export interface ReadConfigResult {
  config: ReviewerConfig;
  /** One entry per setting that was invalid (and fell back to its default) or ignored for trust. */
  problems: SettingsProblem[];
  /** Restricted settings set in the workspace but ignored because the workspace is not trusted. */
  ignoredForTrust: string[];
}

function describeValue(value: unknown): string {
  const json = JSON.stringify(value);
  return json === undefined ? String(value) : json.length > 60 ? `${json.slice(0, 57)}...` : json;
}

export function readConfig(source: RawSettingsSource, options: { trusted: boolean }): ReadConfigResult {
  const problems: SettingsProblem[] = [];
  const ignoredForTrust: string[] = [];
  const values: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) {
    const restricted = !options.trusted && RESTRICTED_SETTINGS.includes(key);
    let raw = restricted ? source.getUserValue(key) : source.get(key);
    if (restricted) {
      const effective = source.get(key);
      if (effective !== undefined && describeValue(effective) !== describeValue(raw))
        ignoredForTrust.push(`${SETTINGS_SECTION}.${key}`);
    }
    if (raw === undefined || raw === null) raw = SETTING_DEFAULTS[key];
    const parsed = settingSchemas[key].safeParse(raw);
    if (parsed.success) {
      values[key] = parsed.data;
    } else {
      const reason = parsed.error.issues.map((issue) => issue.message).join('; ');
      problems.push({
        setting: `${SETTINGS_SECTION}.${key}`,
        message: `${SETTINGS_SECTION}.${key}: ${reason} (got ${describeValue(raw)}); using the default ${describeValue(SETTING_DEFAULTS[key])}.`,
      });
      values[key] = SETTING_DEFAULTS[key];
    }
  }
  const v = values as { [K in SettingKey]: (typeof SETTING_DEFAULTS)[K] };
  const persona = v.persona.trim();
  return {
    config: {
      provider: v.provider,
      vscodeLm: { vendor: v['vscodeLm.vendor'].trim(), family: v['vscodeLm.family'].trim() },
      openai: { baseUrl: v['openai.baseUrl'].replace(/\/+$/, ''), model: v['openai.model'] },
      mode: v.mode,
      persona: persona === '' ? undefined : persona,
      personaDirectories: v.personaDirectories.map((dir) => dir.trim()).filter((dir) => dir !== ''),
      minimumSeverity: v.minimumSeverity,
      reviewOnSave: v.reviewOnSave,
      diffContextSlack: v.diffContextSlack,
      maxConcurrency: v.maxConcurrency,
      requestTimeoutMs: v.requestTimeoutMs,
      offlineChecks: { onOpenAndSave: v['offlineChecks.onOpenAndSave'], rules: v['offlineChecks.rules'] },
    },
    problems,
    ignoredForTrust,
  };
}

/** Settings fake for tests: `workspace` values win over `user` values, like VS Code. */
export class InMemorySettings implements RawSettingsSource {
  constructor(
    readonly user: Record<string, unknown> = {},
    readonly workspace: Record<string, unknown> = {},
  ) {}
  get(key: string): unknown {
    return key in this.workspace ? this.workspace[key] : this.user[key];
  }
  getUserValue(key: string): unknown {
    return this.user[key];
  }
}

/** The `offlineChecks.rules` setting ("off" or a severity per rule id) as the offline checks take it. */
export function offlineRuleOverrides(rules: Record<string, RuleLevel>): Record<string, RuleOverride> {
  const overrides: Record<string, RuleOverride> = {};
  for (const [id, level] of Object.entries(rules))
    overrides[id] = level === 'off' ? { enabled: false } : { severity: level };
  return overrides;
}

export interface ResolvedPersonaDirectories {
  dirs: string[];
  /** Why an entry was left out, one line each (for the log). */
  ignored: string[];
}

/**
 * The `personaDirectories` entries as absolute paths: `~` is the home folder, relative entries are
 * under the workspace folder. In an untrusted workspace a relative entry is left out: it would load
 * personas from the workspace's own files, which is what trust is meant to prevent.
 */
export function resolvePersonaDirectories(
  entries: readonly string[],
  options: { workspaceRoot?: string; home: string; trusted: boolean },
): ResolvedPersonaDirectories {
  const resolved: ResolvedPersonaDirectories = { dirs: [], ignored: [] };
  for (const entry of entries) {
    const expanded =
      entry === '~' || entry.startsWith('~/') || entry.startsWith('~\\')
        ? path.join(options.home, entry.slice(1))
        : entry;
    if (path.isAbsolute(expanded) || !options.workspaceRoot) {
      resolved.dirs.push(expanded);
    } else if (!options.trusted) {
      resolved.ignored.push(
        `${SETTINGS_SECTION}.personaDirectories: "${entry}" is relative to the workspace folder, which is not trusted: not loaded. Use an absolute or ~ path to load it here.`,
      );
    } else {
      resolved.dirs.push(path.join(options.workspaceRoot, expanded));
    }
  }
  return resolved;
}

/** What "Move to Secret Storage" would do with an API key found in settings. */
export interface KeyMove {
  value: string;
  /** Scopes the key is removed from after the move. */
  scopes: SettingScope[];
  /** A different key is already in secret storage: the user confirms before it is replaced. */
  replacesStoredKey: boolean;
  /** Workspace scopes holding a key that is neither moved nor removed: the workspace is not trusted. */
  ignoredScopes: SettingScope[];
}

/**
 * Decides the move of `openai.apiKey` from settings into secret storage. In an untrusted workspace
 * only the user's own value counts: a key planted in the workspace's settings must not replace the
 * user's stored key.
 */
export function planKeyMove(
  inspected: { globalValue?: unknown; workspaceValue?: unknown; workspaceFolderValue?: unknown } | undefined,
  options: { trusted: boolean; storedKey: string | undefined },
): KeyMove | undefined {
  const all = keysInSettings(inspected);
  const ignoredScopes = options.trusted ? [] : (all?.scopes ?? []).filter((scope) => scope !== 'user');
  const found = options.trusted ? all : keysInSettings({ globalValue: inspected?.globalValue });
  if (!found)
    return ignoredScopes.length > 0 ? { value: '', scopes: [], replacesStoredKey: false, ignoredScopes } : undefined;
  const stored = options.storedKey?.trim();
  return {
    value: found.value,
    scopes: found.scopes,
    replacesStoredKey: stored !== undefined && stored !== '' && stored !== found.value,
    ignoredScopes,
  };
}

/** A settings write: `value` undefined removes the setting from that scope. */
export interface PersonaWrite {
  scope: 'user' | 'workspace';
  value: string | undefined;
}

/**
 * How "Select Persona…" writes `backendReviewer.persona` (settings are read without a resource, so
 * user and workspace values are the ones that count). A persona goes to the workspace when it is
 * trusted and has a folder, else to user settings (the setting is restricted: an untrusted
 * workspace's value is not read). "Mode default" removes the value from every scope that has one,
 * except the workspace of an untrusted folder, which is not written: `warning` says it is still there
 * and will apply once the folder is trusted.
 */
export function planPersonaUpdate(
  inspected: { globalValue?: unknown; workspaceValue?: unknown } | undefined,
  chosen: string,
  workspace: { trusted: boolean; hasFolder: boolean },
): { writes: PersonaWrite[]; warning?: string } {
  const writableWorkspace = workspace.trusted && workspace.hasFolder;
  if (chosen !== '') return { writes: [{ scope: writableWorkspace ? 'workspace' : 'user', value: chosen }] };
  const writes: PersonaWrite[] = [];
  if (inspected?.globalValue !== undefined) writes.push({ scope: 'user', value: undefined });
  if (inspected?.workspaceValue !== undefined) {
    if (writableWorkspace) {
      writes.push({ scope: 'workspace', value: undefined });
    } else {
      return {
        writes,
        warning: `${SETTINGS_SECTION}.persona is still set to ${JSON.stringify(inspected.workspaceValue)} in this workspace's settings. It is ignored while the workspace is not trusted and applies once you trust it; remove it from .vscode/settings.json to follow the mode there too.`,
      };
    }
  }
  return { writes };
}
