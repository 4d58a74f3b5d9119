import { SEVERITIES, type Severity } from '../severity';
import type { RuleOverride } from './types';
import { OFFLINE_RULES } from './rules/meta';

/**
 * Parses `--rule ID=off|on|critical|high|medium|low|info` values into per-rule overrides.
 * Later specs for the same rule win. Throws an Error naming the bad spec.
 */
export function parseRuleOverrides(specs: string[]): Record<string, RuleOverride> {
  const overrides: Record<string, RuleOverride> = {};
  for (const spec of specs) {
    const match = /^\s*([a-z0-9-]+)\s*=\s*([a-z]+)\s*$/i.exec(spec);
    if (!match) throw new Error(`--rule "${spec}": expected ID=off|on|${SEVERITIES.join('|')}`);
    const [, id, value] = match;
    if (!OFFLINE_RULES.some((rule) => rule.id === id)) {
      throw new Error(
        `--rule "${spec}": unknown rule "${id}" (known: ${OFFLINE_RULES.map((rule) => rule.id).join(', ')})`,
      );
    }
    const setting = value.toLowerCase();
    const current = overrides[id] ?? {};
    if (setting === 'off') overrides[id] = { ...current, enabled: false };
    else if (setting === 'on') overrides[id] = { ...current, enabled: true };
    else if ((SEVERITIES as readonly string[]).includes(setting))
      overrides[id] = { ...current, enabled: true, severity: setting as Severity };
    else throw new Error(`--rule "${spec}": "${value}" is not off, on or a severity (${SEVERITIES.join(', ')})`);
  }
  return overrides;
}
