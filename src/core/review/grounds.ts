import type { Node, Tree } from '@vscode/tree-sitter-wasm';
import { grammarForUnit } from '../offline/languages';
import { familyOf, type LanguageFamily } from '../offline/types';
import type { LineRange } from './chunk';
import { statementRange } from './absence';
import { FUNCTION_TYPES } from './context';
import { readTree, type SharedTrees } from './trees';
import type { ReviewUnit } from './types';

/**
 * Claims whose mechanism the quoted code does not have. A confident false alarm usually names a
 * failure that needs something at the place it points to: a race needs state that outlives one
 * call, an injection needs a string built from a value, an N+1 needs a loop. A reviewer working
 * through a checklist, or pinning a file-level worry on some line, points at an import, a type, a
 * constant, a pure helper, a parameterised query or a single query, where that thing is not. This
 * module reads which of these three mechanisms a finding claims (its title and first sentence) and
 * looks for what the mechanism needs at the quoted statement, with tree-sitter, in the lines the
 * model was shown; a finding is withheld only when the need is plainly absent. Anything it cannot
 * read, a function not wholly shown, a language without a grammar, keeps the finding.
 */
export type Mechanism = 'race' | 'injection' | 'per-item';

/** What each mechanism needs, for the log: "it claims a race, but …". */
export const MECHANISM_WORDS: Record<Mechanism, { claim: string; lacks: string }> = {
  race: { claim: 'a race on shared state', lacks: 'touches no state that outlives one call' },
  injection: { claim: 'an injection', lacks: 'builds no string from a value (a literal query, parameters bound)' },
  'per-item': { claim: 'a query or call per item', lacks: 'is in no loop' },
};

const RACE_WORDS =
  /\b(?:race|races|racy|data[- ]race|concurrent(?:ly)?|concurrency|thread[- ]?(?:safe|safety|unsafe)|not thread|lost[- ]updates?|interleav\w*|simultaneous(?:ly)?|in parallel|oversell\w*|double[- ]spend\w*|at the same time|shared (?:mutable )?state|unsynchroni[sz]ed)\b/i;
/** A claim about the locking itself (a lock held, a deadlock): not a plain race claim. */
const LOCKING_WORDS =
  /\b(?:deadlock\w*|mutex\w*|unlock\w*|lock(?:ed)? (?:is |stays )?held|(?:held|holding|holds|keeps) (?:the |a )?(?:lock|mutex))\b/i;
const INJECTION_WORDS = /\b(?:injection|injectable|inject(?:ed|s)? into)\b/i;
const PER_ITEM_WORDS =
  /\bN\s*\+\s*1\b|\bin(?:side)? (?:a|the|this|each|every) loop\b|\bper (?:item|row|element|iteration|record|entry|id|key|sku|user|order)\b|\beach iteration\b|\bone (?:query|request|call|lookup|round[- ]trip|select) (?:per|for each|for every)\b/i;

/** The first sentence of a message. */
function firstSentence(message: string): string {
  return /^[^\n]*?(?:[.:](?=\s|$)|\n|$)/.exec(message)?.[0] ?? message;
}

/** The mechanism a model finding claims, or undefined when it claims none of the three. */
export function claimedMechanism(finding: { title: string; message: string; category: string }): Mechanism | undefined {
  const said = `${finding.title}\n${firstSentence(finding.message)}`;
  if (finding.category === 'security' && INJECTION_WORDS.test(said)) return 'injection';
  if (finding.category === 'performance' && PER_ITEM_WORDS.test(said)) return 'per-item';
  if (
    (finding.category === 'concurrency' ||
      finding.category === 'data-integrity' ||
      finding.category === 'correctness') &&
    RACE_WORDS.test(said) &&
    !LOCKING_WORDS.test(said)
  )
    return 'race';
  return undefined;
}

interface FamilyKinds {
  functions: ReadonlySet<string>;
  loops: ReadonlySet<string>;
  /** Top-level statements that hold no state at run time (imports, erased types, the package clause, comments). */
  stateless: ReadonlySet<string>;
}

const KINDS: Record<LanguageFamily, FamilyKinds> = {
  js: {
    functions: FUNCTION_TYPES.js,
    loops: new Set(['for_statement', 'for_in_statement', 'while_statement', 'do_statement']),
    stateless: new Set(['import_statement', 'interface_declaration', 'type_alias_declaration', 'comment']),
  },
  python: {
    functions: FUNCTION_TYPES.python,
    loops: new Set([
      'for_statement',
      'while_statement',
      'list_comprehension',
      'set_comprehension',
      'dictionary_comprehension',
      'generator_expression',
    ]),
    stateless: new Set(['import_statement', 'import_from_statement', 'future_import_statement', 'comment']),
  },
  go: {
    functions: FUNCTION_TYPES.go,
    loops: new Set(['for_statement']),
    stateless: new Set(['package_clause', 'import_declaration', 'const_declaration', 'comment']),
  },
};

/** Iteration methods whose callback runs once per element: a call in it is in a loop. */
const ITERATING_CALL = /\.\s*(?:map|forEach|flatMap|filter|reduce|some|every|find|findIndex)\s*\(\s*$/;

const ITERATING_CALL_IN = /\.\s*(?:map|forEach|flatMap|filter|reduce|some|every|find|findIndex)\s*\(/;

/** A value with no state: a string, number, boolean or null literal (a constant). */
const IMMUTABLE_VALUE =
  /^(?:[rbuRBU]{0,2}(?:"[^"]*"|'[^']*')|`[^`$]*`|-?\d[\d_.eExX]*|true|false|True|False|None|null|undefined|nil)\s*;?$/;

/**
 * Marks of a write that may reach state shared between calls, in a function's text: an SQL write, a
 * write through a member or index (but into a container the function made itself), a compound
 * assignment or increment through one, a mutating call (`.append(`, `.set(`, `.commit(`, `.Exec(`…),
 * a global, a goroutine, a channel send, an atomic. A race needs a write: a function that only reads
 * and computes cannot race with itself. Conservative: one mark keeps the race claim.
 */
const WRITE_MARKS =
  /\b(?:INSERT|UPDATE|DELETE|MERGE|UPSERT|REPLACE)\b|\b(?:global|nonlocal|go|atomic)\b|<-|\.\s*(?:append|extend|push|unshift|splice|set|add|put|update|insert|delete|remove|discard|pop|shift|clear|save|commit|flush|store|incr\w*|decr\w*|Store|Swap|Add|Set|Put|Delete|Exec\w*|Write\w*|write\w*|send|Send|emit)\s*\(/;
/** `x.y = …`, `x[k] += …`, `x.n++`: a write through a member or index; group 1 is the object written through. */
const MEMBER_WRITE =
  /\b([A-Za-z_$][\w$]*)(?:\s*(?:\.\s*[A-Za-z_$][\w$]*|\[[^\]\n]*\]))+\s*(?:(?:[-+*/%|&^]|<<|>>)?=(?![=>])|\+\+|--)/g;
/** A name bound to a container made here (`body := map[string]string{…}`, `const out = []`, `seen = set()`). */
const FRESH_CONTAINER =
  /\b([A-Za-z_$][\w$]*)\s*(?::=|=(?![=>]))\s*(?:\{|\[|map\[|make\s*\(|new\s+(?:Map|Set|Array)\b|(?:dict|list|set|defaultdict|Counter)\s*\()/g;
/** A lock taken (a mutex, a row lock, an advisory lock, a `with lock:` block): the state behind it is guarded. */
const LOCK_TAKEN =
  /\.(?:R?Lock|acquire)\s*\(\s*\)|\bFOR\s+(?:NO\s+KEY\s+)?UPDATE\b|\b(?:with_for_update|select_for_update)\s*\(|\bpg_advisory\w*\s*\(|^\s*(?:async\s+)?with\s+[\w.]*lock\w*/im;

/**
 * Parameters that belong to one request: Go's `w http.ResponseWriter`, `r *http.Request`, a
 * framework's request context (`c *gin.Context`, `c echo.Context`, `c *fiber.Ctx`); a handler's
 * typed `res: Response`, `reply: FastifyReply`, `req: Request`, or Express's `(req, res)`; Python's
 * `response: Response`. What is written through them (headers, status, body) is that request's own.
 */
const PER_REQUEST_PARAMS: Record<LanguageFamily, RegExp[]> = {
  go: [/\b([A-Za-z_]\w*)\s+(?:http\.ResponseWriter|\*http\.Request|\*gin\.Context|echo\.Context|\*fiber\.Ctx)\b/g],
  js: [
    /\b([A-Za-z_$][\w$]*)\s*:\s*(?:\w+\.)?(?:Response|ServerResponse|FastifyReply|Request|FastifyRequest|IncomingMessage)\b/g,
    /\(\s*(?:req|request)\b[^,()]*,\s*(res|reply|response)\b/g,
  ],
  python: [/\b([A-Za-z_]\w*)\s*:\s*(?:\w+\.)?(?:Response|HttpResponse)\b/g],
};

/** The names of a function's per-request parameters, read from its header (up to its body). */
export function perRequestNames(fnText: string, family: LanguageFamily): string[] {
  const end = fnText.search(/[{:]\s*$/m);
  const header = fnText.slice(0, end < 0 ? 400 : Math.min(end + 1, 400));
  return [...new Set(PER_REQUEST_PARAMS[family].flatMap((re) => [...header.matchAll(re)].map((m) => m[1])))];
}

/** `w.Header().Set(…)`, `res.status(404).json(x)`, `res.locals.user = u`: a use of `name`, written through or not. */
function throughName(name: string): RegExp {
  const n = name.replace(/\$/g, '\\$');
  return new RegExp(
    `(?<![\\w$.])${n}(?![\\w$])(?:\\s*(?:\\.\\s*[A-Za-z_$][\\w$]*|\\([^()\\n]*\\)|\\[[^\\]\\n]*\\]))*(?:\\s*(?:[-+*/%|&^]|<<|>>)?=(?![=>])[^\\n;]*)?`,
    'g',
  );
}

/**
 * An SQL statement the database runs as one atomic step, whose concurrent runs cannot interleave:
 * an insert that settles a conflict itself (`ON CONFLICT`, `ON DUPLICATE KEY`, `INSERT OR IGNORE`),
 * or an update whose every assignment is relative to the row's own value (`SET cents = cents - $1`).
 */
export function atomicStatement(text: string): boolean {
  if (/\bINSERT\b[\s\S]*\bON\s+(?:CONFLICT|DUPLICATE\s+KEY)\b|\bINSERT\s+OR\s+(?:IGNORE|REPLACE)\b/i.test(text))
    return true;
  const set = /\bUPDATE\s+[\w."]+\s+SET\s+([^"'`]+?)(?:\bWHERE\b|\bRETURNING\b|["'`])/i.exec(text)?.[1];
  if (set === undefined) return false;
  return set.split(',').every((assignment) => /^\s*"?(\w+)"?\s*=\s*"?\1"?\s*[-+]/.test(assignment));
}

/**
 * A statement that reads and writes no state of its own: the start or the undoing of a transaction
 * (`query('BEGIN')`, `query('ROLLBACK')`, a savepoint: not where two runs interleave; a `COMMIT`
 * publishes the writes before it, so a claim on it stays), or a `return` of literals
 * (`return { ok: false, error: 'not found' }`).
 */
export function statementHoldsNoState(text: string): boolean {
  const t = text.trim().replace(/;$/, '');
  if (
    /^(?:await\s+|defer\s+)?[\w.]+\s*\(\s*(["'`])\s*(?:BEGIN|ROLLBACK|START TRANSACTION|(?:RELEASE\s+|ROLLBACK TO\s+)?SAVEPOINT\s+\w+)\s*;?\s*\1\s*\)$/i.test(
      t,
    )
  )
    return true;
  const returned = /^return\s+([\s\S]*)$/.exec(t)?.[1];
  if (returned === undefined) return false;
  // Literals only: strip strings, then nothing but literal words, numbers, keys and punctuation may stay.
  if (returned.includes('${')) return false;
  const rest = returned.replace(/(["'`])(?:\\.|(?!\1)[^\\])*\1/g, '""');
  return /^[\s{}[\],:"\d.\-]*$/.test(
    rest.replace(/\b(?:true|false|null|undefined|None|True|False|nil|[A-Za-z_]\w*(?=\s*:))\b/g, ''),
  );
}

/** A read of the database: a SELECT, an ORM or driver read. A read before an atomic write can still race (check, then act). */
const DATABASE_READ =
  /\bSELECT\b|\.\s*(?:get|find\w*|filter\w*|first|one|all|scalar\w*|fetch\w*|Query\w*|Get|Find\w*|Select\w*|load\w*|findUnique|findFirst|findMany)\s*\(/;

/**
 * Calls whose name says they only read or build a value (`db.PingContext(…)`, `json.NewEncoder(…)`,
 * `userService.getUserById(…)`, `http.Error(w, …)`, `fmt.Sprintf(…)`). When a handler's own request
 * and response are set aside, every other call (`userService.createUser(…)`,
 * `a.popPendingSession(…)`, `next.ServeHTTP(w, r)`, `authService.verifyEmail(…)`) may write shared
 * state and keeps a race claim: a handler that delegates its writes to a service may still race.
 * Checked on real controllers and handlers (gotify, miniflux, node-express-boilerplate, pocketbase).
 */
const READING_CALL = new Set(
  (
    'get find query list read fetch load ping select count exist exists has is check search lookup parse format marshal ' +
    'unmarshal encode decode validate new with to as string sprint sprintf printf errorf error json header log debug info ' +
    'warn trace len cap make byte int uint float bool rune min max abs round floor ceil now since contains split join ' +
    'trim lower upper equal keys values entries stringify status context background duration time url path sha hash hex ' +
    'base64 quote escape unescape compile must convert copy clone map filter sort reverse slice some every includes index ' +
    'at then catch finally resolve reject all race any'
  ).split(' '),
);
/** The first word of a name: `getUserById` → get, `NewEncoder` → new, `JSON` → json, `read_rows` → read. */
function firstWord(name: string): string {
  return (/^[A-Z]+(?![a-z])|^[A-Z]?[a-z0-9]+/.exec(name)?.[0] ?? name).toLowerCase();
}
const CALL = /(?:^|[^\w$.])(new\s+)?[A-Za-z_$][\w$]*(?:\s*\.\s*[A-Za-z_$][\w$]*)*\s*\(/gm;
const NOT_CALLS = new Set([
  'if',
  'for',
  'while',
  'switch',
  'return',
  'func',
  'function',
  'catch',
  'typeof',
  'await',
  'defer',
  'go',
  'select',
  'elif',
  'not',
  'and',
  'or',
  'in',
  'with',
  'async',
]);

/** Whether the code calls something that may write: a call whose name does not say it only reads. */
function callsThatMayWrite(code: string): boolean {
  for (const line of code.split('\n')) {
    if (/^\s*defer\s/.test(line)) continue; // Deferred cleanup (`defer cancel()`) ends the call's own resources.
    for (const m of line.matchAll(CALL)) {
      if (m[1]) continue; // `new ApiError(…)`: a value.
      const name = m[0]
        .replace(/^[^A-Za-z_$]/, '')
        .replace(/\s*\($/, '')
        .split('.')
        .pop()!
        .trim();
      if (NOT_CALLS.has(name) || READING_CALL.has(firstWord(name)) || name === '_') continue;
      return true;
    }
  }
  return false;
}

export function writesShared(text: string, perRequest: readonly string[] = []): boolean {
  let code = text.replace(/\/\/.*$/gm, '');
  for (const name of perRequest) code = code.replace(throughName(name), '_');
  if (WRITE_MARKS.test(code)) return true;
  // The header is left out (its first line up to the body's opening): what wraps the handler (`http.HandlerFunc(func(w, r) {`,
  // `catchAsync(async (req, res) => {`) registers it, it is not its body.
  if (perRequest.length > 0 && callsThatMayWrite(code.replace(/^[^\n]*(?:\{|=>|:[ \t]*$)/, ''))) return true;
  const fresh = new Set([...code.matchAll(FRESH_CONTAINER)].map((m) => m[1]));
  for (const m of code.matchAll(MEMBER_WRITE)) if (!fresh.has(m[1])) return true;
  return false;
}

/** Marks of a string built from a value: interpolation, concatenation, formatting, joining. */
const DYNAMIC_STRING =
  /\$\{|(?:^|[^\w])[fF][rR]?["']|["'`]\s*\+|\+\s*["'`]|["']\s*%\s*[\w(]|\.format\s*\(|\bSprintf\s*\(|\bSprint\s*\(|\.join\s*\(|\bconcat\s*\(|\bWriteString\s*\(|\.replace\s*\(/;
/** A literal that is a query or a command. */
const QUERY_LITERAL =
  /["'`][^"'`]*\b(?:SELECT|INSERT|UPDATE|DELETE|WITH|MERGE|UPSERT|CALL|EXEC)\b[^"'`]*["'`]|["'`]\s*(?:sh|bash|ls|git|curl|rm|cat)\b/i;

interface Place {
  /** Lines of the innermost function around the line, or undefined at the top level. */
  fn?: LineRange;
  inLoop: boolean;
  /** The top-level statement holds no state (an import, an erased type, a constant…). */
  stateless: boolean;
}

function linesOf(node: Node): LineRange {
  return { startLine: node.startPosition.row + 1, endLine: node.endPosition.row + 1 };
}

function placeOf(tree: Tree, family: LanguageFamily, line: number, lineText: string): Place {
  const kinds = KINDS[family];
  const column = Math.max(0, lineText.length - lineText.trimStart().length);
  let node: Node | null = tree.rootNode.descendantForPosition({ row: line - 1, column });
  let fn: LineRange | undefined;
  let inLoop = false;
  let top: Node | undefined;
  for (; node; node = node.parent) {
    if (!fn && kinds.loops.has(node.type)) inLoop = true;
    if (
      !fn &&
      kinds.functions.has(node.type) &&
      node.startPosition.row + 1 <= line &&
      node.endPosition.row > node.startPosition.row
    ) {
      // A callback of an iteration method runs once per element.
      const call = node.parent?.type === 'arguments' ? node.parent.parent : undefined;
      if (call && ITERATING_CALL.test(call.text.slice(0, node.startIndex - call.startIndex))) inLoop = true;
      fn = linesOf(node);
    }
    if (node.parent && !node.parent.parent) top = node;
  }
  if (top?.type === 'export_statement')
    top = top.namedChildren.find((c) => c !== null && c.type !== 'comment' && c.type !== 'decorator') ?? top;
  let stateless = false;
  if (!fn && top) {
    if (kinds.stateless.has(top.type)) stateless = true;
    else if (family === 'go' && top.type === 'type_declaration')
      stateless = top.namedChildren.every(
        (s) => s?.type === 'type_spec' && s.namedChildren.at(-1)?.type === 'interface_type',
      );
    else if (family === 'python' && top.type === 'expression_statement') {
      // A docstring, or `NAME = "literal"` / `NAME: int = 3`.
      const inner = top.namedChildren[0];
      stateless =
        inner?.type === 'string' ||
        (inner?.type === 'assignment' && IMMUTABLE_VALUE.test(inner.childForFieldName('right')?.text ?? '('));
    } else if (family === 'js' && top.type === 'lexical_declaration' && top.text.startsWith('const')) {
      stateless = top.namedChildren.every(
        (d) => d?.type !== 'variable_declarator' || IMMUTABLE_VALUE.test(d.childForFieldName('value')?.text ?? '('),
      );
    }
  }
  return { fn, inLoop, stateless };
}

export interface Ungrounded<F> {
  finding: F;
  mechanism: Mechanism;
}

/**
 * The findings of one part split into those kept and those whose claimed mechanism the quoted
 * code plainly lacks (in the lines shown, `segments`):
 * - a race: the quoted line is a stateless top-level statement (an import, an interface or type
 *   alias, the package clause, a constant), or its function, wholly shown, touches no state that
 *   outlives the call (no call but pure built-ins, no write through a member or index, no global,
 *   goroutine, channel or lock);
 * - an injection: the quoted statement passes a query or command literal and builds no string
 *   from a value (no interpolation, concatenation, formatting or joining);
 * - a query or call per item: the quoted statement is in no loop, comprehension or iteration
 *   callback of its function.
 * Offline findings are never withheld. The file's tree is read only when a finding claims one (the
 * review's tree of the file when `trees` is given, else a parse of its own).
 *
 * `sameRace` lists the groups of race claims kept in one function: a reviewer that reads a
 * check-then-act often flags its read and its write, or two of its writes, as two races; they are
 * one problem (the caller folds each group into one finding with related locations).
 */
export async function withholdUngrounded<
  F extends { title: string; message: string; category: string; startLine: number; origin?: string },
>(
  findings: F[],
  unit: Pick<ReviewUnit, 'path' | 'language' | 'text'>,
  segments: readonly LineRange[],
  trees?: SharedTrees,
): Promise<{ kept: F[]; withheld: Ungrounded<F>[]; sameRace: F[][] }> {
  const claims = findings.map((f) => (f.origin === 'offline' ? undefined : claimedMechanism(f)));
  const grammar = grammarForUnit(unit.path, unit.language);
  if (!grammar || claims.every((c) => c === undefined)) return { kept: findings, withheld: [], sameRace: [] };
  const family = familyOf(grammar);
  return readTree(trees, unit, grammar, (tree) => {
    const lines = unit.text.split('\n');
    const shown = (range: LineRange): boolean =>
      segments.some((s) => s.startLine <= range.startLine && range.endLine <= s.endLine);
    const text = (range: LineRange): string => lines.slice(range.startLine - 1, range.endLine).join('\n');
    const kept: F[] = [];
    const withheld: Ungrounded<F>[] = [];
    /** Race claims kept, by the function they are in: one function's race is one problem. */
    const racesByFunction = new Map<number, F[]>();
    findings.forEach((finding, i) => {
      const mechanism = claims[i];
      const line = finding.startLine;
      if (mechanism === undefined || line < 1 || line > lines.length) {
        kept.push(finding);
        return;
      }
      const place = placeOf(tree, family, line, lines[line - 1]);
      const statement = statementRange(lines, line);
      // A loop inside the quoted statement itself: `return [get(s) for s in skus]`, `ids.map((id) => get(id))`.
      if (!place.inLoop && mechanism === 'per-item')
        place.inLoop =
          ITERATING_CALL_IN.test(text(statement)) ||
          tree.rootNode
            .descendantsOfType(
              [...KINDS[family].loops],
              { row: statement.startLine - 1, column: 0 },
              { row: statement.endLine, column: 0 },
            )
            .some(
              (n) =>
                n !== null &&
                n.startPosition.row + 1 >= statement.startLine &&
                n.startPosition.row + 1 <= statement.endLine,
            );
      let ungrounded = false;
      if (mechanism === 'race') {
        if (!place.fn) ungrounded = place.stateless;
        else if (statementHoldsNoState(text(statement))) ungrounded = true;
        else if (shown(place.fn)) {
          const fnText = text(place.fn);
          const before = text({ startLine: place.fn.startLine, endLine: statement.endLine });
          const readBefore = text({ startLine: place.fn.startLine, endLine: statement.startLine - 1 });
          ungrounded =
            !writesShared(fnText, perRequestNames(fnText, family)) ||
            LOCK_TAKEN.test(before) ||
            (atomicStatement(text(statement)) && !DATABASE_READ.test(readBefore));
        }
      } else if (mechanism === 'injection') {
        const said = text(statement);
        ungrounded = shown(statement) && QUERY_LITERAL.test(said) && !DYNAMIC_STRING.test(said);
      } else {
        ungrounded = place.fn !== undefined && shown(place.fn) && !place.inLoop;
      }
      if (ungrounded) withheld.push({ finding, mechanism });
      else kept.push(finding);
      if (!ungrounded && mechanism === 'race' && place.fn)
        racesByFunction.set(place.fn.startLine, [...(racesByFunction.get(place.fn.startLine) ?? []), finding]);
    });
    return { kept, withheld, sameRace: [...racesByFunction.values()].filter((group) => group.length > 1) };
  });
}
