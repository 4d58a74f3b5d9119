import * as fs from 'node:fs';
import * as path from 'node:path';
import { runOfflineChecks } from '../../../../src/core/offline';

/**
 * Scores the offline rules against the labeled set in test/fixtures/offline: each expected
 * finding is marked `// expect: <rule-id>[, <rule-id>]` (or `# expect:`) at the end of the line
 * where it is reported; every other finding is a false positive.
 */

export const LABELED_ROOT = path.join(__dirname, '../../../fixtures/offline');

export interface RuleScore {
  tp: number;
  fp: number;
  fn: number;
}

export interface LanguageScore {
  language: string;
  files: number;
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
  byRule: Map<string, RuleScore>;
  /** `file:line rule` for every miss and false alarm, to show what went wrong. */
  mistakes: string[];
}

const MARKER = /(?:\/\/|#)\s*expect:\s*([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)\s*$/;

export function expectedFindings(text: string): Array<{ line: number; ruleId: string }> {
  const expected: Array<{ line: number; ruleId: string }> = [];
  text.split('\n').forEach((line, index) => {
    const match = MARKER.exec(line);
    if (match) for (const ruleId of match[1].split(',')) expected.push({ line: index + 1, ruleId: ruleId.trim() });
  });
  return expected;
}

export async function scoreLanguage(language: string): Promise<LanguageScore> {
  const dir = path.join(LABELED_ROOT, language);
  const files = fs
    .readdirSync(dir)
    .filter((name) => !name.startsWith('.'))
    .sort();
  const byRule = new Map<string, RuleScore>();
  const ruleScore = (id: string): RuleScore => {
    let score = byRule.get(id);
    if (!score) {
      score = { tp: 0, fp: 0, fn: 0 };
      byRule.set(id, score);
    }
    return score;
  };
  const mistakes: string[] = [];
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const name of files) {
    const text = fs.readFileSync(path.join(dir, name), 'utf8');
    const expected = new Set(expectedFindings(text).map((e) => `${e.line} ${e.ruleId}`));
    const findings = await runOfflineChecks({ path: `${language}/${name}`, text }, { mode: 'backendpe' });
    const actual = new Set(findings.map((f) => `${f.startLine} ${f.ruleId}`));
    for (const key of actual) {
      const ruleId = key.split(' ')[1];
      if (expected.has(key)) {
        tp += 1;
        ruleScore(ruleId).tp += 1;
      } else {
        fp += 1;
        ruleScore(ruleId).fp += 1;
        mistakes.push(`false positive ${name}:${key}`);
      }
    }
    for (const key of expected) {
      if (actual.has(key)) continue;
      fn += 1;
      ruleScore(key.split(' ')[1]).fn += 1;
      mistakes.push(`missed ${name}:${key}`);
    }
  }
  return {
    language,
    files: files.length,
    tp,
    fp,
    fn,
    precision: tp + fp === 0 ? 1 : tp / (tp + fp),
    recall: tp + fn === 0 ? 1 : tp / (tp + fn),
    byRule,
    mistakes,
  };
}

export function formatScore(score: LanguageScore): string {
  const rows = [...score.byRule]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([id, s]) =>
        `    ${id.padEnd(28)} tp ${String(s.tp).padStart(3)}  fp ${String(s.fp).padStart(2)}  fn ${String(s.fn).padStart(2)}`,
    );
  return [
    `  ${score.language}: ${score.files} files, precision ${score.precision.toFixed(3)}, recall ${score.recall.toFixed(3)} (tp ${score.tp}, fp ${score.fp}, fn ${score.fn})`,
    ...rows,
    ...score.mistakes.map((m) => `    ! ${m}`),
  ].join('\n');
}
