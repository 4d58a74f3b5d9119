/**
 * What Go's query-in-loop check knows of database calls, and a reading of a Go package's files from
 * their text alone: which of its functions run queries. Go's unit is the package (a folder's files),
 * so a loop that calls `hardDelete(s, t)` declared in a sibling file runs that file's queries; the
 * project's facts (projectFacts.ts) hand each file the querying functions of its package that it calls.
 */
import { closingBracket, isWordCode } from './syntax';

/** Names that say a value is a database handle (`db`, `tx`, `s.store`, `userRepo`). */
export const DATA_OBJECT = /(db|tx|conn|pool|repo|store|sql)$/i;

/** database/sql, pgx and sqlx calls that make one round trip. */
export const SQL_CALLS =
  /^(?:Query|QueryRow|Exec|QueryContext|QueryRowContext|ExecContext|Get|Select|Queryx|QueryRowx|GetContext|SelectContext|NamedExec|NamedExecContext)$/;

/** database/sql and sqlx calls that return rows (or a result) a later `.Scan` reads. */
export const ROW_QUERIES =
  /^(?:Query|QueryRow|Exec|QueryContext|QueryRowContext|ExecContext|Queryx|QueryRowx|NamedQuery|NamedExec)$/;

/** ORM calls that run the built query (gorm, xorm, bun, ent). */
export const ORM_FINISHERS =
  /^(?:First|Find|Take|Last|Create|Save|Updates?|Delete|Scan|Count|Pluck|Insert|Only|OnlyX|All|AllX|Exist|Exists|FindByID|Get|GetX|FirstOrCreate|FirstOrInit|UpdateColumns?|Related)$/;

/** A parameter's type that is a database handle (`*xorm.Session`, `*sql.Tx`). */
export const DB_HANDLE_TYPE =
  /^\*(?:sql\.(?:DB|Tx|Conn)|gorm\.DB|sqlx\.(?:DB|Tx)|xorm\.(?:Engine|Session)|pgxpool\.Pool|pgx\.Conn|bun\.(?:DB|Tx)|ent\.Client|pg\.DB|pg\.Tx)$/;

/**
 * Types of database handles: a parameter or field of one of these is a database whatever its name
 * (`db *sql.DB`, `tx *gorm.DB`). The pointer and type, found before the name: see dbHandleNames.
 */
const POINTER_TO_DB_HANDLE =
  /\*(?:sql\.(?:DB|Tx|Conn)|gorm\.DB|sqlx\.(?:DB|Tx)|xorm\.(?:Engine|Session)|pgxpool\.Pool|pgx\.Conn|bun\.(?:DB|Tx)|ent\.Client|pg\.DB|pg\.Tx)\b/g;
const SPACE = /\s/;

/**
 * The names declared with a database handle's type: what `/\b([A-Za-z_]\w*)\s+\*TYPE\b/g` matches, in
 * one pass. That regex starts at every word of the text (1.7 ms for the 10,000-line Go bench file);
 * the pointer and type start with `*` and are rare, so they are found first and the name read
 * backwards: the whole run of word characters before the spaces (the regex can only start at a
 * run's first character), not starting with a digit, and not inside the previous match (which the
 * regex's scan would have passed).
 */
export function dbHandleNames(text: string): Set<string> {
  const names = new Set<string>();
  let matchedUpTo = 0;
  for (const pointer of text.matchAll(POINTER_TO_DB_HANDLE)) {
    let nameEnd = pointer.index;
    while (nameEnd > 0 && SPACE.test(text[nameEnd - 1])) nameEnd -= 1;
    if (nameEnd === pointer.index) continue;
    let nameStart = nameEnd;
    while (nameStart > 0 && isWordCode(text.charCodeAt(nameStart - 1))) nameStart -= 1;
    const first = text.charCodeAt(nameStart);
    if (nameStart === nameEnd || nameStart < matchedUpTo || (first >= 0x30 && first <= 0x39)) continue;
    names.add(text.slice(nameStart, nameEnd));
    matchedUpTo = pointer.index + pointer[0].length;
  }
  return names;
}

/**
 * Statements that change the schema or the session, or maintain a table (`OPTIMIZE TABLE`, `CHECK
 * TABLE`, `CLUSTER`, `REFRESH MATERIALIZED VIEW`): one per object by nature, nothing to batch.
 */
export const DDL_TEXT =
  /^\s*(?:CREATE|DROP|ALTER|TRUNCATE|PRAGMA|SET|RESET|GRANT|REVOKE|VACUUM|ANALYZE|REINDEX|COMMENT|ATTACH|DETACH|OPTIMIZE|REPAIR|CHECK\s+TABLE|CHECKSUM\s+TABLE|CLUSTER|REFRESH\s+MATERIALIZED)\b/i;

/** A statement that takes a list of values (`id IN (…)`, `IN ?`, `= ANY($1)`): one round trip per batch, not per row. */
export const TAKES_A_LIST = /\bIN\s*(?:\(\s*(?:\?|\$\d|:\w|@\w|%[sv]|$)|\?|\$\d|$)|=\s*ANY\s*\(/i;

/** The database's own catalog: sqlite's schema table, information_schema, pg_catalog. */
export const CATALOG =
  /^(?:sqlite_(?:master|schema)|information_schema\.\w+|pg_catalog\.\w+)$|\b(?:FROM|JOIN)\s+(?:sqlite_(?:master|schema)|information_schema\.|pg_catalog\.)/i;

export const LIST_STEP = /^(?:In|NotIn|WhereIn|AndIn|OrIn)$/;

/** A parameter that carries a file's content: `f io.ReadSeeker`, `file multipart.File`, `fh *multipart.FileHeader`. */
export const FILE_CONTENT_PARAMETER =
  /\b(?:io\.(?:Reader|ReadSeeker|ReadCloser|ReadSeekCloser)|multipart\.File|\*?multipart\.FileHeader)\b/;

/** Statements that only store rows: nothing is read back from them. */
export const ROW_WRITES =
  /^(?:Create|Save|Updates?|UpdateColumns?|Delete|Insert|Exec|ExecContext|NamedExec|NamedExecContext)$/;

/** A function of a package that runs queries (as its text says), for the facts of the files that call it. */
export interface PackageQueryFunction {
  /** The file that declares it (its name in the folder). */
  file: string;
  /** The calls that run the queries (`s.….Delete`), or the package function it reaches them through. */
  queries: string[];
  /** Every query it runs only stores rows (inserts, updates, deletes): it reads nothing back. */
  writesOnly: boolean;
  /** How many query statements its text runs (through the function it reaches them by, that one's). */
  statements: number;
}

/** A Go file's text with its name in the folder. */
export interface PackageFile {
  name: string;
  text: string;
}

/** `package models` (the clause), or undefined. */
export function goPackageName(text: string): string | undefined {
  return /^package[ \t]+([A-Za-z_]\w*)/m.exec(text)?.[1];
}

/** Top-level functions without a receiver, as gofmt lays them out: `func name(` at a line's start, `}` closing at column 0. */
const TOP_LEVEL_FUNCTION = /^func[ \t]+([A-Za-z_]\w*)[ \t]*(?:\[[^\]\n]*\][ \t]*)?\(/gm;
/** A chain's root: a name not preceded by a dot (`s` in `s.Where(…).Delete(…)`). */
const CHAIN_ROOT = /(?<![.\w])([A-Za-z_]\w*)[ \t]*\./g;
/** A plain call of a name (`hardDelete(`), not a method or a package's function. */
const PLAIN_CALL = /(?<![.\w])([A-Za-z_]\w*)[ \t]*\(/g;
const SESSION_STORE = /(?:session|cookie)\w*store$/i;
const STRING_LITERAL = /"(?:[^"\\\n]|\\.)*"|`[^`]*`/g;

/** One step of a selector chain from `at` (just after a dot): its name, and whether it is called. */
function chainSteps(text: string, at: number, end: number): { names: string[]; calls: boolean[]; end: number } {
  const names: string[] = [];
  const calls: boolean[] = [];
  let position = at;
  for (let steps = 0; steps < 24 && position < end; steps += 1) {
    const name = /^[ \t\n]*([A-Za-z_]\w*)[ \t]*/.exec(text.slice(position, Math.min(end, position + 200)));
    if (!name) break;
    names.push(name[1]);
    position += name[0].length;
    let called = false;
    if (text[position] === '(') {
      const close = closingBracket(text, position);
      if (close < 0 || close > end) break;
      called = true;
      position = close + 1;
    }
    calls.push(called);
    const dot = /^[ \t]*(?:\n[ \t]*)?\./.exec(text.slice(position, position + 80));
    if (!dot) break;
    position += dot[0].length;
  }
  return { names, calls, end: position };
}

/** The body of the function declared at `start` (gofmt: from its first line to the `}` at a line's start). */
function functionBody(text: string, start: number): { signature: string; body: string } {
  const close = text.indexOf('\n}', start);
  const end = close < 0 ? text.length : close + 2;
  const open = text.indexOf('{\n', start);
  const bodyStart = open < 0 || open > end ? end : open + 1;
  return { signature: text.slice(start, bodyStart), body: text.slice(bodyStart, end) };
}

/**
 * The queries a function's body runs by its text: chains from a handle (a name `DATA_OBJECT` accepts
 * or one the file declares with a handle's type) that end in an ORM finisher or make a database/sql
 * round trip, the way the tree check reads them; not a batch (`In(…)`, `IN (?)`), a schema statement,
 * a statement the caller passes (an executor helper), or a handle the function opens or begins itself.
 */
function queriesInBody(signature: string, body: string, handles: ReadonlySet<string>): string[] {
  // A web session's store (`app.sessionStore.Get(r, name)`) keeps cookies, not rows.
  const isHandle = (name: string): boolean =>
    (DATA_OBJECT.test(name) && !SESSION_STORE.test(name)) || handles.has(name);
  const parameters = new Set(
    [...signature.matchAll(/[(,]\s*([A-Za-z_]\w*)\s+(?:\.\.\.)?[\w*[\].]/g)].map((match) => match[1]),
  );
  const found: string[] = [];
  for (const match of body.matchAll(CHAIN_ROOT)) {
    const root = match[1];
    const { names, calls, end } = chainSteps(body, (match.index ?? 0) + match[0].length, body.length);
    if (names.length === 0) continue;
    const chain = [root, ...names];
    for (let k = 1; k < chain.length; k += 1) {
      if (!calls[k - 1]) continue;
      const name = chain[k];
      const operand = chain.slice(0, k);
      const query = SQL_CALLS.test(name)
        ? operand.length <= 2 && isHandle(operand[operand.length - 1])
        : ORM_FINISHERS.test(name) &&
          !operand.some((step) => ROW_QUERIES.test(step)) &&
          operand.slice(0, 2).some(isHandle);
      if (!query) continue;
      const text = body.slice(match.index ?? 0, end);
      const literals = [...text.matchAll(STRING_LITERAL)].map((literal) => literal[0].slice(1, -1));
      const batch =
        chain.some((step) => LIST_STEP.test(step)) ||
        literals.some(
          (literal) => TAKES_A_LIST.test(literal.trimEnd()) || CATALOG.test(literal) || DDL_TEXT.test(literal),
        );
      // The statement is the caller's (`exec(ctx, tx, stmt)`): whether it is per row is the caller's to say.
      const statement = /\(\s*(?:[A-Za-z_]\w*\s*,\s*)?([A-Za-z_]\w*)\s*[,)]/.exec(
        text.slice(text.indexOf(name + '(')),
      )?.[1];
      const given =
        SQL_CALLS.test(name) && statement !== undefined && parameters.has(statement) && !isHandle(statement);
      const opened = new RegExp(
        `\\b${root}\\s*(?:,\\s*\\w+\\s*)?:?=\\s*[\\w.]*(?:Open|Connect|Dial|Begin|BeginTx|Beginx|BeginTxx)\\w*\\s*\\(`,
      ).test(body);
      const inGoroutine = /(?:^|\n)[ \t]*go[ \t]+$/.test(body.slice(0, match.index ?? 0).slice(-40));
      if (!batch && !given && !opened && !inGoroutine) {
        found.push(operand.length > 1 ? `${root}.….${name}` : `${root}.${name}`);
      }
      break;
    }
  }
  return found;
}

/**
 * The functions of one Go package (its files' texts, tests left out by the caller) that run queries:
 * their own, or through one other function of the package they call. A function that takes a file's
 * content stores a file per call (see storesFile in rules/go.ts) and is left out.
 */
export function packageQueryFunctions(files: readonly PackageFile[]): Map<string, PackageQueryFunction> {
  const own = new Map<string, PackageQueryFunction>();
  const calling: Array<{ name: string; file: string; calls: Set<string> }> = [];
  for (const file of files) {
    const handles = dbHandleNames(file.text);
    for (const match of file.text.matchAll(TOP_LEVEL_FUNCTION)) {
      const name = match[1];
      const { signature, body } = functionBody(file.text, match.index ?? 0);
      if (FILE_CONTENT_PARAMETER.test(signature)) continue;
      const queries = queriesInBody(signature, body, handles);
      if (queries.length > 0)
        own.set(name, {
          file: file.name,
          queries,
          statements: queries.length,
          writesOnly: queries.every((query) => ROW_WRITES.test(query.slice(query.lastIndexOf('.') + 1))),
        });
      else
        calling.push({ name, file: file.name, calls: new Set([...body.matchAll(PLAIN_CALL)].map((call) => call[1])) });
    }
  }
  const all = new Map(own);
  for (const { name, file, calls } of calling) {
    const through = [...calls].find((callee) => callee !== name && own.has(callee));
    const reached = through ? own.get(through) : undefined;
    if (through && reached)
      all.set(name, {
        file,
        queries: [through, ...reached.queries],
        writesOnly: reached.writesOnly,
        statements: reached.statements,
      });
  }
  return all;
}

/**
 * The package's querying functions (see packageQueryFunctions) that `text` calls by their bare name
 * and does not declare itself: what a check of that file alone cannot see.
 */
export function calledPackageQueries(
  text: string,
  functions: ReadonlyMap<string, PackageQueryFunction>,
): Record<string, PackageQueryFunction> | undefined {
  let called: Record<string, PackageQueryFunction> | undefined;
  const seen = new Set<string>();
  for (const match of text.matchAll(PLAIN_CALL)) {
    const name = match[1];
    const known = functions.get(name);
    if (!known || seen.has(name)) continue;
    seen.add(name);
    if (new RegExp(`^func[ \\t]+${name}\\b`, 'm').test(text)) continue;
    (called ??= {})[name] = { ...known, queries: known.queries.slice(0, 3) };
  }
  return called;
}
