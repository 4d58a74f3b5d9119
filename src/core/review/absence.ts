import type { LineRange } from './chunk';
import { enclosingFunctions } from './context';
import type { SharedTrees } from './trees';
import type { ReviewUnit } from './types';

/**
 * Claims of absence the code shown contradicts. A model that works through a checklist ("every
 * outbound call needs a timeout", "every result set must be closed", "multi-step writes need a
 * transaction") says the thing is missing where it did not read far enough: the timeout is in the
 * call's options on the next line, the `defer rows.Close()` is two lines below, the `BEGIN` is at
 * the top of the function. Such a finding is wrong on its face, and the code it was shown proves
 * it. This module reads what a finding says is missing (its title and its message's first
 * sentence) and looks for that very thing where it would have to be: in the quoted statement, or
 * in the function around it (tree-sitter, context.ts `enclosingFunctions`), in the lines the model
 * was shown. It withholds only when every missing thing it names is there; a claim it cannot read
 * ("no error handling", "no timeout or retry"), a conditional one ("not closed on the error path")
 * or one about a thing it has no evidence rule for stays.
 */
export type MissingThing = 'timeout' | 'close' | 'transaction' | 'lock';

/** Each thing in words, for the log. */
export const MISSING_WORDS: Record<MissingThing, string> = {
  timeout: 'a timeout',
  close: 'a close or release',
  transaction: 'a transaction',
  lock: 'a lock',
};

/** Words that name each thing a finding may say is missing. */
const THING_WORDS: Record<string, MissingThing> = {
  timeout: 'timeout',
  timeouts: 'timeout',
  'time-out': 'timeout',
  deadline: 'timeout',
  close: 'close',
  closing: 'close',
  release: 'close',
  releasing: 'close',
  transaction: 'transaction',
  transactions: 'transaction',
  tx: 'transaction',
  lock: 'lock',
  locking: 'lock',
  mutex: 'lock',
};

/** Words that may stand around the thing's name in the same phrase ("an explicit timeout on the request"). */
const FILLER = new Set(
  (
    'a an any the its their this that explicit proper per request http https network outbound database db sql ' +
    'call calls query queries connection connections client result results rows row cursor response body ' +
    'session file handle stream statement context ctx read write row-level database-level'
  ).split(' '),
);

/** Words that end the phrase naming what is missing: what follows says where or when. */
const PHRASE_END = new Set(
  'on for when in around to of after before if while because so during at from with by is are was were which that unless until'.split(
    ' ',
  ),
);

/** Marks of a conditional claim ("not closed on the error path"): true of some paths, not contradicted by one close. */
const CONDITIONAL = /\b(?:errors?|fail\w*|exceptions?|throws?|panics?|early|returns?|paths?|branch\w*|cases?|some)\b/;

/** The first sentence of a message (up to the first full stop, colon or line break). */
function firstSentence(message: string): string {
  return /^[^\n]*?(?:[.:](?=\s|$)|\n|$)/.exec(message)?.[0] ?? message;
}

/**
 * What a phrase after "no", "missing", "without"… names: the things, or undefined when it names
 * anything else too ("no timeout or retry", "no error handling").
 */
function thingsNamed(phrase: string[]): MissingThing[] | undefined {
  const words: string[] = [];
  for (const word of phrase) {
    if (PHRASE_END.has(word)) break;
    words.push(word);
  }
  const pieces: string[][] = [[]];
  for (const word of words) {
    if (word === 'or' || word === 'and' || word === 'nor' || word === ',' || word === '/') pieces.push([]);
    else pieces[pieces.length - 1].push(word);
  }
  const things: MissingThing[] = [];
  for (const piece of pieces) {
    if (piece.length === 0) continue;
    const named = piece.map((w) => THING_WORDS[w]).filter((t): t is MissingThing => t !== undefined);
    if (named.length !== 1) return undefined;
    if (!piece.every((w) => THING_WORDS[w] !== undefined || FILLER.has(w))) return undefined;
    things.push(named[0]);
  }
  return things.length > 0 ? things : undefined;
}

/** Lower-case words and separators of a sentence; `rows.Close()` reads as `rows close`. */
function tokens(sentence: string): string[] {
  return (sentence.toLowerCase().match(/[a-z][a-z0-9-]*|,|\//g) ?? []).map((w) => w.replace(/-+$/, ''));
}

const ABSENCE_MARKS = new Set([
  'no',
  'missing',
  'without',
  'lacks',
  'lack',
  'lacking',
  'lost',
  'loses',
  'absent',
  'outside',
]);
const PARTICIPLES: Record<string, MissingThing> = { closed: 'close', released: 'close', freed: 'close' };

/**
 * The things one sentence says are missing, [] when it says nothing is, undefined when it says
 * something is missing that this module cannot check (the finding then stays).
 */
function sentenceClaims(sentence: string): MissingThing[] | undefined {
  const words = tokens(sentence);
  const things = new Set<MissingThing>();
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    if (ABSENCE_MARKS.has(word)) {
      const named = thingsNamed(words.slice(i + 1, i + 8));
      // "no" or "without" before something else ("no error handling", "without backoff") is another claim.
      if (named === undefined) {
        if (word === 'no' || word === 'without' || word === 'missing' || word === 'lacks' || word === 'lacking')
          return undefined;
        continue;
      }
      for (const t of named) things.add(t);
    } else if ((word === 'not' || word === 'never') && Object.hasOwn(PARTICIPLES, words[i + 1] ?? '')) {
      things.add(PARTICIPLES[words[i + 1]]);
    } else if (word === 'unclosed' || word === 'unreleased') {
      things.add('close');
    } else if (
      (word === 'not' || word === 'never') &&
      words[i + 1] === 'in' &&
      thingsNamed(words.slice(i + 2, i + 6))?.every((t) => t === 'transaction')
    ) {
      things.add('transaction');
    }
  }
  if (things.has('close') && CONDITIONAL.test(sentence.toLowerCase())) return undefined;
  return [...things];
}

/**
 * What a finding says is missing (title and the message's first sentence), or undefined when it
 * claims no absence or one this module cannot check.
 */
export function claimedMissing(finding: { title: string; message: string }): MissingThing[] | undefined {
  const things = new Set<MissingThing>();
  for (const sentence of [finding.title, firstSentence(finding.message)]) {
    const claims = sentenceClaims(sentence);
    if (claims === undefined) return undefined;
    for (const t of claims) things.add(t);
  }
  return things.size > 0 ? [...things] : undefined;
}

/** The lines of the statement starting at `line`: until its brackets close (at most 20 lines). */
export function statementRange(lines: readonly string[], line: number): LineRange {
  let depth = 0;
  let end = line;
  for (let n = line; n <= Math.min(lines.length, line + 19); n++) {
    const text = (lines[n - 1] ?? '').replace(/(["'`])(?:\\.|(?!\1).)*\1/g, '""');
    for (const ch of text) {
      if (ch === '(' || ch === '[' || ch === '{') depth++;
      else if (ch === ')' || ch === ']' || ch === '}') depth--;
    }
    end = n;
    if (depth <= 0) break;
  }
  return { startLine: line, endLine: end };
}

/** A timeout given in the call itself: `timeout=5`, `{ timeout: 5000 }`, `signal: AbortSignal.timeout(…)`, `Timeout: 5 * time.Second`. */
const TIMEOUT_IN_CALL =
  /\btimeout\s*[:=]\s*(?!\s*(?:None|null|undefined|nil|0|false)\b)\S|AbortSignal\.timeout\s*\(|\.timeout\s*\(\s*[^)\s]|\b\w*Timeout\s*\(\s*[^)\s]|\bdeadline\s*[:=]\s*\S/i;
/** A variable made to carry a deadline: `ctx, cancel := context.WithTimeout(…)`, `const signal = AbortSignal.timeout(…)`. */
const DEADLINE_VARIABLE =
  /\b([A-Za-z_$][\w$]*)\s*(?:,\s*[A-Za-z_$][\w$]*\s*)?(?::=|=)\s*(?:context\.With(?:Timeout|Deadline)|AbortSignal\.timeout|[\w.]*Timeout\s*\()/;
/** A transaction begun: SQL, Go's database/sql, node-postgres, ORMs (Prisma, TypeORM, Knex, Sequelize, SQLAlchemy, Django). */
const TRANSACTION_BEGUN =
  /\bBEGIN\b|\bSTART TRANSACTION\b|\bBegin(?:Tx)?\s*\(|\.begin\s*\(|\.begin_nested\s*\(|\.transaction\s*\(|\$transaction\s*\(|\bwithTransaction\s*\(|\bbeginTransaction\s*\(|\btransaction\.atomic\b|\batomic\s*\(\s*\)/;
/** A lock taken: a row lock in SQL or an ORM, an advisory lock, a mutex, a `with lock:` block. */
const LOCK_TAKEN =
  /\bFOR\s+(?:NO\s+KEY\s+)?UPDATE\b|\bwith_for_update\s*\(|\bselect_for_update\s*\(|\bpg_advisory\w*\s*\(|\bLOCK\s+TABLE\b|\.(?:R?Lock|acquire)\s*\(\s*\)|^\s*(?:async\s+)?with\s+[\w.]*lock\w*\s*(?:\(\s*\))?\s*:|\bsynchronized\b/im;

function escape(name: string): string {
  return name.replace(/[$]/g, '\\$');
}

/** The variable a statement assigns (`rows, err := …`, `const client = …`, `conn = …`). */
function assigned(statement: string): string | undefined {
  const m =
    /^\s*(?:(?:const|let|var)\s+)?([A-Za-z_$][\w$]*)\s*(?:,\s*[A-Za-z_$][\w$]*\s*)?(?::=|=(?!=))/.exec(statement) ??
    /^\s*(?:const|let|var)\s+\{?\s*([A-Za-z_$][\w$]*)/.exec(statement);
  return m?.[1];
}

/** The object a statement that assigns nothing calls first (`await client.query(…)` → client). */
function receiver(statement: string): string | undefined {
  return /^\s*(?:return\s+)?(?:await\s+)?([A-Za-z_$][\w$]*)\s*\.\s*[A-Za-z_$][\w$]*\s*\(/.exec(statement)?.[1];
}

/** A statement that opens a block closing what it opens: `with`, `using`, `await using`. */
const OPENS_A_BLOCK = /^\s*(?:async\s+)?(?:with|using|await\s+using)\b/;

/** Whether `statement` passes `name` to a call (an argument, an option's value). */
function passedTo(name: string, statement: string): boolean {
  return new RegExp(`[(,{:]\\s*${escape(name)}\\b`).test(statement);
}

/** A close, release or end of `name` (`rows.Close()`, `client.release()`, `closing(conn)`). */
function closesOf(name: string): RegExp {
  return new RegExp(
    `\\b${escape(name)}\\s*\\.\\s*(?:close|Close|release|Release|end|destroy|dispose|disconnect|quit)\\s*\\(|\\bclosing\\s*\\(\\s*${escape(name)}\\s*\\)`,
  );
}

/** The statement at `at` and readers of the lines shown (a line not shown reads as empty). */
function shownStatement(
  fileLines: readonly string[],
  at: number,
  shown: (line: number) => boolean,
): {
  statement: LineRange;
  lineText: (n: number) => string;
  statementText: () => string;
  find: (from: number, to: number, test: (text: string) => boolean) => number | undefined;
} {
  const statement = statementRange(fileLines, at);
  const lineText = (n: number): string => (shown(n) ? (fileLines[n - 1] ?? '') : '');
  const statementText = (): string => {
    const out: string[] = [];
    for (let n = statement.startLine; n <= statement.endLine; n++) out.push(lineText(n));
    return out.join('\n');
  };
  const find = (from: number, to: number, test: (text: string) => boolean): number | undefined => {
    for (let n = Math.max(1, from); n <= Math.min(fileLines.length, to); n++) if (test(lineText(n))) return n;
    return undefined;
  };
  return { statement, lineText, statementText, find };
}

export interface Evidence {
  thing: MissingThing;
  /** The line that has it (1-based) and its text. */
  line: number;
  text: string;
}

/**
 * Where the code shown has what the finding says is missing, for each thing it names; undefined
 * when one of them is not found (the finding stays).
 *
 * - timeout: in the quoted statement (its arguments up to its closing bracket), or a deadline
 *   variable made earlier in the function and passed to it;
 * - close: the statement is a `with`/`using` block, or the variable it assigns (else the object it
 *   calls) is closed, released or ended later in the function (`defer rows.Close()`, `client.release()` in a `finally`);
 * - transaction, lock: begun or taken earlier in the function (or on the statement itself).
 *
 * `shown` limits the search to the lines the model was shown.
 */
export function contradictingEvidence(
  claimed: readonly MissingThing[],
  fileLines: readonly string[],
  at: number,
  enclosing: LineRange | undefined,
  shown: (line: number) => boolean,
): Evidence[] | undefined {
  const { statement, lineText, statementText, find } = shownStatement(fileLines, at, shown);
  const evidence: Evidence[] = [];
  for (const thing of claimed) {
    let line: number | undefined;
    if (thing === 'timeout') {
      line = find(statement.startLine, statement.endLine, (t) => TIMEOUT_IN_CALL.test(t));
      if (line === undefined && enclosing) {
        const made = find(enclosing.startLine, statement.startLine - 1, (t) => DEADLINE_VARIABLE.test(t));
        const name = made === undefined ? undefined : DEADLINE_VARIABLE.exec(lineText(made))?.[1];
        if (name && passedTo(name, statementText())) line = made;
      }
    } else if (thing === 'close') {
      if (OPENS_A_BLOCK.test(lineText(statement.startLine))) line = statement.startLine;
      // What the statement opens (the variable it assigns), else the object it calls (`client.query(…)`).
      const name = assigned(statementText()) ?? receiver(statementText());
      if (line === undefined && name && enclosing) {
        const closes = closesOf(name);
        line = find(statement.endLine, enclosing.endLine, (t) => closes.test(t));
      }
    } else {
      const begun = thing === 'transaction' ? TRANSACTION_BEGUN : LOCK_TAKEN;
      line = find(enclosing?.startLine ?? statement.startLine, statement.endLine, (t) => begun.test(t));
    }
    if (line === undefined) return undefined;
    evidence.push({ thing, line, text: (fileLines[line - 1] ?? '').trim() });
  }
  return evidence;
}

/**
 * Whether `contradictingEvidence` can give another answer for another function around `at` (or
 * none): false when its answer is the same whatever the function, so the function need not be
 * looked up (a parse of the file). That is so when some thing it names is found nowhere it could
 * be for any function (a deadline variable the statement uses, a close after it, a transaction or
 * lock begun before its end), or when every thing is found in the statement itself.
 */
export function enclosingMatters(
  claimed: readonly MissingThing[],
  fileLines: readonly string[],
  at: number,
  shown: (line: number) => boolean,
): boolean {
  const { statement, lineText, statementText, find } = shownStatement(fileLines, at, shown);
  const any = (from: number, to: number, test: (text: string) => boolean): boolean =>
    find(from, to, test) !== undefined;
  let matters = false;
  for (const thing of claimed) {
    if (thing === 'timeout') {
      if (any(statement.startLine, statement.endLine, (t) => TIMEOUT_IN_CALL.test(t))) continue;
      const said = statementText();
      const usable = (t: string): boolean => {
        const name = DEADLINE_VARIABLE.exec(t)?.[1];
        return name !== undefined && passedTo(name, said);
      };
      // Only a deadline variable made before the statement and passed to it can be found, in any function.
      if (!any(1, statement.startLine - 1, usable)) return false;
      matters = true;
    } else if (thing === 'close') {
      if (OPENS_A_BLOCK.test(lineText(statement.startLine))) continue;
      const name = assigned(statementText()) ?? receiver(statementText());
      if (!name) return false;
      const closes = closesOf(name);
      if (!any(statement.endLine, fileLines.length, (t) => closes.test(t))) return false;
      matters = true;
    } else {
      const begun = thing === 'transaction' ? TRANSACTION_BEGUN : LOCK_TAKEN;
      if (!any(1, statement.endLine, (t) => begun.test(t))) return false;
      matters = true;
    }
  }
  return matters;
}

export interface Contradicted<F> {
  finding: F;
  evidence: Evidence[];
}

/**
 * The findings of one part split into those kept and those whose claim of absence the code shown
 * contradicts. `segments` are the lines the model was shown; the function around a finding is
 * found with tree-sitter only when some finding claims an absence (in the review's tree of the
 * file when `trees` is given).
 */
export async function withholdContradicted<
  F extends { title: string; message: string; startLine: number; origin?: string },
>(
  findings: F[],
  unit: Pick<ReviewUnit, 'path' | 'language' | 'text'>,
  segments: readonly LineRange[],
  trees?: SharedTrees,
  split?: readonly string[],
): Promise<{ kept: F[]; withheld: Contradicted<F>[] }> {
  const claims = findings.map((f) => (f.origin === 'offline' ? undefined : claimedMissing(f)));
  if (claims.every((c) => c === undefined)) return { kept: findings, withheld: [] };
  const fileLines = split ?? unit.text.split(/\r?\n/);
  const shown = (line: number): boolean => segments.some((s) => s.startLine <= line && line <= s.endLine);
  // The function around a finding is looked up (a parse) only where it can change the answer.
  const functions = await enclosingFunctions(
    unit,
    findings
      .filter((f, i) => claims[i] !== undefined && enclosingMatters(claims[i], fileLines, f.startLine, shown))
      .map((f) => f.startLine),
    trees,
  );
  const kept: F[] = [];
  const withheld: Contradicted<F>[] = [];
  findings.forEach((finding, i) => {
    const claimed = claims[i];
    const evidence =
      claimed === undefined
        ? undefined
        : contradictingEvidence(claimed, fileLines, finding.startLine, functions.get(finding.startLine), shown);
    if (evidence) withheld.push({ finding, evidence });
    else kept.push(finding);
  });
  return { kept, withheld };
}
