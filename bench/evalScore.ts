/**
 * Scoring for `npm run eval:offline`: precision and recall of the offline checks on code nobody
 * shaped for them. Two sources of truth:
 * - annotations in the files themselves, the convention peer suites use: a comment
 *   `ruleid: <id>` (a finding is expected) or `ok: <id>` (none is) on the line before the code it
 *   labels; `todoruleid` / `todook` count as `ruleid` / `ok` (the suite's authors say what the code
 *   is, only their own tool gets it wrong);
 * - a labels file for unannotated code: each reported finding judged `tp` or `fp` by reading the
 *   code, misses added as `fn`, and per-file expected counts for suites that only give a count.
 * Peer ids are mapped to ours only where the intent is the same (PEER_RULES); annotations of other
 * rules are ignored, and so is a file with none of ours.
 */

import { FILE_ROLES, type FileRole } from '../src/core/roles';

/** A finding as the scorer sees it. */
export interface ScoredFinding {
  ruleId: string;
  line: number;
}

export type Language = 'js' | 'python' | 'go';

/**
 * Peer rule ids (semgrep-rules short ids, bandit test ids, gosec ids) that mean what one of our
 * rules means. Audit rules that flag a construct whatever its inputs (any `subprocess` call, any
 * `Math.random`) are left out: their positives are not ours.
 */
export const PEER_RULES: Readonly<Record<string, string>> = {
  // semgrep-rules
  'hardcoded-jwt-secret': 'hardcoded-secret',
  'jwt-python-hardcoded-secret': 'hardcoded-secret',
  'hardcoded-hmac-key': 'hardcoded-secret',
  'hardcoded-jwt-key': 'hardcoded-secret',
  'express-session-hardcoded-secret': 'hardcoded-secret',
  'express-jwt-hardcoded-secret': 'hardcoded-secret',
  'hardcoded-passport-secret': 'hardcoded-secret',
  'hardcoded-token': 'hardcoded-secret',
  avoid_hardcoded_config_SECRET_KEY: 'hardcoded-secret',
  'hardcoded-password-default-argument': 'hardcoded-secret',
  'use-timeout': 'http-no-timeout',
  'sqlalchemy-execute-raw-query': 'sql-injection',
  'string-formatted-query': 'sql-injection',
  'psycopg-sqli': 'sql-injection',
  'asyncpg-sqli': 'sql-injection',
  'pg8000-sqli': 'sql-injection',
  'aiopg-sqli': 'sql-injection',
  'pg-sqli': 'sql-injection',
  'pgx-sqli': 'sql-injection',
  'node-postgres-sqli': 'sql-injection',
  'gosql-sqli': 'sql-injection',
  'formatted-sql-query': 'sql-injection',
  'sqlalchemy-sql-injection': 'sql-injection',
  'avoid-sqlalchemy-text': 'sql-injection',
  'sql-injection-using-rawsql': 'sql-injection',
  'sql-injection-using-raw': 'sql-injection',
  'sql-injection-using-extra-where': 'sql-injection',
  'sql-injection-db-cursor-execute': 'sql-injection',
  'mysql-sqli': 'sql-injection',
  'node-mysql-sqli': 'sql-injection',
  'node-knex-sqli': 'sql-injection',
  'knex-sqli': 'sql-injection',
  'sequelize-sqli': 'sql-injection',
  'pymysql-sqli': 'sql-injection',
  'pymssql-sqli': 'sql-injection',
  'sqlalchemy-sqli': 'sql-injection',
  'pg-orm-sqli': 'sql-injection',
  'node-mssql-sqli': 'sql-injection',
  'sequelize-raw-query': 'sql-injection',
  'express-sequelize-injection': 'sql-injection',
  'subprocess-shell-true': 'command-injection',
  'os-system-injection': 'command-injection',
  'command-injection-os-system': 'command-injection',
  'subprocess-injection': 'command-injection',
  'dangerous-spawn-shell': 'command-injection',
  'spawn-shell-true': 'command-injection',
  'detect-child-process': 'command-injection',
  'shelljs-exec-injection': 'command-injection',
  'dangerous-exec-command': 'command-injection',
  'dangerous-asyncio-shell': 'command-injection',
  'disabled-cert-validation': 'tls-verification-disabled',
  'unverified-ssl-context': 'tls-verification-disabled',
  'bypass-tls-verification': 'tls-verification-disabled',
  'sequelize-tls-disabled-cert-validation': 'tls-verification-disabled',
  // TLS weakened to a broken version or cipher suite (our rule reports those too).
  'weak-ssl-version': 'tls-verification-disabled',
  'ssl-v3-is-insecure': 'tls-verification-disabled',
  'tls-with-insecure-cipher': 'tls-verification-disabled',
  'unverified-jwt-decode': 'jwt-verification-disabled',
  'jwt-python-none-alg': 'jwt-verification-disabled',
  'jwt-none-alg': 'jwt-verification-disabled',
  'jwt-decode-without-verify': 'jwt-verification-disabled',
  'jwt-simple-noverify': 'jwt-verification-disabled',
  // bandit
  B105: 'hardcoded-secret',
  B106: 'hardcoded-secret',
  B107: 'hardcoded-secret',
  B110: 'silent-catch',
  B113: 'http-no-timeout',
  B501: 'tls-verification-disabled',
  B502: 'tls-verification-disabled',
  B503: 'tls-verification-disabled',
  B323: 'tls-verification-disabled',
  B112: 'silent-catch',
  B602: 'command-injection',
  B605: 'command-injection',
  B608: 'sql-injection',
  // gosec
  G101: 'hardcoded-secret',
  G201: 'sql-injection',
  G202: 'sql-injection',
  G204: 'command-injection',
  G402: 'tls-verification-disabled',
  G404: 'weak-random-secret',
};

/** Our id for a peer's (or our own) id; undefined when the intents differ. */
export function ourRule(peerId: string, ourIds: ReadonlySet<string>): string | undefined {
  return ourIds.has(peerId) ? peerId : PEER_RULES[peerId];
}

export interface Annotation {
  /** The line the annotation labels (1-based): the next line that is not itself an annotation. */
  line: number;
  positive: boolean;
  rule: string;
}

const ANNOTATION = /^\s*(?:#|\/\/|\/\*|<!--)\s*(todoruleid|ruleid|todook|ok)\s*:\s*([\w.,\s-]+?)\s*(?:\*\/|-->)?\s*$/;

/** Annotations of a file, mapped to our rule ids; those of rules without a counterpart are dropped. */
export function annotations(text: string, ourIds: ReadonlySet<string>): Annotation[] {
  const lines = text.split('\n');
  const found: Annotation[] = [];
  let pending: Array<{ positive: boolean; rule: string }> = [];
  lines.forEach((line, index) => {
    const match = ANNOTATION.exec(line);
    if (match) {
      const positive = match[1] === 'ruleid' || match[1] === 'todoruleid';
      for (const id of match[2].split(',')) {
        const rule = ourRule(id.trim(), ourIds);
        if (rule) pending.push({ positive, rule });
      }
      return;
    }
    for (const entry of pending) found.push({ line: index + 1, ...entry });
    pending = [];
  });
  return found;
}

/** How far below the labeled line a finding may start and still be the labeled one (a multi-line call). */
export const MATCH_WINDOW = 3;

export interface Tally {
  tp: number;
  fp: number;
  fn: number;
  /** Findings on lines nobody labeled (annotated suites: outside any annotation's window). */
  unlabeled: number;
}

export function emptyTally(): Tally {
  return { tp: 0, fp: 0, fn: 0, unlabeled: 0 };
}

function add(into: Tally, from: Tally): void {
  into.tp += from.tp;
  into.fp += from.fp;
  into.fn += from.fn;
  into.unlabeled += from.unlabeled;
}

export interface Mistake {
  kind: 'fp' | 'fn';
  rule: string;
  line: number;
}

/**
 * Scores one annotated file for each rule it has annotations for. A positive is found when a
 * finding of its rule starts on its line or up to MATCH_WINDOW lines below, before the next
 * annotated line; each finding counts once. A finding left over is a false alarm when it lies in
 * the window of an `ok` annotation of its rule, and unlabeled otherwise.
 */
export function scoreAnnotated(
  notes: readonly Annotation[],
  findings: readonly ScoredFinding[],
): { byRule: Map<string, Tally>; mistakes: Mistake[] } {
  const byRule = new Map<string, Tally>();
  const mistakes: Mistake[] = [];
  const targets = [...new Set(notes.map((note) => note.line))].sort((a, b) => a - b);
  const windowEnd = (line: number): number => {
    const next = targets.find((target) => target > line);
    return Math.min(line + MATCH_WINDOW, next === undefined ? Infinity : next - 1);
  };
  for (const rule of new Set(notes.map((note) => note.rule))) {
    const tally = emptyTally();
    const left = findings.filter((finding) => finding.ruleId === rule).map((finding) => finding.line);
    const take = (from: number, to: number): boolean => {
      const at = left.findIndex((line) => line >= from && line <= to);
      if (at < 0) return false;
      left.splice(at, 1);
      return true;
    };
    const mine = notes.filter((note) => note.rule === rule);
    for (const note of mine.filter((n) => n.positive)) {
      if (take(note.line, windowEnd(note.line))) tally.tp += 1;
      else {
        tally.fn += 1;
        mistakes.push({ kind: 'fn', rule, line: note.line });
      }
    }
    for (const line of left) {
      const ok = mine.some((note) => !note.positive && line >= note.line && line <= windowEnd(note.line));
      if (ok) {
        tally.fp += 1;
        mistakes.push({ kind: 'fp', rule, line });
      } else tally.unlabeled += 1;
    }
    byRule.set(rule, tally);
  }
  return { byRule, mistakes };
}

/** One entry of a labels file (paths relative to the labels file's `root`, or to its folder). */
export type LabelEntry =
  | { path: string; line: number; rule: string; label: 'tp' | 'fp' | 'fn'; note?: string }
  | { path: string; rule: string; count: number; note?: string };

/**
 * Scores one unannotated file against its labels: a finding labeled `tp` is a hit, `fp` a false
 * alarm, one without a label is unlabeled; `fn` entries are misses unless a finding now reports
 * them. A `count` entry expects that many findings of the rule in the file (for suites that give
 * only counts): hits up to the count, false alarms above it, misses below it.
 */
export function scoreLabeled(
  labels: readonly LabelEntry[],
  findings: readonly ScoredFinding[],
): { byRule: Map<string, Tally>; mistakes: Mistake[] } {
  const byRule = new Map<string, Tally>();
  const mistakes: Mistake[] = [];
  const tallyOf = (rule: string): Tally => {
    let tally = byRule.get(rule);
    if (!tally) {
      tally = emptyTally();
      byRule.set(rule, tally);
    }
    return tally;
  };
  const counted = new Set<string>();
  for (const entry of labels) {
    if (!('count' in entry)) continue;
    counted.add(entry.rule);
    const found = findings.filter((finding) => finding.ruleId === entry.rule);
    const tally = tallyOf(entry.rule);
    tally.tp += Math.min(found.length, entry.count);
    tally.fp += Math.max(0, found.length - entry.count);
    tally.fn += Math.max(0, entry.count - found.length);
    if (found.length > entry.count)
      for (const f of found.slice(entry.count)) mistakes.push({ kind: 'fp', ...f, rule: f.ruleId });
    if (found.length < entry.count) mistakes.push({ kind: 'fn', rule: entry.rule, line: 0 });
  }
  const byLine = new Map<string, 'tp' | 'fp' | 'fn'>();
  for (const entry of labels) if (!('count' in entry)) byLine.set(`${entry.line} ${entry.rule}`, entry.label);
  const reported = new Set<string>();
  for (const finding of findings) {
    if (counted.has(finding.ruleId)) continue;
    const key = `${finding.line} ${finding.ruleId}`;
    if (reported.has(key)) continue;
    reported.add(key);
    const label = byLine.get(key);
    const tally = tallyOf(finding.ruleId);
    if (label === 'tp' || label === 'fn') tally.tp += 1;
    else if (label === 'fp') {
      tally.fp += 1;
      mistakes.push({ kind: 'fp', rule: finding.ruleId, line: finding.line });
    } else tally.unlabeled += 1;
  }
  for (const [key, label] of byLine) {
    if (label === 'fp' || reported.has(key)) continue;
    const [line, rule] = key.split(' ');
    // A `tp` no finding reports any more is a miss too: the labels keep what was real.
    tallyOf(rule).fn += 1;
    mistakes.push({ kind: 'fn', rule, line: Number(line) });
  }
  return { byRule, mistakes };
}

/** Precision and recall; undefined when nothing was reported (precision) or nothing expected (recall). */
export function ratios(tally: Tally): { precision?: number; recall?: number } {
  const reported = tally.tp + tally.fp;
  const expected = tally.tp + tally.fn;
  return {
    precision: reported > 0 ? tally.tp / reported : undefined,
    recall: expected > 0 ? tally.tp / expected : undefined,
  };
}

/** Totals per `language rule`, and per language over all rules. */
export class Scoreboard {
  readonly rows = new Map<string, Tally>();

  add(language: Language, byRule: ReadonlyMap<string, Tally>): void {
    for (const [rule, tally] of byRule) {
      for (const key of [`${language} ${rule}`, `${language} (all)`]) {
        let row = this.rows.get(key);
        if (!row) {
          row = emptyTally();
          this.rows.set(key, row);
        }
        add(row, tally);
      }
    }
  }

  /** A fixed-width table, sorted by language then rule, `(all)` last in each language. */
  table(): string {
    const format = (value: number | undefined): string => (value === undefined ? '   -' : value.toFixed(2));
    const header = `${'language'.padEnd(8)} ${'rule'.padEnd(27)} ${'tp'.padStart(5)} ${'fp'.padStart(5)} ${'fn'.padStart(5)} ${'unlab'.padStart(5)}  precision recall`;
    const keys = [...this.rows.keys()].sort((a, b) => {
      const [la, ra] = a.split(' ');
      const [lb, rb] = b.split(' ');
      if (la !== lb) return la < lb ? -1 : 1;
      if (ra === '(all)') return 1;
      if (rb === '(all)') return -1;
      return ra < rb ? -1 : ra > rb ? 1 : 0;
    });
    const lines = keys.map((key) => {
      const [language, rule] = key.split(' ');
      const tally = this.rows.get(key) as Tally;
      const { precision, recall } = ratios(tally);
      return `${language.padEnd(8)} ${rule.padEnd(27)} ${String(tally.tp).padStart(5)} ${String(tally.fp).padStart(5)} ${String(tally.fn).padStart(5)} ${String(tally.unlabeled).padStart(5)}  ${format(precision).padStart(9)} ${format(recall).padStart(6)}`;
    });
    return [header, ...lines].join('\n');
  }
}

/**
 * `--roles production,script`: the file roles to score (see src/core/roles.ts). Throws naming the
 * flag and the first unknown role.
 */
export function parseRoles(value: string): Set<FileRole> {
  const roles = value.split(',').map((role) => role.trim());
  const unknown = roles.find((role) => !(FILE_ROLES as readonly string[]).includes(role));
  if (unknown !== undefined) throw new Error(`--roles: unknown role "${unknown}" (roles: ${FILE_ROLES.join(', ')})`);
  return new Set(roles as FileRole[]);
}
