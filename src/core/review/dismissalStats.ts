import type { ReviewFinding } from '../findings';
import { OFFLINE_RULES } from '../offline/rules/meta';
import type { DismissalEntry } from './dismissals';

/** How often the team dismissed one rule's (or one model category's) findings. */
export interface DismissalRate {
  /** An offline rule id, or `review/<category>` for the model's findings. */
  ruleId: string;
  category?: string;
  dismissed: number;
  /** Findings of the rule seen in the reports given (dismissed + still reported); undefined without reports. */
  seen?: number;
  /** What to do about it, when the rate says the rule is mostly noise here; undefined otherwise. */
  suggestion?: string;
  /** For an offline rule: the `.backend-review.json` change the suggestion means. */
  configChange?: { rules: Record<string, 'off' | 'low'> };
}

/** Below this many dismissals a rate says little. */
export const MIN_DISMISSALS_FOR_SUGGESTION = 3;
/** A rule dismissed at least this often (of the times it was seen) is suggested off or lower. */
export const NOISY_RATE = 0.5;

const OFFLINE_IDS = new Set(OFFLINE_RULES.map((rule) => rule.id));

/**
 * Per rule: dismissals in the file and, when reports of recent reviews are given, how many times
 * the rule was seen (each dismissal once, plus the findings still reported); with a suggestion for rules dismissed at
 * least MIN_DISMISSALS_FOR_SUGGESTION times and at least NOISY_RATE of the times seen. Sorted by
 * dismissals, most first.
 */
export function dismissalRates(
  entries: readonly DismissalEntry[],
  reported?: { findings: readonly ReviewFinding[] },
): DismissalRate[] {
  const byRule = new Map<string, DismissalRate>();
  for (const entry of entries) {
    const rate = byRule.get(entry.ruleId) ?? { ruleId: entry.ruleId, category: entry.category, dismissed: 0 };
    rate.dismissed++;
    byRule.set(entry.ruleId, rate);
  }
  if (reported) {
    // Every dismissal was seen once; the reports' findings still reported were seen on top.
    const stillReported = new Map<string, number>();
    for (const f of reported.findings) stillReported.set(f.ruleId, (stillReported.get(f.ruleId) ?? 0) + 1);
    for (const rate of byRule.values()) rate.seen = rate.dismissed + (stillReported.get(rate.ruleId) ?? 0);
  }
  for (const rate of byRule.values()) {
    const share = rate.seen ? rate.dismissed / rate.seen : undefined;
    const noisy = rate.dismissed >= MIN_DISMISSALS_FOR_SUGGESTION && (share === undefined ? true : share >= NOISY_RATE);
    if (!noisy) continue;
    const times = rate.seen !== undefined ? `${rate.dismissed} of ${rate.seen} times` : `${rate.dismissed} times`;
    if (OFFLINE_IDS.has(rate.ruleId)) {
      rate.suggestion = `\`${rate.ruleId}\` dismissed ${times}: turn it off or lower it? (.backend-review.json "rules": { "${rate.ruleId}": "off" } or "low")`;
      rate.configChange = { rules: { [rate.ruleId]: 'off' } };
    } else {
      rate.suggestion = `\`${rate.ruleId}\` dismissed ${times}: say what the team accepts in a project guideline (AGENTS.md) so the model stops raising it`;
    }
  }
  return [...byRule.values()].sort((a, b) => b.dismissed - a.dismissed || a.ruleId.localeCompare(b.ruleId));
}
