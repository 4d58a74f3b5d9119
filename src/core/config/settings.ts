import { z } from 'zod';
import { MODES, SEVERITIES, type Mode, type Severity } from '../findings';
import type { OfflineConfig, RuleOverride } from '../offline/types';

/**
 * The reviewer's settings: one zod schema and one default per setting, the trust rules, and the
 * reader that turns raw values into a typed `ReviewerConfig`. Pure: the extension supplies its
 * `backendReviewer.*` values through `RawSettingsSource`; the project's configuration file
 * (`.backend-review.json`, projectConfig.ts) validates the same fields with `SETTING_SCHEMAS`.
 */
export const SETTINGS_SECTION = 'backendReviewer';

export const PROVIDERS = ['vscode-lm', 'openai-compatible'] as const;
export type ProviderKind = (typeof PROVIDERS)[number];

export const RULE_LEVELS = ['off', ...SEVERITIES] as const;
export type RuleLevel = (typeof RULE_LEVELS)[number];

/** One schema per setting, so a bad value falls back to its default alone and names itself. */
export const SETTING_SCHEMAS = {
  provider: z.enum(PROVIDERS),
  'vscodeLm.vendor': z.string(),
  'vscodeLm.family': z.string(),
  'openai.baseUrl': z.string().refine((value) => /^https?:\/\/[^\s]+$/i.test(value), 'expected an http(s) URL'),
  'openai.model': z.string().min(1, 'expected a model name'),
  mode: z.enum(MODES),
  persona: z.string(),
  personaDirectories: z.array(z.string()),
  minimumSeverity: z.enum(SEVERITIES),
  minimumConfidence: z.number().min(0).max(1).nullable(),
  reviewOnSave: z.boolean(),
  verify: z.boolean(),
  diffContextSlack: z.number().int().min(0).max(200),
  maxConcurrency: z.number().int().min(1).max(16),
  requestTimeoutMs: z.number().int().min(1000).max(3_600_000),
  /** 0: derived from the request timeout and the number of parts (see defaultReviewDeadlineMs). */
  reviewDeadlineMs: z.number().int().min(0).max(86_400_000),
  maxInputTokens: z.number().int().min(1000).max(10_000_000).nullable(),
  temperature: z.number().min(0).max(2).nullable(),
  'offlineChecks.onOpenAndSave': z.boolean(),
  'offlineChecks.onType': z.boolean(),
  'offlineChecks.rules': z.record(z.string(), z.enum(RULE_LEVELS)),
  'offlineChecks.includeTests': z.boolean(),
} as const;

export type SettingKey = keyof typeof SETTING_SCHEMAS;
export const SETTING_KEYS = Object.keys(SETTING_SCHEMAS) as SettingKey[];

export const SETTING_DEFAULTS: { [K in SettingKey]: z.infer<(typeof SETTING_SCHEMAS)[K]> } = {
  provider: 'vscode-lm',
  'vscodeLm.vendor': 'copilot',
  'vscodeLm.family': '',
  'openai.baseUrl': 'http://127.0.0.1:1234/v1',
  'openai.model': 'gpt-4o-mini',
  mode: 'pragmatic',
  persona: '',
  personaDirectories: [],
  minimumSeverity: 'low',
  minimumConfidence: null,
  reviewOnSave: false,
  verify: false,
  diffContextSlack: 3,
  maxConcurrency: 2,
  requestTimeoutMs: 120_000,
  reviewDeadlineMs: 0,
  maxInputTokens: null,
  temperature: null,
  'offlineChecks.onOpenAndSave': true,
  'offlineChecks.onType': true,
  'offlineChecks.rules': {},
  'offlineChecks.includeTests': false,
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
  'minimumConfidence',
  'offlineChecks.rules',
];

export interface ReviewerConfig {
  provider: ProviderKind;
  vscodeLm: { vendor: string; family: string };
  openai: { baseUrl: string; model: string };
  mode: Mode;
  /** Persona id that overrides the mode's persona; undefined when not set. */
  persona?: string;
  personaDirectories: string[];
  minimumSeverity: Severity;
  /** Model findings below this confidence are not shown; undefined: the mode's default. */
  minimumConfidence?: number;
  reviewOnSave: boolean;
  /** Re-check high/critical model findings with a second request (verify.ts). */
  verify: boolean;
  diffContextSlack: number;
  maxConcurrency: number;
  requestTimeoutMs: number;
  /** The whole review's deadline; undefined: derived from the request timeout and the parts. */
  reviewDeadlineMs?: number;
  offlineChecks: { onOpenAndSave: boolean; onType: boolean; rules: Record<string, RuleLevel>; includeTests: boolean };
  /** Input budget of one request for openai-compatible endpoints; undefined: the provider's default. */
  maxInputTokens?: number;
  /** Sampling temperature; undefined: not sent. */
  temperature?: number;
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
  /** Settings the user gave a value (any scope that is read), as opposed to those left at their default. */
  explicit: SettingKey[];
}

function describeValue(value: unknown): string {
  const json = JSON.stringify(value);
  return json === undefined ? String(value) : json.length > 60 ? `${json.slice(0, 57)}...` : json;
}

export function readConfig(source: RawSettingsSource, options: { trusted: boolean }): ReadConfigResult {
  const problems: SettingsProblem[] = [];
  const ignoredForTrust: string[] = [];
  const explicit: SettingKey[] = [];
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
    else explicit.push(key);
    const parsed = SETTING_SCHEMAS[key].safeParse(raw);
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
      minimumConfidence: v.minimumConfidence ?? undefined,
      reviewOnSave: v.reviewOnSave,
      verify: v.verify,
      diffContextSlack: v.diffContextSlack,
      maxConcurrency: v.maxConcurrency,
      requestTimeoutMs: v.requestTimeoutMs,
      reviewDeadlineMs: v.reviewDeadlineMs === 0 ? undefined : v.reviewDeadlineMs,
      maxInputTokens: v.maxInputTokens ?? undefined,
      temperature: v.temperature ?? undefined,
      offlineChecks: {
        onOpenAndSave: v['offlineChecks.onOpenAndSave'],
        onType: v['offlineChecks.onType'],
        rules: v['offlineChecks.rules'],
        includeTests: v['offlineChecks.includeTests'],
      },
    },
    problems,
    ignoredForTrust,
    explicit,
  };
}

/** The `offlineChecks.rules` setting ("off" or a severity per rule id) as the offline checks take it. */
export function offlineRuleOverrides(rules: Record<string, RuleLevel>): Record<string, RuleOverride> {
  const overrides: Record<string, RuleOverride> = {};
  for (const [id, level] of Object.entries(rules))
    overrides[id] = level === 'off' ? { enabled: false } : { enabled: true, severity: level };
  return overrides;
}

/**
 * The offline configuration of one file in the editor: the project file's layers (see
 * projectConfig.ts), then the `offlineChecks.rules` setting, which has the last word;
 * `includeTests` is on when the setting or the project file turns it on.
 */
export function offlineConfigFor(
  mode: Mode,
  config: ReviewerConfig,
  project: { offline: Pick<OfflineConfig, 'projectRules' | 'roleRules' | 'includeTests'> },
): OfflineConfig {
  return {
    mode,
    ...project.offline,
    rules: offlineRuleOverrides(config.offlineChecks.rules),
    includeTests: config.offlineChecks.includeTests || project.offline.includeTests === true,
  };
}
