import * as assert from 'node:assert/strict';
import { runOfflineChecks, type OfflineConfig } from '../../../../src/core/offline';
import type { ReviewFinding } from '../../../../src/core/findings';
import type { FileRole } from '../../../../src/core/roles';

export async function check(
  path: string,
  text: string,
  config: OfflineConfig = { mode: 'backendpe' },
): Promise<ReviewFinding[]> {
  return runOfflineChecks({ path, text }, config);
}

/** `line rule` pairs for compact assertions. */
export async function hits(path: string, text: string, config?: OfflineConfig): Promise<string[]> {
  return (await check(path, text, config)).map((f) => `${f.startLine} ${f.ruleId}`);
}

/** `line rule` pairs for a file whose role is given rather than classified from its path and text. */
export async function hitsAs(role: FileRole, path: string, text: string, config?: OfflineConfig): Promise<string[]> {
  return (await runOfflineChecks({ path, text, role }, config ?? { mode: 'backendpe' })).map(
    (f) => `${f.startLine} ${f.ruleId}`,
  );
}

/** Applies a whole-line fix to the text, as an editor or `--fix` would. */
export function applyFix(text: string, fix: NonNullable<ReviewFinding['fix']>): string {
  const lines = text.split('\n');
  lines.splice(fix.startLine - 1, fix.endLine - fix.startLine + 1, ...fix.replacement.split('\n'));
  return lines.join('\n');
}

export interface RuleCase {
  rule: string;
  /** Code where the rule must fire on the given 1-based line. */
  positive: string;
  line: number;
  /** Near-miss code where the rule must stay quiet. */
  negative: string;
}

export async function assertRuleCase(path: string, c: RuleCase): Promise<void> {
  const positive = (await check(path, c.positive)).filter((f) => f.ruleId === c.rule);
  assert.deepEqual(
    positive.map((f) => f.startLine),
    [c.line],
    `${c.rule} should fire once on line ${c.line} of:\n${c.positive}`,
  );
  const negative = (await check(path, c.negative)).filter((f) => f.ruleId === c.rule);
  assert.deepEqual(
    negative.map((f) => `${f.startLine}: ${f.quote}`),
    [],
    `${c.rule} should not fire on:\n${c.negative}`,
  );
}
