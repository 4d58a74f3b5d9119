import type { Language, Node, Tree } from '@vscode/tree-sitter-wasm';
import { entropyBits, KNOWN_SECRET_PATTERNS, SECRET_NAME_PATTERN } from '../secretPatterns';
import { KNOWN_FORMAT_NAMES } from './rules/secretFormats';
import type { CheckInput } from './types';

/** Small, language-neutral helpers over tree-sitter nodes. */

export function named(node: Node | null | undefined): Node[] {
  if (!node) return [];
  const text = sourceByTree.get(node.tree);
  return node.namedChildren.filter(
    (child): child is Node => child !== null && (!mayBeComment(text, child.startIndex) || child.type !== 'comment'),
  );
}

/**
 * The source text of each tree a check is running on (index.ts `collect` shares it), so `named` can
 * tell most children from comments by their first character instead of reading each one's type.
 */
const sourceByTree = new WeakMap<Tree, string>();

/** Shares a tree's source text with `named` while its check runs (undefined: stop). */
export function shareSource(tree: Tree, text: string | undefined): void {
  if (text === undefined) sourceByTree.delete(tree);
  else sourceByTree.set(tree, text);
}

/** The source text of the tree `node` belongs to while a check runs on it (undefined otherwise). */
export function sourceOf(node: Node): string | undefined {
  return sourceByTree.get(node.tree);
}

/**
 * Whether the node starting at `start` can be a comment: in Python, Go, JavaScript and TypeScript
 * every comment starts with `#` or `/` (`# …`, `// …`, `/* … *\/`); unknown text: any node can.
 */
function mayBeComment(text: string | undefined, start: number): boolean {
  if (text === undefined) return true;
  const first = text.charCodeAt(start);
  return first === 0x23 || first === 0x2f || Number.isNaN(first);
}

// Field ids per grammar: `childForFieldName` looks the name up in the grammar's field list on every call.
const fieldIdsByLanguage = new WeakMap<Language, Map<string, number>>();

/** The child in field `name`, as `node.childForFieldName(name)` gives it. */
export function field(node: Node | null | undefined, name: string): Node | null {
  if (!node) return null;
  const language = node.tree.language;
  let ids = fieldIdsByLanguage.get(language);
  if (!ids) {
    ids = new Map();
    fieldIdsByLanguage.set(language, ids);
  }
  let id = ids.get(name);
  if (id === undefined) {
    id = language.fields.indexOf(name);
    ids.set(name, id);
  }
  return id === -1 ? null : node.childForFieldId(id);
}

/** Nearest ancestor (not the node itself) whose type is in `types`; stops at `stopTypes`. */
export function ancestor(node: Node, types: ReadonlySet<string>, stopTypes?: ReadonlySet<string>): Node | null {
  for (const current of climb(node)) {
    if (types.has(current.type)) return current;
    if (stopTypes?.has(current.type)) return null;
  }
  return null;
}

/** True when `inner` lies within `outer` (same or descendant). */
export function contains(outer: Node, inner: Node): boolean {
  return inner.startIndex >= outer.startIndex && inner.endIndex <= outer.endIndex;
}

/**
 * The nodes the one collecting walk of a check found, per type, for each tree checked whole
 * (index.ts `collect` shares them): `descendants` reads a subtree's nodes of those types from these
 * lists instead of walking the subtree again in WebAssembly.
 */
const collectedByTree = new WeakMap<Tree, ReadonlyMap<string, readonly Node[]>>();

/**
 * Shares the whole tree's collected nodes per type with `descendants` (undefined: the walk saw only
 * part of the tree, so `descendants` asks the tree). Only for a tree without syntax errors: there
 * every node nests inside its parent's range and no node of these types is empty, so a subtree's
 * nodes are exactly those whose range lies in the subtree's.
 */
export function shareCollectedNodes(tree: Tree, byType: ReadonlyMap<string, readonly Node[]> | undefined): void {
  if (byType && !tree.rootNode.hasError) collectedByTree.set(tree, byType);
  else collectedByTree.delete(tree);
}

/** Index of the first node of a start-ordered list that starts at or after `offset`. */
function firstStartingAt(nodes: readonly Node[], offset: number): number {
  let low = 0;
  let high = nodes.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (nodes[mid].startIndex < offset) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * `node.descendantsOfType(types)` read from the collected lists: each list is in document order, a
 * node starting strictly inside `node` lies inside it (nodes nest), and one starting where `node`
 * starts does when it ends before `node` ends, or is `node` itself. Undefined where offsets cannot
 * decide (a type not collected, an empty node, another node of exactly `node`'s range, nodes of two
 * types starting at one offset), so the caller asks the tree.
 */
function collectedDescendants(
  collected: ReadonlyMap<string, readonly Node[]>,
  node: Node,
  types: string | string[],
): Node[] | undefined {
  const start = node.startIndex;
  const end = node.endIndex;
  if (end <= start) return undefined;
  const wanted = typeof types === 'string' ? [types] : [...new Set(types)];
  const found: Node[] = [];
  for (const type of wanted) {
    const list = collected.get(type);
    if (!list) return undefined;
    for (let at = firstStartingAt(list, start); at < list.length; at += 1) {
      const candidate = list[at];
      if (candidate.startIndex >= end) break;
      if (candidate.startIndex === start) {
        // endIndex is a WebAssembly call: read only for the few nodes starting with `node`.
        const candidateEnd = candidate.endIndex;
        if (candidateEnd > end) continue;
        if (candidateEnd === end && candidate.id !== node.id) return undefined;
        if (candidateEnd <= start) return undefined;
      }
      found.push(candidate);
    }
  }
  if (wanted.length === 1) return found;
  // Several types: merged in document order; two starting at one offset would need their nesting.
  found.sort((a, b) => a.startIndex - b.startIndex);
  for (let at = 1; at < found.length; at += 1)
    if (found[at].startIndex === found[at - 1].startIndex && found[at].type !== found[at - 1].type) return undefined;
  return found;
}

/** Descendants of some types inside one node (and the node itself when it is of one), in document order. */
export function descendants(node: Node, types: string | string[]): Node[] {
  const collected = collectedByTree.get(node.tree);
  const found = collected && collectedDescendants(collected, node, types);
  return found ?? node.descendantsOfType(types).filter((child): child is Node => child !== null);
}

/** The content of a quoted literal without its quotes and prefixes ('x', "x", `x`, f"x", r'x', """x"""). */
export function unquote(literal: string): string {
  const match = /^[A-Za-z]*("""|'''|"|'|`)([\s\S]*)\1$/.exec(literal);
  return match ? match[2] : literal;
}

const SQL_SHAPE =
  /\b(?:select\s[\s\S]*\bfrom|insert\s+into|update\s+[\w."`[\]]+\s+set|delete\s+from|replace\s+into|merge\s+into|upsert\s+into|create\s+(?:temp(?:orary)?\s+|unlogged\s+)?table|drop\s+table|alter\s+table|truncate\s+table|where\s|order\s+by|values\s*\()/i;

/** True when text reads like a SQL statement or clause (used to tell SQL strings from others). */
export function looksLikeSql(text: string): boolean {
  return SQL_SHAPE.test(text);
}

/** Clause words after which a list of names follows (tables, columns, sort keys), never a value. */
const NAME_CLAUSE = /^(?:from|join|into|update|table|by|select|distinct|exists|index|view|sequence|truncate)$/i;
/** Words that end a name list and start values or conditions (`WHERE`, `SET`, `VALUES`, an operator). */
const VALUE_CLAUSE =
  /^(?:where|set|values|having|and|or|on|not|limit|offset|like|ilike|in|is|between|case|when|then|else|returning|as)$/i;
/** The text right after a splice that makes it the left side of a comparison or assignment: a column. */
const COLUMN_BEFORE_OPERATOR = /^\s*["`\]]?\s*(?:=(?!=)|<>|!=|<=?|>=?|(?:not\s+)?(?:in|like|ilike|between)\b|is\b)/i;

/**
 * Whether a value spliced between the SQL text `before` and `after` stands where the statement names
 * a table or column (`FROM %s`, `ORDER BY a, %s`, `INSERT INTO t (%s)`, `"%s"`, `%s.id`, `SET %s = ?`)
 * rather than where it gives a value (`= %s`, `'%s'`, `VALUES (%s)`, `LIMIT %s`). Placeholders cannot
 * bind a name, so code that picks its tables and columns has to splice them: such a splice is data
 * only when the name itself comes from outside, which the caller decides. Anything unclear is a value.
 */
export function splicedAsName(before: string, after: string): boolean {
  // Inside a quoted SQL string ('…%s…') the splice is a value, whatever precedes the quote.
  let quotes = 0;
  for (let at = before.indexOf("'"); at >= 0; at = before.indexOf("'", at + 1)) quotes += 1;
  if (quotes % 2 === 1) return false;
  // Earlier splices (`%s`, `%v`, `{}`, `{name}`) stand for names or values alike; SQLite's conflict
  // clause (`UPDATE OR IGNORE`, `INSERT OR REPLACE`) is part of the verb, not a condition's `OR`.
  const head = before
    .replace(/%[-+# 0]*\d*(?:\.\d+)?[a-zA-Z]|\{[^{}'"]*\}/g, '_')
    .replace(/\bor\s+(?:ignore|replace|rollback|abort|fail)\b/gi, '')
    .trimEnd();
  const last = head[head.length - 1];
  // A quoted identifier ("%s", `%s`, [%s]) or one part of a qualified name (schema.%s, %s.column).
  if ((last === '"' || last === '`' || last === '[') && /^["`\]]/.test(after)) return true;
  if (last === '.' && /[\w"`\]]$/.test(head.slice(0, -1))) return true;
  if (/^\.[A-Za-z_"`[*]/.test(after)) return true;
  // The left side of a comparison or of `SET col = ?`: a column.
  if (COLUMN_BEFORE_OPERATOR.test(after) && !/(?:=|<|>|\b(?:like|in|is))\s*\(?\s*["`]?$/i.test(head)) return true;
  // Back to the last clause word: a name list when the words between are names, commas and brackets only.
  const words = head.match(/[A-Za-z_][\w$]*|[^\s\w]/g) ?? [];
  for (let at = words.length - 1; at >= 0; at -= 1) {
    const word = words[at];
    if (NAME_CLAUSE.test(word)) return true;
    if (VALUE_CLAUSE.test(word)) return false;
    if (!/^[\w$]+$|^[,.()"`[\]*]$/.test(word)) return false;
  }
  return false;
}

/** `generateApiKey` / `reset_code` → `generate api key` / `reset code`, so patterns match whole words. */
function nameWords(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
    .join(' ');
}

/** Names that say a value is a credential (for the weak-random rule: what the random value builds). */
const SECRET_PURPOSE =
  /\b(tokens?|secrets?|password|passwd|pwd|passphrase|nonce|otp|totp|salt|csrf|xsrf|credentials?|apikey|sid|pin)\b|\bsession (id|key)\b|\bapi key\b|\b(reset|verification|verify|invite|invitation|auth|confirmation|magic|login|access) (codes?|links?|keys?)\b/;

/** Names that say randomness is for timing, statistics or looks, never a credential. */
const BENIGN_RANDOM_PURPOSE =
  /\b(jitter|delay|backoff|sleep|wait|samples?|sampling|sampled|shuffle|shuffled|retry|retries|timeout|interval|percent|percentage|ratio|weight|colou?r|offset|spread|probability|chance|rate|latency|pick|index|idx|length|len|size|count)\b/;

/**
 * A function that makes a code to hand out (`generateShortCodeID`, `newInviteCode`, `makeRoomCode`):
 * whoever holds the code reaches what it names (a shared request, a room, an invitation), so
 * guessing it is access. Codes that classify rather than grant (`statusCode`, `countryCode`,
 * `colorCode`) are left out.
 */
const HANDED_OUT_CODE =
  /\b(?:generate|gen|create|make|new|issue|random|rand)\b.*\b(?:short ?codes?|codes?)\b|\bshortcodes?\b/;
const CLASSIFYING_CODE =
  /\b(?:status|error|err|exit|http|response|return|country|language|lang|locale|currency|zip|postal|area|char|hash|key|colou?r|source|dial|qr|bar|op|event|reason|iso|unit)\s+codes?\b/;

/** Decide whether a random value built for `bindingName` (or inside `functionName`) is a secret. */
export function randomBuildsSecret(bindingName: string | undefined, functionName: string | undefined): boolean {
  if (bindingName) {
    const words = nameWords(bindingName);
    if (SECRET_PURPOSE.test(words)) return true;
    if (BENIGN_RANDOM_PURPOSE.test(words)) return false;
  }
  if (functionName) {
    const words = nameWords(functionName);
    if (BENIGN_RANDOM_PURPOSE.test(words)) return false;
    return SECRET_PURPOSE.test(words) || (HANDED_OUT_CODE.test(words) && !CLASSIFYING_CODE.test(words));
  }
  return false;
}

/** Libraries that make fake data (names, addresses, lorem ipsum) for demos, seeds and API tests. */
const FAKE_DATA_IMPORT =
  /['"](?:@faker-js\/faker|faker|chance|casual|@ngneat\/falso|github\.com\/brianvoe\/gofakeit(?:\/v\d+)?|github\.com\/go-faker\/faker(?:\/v\d+)?)['"]|^[ \t]*(?:from|import)[ \t]+(?:faker|mimesis)\b/m;
/** Generators of fake personal or sample data by name: `$randomFirstName`, `fakeEmail`, `random_city`. */
const FAKE_DATA_NAME =
  /(?<![\w$])\$?(?:random|fake|dummy|mock|sample)_?(first_?name|last_?name|full_?name|user_?name|company_?name|name|email|lorem|words?|sentence|paragraph|city|country|street|address|phone(?:_?number)?|company|job_?\w*|colou?r|hex_?colou?r|avatar|ip(?:v[46])?|mac_?address|locale|user_?agent|uuid|date)(?![a-z0-9])/gi;
/** FAKE_DATA_NAME's first words: the pattern is tried only where one stands (see isFakeDataModule). */
const FAKE_DATA_WORD = /random|fake|dummy|mock|sample/gi;
/** FAKE_DATA_NAME tried at one offset. */
const FAKE_DATA_NAME_AT = new RegExp(FAKE_DATA_NAME.source, 'iy');
/** How many kinds of fake data a module must generate to be a fake-data generator. */
const FAKE_DATA_KINDS = 3;

/**
 * A module that makes fake data: it imports a faker-like library, or it names generators for at
 * least three kinds of fake personal or sample data (`$randomFirstName`, `$randomCity`,
 * `$randomEmail`). Its random `password` or `token` fills a form or an API test with a made-up
 * value and guards nothing. One pass over the text, stopping at the third kind.
 */
export function isFakeDataModule(text: string): boolean {
  if (FAKE_DATA_IMPORT.test(text.length > 16_384 ? text.slice(0, 16_384) : text)) return true;
  const kinds = new Set<string>();
  // FAKE_DATA_NAME's matches, in order, found from its first words: a match starts at one of them or
  // at a `$` right before it. The pattern run over the whole text tries its lookbehind at every
  // offset (2 ms for 400 KB); a word inside an earlier match follows a word character, which the
  // lookbehind refuses, so skipping past each match finds the same ones.
  const words = new RegExp(FAKE_DATA_WORD.source, FAKE_DATA_WORD.flags);
  for (let word = words.exec(text); word; word = words.exec(text)) {
    FAKE_DATA_NAME_AT.lastIndex =
      word.index > 0 && text.charCodeAt(word.index - 1) === 0x24 ? word.index - 1 : word.index;
    const match = FAKE_DATA_NAME_AT.exec(text);
    if (!match) continue;
    words.lastIndex = Math.max(words.lastIndex, FAKE_DATA_NAME_AT.lastIndex);
    kinds.add(match[1].toLowerCase().replace(/_/g, ''));
    if (kinds.size >= FAKE_DATA_KINDS) return true;
  }
  return false;
}

/** Lower-case letters and digits only: `API-Key` and `api_key` compare equal. */
function squashed(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Values made up for a test or an example: `test`, `password123`, `dummy-token`, `fake_key`. */
const TEST_VALUE =
  /^(?:(?:test(?:ing)?|dummy|fake|mock|sample|example|demo|foo|bar|baz|password|passw0rd|secret|changeme|qwerty|letmein|hunter2)[\W_]*\d*|(?:test|dummy|fake|mock|sample|example)[-_.][\w.-]*)$/i;

/** Header names that carry credentials: the standard ones and `X-` headers of letters and hyphens. */
const HTTP_HEADER_NAME = /^(?:(?:proxy-)?authori[sz]ation|(?:set-)?cookie|x(?:-[a-z]+)+)$/i;

/** A mask put where a secret was (`__CENSORED__`, `<hidden>`, `[REDACTED]`, `***masked***`). */
const MASK_VALUE = /^[\W_]*(?:censored|redacted|hidden|masked|obfuscated|omitted|filtered|removed)[\W_]*$/i;
/** A rate limit: a count per period, maybe per key, listed (`5/m`, `1/m/user`, `1/m/ip,1/m/key`, `100/day`). */
const RATE_SPEC =
  /^\d+\s*\/\s*\d*(?:[smhd]|sec(?:ond)?s?|min(?:ute)?s?|hours?|days?)(?:\/\w+)?(?:\s*[,;]\s*\d+\s*\/\s*\d*(?:[smhd]|sec(?:ond)?s?|min(?:ute)?s?|hours?|days?)(?:\/\w+)?)*$/i;
/** A dotted import path of a module's class or function (`app.forms.ResetForm`, `pkg.auth.backends.Email`). */
const IMPORT_PATH = /^(?:[a-z_][a-z0-9_]*\.){2,}[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Text that names, describes or stands in for a credential rather than being one: shorter than
 * `minLength`, a template (`{module}`, `${X}`, `%(x)s`, `<your-token>`), a run of one character, a
 * header name, a path or URL without credentials, a dotted config key, a CONSTANT_NAME, a sentence.
 */
export function isPlaceholderSecret(value: string, minLength = 8): boolean {
  if (value.length < minLength) return true;
  if (isDocumentationValue(value)) return true;
  if (/\{[\w.-]*\}|\$\{|%\(\w+\)s|^<.*>$/.test(value)) return true;
  // A printf format (`%s/api/repos/%d/secrets/%s`): `%` and a verb where a URL-encoded byte has two hex digits.
  if (PRINTF_VERB.test(value)) return true;
  // A relative path or route of lower-case words (`auth/reset_passwd`, `api/v1/tokens/:id`): a template or
  // an endpoint named for the secret. A key's base64 with a `/` in it mixes cases and digits at random.
  if (isWordPath(value)) return true;
  if (
    /^(?:x+|\*+|\.+|-+|_+|changeme|change[-_ ]?me|your[-_ ].*|example.*|placeholder.*|dummy.*|redacted.*|todo.*|none|null|undefined)$/i.test(
      value,
    )
  )
    return true;
  // The name of the header a token travels in (`HEADER_KEY_TOKEN = 'Authorization'`, `'X-Api-Key'`).
  if (HTTP_HEADER_NAME.test(value)) return true;
  // What a secret is replaced with before it is shown (`"__CENSORED__"`, `"[hidden]"`), a rate limit
  // (`"change_password": "1/m/user"`) and an import path (`'reset_password': 'app.forms.ResetForm'`).
  if (MASK_VALUE.test(value) || RATE_SPEC.test(value) || IMPORT_PATH.test(value)) return true;
  // Paths, URLs without credentials, dotted config keys and constant names are names of secrets, not secrets.
  if (/^(?:\/|\.\/|https?:\/\/[^:@]*$)/.test(value)) return true;
  if (/^[a-z]+(?:[._][a-z]+)+$/.test(value) || /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/.test(value)) return true;
  // A marker put in text to be found or replaced later: a constant's name between runs of one
  // character (`___APP_HIGHLIGHT_MARKER___`, `%%TOKEN%%`, `@@secret@@`), as `{name}` and `${X}` are.
  if (WRAPPED_NAME.test(value)) return true;
  // A message id of a translation catalogue: a dotted path whose parts are kebab- or camel-case words
  // (`'label.change-password'`, `'ra.validation.passwordDoesNotMatch'`).
  if (MESSAGE_ID.test(value)) return true;
  // A provider's prefix with nothing after it (`sk-proj-`, `ghp_`, `sk_live_`): the fallback a client is built
  // with so its constructor does not throw when the key is unset; the key itself is not there.
  if (BARE_PREFIX.test(value)) return true;
  // Words that say the key is not there (`'just empty text'`, `'not configured yet'`, `'no-secret-set'`): a
  // stand-in written so a client can be built when the variable is unset.
  if (WORDS.test(value) && SAYS_ABSENT.test(value)) return true;
  // Prose (a label, a message) has capitals, punctuation at the end or many words. Fewer lower-case words
  // are a passphrase (`app.secret_key = 'super secret key'`, `if password == "this cool password"`).
  if (/\s/.test(value)) {
    const words = value.trim().split(/\s+/);
    if (words.length > 3 || /[.:?!]$/.test(value) || words.some((word) => /^[A-Z][a-z]/.test(word))) return true;
  }
  return false;
}

/** A name in one case, its words joined by `_`, between runs of the same punctuation character. */
const WRAPPED_NAME = /^([^A-Za-z0-9\s])\1*(?:[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*|[a-z][a-z0-9]*(?:_[a-z0-9]+)*)\1+$/;
/** Only prefix words, each ending in `-` or `_`, and nothing after them: `sk-`, `sk-proj-`, `ghp_`, `sk_live_`, `xoxb-`. */
const BARE_PREFIX = /^(?:[A-Za-z]{1,12}[-_])+$/;
/** Letters only, in words joined by spaces, `-` or `_`: text, not a key's random body. */
const WORDS = /^[A-Za-z]+(?:[-_ ]+[A-Za-z]+)*$/;
/** A word that says a value is absent or still to be set: `empty`, `unset`, `not configured`, `no key`, `placeholder`. */
const SAYS_ABSENT =
  /(?<![a-z])(?:empty|blank|unset|missing|none|nothing|placeholder|not[-_ ]+(?:yet[-_ ]+)?(?:set|configured|provided|defined|specified|given|available)|no[-_ ]+(?:key|secret|token|password)s?)(?![a-z])/i;

/** A printf verb (`%s`, `%d`, `%v`, `%q`) not followed by a hex digit (`%2F`, `%d5` are URL-encoded bytes). */
const PRINTF_VERB = /%[sdvq](?![0-9A-Fa-f])/;
/** One segment of a path or route as people name them: a lower-case word (digits after it, `-_.` joins), a number, `:id`, `{id}`. */
const PATH_WORD = /^(?:[a-z][a-z0-9]*(?:[-_.][a-z0-9]+)*|\d+|:[a-z_]\w*|\{\w*\})$/;

/** Two or more `/`-separated segments, each a PATH_WORD, maybe a trailing `/`: `auth/reset_passwd`, `users/:id/tokens/`. */
function isWordPath(value: string): boolean {
  if (!value.includes('/')) return false;
  const segments = value.replace(/\/$/, '').split('/');
  return segments.length >= 2 && segments.every((segment) => PATH_WORD.test(segment));
}

/** `label.change-password`, `errors.auth.tokenExpired`: lower-case words joined by dots, each part kebab or camel case. */
const MESSAGE_ID = /^[a-z]+(?:\.[a-z]+(?:-[a-z]+)*(?:[A-Z][a-z]+)*)+$/;

/** Words that mark a value as written for documentation or a demo wherever they stand in it (`AKIAIOSFODNN7EXAMPLE`). */
const DOCUMENTATION_WORD = /example|dummy|fake|sample|changeme|placeholder/i;
/** An elided part (`...JWT...`, `sk_live_…`) or a run of x's standing for characters left out (`sk_live_xxxx`). */
const ELIDED = /\.\.\.|…|xxx|XXX/;
/** Rows of a keyboard and the alphabet, read both ways, for values typed along them (`qwertyuiop`, `abcdefgh`). */
const TYPED_RUNS = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm', 'abcdefghijklmnopqrstuvwxyz', '01234567890'];

/** One character repeated, in two groups or more joined by separators: `0000-0000`, `x_x_x`. */
const SEPARATED_RUN = /^(\w)\1*(?:[-_.: ]+\1+)+$/;

/**
 * A value made by hand to fill a field: one character or a short group repeated (`11111111`,
 * `abcabcabc`), one character in groups between separators (the all-zero id), or a run along the
 * digits, the alphabet or a keyboard row, either way (`123456789`, `987654321`, `qwertyuiop`).
 */
function isTypedRun(value: string): boolean {
  const lower = value.toLowerCase();
  if (/^(.{1,3})\1+$/s.test(lower)) return true;
  // One character repeated between separators: the all-zero id (`00000000-000-0000-000-000000000000`), `xxxx-xxxx`.
  if (SEPARATED_RUN.test(lower)) return true;
  return lower.length >= 6 && alongARow(lower);
}

/** Lower-case text typed along a row of TYPED_RUNS, either way (`qwerty`, `54321`). */
function alongARow(lower: string): boolean {
  const reversed = [...lower].reverse().join('');
  return TYPED_RUNS.some((run) => run.includes(lower) || run.includes(reversed));
}

/** The fixed part of a provider's format before its random part: a URL's host and path words, prefix words (`sk-ant-`, `xoxb-`). */
const FORMAT_HEAD = /^(?:https?:\/\/)?(?:[a-z]+\.)+[a-z]+\/(?:[a-z]+\/)*|^(?:[A-Za-z]{2,12}[-_])+/;
/** A character repeated three times or more (`aaaa`, `1111`, `YYYY`). */
const REPEATED_CHAR = /(.)\1{2,}/g;
const ROW_RUN_MIN = 4;

/**
 * Whether the random part of a provider's credential is made by hand: once the format's fixed head
 * is left out, runs of one character (`aaaaaaaaaa`, `YYYY…`) and runs along the digits, the alphabet
 * or a keyboard row (`1234567890`, `ABCDEF`, either way) make up more than half of its letters and
 * digits. `xoxb-1234567890-abcdefghij`, `ASIA1234567890ABCDEF`, `sk-ant-api03-AAAAAAAAAAAAAAAA` and
 * `…/services/T11111111/B11111111/YYYY…` are a test's stand-ins for a key; a generated key holds a
 * run of three or four by chance, never half of its body.
 */
export function isHandMadeKey(match: string): boolean {
  const body = match.replace(FORMAT_HEAD, '');
  const total = body.replace(/[^A-Za-z0-9]/g, '').length;
  if (total === 0) return true;
  let rest = body.replace(REPEATED_CHAR, ' ');
  // Runs along a row, longest first, in the text's pieces of letters or digits.
  rest = rest.replace(/[A-Za-z0-9]{4,}/g, (piece) => {
    const lower = piece.toLowerCase();
    let kept = '';
    for (let at = 0; at < lower.length;) {
      let end = at + ROW_RUN_MIN;
      if (end <= lower.length && alongARow(lower.slice(at, end))) {
        while (end < lower.length && alongARow(lower.slice(at, end + 1))) end += 1;
        kept += ' ';
        at = end;
      } else {
        kept += piece[at];
        at += 1;
      }
    }
    return kept;
  });
  return rest.replace(/[^A-Za-z0-9]/g, '').length * 2 < total;
}

/**
 * A password hash in the formats password stores write: bcrypt (`$2a$12$…`), argon2 (`$argon2id$v=19$…`),
 * scrypt, crypt's SHA-512/SHA-256/MD5 (`$6$salt$…`), passlib's and Django's (`pbkdf2_sha256$600000$…`),
 * LDAP's (`{SSHA}…`). What the store keeps to check a password against, not a password: it cannot be
 * sent as a credential (a sample user's hash in an example document, a fixture's row).
 */
const PASSWORD_HASH =
  /^(?:\$2[abxy]?\$\d{2}\$[./A-Za-z0-9]{53}|\$argon2(?:id|i|d)\$(?:v=\d+\$)?m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/.=-]+\$[A-Za-z0-9+/.=-]+|\$(?:scrypt|7)\$[^\s$]*\$[^\s]+|\$[156]\$(?:rounds=\d+\$)?[./A-Za-z0-9]{1,16}\$[./A-Za-z0-9]{22,86}|\$pbkdf2(?:-sha\d+)?\$\d+\$[./A-Za-z0-9+=]+\$[./A-Za-z0-9+=]+|(?:pbkdf2_sha\d+|argon2|bcrypt_sha256|scrypt)\$[^\s]+\$[^\s]+|\{(?:S?SHA(?:256|512)?|SMD5|CRYPT|BCRYPT|ARGON2|PBKDF2(?:-SHA\d+)?)\}[A-Za-z0-9+/=$.,-]{16,})$/;
export function isPasswordHash(value: string): boolean {
  return PASSWORD_HASH.test(value.trim());
}

/**
 * A value written for documentation, a demo or a form to fill in rather than a credential: it says
 * so (`example`, `dummy`, `fake`, `sample`, `changeme`, `placeholder`: the key AWS documents,
 * `AKIAIOSFODNN7EXAMPLE`, is one), it leaves characters out (`...JWT...`, `sk_live_xxxx`), or it is
 * typed along a row (`123456789`). The offline rule's judgement only: redaction hides such values all
 * the same, since hiding a placeholder from a model costs nothing.
 */
export function isDocumentationValue(value: string): boolean {
  return DOCUMENTATION_WORD.test(value) || ELIDED.test(value) || isTypedRun(value) || isHandMadeFormat(value);
}

/** A provider's key format filled in by hand (`ghp_1234567890…`, `xoxb-1111-aaaaaaaaaa`): see isHandMadeKey. */
function isHandMadeFormat(value: string): boolean {
  return SECRET_FORMAT_TESTS.some((format) => {
    const match = format.exec(value);
    return match !== null && isHandMadeKey(match[0]);
  });
}

/**
 * A PEM private key with no key in it: the header and footer around a word or an ellipsis
 * (`-----BEGIN PRIVATE KEY----- invalid -----END PRIVATE KEY-----`, a textarea's placeholder). A key
 * of any kind has hundreds of base64 characters between them.
 */
const PEM_BODY_MIN_CHARS = 64;
export function isKeylessPem(text: string): boolean {
  const body = /-----BEGIN [A-Z ]*PRIVATE KEY(?: BLOCK)?-----([\s\S]*?)-----END /.exec(text);
  if (!body) return false;
  const material = body[1].replace(/\\[nrt]/g, ' ').replace(/^[ \t]*[\w-]+:[^\n]*$/gm, '');
  return (material.match(/[A-Za-z0-9+/=]/g)?.length ?? 0) < PEM_BODY_MIN_CHARS;
}

/** What a constant names when it holds the key a secret is stored or sent under: `JWTSecretKey = "JWTSecret"`. */
const KEY_NAME_SUFFIX =
  /^(?:key|keyname|name|field|fieldname|param|parameter|prop|property|attr|attribute|header|column|label|id)$/;

/**
 * A value that is obviously not a real credential for `name`: a test value, the name itself
 * (`password="password"`), or the name without a suffix that says it names a key
 * (`JWTSecretKey = "JWTSecret"`, `PASSWORD_FIELD = "password"`: where a secret is kept, not the secret).
 */
export function isTestSecretValue(name: string, value: string): boolean {
  if (TEST_VALUE.test(value.trim())) return true;
  const squashedValue = squashed(value);
  const squashedName = squashed(name);
  if (squashedValue.length === 0) return false;
  if (squashedValue === squashedName || squashedName.endsWith(squashedValue)) return true;
  // The plural of the name's last word (`resourcePassword = "passwords"`, `TOKENS_TABLE`… `= "tokens"`): the
  // name of a collection, a table or a resource that holds such values.
  const singular = /^[a-z]{4,}$/.test(value) ? value.replace(/(?:es|s)$/, '') : value;
  if (singular !== value && squashedName.endsWith(singular)) return true;
  return squashedName.startsWith(squashedValue) && KEY_NAME_SUFFIX.test(squashedName.slice(squashedValue.length));
}

/**
 * Names ending in `token` or `credentials` also name enums and modes (`token: "operator"`,
 * `credentials: 'same-origin'`): for them a lower-case word (or words joined by `-`/`_`) is a
 * setting, not a credential. Names that say secret, password or key keep such values.
 */
const WEAK_SECRET_NAME = /(?:token|credentials?|auth)$/i;
/** Lower-case words joined by `-`, `_` or a space, a number of one or two digits among them (`same-origin`, `variable-2`: a class or a mode). */
const ENUM_LIKE_VALUE = /^[a-z]+(?:[-_ ](?:[a-z]+|\d{1,2}))*$/;
/** A camelCase identifier of letters (`sessionToken`, `autoLogin`): the name of a field, a column or a flag. */
const CAMEL_IDENTIFIER = /^[a-z]+(?:[A-Z][a-z]+)+$/;

/** Names for keys that SECRET_NAME_PATTERN (shared with redaction) leaves out. */
const MORE_SECRET_NAMES = /(?:passphrase|hmac[_-]?key|jwt[_-]?key|secret[_-]?or[_-]?key)$/i;

/** A name that says its value is a credential (`SECRET_KEY`, `jwtSecret`, `signingKey`, `db_password`). */
export function isSecretName(name: string): boolean {
  return SECRET_NAME_PATTERN.test(name) || MORE_SECRET_NAMES.test(name);
}

/** The last word of a name, camel case split: `dbPassword` → `password`, `ADMIN_PASS` → `pass`, `bypass` → `bypass`. */
function lastNameWord(name: string): string {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').split(/[^A-Za-z0-9]+/);
  return (words.filter(Boolean).pop() ?? '').toLowerCase();
}

/** Words that end a name whose value is a password, which people choose short (`root`, `admin`). */
const PASSWORD_WORDS = new Set(['pass', 'password', 'passwd', 'pwd', 'passphrase']);
const SHORT_PASSWORD_MIN = 4;
/**
 * Short values a password-named field holds that are no password: a capitalised sentinel for the
 * account's sign-in kind (`password == "LDAP"`), a boolean or a type word (`"text"`, `"hidden"`).
 */
const NOT_A_SHORT_PASSWORD = /^(?:true|false|yes|no|on|off|text|string|hidden|plain|bcrypt|argon2|sha\d+|md5)$/i;
const SENTINEL = /^[A-Z\d_]+$/;

/**
 * Whether a literal given to a secret-like name should be reported. `given`: the literal is given to
 * the name (assigned, a default, a fallback), not compared with it. Only a given password's short
 * value counts: a comparison with one (`if password == "admin"`) is as often a list of refused weak
 * passwords as a built-in one.
 */
export function isReportableNamedSecret(name: string, value: string, given = true): boolean {
  if (isTestSecretValue(name, value) || isPasswordHash(value)) return false;
  // A password is a password at any length people use (`password = "root"`, `Pass: "admin"`):
  // below the usual 8 characters only for names that end in a password word, and not sentinels.
  const password = given && PASSWORD_WORDS.has(lastNameWord(name));
  if (
    password &&
    value.length < 8 &&
    (SENTINEL.test(value) || NOT_A_SHORT_PASSWORD.test(value) || !/^[!-~]+$/.test(value))
  )
    return false;
  if (isPlaceholderSecret(value, password ? SHORT_PASSWORD_MIN : 8)) return false;
  // Under a name that also names modes and markers (token, credentials, auth), a camelCase identifier
  // is a name: of the column the token is kept in (`token: "sessionToken"`) or of a mode (`token: "autoLogin"`).
  // Names that say secret, password or key keep such values (`secret: "superSecret"` is a weak key).
  if (WEAK_SECRET_NAME.test(name) && CAMEL_IDENTIFIER.test(value)) return false;
  return !(WEAK_SECRET_NAME.test(name) && ENUM_LIKE_VALUE.test(value));
}

/**
 * Whether a literal passed as the key of a signing, HMAC or JWT call should be reported: the call
 * says it is a key, so any length counts; empty values, templates and test words do not.
 */
export function isReportableKeyLiteral(value: string): boolean {
  const trimmed = value.trim();
  if (trimmed.length === 0 || /\{[\w.-]*\}|\$\{|%\(\w+\)s|^<.*>$/.test(trimmed)) return false;
  if (BARE_PREFIX.test(trimmed) || isPasswordHash(trimmed)) return false;
  if (trimmed.length >= 8 && isDocumentationValue(trimmed)) return false;
  return !/^(?:test(?:ing)?|dummy|fake|mock|sample|example|foo|bar|changeme|your[-_ ].*)$/i.test(trimmed);
}

/**
 * The last word of a table's name when the table holds what is shown or chosen for each field, not
 * values: `css_classes`, `widget_types`, `inputTypes`, `labels`, `icons`, `placeholders`, `autocomplete`.
 */
const LABEL_TABLE_WORD =
  /^(?:css|class(?:es)?|classnames?|styles?|labels?|titles?|captions?|icons?|widgets?|types?|kinds?|names?|placeholders?|hints?|tooltips?|autocompletes?|templates?|colou?rs?|formats?|modes?)$/;

/**
 * Whether a table named `name` (`css_classes`, `self.widgetTypes`, `form.labels`) holds labels: its
 * entry under a secret-like key (`css_classes["password"] = "input"`, a lower-case word: isLabelWord) is
 * the class, type or icon shown for the password field, not a password. `settings`, `defaults` are not such tables.
 */
export function namesLabelTable(name: string): boolean {
  return LABEL_TABLE_WORD.test(lastNameWord(name.split('.').pop() ?? ''));
}

/** What a label table holds: a lower-case word, or words joined by `-`/`_` (`input`, `form-control`, `lock`). */
export function isLabelWord(value: string): boolean {
  return /^[a-z]+(?:[-_][a-z]+)*$/.test(value);
}

/** A call's target read from the source text: `a.b.c(` → object `a.b`, name `c`. */
export interface CallTarget {
  /** Full callee text with whitespace and `?.` normalised: `this.repo.findOne`, `fetch`. */
  text: string;
  /** Everything before the last `.`, undefined for a plain name. */
  object?: string;
  /** The last name: `findOne`. */
  name: string;
  /** Source range of `name`, for precise reports. */
  nameRange: { startIndex: number; endIndex: number };
}

/**
 * Reads a call's target straight from the text at the call's start when it is a plain dotted
 * name followed by `(` (or a backtick for JS tagged templates). Reading it through the tree costs
 * several WebAssembly round trips per call; on large files that dominated the run time.
 * Returns undefined when the shape is anything else, so the caller reads the tree instead.
 */
function callTargetFromText(text: string, start: number, chain: RegExp, openers: string): CallTarget | undefined {
  chain.lastIndex = start;
  const match = chain.exec(text);
  if (!match) return undefined;
  let next = start + match[0].length;
  while (next < text.length && (text[next] === ' ' || text[next] === '\t')) next += 1;
  if (!openers.includes(text[next] ?? '')) return undefined;
  const normalised = match[0].replace(/\s+/g, '').replace(/\?\./g, '.');
  const dot = normalised.lastIndexOf('.');
  const name = dot < 0 ? normalised : normalised.slice(dot + 1);
  const nameStart = start + match[0].lastIndexOf(name);
  return {
    text: normalised,
    object: dot < 0 ? undefined : normalised.slice(0, dot),
    name,
    nameRange: { startIndex: nameStart, endIndex: nameStart + name.length },
  };
}

/**
 * Call targets for all calls of a file. Calls are in document order, so an outer call that starts
 * where an inner one does (`a.b(x).c()`) comes first; those are read through the tree.
 */
function callTargets<T>(
  calls: readonly Node[],
  text: string,
  chain: RegExp,
  openers: string,
  slow: (call: Node) => T | undefined,
  fast: (call: Node, target: CallTarget) => T,
): Array<T> {
  const targets: T[] = [];
  const member = new RegExp(`\\s*\\??\\.\\s*(#?[A-Za-z_$][\\w$]*)\\s*[${openers}]`, 'y');
  calls.forEach((call, index) => {
    const inner = calls[index + 1];
    let target: CallTarget | undefined;
    if (inner?.startIndex !== call.startIndex) {
      target = callTargetFromText(text, call.startIndex, chain, openers);
    } else {
      // `a.b(x).c(`: the inner call is the object; read `.c(` after it.
      const innerEnd = inner.endIndex;
      member.lastIndex = innerEnd;
      const match = member.exec(text);
      if (match) {
        // Long receivers (a call spanning many lines) are cut: rules only match names near the start.
        const object = text.slice(call.startIndex, Math.min(innerEnd, call.startIndex + 160));
        const nameStart = innerEnd + match[0].indexOf(match[1]);
        target = {
          text: `${object}.${match[1]}`,
          object,
          name: match[1],
          nameRange: { startIndex: nameStart, endIndex: nameStart + match[1].length },
        };
      }
    }
    const result = target ? fast(call, target) : slow(call);
    if (result !== undefined) targets.push(result);
  });
  return targets;
}

/**
 * A grammar's call list for a file, built once per file and shared by every rule of the grammar
 * (each rule walks the calls). `callType` is the grammar's call node type; `fromText` and
 * `fromTree` build the rule-facing call as in {@link callTargets}.
 */
export function callsPerFile<T>(
  callType: string,
  chain: RegExp,
  openers: string,
  fromTree: (call: Node) => T | undefined,
  fromText: (call: Node, target: CallTarget) => T,
): (input: CheckInput) => T[] {
  const lists = new WeakMap<CheckInput, T[]>();
  return (input) => {
    let list = lists.get(input);
    if (!list) {
      list = callTargets<T>(input.nodesOfType(callType), input.text, chain, openers, fromTree, fromText);
      lists.set(input, list);
    }
    return list;
  };
}

/** Where a grammar keeps `object.name` callees: the member node type and its two field names. */
export interface MemberCallee {
  type: string;
  object: string;
  name: string;
}

/**
 * Call reading for grammars whose callee sits in the call's `function` field and is a plain
 * identifier or a member node (Go `selector_expression` operand/field, Python `attribute`
 * object/attribute). `make` receives the full callee text, the object text (undefined for a plain
 * name) and the last name, whichever way they were read. `readCall` reads one call node through the
 * tree; `calls` is the file's call list ({@link callsPerFile}).
 */
export function memberCalls<T>(
  callType: string,
  chain: RegExp,
  member: MemberCallee,
  make: (call: Node, text: string, object: string | undefined, name: string) => T,
): { readCall: (call: Node) => T | undefined; calls: (input: CheckInput) => T[] } {
  const readCall = (call: Node): T | undefined => {
    const fn = field(call, 'function');
    if (!fn) return undefined;
    if (fn.type === 'identifier') return make(call, fn.text, undefined, fn.text);
    if (fn.type === member.type)
      return make(call, fn.text, field(fn, member.object)?.text, field(fn, member.name)?.text ?? '');
    return undefined;
  };
  const calls = callsPerFile<T>(callType, chain, '(', readCall, (call, target) =>
    make(call, target.text, target.object, target.name),
  );
  return { readCall, calls };
}

/** A dotted name (`a.b.c`, spaces or tabs around the dots) as it starts a call in Go and Python. */
export const DOTTED_NAME_CHAIN = /[A-Za-z_]\w*(?:[ \t]*\.[ \t]*[A-Za-z_]\w*)*/y;

/**
 * A grammar's assignment nodes per function (by node id), listed once per file: a function with
 * many query calls was walked again, and each assignment re-read, for every call. `make` wraps each
 * node in the entry the caller keeps what it reads from the assignment on, so that is read once too.
 */
export function scopeAssignmentLists<T>(
  types: string[],
  make: (node: Node) => T,
): (input: CheckInput, scope: Node) => T[] {
  const listsByFile = new WeakMap<CheckInput, Map<number, T[]>>();
  return (input, scope) => {
    let byScope = listsByFile.get(input);
    if (!byScope) {
      byScope = new Map();
      listsByFile.set(input, byScope);
    }
    let list = byScope.get(scope.id);
    if (!list) {
      list = descendants(scope, types).map(make);
      byScope.set(scope.id, list);
    }
    return list;
  };
}

/**
 * Whether a check's whole text matches `pattern` (not global), tested once per check: a rule asks it
 * for every candidate, so the answer is kept with the input (a WeakMap: gone with the check).
 */
export function textMatchOncePerCheck(pattern: RegExp): (input: CheckInput) => boolean {
  const answers = new WeakMap<CheckInput, boolean>();
  return (input) => {
    let answer = answers.get(input);
    if (answer === undefined) answers.set(input, (answer = pattern.test(input.text)));
    return answer;
  };
}

/**
 * Matches of a global regex that start in the input's region, in order: exactly the matches a scan
 * of the whole text finds there. The scan starts at the top of the file all the same, because a
 * match that starts before the region and runs into it (a commented-out key header, an open
 * bracket) hides the matches it overlaps in a whole-file scan too. A part of a file is parsed only
 * where it is included, so matches outside the region are not looked up in the tree.
 */
export function* matchesInRegion(input: CheckInput, regex: RegExp): Generator<RegExpExecArray> {
  const { start, end } = input.region;
  const pattern = new RegExp(regex.source, regex.flags.includes('g') ? regex.flags : `${regex.flags}g`);
  for (let match = pattern.exec(input.text); match && match.index < end; match = pattern.exec(input.text)) {
    if (match[0].length === 0) pattern.lastIndex += 1;
    if (match.index >= start) yield match;
  }
}

const SECRET_FORMATS = KNOWN_SECRET_PATTERNS.filter((pattern) => KNOWN_FORMAT_NAMES.has(pattern.name));

/**
 * Whether any of SECRET_FORMATS matches anywhere in a text: their alternation, each alternative
 * matching exactly as its format does (when a format has a flag besides g, a backreference or a
 * named group, it would not: then every text passes). A file none matches, nearly all, skips the
 * one scan per format; each format still finds its own matches in the others.
 */
const ANY_SECRET_FORMAT = SECRET_FORMATS.every(
  (pattern) => pattern.regex.flags.replace('g', '') === '' && !/\\[1-9k]|\(\?<[^=!]/.test(pattern.regex.source),
)
  ? new RegExp(SECRET_FORMATS.map((pattern) => `(?:${pattern.regex.source})`).join('|'))
  : /(?:)/;

/** The formats reported on sight, without the global flag, to test one literal's text. */
const SECRET_FORMAT_TESTS = SECRET_FORMATS.map(
  (pattern) => new RegExp(pattern.regex.source, pattern.regex.flags.replace('g', '')),
);

/** A UUID: the ids of a test's records and the fake tokens it makes with `uuid()`; no provider's key format. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A word a person can say: a vowel in it and no more than three consonants in a row. */
function sayable(word: string): boolean {
  return /[aeiouy]/i.test(word) && !/[^aeiouy\d]{4}/i.test(word);
}

/**
 * A value a person typed from words and small numbers (`valid-recovery-token-123`,
 * `oauth2_access_token_123`, `memos_pat_abc123`, `testPass1`): split into words (camel case too) and
 * numbers, each word can be said, each number has at most four digits, and the pieces are long
 * (a generated value breaks into many pieces of one or two characters that cannot be said).
 */
function isWordsAndNumbers(value: string): boolean {
  const pieces = value.match(/[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+/g) ?? [];
  if (pieces.length === 0 || pieces.join('').length < value.length * 0.75) return false;
  if (value.length / pieces.length < 3) return false;
  // Digits typed along the row (`12345`, `1234567890`) are a made-up number, not a generated one.
  return pieces.every((piece) => (/^\d+$/.test(piece) ? piece.length <= 4 || alongARow(piece) : sayable(piece)));
}

/**
 * A translation catalogue (`static/i18n/de.js`, `locales/fr/messages.json`, `lang/jp.ts`): its
 * values are words shown to people (`password: 'Passwort'`), so a secret name there holds a label.
 */
const TRANSLATION_DIR = /(?:^|\/)(?:i18n|l10n|locales?|langs?|translations?)\//i;
export function isTranslationCatalogue(path: string): boolean {
  return TRANSLATION_DIR.test(path.replace(/\\/g, '/'));
}

/** Whether a credential literal holds a provider's key format (an AWS, GitHub, Stripe … key), a leak wherever it stands. */
export function hasProviderFormat(literalText: string): boolean {
  return SECRET_FORMAT_TESTS.some((format) => {
    const match = format.exec(literalText);
    return match !== null && !isHandMadeKey(match[0]);
  });
}

/** Base64 of printable text (`bXktc2VjcmV0LWtleQ==` is `my-secret-key`): a key a person wrote, then encoded. */
function isBase64OfText(value: string): boolean {
  if (value.length < 12 || value.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return false;
  const decoded = Buffer.from(value, 'base64').toString('latin1');
  return /^[\x20-\x7e]+$/.test(decoded) && /[A-Za-z]{3}/.test(decoded);
}

/** Characters typed for the letters they look like in a made-up password (`P@ssw0rd`, `S3cr3t`). */
const LOOK_ALIKES: Readonly<Record<string, string>> = {
  '@': 'a',
  '4': 'a',
  '0': 'o',
  $: 's',
  '5': 's',
  '3': 'e',
  '1': 'i',
  '!': 'i',
  '7': 't',
};
const CREDENTIAL_WORD = /passw(?:or)?d|secret/;

/**
 * A value that spells `password` or `secret` once look-alike characters are read as letters and the
 * rest left out (`P@ss+w0rd&secret=1`, `S3cr3t!Key#99`): a person made it up to fill a field.
 */
function spellsCredentialWord(value: string): boolean {
  const letters = [...value.toLowerCase()]
    .map((char) => LOOK_ALIKES[char] ?? char)
    .join('')
    .replace(/[^a-z]/g, '');
  return CREDENTIAL_WORD.test(letters);
}

/**
 * A test file that swaps the HTTP layer for a fake (Python's responses, requests-mock, httpretty,
 * respx, aioresponses, pytest-httpx; JavaScript's nock, msw, fetch-mock, axios-mock-adapter; Go's
 * httpmock and the standard library's httptest, whose servers and recorders run inside the test):
 * what its credentials are sent to answers from the test. Recorders that replay a real
 * server's answers (vcrpy, Polly) are not fakes: the credential reached the server once.
 */
const HTTP_FAKE_IMPORT =
  /^[ \t]*(?:import|from)[ \t]+(?:responses|requests_mock|httpretty|respx|aioresponses|pytest_httpx)\b|(?:from|require\()[ \t]*['"](?:nock|msw(?:\/node)?|fetch-mock|axios-mock-adapter|jest-fetch-mock)['"]|"(?:github\.com\/jarcoal\/httpmock|net\/http\/httptest)"/m;
const HTTP_FAKE_HEAD_CHARS = 16_384;
function mocksHttp(fileText: string): boolean {
  const head = fileText.length > HTTP_FAKE_HEAD_CHARS ? fileText.slice(0, HTTP_FAKE_HEAD_CHARS) : fileText;
  return HTTP_FAKE_IMPORT.test(head);
}

/** Words of a name that say its value was made up for a test. */
const TEST_VALUE_WORDS = new Set([
  'test',
  'testing',
  'fake',
  'dummy',
  'mock',
  'mocked',
  'stub',
  'bogus',
  'sample',
  'example',
  'expected',
  'invalid',
  'bad',
  'wrong',
  'incorrect',
]);

/** Whether a name says its value was made up for a test (`TEST_SALT_SECRET`, `expected_key`, `badToken`). */
function namesTestValue(name: string): boolean {
  const words = name
    .replace(/([a-z\d])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/);
  return words.some((word) => TEST_VALUE_WORDS.has(word));
}

/** Runs of the alphabet, the digits or a keyboard row at least this long inside a value: typed, not generated. */
const TYPED_RUN_INSIDE = 8;

function holdsTypedRun(value: string): boolean {
  const lower = value.toLowerCase();
  for (let at = 0; at + TYPED_RUN_INSIDE <= lower.length; at += 1)
    if (alongARow(lower.slice(at, at + TYPED_RUN_INSIDE))) return true;
  return false;
}

/**
 * Whether a value has the shape of a provider's credential (an API key, a token, a signing secret):
 * made of the characters keys are written in (letters, digits, `+/=_.-~`), and not one of the shapes
 * tests write by the dozen: a password typed with symbols (`mD?x~4!…`), a one-time-password seed in
 * base32 capitals (`JBSWY3DPEHPK3PXP`), a JWT a test signed (its header and claims are readable JSON),
 * a value holding a run along the digits or the alphabet (`0123456789ABCDZZ…`).
 */
function hasKeyShape(value: string): boolean {
  if (/[^A-Za-z0-9+/=_.~-]/.test(value)) return false;
  if (/^[A-Z2-7]{16,}=*$/.test(value)) return false;
  if (/^eyJ[\w-]+\.eyJ[\w-]+\.[\w-]*$/.test(value)) return false;
  return !holdsTypedRun(value);
}

/** A line that checks a value: an assertion, an expectation, a comparison. */
const CHECKING_LINE = /\bassert\w*\b|\bexpect\(|\.should\b|\.to(?:Be|Equal|StrictEqual|Match)\w*\(|!==?|===?/;

/**
 * Whether the test checks the credential itself: the value written again, one of its places a line
 * that asserts or compares (a test vector the code under test must produce), or the name compared with something
 * (`if access_token != self.ACCESS_TOKEN`: the test's fake server accepts it), so no real service does.
 */
function checkedInFile(fileText: string, value: string, name: string | undefined): boolean {
  // Where the value is written more than once: given in one place, checked in another.
  const first = value.length >= 8 ? fileText.indexOf(value) : -1;
  if (first >= 0 && fileText.indexOf(value, first + value.length) >= 0) {
    for (let at = first; at >= 0; at = fileText.indexOf(value, at + value.length)) {
      const start = fileText.lastIndexOf('\n', at) + 1;
      const end = fileText.indexOf('\n', at);
      if (CHECKING_LINE.test(fileText.slice(start, end < 0 ? fileText.length : end).replace(value, ''))) return true;
    }
  }
  const last = name
    ?.split(/[.[\]'"]+/)
    .filter((part) => part !== '')
    .at(-1);
  if (!last || !/^[A-Za-z_$][\w$]*$/.test(last)) return false;
  const compared = new RegExp(
    `(?:!==?|===?)[ \\t]*(?:[\\w$]+\\.)?${last}\\b(?![ \\t]*[(=])|\\b${last}[ \\t]*(?:!==?|===?)|\\b(?:assert\\w*[ \\t(]|expect\\()[^\\n]*\\b${last}\\b(?![ \\t]*[=:(])`,
  );
  return compared.test(fileText);
}

/**
 * Whether a credential literal in test or fixture code is the test's own: not a provider's format
 * (an AWS, GitHub, Slack, Stripe … key or a private key, which is a leak wherever it is) and not
 * machine-generated-looking (16 or more characters with a digit, two kinds of characters and
 * high entropy, like a real API secret), so a person chose it for a fake user or a test server:
 * `'admin123'`, `'ncc-1701'`, `'ThereCanBeOnlyOne'`, `'s3cret-pass'`; so are words with small numbers
 * (`'refresh_token_456'`), UUIDs and base64 of plain text. Tests log in with such values
 * by the hundred, and reporting each one buries the real leaks.
 */
export function isTestsOwnCredential(literalText: string, fileText?: string, name?: string): boolean {
  const value = literalText.replace(/^[`'"]+|[`'"]+$/g, '');
  // A provider's documented example key (`AKIAIOSFODNN7EXAMPLE`) in a test is the test's own.
  if (DOCUMENTATION_WORD.test(value)) return true;
  if (hasProviderFormat(literalText)) return false;
  if (isWordsAndNumbers(value) || UUID.test(value) || isBase64OfText(value)) return true;
  if (spellsCredentialWord(value)) return true;
  // A test that replaces the HTTP layer with a fake sends its credentials to no server.
  if (fileText !== undefined && mocksHttp(fileText)) return true;
  // The name says the test made it up (`TEST_SALT`, `expected_secret`, `badToken`), or the value has no
  // provider credential's shape (a typed password, an OTP seed, a JWT), or the test checks it itself.
  if (name !== undefined && namesTestValue(name)) return true;
  if (!hasKeyShape(value)) return true;
  if (fileText !== undefined && checkedInFile(fileText, value, name)) return true;
  const kinds = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z\d]/].filter((kind) => kind.test(value)).length;
  const generated = value.length >= 16 && /\d/.test(value) && kinds >= 2 && entropyBits(value) >= 3.5;
  return !generated;
}

/**
 * String literals holding a known credential format. The formats are matched on the raw text (one
 * regex pass each) and each match is kept only when the tree says it sits in a string literal of
 * one of `stringTypes`, so comments and identifiers never count.
 */
export function knownSecretLiterals(
  input: CheckInput,
  stringTypes: ReadonlySet<string>,
): Array<{ literal: Node; format: string }> {
  const found: Array<{ literal: Node; format: string }> = [];
  if (!ANY_SECRET_FORMAT.test(input.text)) return found;
  const seen = new Set<number>();
  for (const pattern of SECRET_FORMATS) {
    for (const match of matchesInRegion(input, pattern.regex)) {
      // A key's header with no key inside, and a key with characters left out or typed along a row, are
      // no credentials (a key's long base64 body is only checked for having one: it may hold `xxx` by
      // chance). A provider's documented example key (`AKIA…EXAMPLE`) in full format is still reported
      // in the service's own code, where it stands in for configuration; a test's own is left out below.
      if (
        pattern.name === 'private key'
          ? isKeylessPem(match[0])
          : ELIDED.test(match[0]) || isTypedRun(match[0]) || isHandMadeKey(match[0])
      )
        continue;
      const node = nodeOfTypeAt(input.tree, match.index, stringTypes, 3);
      if (!node || seen.has(node.startIndex)) continue;
      seen.add(node.startIndex);
      found.push({ literal: node, format: pattern.name });
    }
  }
  return found;
}

/**
 * Nodes of `types` found at each match of `regex` in the raw text: the node at the match start,
 * climbing at most `maxDepth` parents. Matches inside comments or strings find no such node. Rules
 * anchored on a keyword use this instead of visiting every node of a common type.
 */
export function nodesAtMatches(input: CheckInput, regex: RegExp, types: ReadonlySet<string>, maxDepth = 4): Node[] {
  const nodes: Node[] = [];
  const seen = new Set<number>();
  for (const match of matchesInRegion(input, regex)) {
    const node = nodeOfTypeAt(input.tree, match.index, types, maxDepth);
    if (!node || seen.has(node.startIndex)) continue;
    seen.add(node.startIndex);
    nodes.push(node);
  }
  return nodes;
}

/**
 * A secret-like name given a string: `name = "…"`, `name: "…"`, `"name": "…"`, `name: Type = "…"`,
 * `name := "…"`, `var name string = "…"`. Anchored on the words of SECRET_NAME_PATTERN so the regex
 * does not start at every identifier of a large file.
 */
const SECRET_WORD_GIVEN_STRING =
  /(?:pass(?:word|wd|phrase)?|pwd|secret|api[_-]?key|apikey|access[_-]?key|signing[_-]?key|hmac[_-]?key|jwt[_-]?key|encryption[_-]?key|token|private[_-]?key|credentials?)[\w$-]*['"]?\]?(?:[ \t]*:[ \t]*[\w$<>[\]|. *]+?[ \t]*|[ \t]+[\w.*[\]]+[ \t]*)?[ \t]*(?::=|=|:)[ \t]*([A-Za-z]{0,2})(?=['"`])/gi;

export interface NamedString {
  /** The whole name, e.g. `dbPassword`, `x-api-key`. */
  name: string;
  /** Where the string literal starts (its prefix, for Python `f"…"` / `r"…"`). */
  literalStart: number;
}

export function secretNamedStrings(input: CheckInput): NamedString[] {
  const { text } = input;
  const found: NamedString[] = [];
  for (const match of matchesInRegion(input, SECRET_WORD_GIVEN_STRING)) {
    const wordStart = match.index;
    let nameStart = wordStart;
    while (nameStart > 0 && /[\w$-]/.test(text[nameStart - 1])) nameStart -= 1;
    const end = wordStart + match[0].length;
    found.push({
      name: text.slice(nameStart, wordStart) + match[0].replace(/['"]?\]?[ \t:=].*$|['"\]].*$/s, ''),
      literalStart: end - match[1].length,
    });
  }
  return found;
}

/** `password == "…"` / `token != '…'`: a secret-like name compared with a string (the string after the operator). */
const SECRET_WORD_COMPARED =
  /(?:pass(?:word|wd|phrase)?|pwd|secret|api[_-]?key|apikey|token)\w*[ \t]*[!=]==?[ \t]*([A-Za-z]{0,2})(?=['"`])/gi;
/** What SECRET_WORD_COMPARED and STRING_COMPARED_WITH_NAME both hold: `==` or `!=`. */
const COMPARISON_OPERATOR = /[!=]=/;
/** `"…" == password`: the string before the operator, at most 200 characters long. */
const STRING_COMPARED_WITH_NAME =
  /(['"`])[^'"`\n]{1,200}\1[ \t]*[!=]==?[ \t]*([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)/g;

/**
 * Secret-like names compared with a string literal, either way round: a check of a credential
 * written into the code (`if password == "…"`). The rule confirms the comparison in its tree.
 */
function secretComparedStrings(input: CheckInput): NamedString[] {
  const { text } = input;
  const found: NamedString[] = [];
  // Both patterns match an `==` or `!=` (their `[!=]==?`): a file without one has no comparison to scan for.
  if (!COMPARISON_OPERATOR.test(text)) return found;
  for (const match of matchesInRegion(input, SECRET_WORD_COMPARED)) {
    let nameStart = match.index;
    while (nameStart > 0 && /[\w$]/.test(text[nameStart - 1])) nameStart -= 1;
    const end = match.index + match[0].length;
    found.push({
      name: text.slice(nameStart, end).replace(/[ \t]*[!=]=.*$/s, ''),
      literalStart: end - match[1].length,
    });
  }
  for (const match of matchesInRegion(input, STRING_COMPARED_WITH_NAME)) {
    const name = match[2].slice(match[2].lastIndexOf('.') + 1);
    if (isSecretName(name)) found.push({ name, literalStart: match.index });
  }
  return found;
}

/**
 * Names whose last word says the value is a kind, a place or a setting of the secret, not the secret
 * (`SECRET_PROVIDER == "kms-secret"`, `token_type != "bearer"`, `password_mode`).
 */
const NAMES_A_KIND =
  /(?:provider|type|kind|mode|backend|source|store|engine|scheme|method|algorithm|algo|format|strategy|policy|manager|name|class|version|location|path|file|url|header|field|prefix|env)$/i;

/** Operators that join conditions without turning them around. */
const JOINED_CONDITION = /^(?:\|\||&&|or|and)$/;
/** Blocks whose first statement is the branch's first step. */
const BLOCKS = new Set(['block', 'statement_block', 'statement_list']);
/**
 * A branch's first statement that leaves with an error: `raise`/`throw`, Go's `return …, err` /
 * `errors.New(…)` / `fmt.Errorf(…)` / `ErrX`, `panic(…)`, a fatal log, or the process exiting.
 */
const ERROR_EXIT =
  /^(?:raise\b|throw\b|panic\(|[\w.]*\.(?:Fatal|Fatalf|Fatalln|Panic|Panicf)\(|(?:os\.Exit|sys\.exit|process\.exit)\(|return\b[^\n;]*?(?:\berrors?\.\w+\(|\bfmt\.Errorf\(|\bnew \w*Error\(|\bErr[A-Z]\w*|\berr\b|\w+Error\())/;

/**
 * Whether a comparison of a secret with a literal is a guard that refuses the literal: an equality
 * (alone or joined to others with `||`/`&&`/`or`/`and`) that is an `if`'s condition whose branch starts
 * by leaving with an error (`if SecretKey == "" || SecretKey == "CHANGE-ME" { return errors.New(…) }`,
 * `if password == "admin": raise ValueError(…)`). A `!=` guard (`if key != "k" { return err }`) lets
 * the literal in and is a check against it, so it is not one.
 */
function refusedByGuard(comparison: Node): boolean {
  const operator = field(comparison, 'operator')?.text ?? comparison.text.match(/[!=]==?|\bis(?: not)?\b/)?.[0];
  if (operator !== '==' && operator !== '===') return false;
  let condition: Node = comparison;
  for (let parent = condition.parent; parent; parent = condition.parent) {
    if (parent.type === 'parenthesized_expression') condition = parent;
    else if (
      (parent.type === 'binary_expression' || parent.type === 'boolean_operator') &&
      JOINED_CONDITION.test(field(parent, 'operator')?.text ?? '')
    )
      condition = parent;
    else break;
  }
  const branch = condition.parent;
  if (!branch || !/^(?:if_statement|elif_clause)$/.test(branch.type)) return false;
  if (field(branch, 'condition')?.startIndex !== condition.startIndex) return false;
  let step = field(branch, 'consequence');
  while (step && BLOCKS.has(step.type)) step = named(step)[0] ?? null;
  return step !== null && ERROR_EXIT.test(step.text.slice(0, 400));
}

/**
 * The string literals compared with a secret-like name that the tree confirms (the literal's parent
 * is the language's comparison node) and whose value reads as a credential, each with the sentence
 * that says so.
 */
export function comparedSecretLiterals(
  input: CheckInput,
  stringTypes: ReadonlySet<string>,
  comparisonType: string,
  literalString: (node: Node) => string | undefined,
): { literal: Node; message: string }[] {
  const found: { literal: Node; message: string }[] = [];
  for (const { name, literalStart } of secretComparedStrings(input)) {
    if (NAMES_A_KIND.test(name)) continue;
    const string = stringWithParentAt(input.tree, literalStart, stringTypes);
    if (!string || string.parent?.type !== comparisonType) continue;
    // `typeof apiKey === 'function'` compares the value's type, not the value.
    if (/^typeof\b/.test(string.parent.text)) continue;
    const text = literalString(string.literal);
    if (text === undefined || !isReportableNamedSecret(name, text, false)) continue;
    // `SECRET_PROVIDER == "kms-secret"`: a name that only starts with a secret word names a setting,
    // and the word it is compared with is one of the setting's choices.
    if (!isSecretName(name) && ENUM_LIKE_VALUE.test(text)) continue;
    // `if key == "CHANGE-ME" { return err }`: the literal is refused, nobody signs in with it.
    if (refusedByGuard(string.parent)) continue;
    found.push({
      literal: string.literal,
      message: `\`${name}\` is checked against a credential written in the code: anyone with the code can pass.`,
    });
  }
  return found;
}

/**
 * The root and its children with their start offsets, read once per tree (see
 * topLevelChildContaining); each child's end and child count are read from the tree the first time
 * they are needed and kept (-1 until then): every name lookup and every climb from a node asks
 * them again for the same few top-level statements, and each read is a WebAssembly call.
 */
interface TopLevel {
  root: Node;
  children: Node[];
  starts: number[];
  ends: number[];
  childCounts: number[];
}

const topLevelByTree = new WeakMap<Tree, TopLevel>();

function topLevelOf(tree: Tree): TopLevel {
  let cached = topLevelByTree.get(tree);
  if (!cached) {
    const root = tree.rootNode;
    const children = root.children.filter((child): child is Node => child !== null);
    // startIndex is held by the node object; endIndex would be a WebAssembly call per child.
    cached = {
      root,
      children,
      starts: children.map((child) => child.startIndex),
      ends: children.map(() => -1),
      childCounts: children.map(() => -1),
    };
    topLevelByTree.set(tree, cached);
  }
  return cached;
}

/** A number of the top-level child at `at`, read from the tree the first time (`-1` marks unread). */
function readOnce(cache: number[], at: number, read: () => number): number {
  if (cache[at] < 0) cache[at] = read();
  return cache[at];
}

/** The end offset of the top-level child at `at`, read once per tree. */
function topLevelEnd(topLevel: TopLevel, at: number): number {
  return readOnce(topLevel.ends, at, () => topLevel.children[at].endIndex);
}

/** The child count of the top-level child at `at`, read once per tree. */
function topLevelChildCount(topLevel: TopLevel, at: number): number {
  return readOnce(topLevel.childCounts, at, () => topLevel.children[at].childCount);
}

/** Start offsets of each line (UTF-16), for offset → line/column (the line is lastStartingBy(starts, offset)). */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let index = text.indexOf('\n'); index >= 0; index = text.indexOf('\n', index + 1)) starts.push(index + 1);
  return starts;
}

/** Index of the last entry of `starts` (sorted ascending) that is at or before `offset`, or -1. */
export function lastStartingBy(starts: readonly number[], offset: number): number {
  let low = 0;
  let high = starts.length - 1;
  let last = -1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (starts[mid] <= offset) {
      last = mid;
      low = mid + 1;
    } else high = mid - 1;
  }
  return last;
}

/** The largest of `values[0..i]` for each `i`: a backwards scan stops once nothing earlier reaches the position. */
function runningMax(values: readonly number[]): number[] {
  const max: number[] = [];
  values.forEach((value, at) => max.push(Math.max(value, at > 0 ? max[at - 1] : 0)));
  return max;
}

/** A source range by offsets. */
export interface Span {
  start: number;
  end: number;
}

/** Spans sorted by start (stable), their starts, and the largest end up to each entry: innermost-container lookups without a scan of the whole file. */
export interface SpanIndex<S extends Span> {
  spans: S[];
  starts: number[];
  maxEnd: number[];
}

export function indexSpans<S extends Span>(list: readonly S[]): SpanIndex<S> {
  const spans = [...list].sort((a, b) => a.start - b.start);
  return { spans, starts: spans.map((span) => span.start), maxEnd: runningMax(spans.map((span) => span.end)) };
}

/**
 * The root's child that holds `node`, as `rootNode.childWithDescendant(node)` finds it: the first
 * child, in order, that is `node` or ends at or after it and has children. That call scans the
 * root's children one by one in WebAssembly, and a large file has thousands of top-level
 * statements. Siblings do not overlap, so for a non-empty node that child is the last one starting
 * at or before it, found by binary search. Returns undefined for the shapes where the two could
 * differ (an empty node, a leaf or a child that does not hold `node`), so the caller asks the tree.
 */
function topLevelChildContaining(node: Node): Node | undefined {
  const start = node.startIndex;
  const end = node.endIndex;
  if (end <= start) return undefined;
  const topLevel = topLevelOf(node.tree);
  const at = lastStartingBy(topLevel.starts, start);
  const child = topLevel.children[at];
  if (!child) return undefined;
  if (child.id === node.id) return child;
  if (topLevelEnd(topLevel, at) < end || topLevelChildCount(topLevel, at) === 0) return undefined;
  return child;
}

/**
 * `tree.rootNode.descendantForIndex(index)` with the first step, from the root, done by binary
 * search: the root's call scans its children one by one. The smallest node at `index` lies in the
 * last top-level child starting at or before it when that child is non-empty and reaches past
 * `index`; an empty child at `index` (which the root's search would take) or a gap between
 * children is left to the root's own search.
 */
export function nodeAtIndex(tree: Tree, index: number): Node | null {
  const topLevel = topLevelOf(tree);
  const { children, starts } = topLevel;
  const at = lastStartingBy(starts, index);
  const child = children[at];
  if (child && !(at > 0 && starts[at - 1] === index)) {
    const end = topLevelEnd(topLevel, at);
    if (end > index && end > starts[at]) return child.descendantForIndex(index);
  }
  return topLevel.root.descendantForIndex(index);
}

/**
 * The node at `index`, or the nearest of its ancestors within `maxDepth` levels, whose type is in
 * `types`; null when none is. Climbs with `Node#parent` at most `maxDepth` levels.
 */
export function nodeOfTypeAt(tree: Tree, index: number, types: ReadonlySet<string>, maxDepth: number): Node | null {
  const node = nodeAtIndex(tree, index);
  if (!node) return null;
  if (types.has(node.type)) return node;
  let current: Node | null = node;
  for (let depth = 0; depth < maxDepth; depth += 1) {
    current = current.parent;
    if (!current) return null;
    if (types.has(current.type)) return current;
  }
  return null;
}

/**
 * The string literal of `stringTypes` that starts exactly at `index` (the smallest node there or
 * one of its two nearest ancestors) and its parent, found with one descent from the root instead
 * of a root search per `Node#parent`.
 */
export function stringWithParentAt(
  tree: Tree,
  index: number,
  stringTypes: ReadonlySet<string>,
): { literal: Node; parent: Node | null } | null {
  const found = stringWithAncestorsAt(tree, index, stringTypes);
  return found ? { literal: found.literal, parent: found.ancestors.at(0) ?? null } : null;
}

/** {@link stringWithParentAt} with the literal's ancestors, read as far as the caller asks. */
export function stringWithAncestorsAt(
  tree: Tree,
  index: number,
  stringTypes: ReadonlySet<string>,
): { literal: Node; ancestors: LazyAncestors } | null {
  const node = nodeAtIndex(tree, index);
  if (!node) return null;
  const above = new LazyAncestors(node);
  for (let depth = 0; depth <= 2; depth += 1) {
    const candidate = depth === 0 ? node : above.at(depth - 1);
    if (!candidate) return null;
    if (!stringTypes.has(candidate.type)) continue;
    return candidate.startIndex === index ? { literal: candidate, ancestors: above.from(depth) } : null;
  }
  return null;
}

/**
 * The ancestors of `node`, nearest first. One descent from the root with `childWithDescendant`
 * (the first step a binary search over the root's children): for the whole path. A caller that
 * stops after a few levels climbs with {@link climb} instead.
 */
export function ancestorsOf(node: Node): Node[] {
  // The root read once per tree: `tree.rootNode` is a WebAssembly call and a new object each time.
  const { root } = topLevelOf(node.tree);
  if (root.id === node.id) return [];
  const path: Node[] = [root];
  let current: Node | null = topLevelChildContaining(node) ?? root.childWithDescendant(node);
  while (current && current.id !== node.id) {
    path.push(current);
    current = current.childWithDescendant(node);
  }
  return path.reverse();
}

/**
 * The ancestors of `node`, nearest first, as {@link ancestorsOf} lists them, one `Node#parent` per
 * level and only as far as the caller reads. `Node#parent` searches down from the root inside
 * WebAssembly, in one call: a level costs about what one step of `ancestorsOf`'s descent costs
 * (measured ~1 µs each on the 10,000-line bench files), so a caller that stops within a few levels
 * of a deep node reads a few levels instead of the whole path.
 */
export function* climb(node: Node): Generator<Node> {
  for (let current = node.parent; current; current = current.parent) yield current;
}

/** A node's ancestors, nearest first, each read with `Node#parent` the first time it is asked for. */
export class LazyAncestors {
  /** The ancestors read so far and the last one (null past the root), shared with the views `from` gives. */
  private readonly shared: { read: Node[]; last: Node | null };

  constructor(
    node: Node,
    shared?: { read: Node[]; last: Node | null },
    private readonly offset = 0,
  ) {
    this.shared = shared ?? { read: [], last: node };
  }

  /** The ancestor `depth` levels up (0: the parent); undefined above the root. */
  at(depth: number): Node | undefined {
    const shared = this.shared;
    const wanted = this.offset + depth;
    while (shared.read.length <= wanted && shared.last) {
      shared.last = shared.last.parent;
      if (shared.last) shared.read.push(shared.last);
    }
    return shared.read[wanted];
  }

  /** The ancestors of the ancestor `depth - 1` levels up (of the node itself for 0). */
  from(depth: number): LazyAncestors {
    return new LazyAncestors(this.shared.last ?? this.shared.read[0], this.shared, this.offset + depth);
  }
}

/** Nodes of some types, sorted for finding the innermost one around a range (see enclosingOfType). */
interface EncloserIndex {
  nodes: Node[];
  starts: number[];
  ends: number[];
  /** Largest end among entries 0..i: the backwards scan stops once nothing earlier can contain the range. */
  maxEnd: number[];
  /** Entries sharing their exact range with another entry: offsets cannot tell which one is inside. */
  tied: boolean[];
}

const encloserIndexes = new WeakMap<CheckInput, Map<ReadonlySet<string>, EncloserIndex>>();

function encloserIndex(input: CheckInput, types: ReadonlySet<string>): EncloserIndex {
  let byTypes = encloserIndexes.get(input);
  if (!byTypes) {
    byTypes = new Map();
    encloserIndexes.set(input, byTypes);
  }
  let index = byTypes.get(types);
  if (!index) {
    const entries = [...types]
      .flatMap((type) => input.nodesOfType(type))
      .map((node) => ({ node, start: node.startIndex, end: node.endIndex }));
    // By start; for equal starts the outer (longer) node first, so a backwards scan meets the inner one first.
    entries.sort((a, b) => a.start - b.start || b.end - a.end);
    const tied = entries.map((entry, at) => {
      const previous = entries[at - 1];
      const next = entries[at + 1];
      return (
        (!!previous && previous.start === entry.start && previous.end === entry.end) ||
        (!!next && next.start === entry.start && next.end === entry.end)
      );
    });
    const ends = entries.map((entry) => entry.end);
    index = {
      nodes: entries.map((entry) => entry.node),
      starts: entries.map((entry) => entry.start),
      ends,
      maxEnd: runningMax(ends),
      tied,
    };
    byTypes.set(types, index);
  }
  return index;
}

/**
 * The nearest ancestor of `node` whose type is in `types`: the same node `ancestor(node, types)`
 * returns, found by offsets among the nodes of those types that the file's one tree walk collected
 * (`input.nodesOfType`), instead of one descent from the root per call. Nodes nest, so the
 * innermost collected node whose range holds `node`'s range is that ancestor. Where offsets cannot
 * decide (an empty node, or a candidate with exactly the same range) it asks the tree.
 * `types` should be a constant set: the index is cached per file and per set.
 */
export function enclosingOfType(input: CheckInput, node: Node, types: ReadonlySet<string>): Node | null {
  const start = node.startIndex;
  const end = node.endIndex;
  if (end <= start) return ancestor(node, types);
  const { nodes, starts, ends, maxEnd, tied } = encloserIndex(input, types);
  for (let at = lastStartingBy(starts, start); at >= 0 && maxEnd[at] >= end; at -= 1) {
    if (ends[at] < end) continue;
    if (starts[at] === start && ends[at] === end) {
      if (nodes[at].id === node.id && !tied[at]) continue;
      return ancestor(node, types);
    }
    if (tied[at]) return ancestor(node, types);
    return nodes[at];
  }
  return null;
}

/** What a string-building expression makes: its literal text and whether values are spliced in. */
export interface StringBuild {
  /** The literal text parts joined (for telling SQL from other text). */
  literal: string;
  /** True when a non-constant value is spliced in. */
  dynamic: boolean;
}

/**
 * The builds of every assignment of one variable taken together (`q = "SELECT ..."; q += where`):
 * literals joined with a space, dynamic when any part is. Null when there are none.
 */
export function joinBuilds(builds: readonly StringBuild[]): StringBuild | null {
  if (builds.length === 0) return null;
  return { literal: builds.map((build) => build.literal).join(' '), dynamic: builds.some((build) => build.dynamic) };
}

/**
 * Fixed SQL a statement splices that is not data, shared by the Go and Python checks. The data store's
 * own object (`db.now()`, `db.timestamp_placeholder("now")`, `conn.dialect`): the text it gives depends
 * on the configured database, not on input.
 */
export const DIALECT_OWNER = /(?:^|\.)(?:db|database|dialect|driver|conn|tx)$/i;

/**
 * Methods of a query builder that render its own clauses from its state (`f.buildCondition()`,
 * `filters.where()`; Python's snake_case is read without its underscores): bind markers, with the
 * values bound as the builder's parameters.
 */
export const BUILDER_FRAGMENT =
  /^(?:build|render)?\w*?(?:Conditions?|Where|Clauses?|Filters?|Order(?:By|ing)?|Sort(?:ing)?|Columns?|Fields|Joins?|Limit|Placeholders)(?:Clause|SQL|String)?$/i;

/** A list of bind markers (`placeholders := strings.Repeat("?,", n)`, `placeholders.append(f":{key}")`): the values go as arguments. */
export const PLACEHOLDER_LIST = /^(?:placeholders?|qmarks|bind(?:var)?s?Marks?|markers)$/i;

/** A helper that writes bind markers (`placeholder(n)` → `$3`, `Placeholders(len(ids))` → `?, ?`). */
export const PLACEHOLDER_HELPER = /^(?:\w*placeholders?|\w*markers?|qmarks?|bind(?:var|param)s?)$/i;

/** How deep string-building expressions are followed; deeper nesting is treated as unknown. */
export const MAX_BUILD_DEPTH = 64;

/**
 * Operands of a left-deep chain of one operator (`a + b + c` → [a, b, c]), read in a loop: generated
 * code can hold thousands of terms, which would overflow the stack if followed recursively.
 */
export function chainOperands(node: Node, isLink: (candidate: Node) => boolean): Array<Node | null> {
  const operands: Array<Node | null> = [];
  let current: Node | null = node;
  while (current && isLink(current)) {
    operands.push(field(current, 'right'));
    current = field(current, 'left');
  }
  operands.push(current);
  return operands.reverse();
}

/** A comment alone on its line, of three words or more. */
export function explainsOnItsOwnLine(text: string, comment: { startIndex: number; text: string }): boolean {
  const lineStart = text.lastIndexOf('\n', comment.startIndex - 1) + 1;
  if (text.slice(lineStart, comment.startIndex).trim() !== '') return false;
  return (
    comment.text
      .replace(/^\/\/|^\/\*|\*\/$|^#/g, '')
      .trim()
      .split(/\s+/).length >= 3
  );
}

/**
 * Kinds of things a deployment is configured with (`dataSources`, `enabledProviders`, `connectors`,
 * `integrations`): a handful the team or an administrator chose, not rows users create. One task or
 * goroutine per entry is as many as the configuration lists (JS, Python and Go share the list; Go
 * adds the destinations its services hold, webhook `endpoints` among them, which in JS are often a
 * user's own).
 */
const CONFIGURED_KIND_WORDS = [
  'dataSources',
  'providers',
  'regions',
  'locales',
  'languages',
  'currencies',
  'environments',
  'kinds',
  'connectors',
  'integrations',
];

/** The camel-case humps of a word in either case (`dataSources` → `[Dd]ata[Ss]ources`), other letters as written. */
const eitherCaseHumps = (word: string): string =>
  word.replace(/(^|[A-Z])([a-z])/g, (_, hump: string, letter: string) =>
    hump ? `[${hump}${hump.toLowerCase()}]${letter}` : `[${letter.toUpperCase()}${letter}]`,
  );

/**
 * A name (or the last part of a dotted one) that ends with a configured kind: `dataSources`,
 * `s.enabledProviders`, `cfg.active_connectors`. The word stands alone or starts a hump.
 */
export const CONFIGURED_KINDS = new RegExp(
  `(?:^|[._$]|(?<=[a-z0-9])(?=[A-Z]))(?:${CONFIGURED_KIND_WORDS.map(eitherCaseHumps).join('|')})$`,
);

/** A call found in a loop: the loop that repeats it, and what to say about it alone. */
export interface CallInLoop {
  node: Node;
  /** The loop the call repeats with (the outermost one that grows with the data). */
  loop: Node;
  /** The call's own text (`Photo.objects.filter`), for the message. */
  callee: string;
  /**
   * For a call of a function of the same file that runs queries itself (`getStats(c.ID)`): the
   * queries it runs (and the calls that lead to them), shown as related locations.
   */
  runs?: ReadonlyArray<{
    node: Node;
    callee: string;
    /** A function of another file of the package (Go): that file's name, and whether its queries only store rows. */
    declaredIn?: string;
    writesOnly?: boolean;
  }>;
}

/** A container of a tenancy: a workspace or space, an organisation, a team, a tenant, a realm. */
const TENANCY_WORD = /^(?:(?:work)?spaces?|org|orgs|organi[sz]ations?|teams?|tenants?|realms?)$/;
/** What names one row of it: `spaceId`, `org_ids`, `realm_name`, `teamSlug`. */
const KEY_WORD = /^(?:ids?|names?|keys?|slugs?|uuids?|pks?)$/;

/**
 * Whether a loop's item (or its list, when the item is an index) names a tenancy container:
 * `for (const spaceId of spaceIds)`, `for org in owned_orgs`, `for realm_name in realms_to_add`,
 * `for _, team := range teams`. Such containers are few per parent (the spaces of a group, the
 * organisations of a person, the realms given to a token) and a pass over all of them does deliberate
 * per-tenant work (each workspace's retention, each tenant's schema): query-in-loop counts such a loop
 * as growing with the data only when a loop around it does. On the held-out rounds 4-9, 9 findings
 * (all labelled debatable, none real) were loops over them.
 */
export function namesTenancyContainer(name: string | undefined): boolean {
  if (!name) return false;
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/_+/)
    .filter((word) => word.length > 0);
  while (words.length > 1 && KEY_WORD.test(words[words.length - 1])) words.pop();
  return words.length > 0 && TENANCY_WORD.test(words[words.length - 1]);
}

/**
 * Items with the same key, in the order their first item came: one finding per loop or function,
 * the first item reported and the others as its related locations (query-in-loop, silent-catch).
 */
export function groupedBy<T, K>(items: readonly T[], keyOf: (item: T) => K): T[][] {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return [...groups.values()];
}

/**
 * One `query-in-loop` finding per loop: fifty `.count()` calls in one loop over users are one
 * problem with one fix (load the counts for all users at once), reported at the loop's first call
 * with the other calls as related locations.
 */
export function reportPerLoop(input: CheckInput, found: readonly CallInLoop[], suggestion: string): void {
  for (const [first, ...others] of groupedBy(found, (item) => item.loop.id)) {
    const callees = [...new Set(others.map((other) => `\`${other.callee}\``))];
    const named = `${callees.slice(0, 3).join(', ')}${callees.length > 3 ? ', …' : ''}`;
    const calls = others.length === 1 ? 'does 1 more call' : `do ${others.length} more calls`;
    const more = others.length === 0 ? '' : ` So ${calls} in the same loop (${named}), shown as related locations.`;
    const inner = [...new Set((first.runs ?? []).map((run) => `\`${run.callee}\``))];
    // A function declared in another file of the package: its queries are named with that file (no location here).
    const elsewhere = first.runs?.find((run) => run.declaredIn !== undefined)?.declaredIn;
    const through =
      inner.length === 0
        ? ''
        : ` and queries the database each time (${inner.slice(0, 2).join(', ')}${inner.length > 2 ? ', …' : ''}, ${elsewhere ? `in ${elsewhere}` : 'shown as related locations'})`;
    // The loop's other calls, then the queries the called functions run (each place once).
    const related = others.map((other) => other.node);
    const shown = new Set([first.node.startIndex, ...related.map((node) => node.startIndex)]);
    for (const item of [first, ...others])
      for (const { node, declaredIn } of item.runs ?? [])
        if (declaredIn === undefined && !shown.has(node.startIndex)) {
          shown.add(node.startIndex);
          related.push(node);
        }
    input.report(
      first.node,
      'query-in-loop',
      `\`${first.callee}\` runs once per loop iteration${through} (N+1): latency and load grow with the data.${more}`,
      suggestion,
      undefined,
      undefined,
      related,
    );
  }
}

/** Whether a character code is a word character of `\w` (ASCII letters, digits, `_`): for scans that read a name backwards. */
export function isWordCode(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || code === 0x5f
  );
}

/** The offset of the quote closing the string opened at `open` (`"…"`, `'…'` on one line, a Go raw string), or -1. */
export function stringEnd(text: string, open: number): number {
  const quote = text[open];
  for (let at = open + 1; at < text.length; at += 1) {
    const char = text[at];
    if (char === quote) return at;
    if (quote === '`') continue;
    if (char === '\n') return -1;
    if (char === '\\') at += 1;
  }
  return -1;
}

/** The offset of the bracket closing the one at `open` (strings skipped), or -1. */
export function closingBracket(text: string, open: number): number {
  let depth = 0;
  for (let at = open; at < text.length; at += 1) {
    const char = text[at];
    if (char === '(' || char === '[' || char === '{') depth += 1;
    else if (char === ')' || char === ']' || char === '}') {
      depth -= 1;
      if (depth === 0) return at;
    } else if (char === '"' || char === "'" || char === '`') {
      at = stringEnd(text, at);
      if (at < 0) return -1;
    }
  }
  return -1;
}

/** The pieces of a list's text split at its top-level commas (`a, f(b, c), "d,e"` → three). */
export function splitTopLevel(text: string): string[] {
  const pieces: string[] = [];
  let start = 0;
  for (let at = 0; at < text.length; at += 1) {
    const char = text[at];
    const end =
      char === '(' || char === '[' || char === '{'
        ? closingBracket(text, at)
        : char === '"' || char === "'" || char === '`'
          ? stringEnd(text, at)
          : at;
    if (end < 0) break;
    if (char === ',') {
      pieces.push(text.slice(start, at));
      start = at + 1;
    }
    at = end;
  }
  pieces.push(text.slice(start));
  return pieces.map((piece) => piece.trim());
}

/**
 * The name of a setting to accept certificates that do not verify (`insecure`, `skipVerify`,
 * `SKIP_TLS_VERIFY`, `ignoreHttpsErrors`, `ignoreTLSErrors`, `allow_self_signed`,
 * `disableSslVerification`, `no_verify`; `no` starting a word, not `knownVerifier`). TLS turned
 * off only on the branch taken when it is on is that setting's value, as `verify=settings.VERIFY_SSL`
 * or `InsecureSkipVerify: feed.IgnoreTLSErrors` is, and is not reported, whoever sets it (the operator's
 * flag or a user's per-item switch: the choice is explicit either way). One principle for every
 * language: Go's tls-verification-disabled reads it too.
 */
export const TLS_OPT_IN_NAME =
  /insecure|skip\w*(?:verif|tls|ssl|cert)|ignore\w*(?:https|tls|ssl|cert)|(?:allow|accept)\w*(?:insecure|invalid|self\w*signed|untrusted)|(?<![a-z])no\w*verif|disable\w*(?:verif|tls|ssl|cert)/i;
/**
 * Such a name in a test's place in the text around a node (after `if`/`elif`/`and`/`&&`/`?`, or before
 * `&&`/`?`/`and`/`else`): without one, no tree is climbed. The text is read, not the tree, so files
 * that only name the setting elsewhere (`const insecureAgent = …`) cost no WebAssembly reads.
 */
const OPT_IN_CONDITION = new RegExp(
  `(?:\\b(?:if|elif|and)\\b|&&|\\?)[^;{}]{0,200}?(?:${TLS_OPT_IN_NAME.source})|(?:${TLS_OPT_IN_NAME.source})[^;{}]{0,200}?(?:&&|\\?|\\b(?:and|else)\\b)`,
  'i',
);
const OPT_IN_BEFORE = 3000;
const OPT_IN_AFTER = 300;
function mentionsTlsOptIn(input: CheckInput, node: Node): boolean {
  const from = Math.max(0, node.startIndex - OPT_IN_BEFORE);
  return OPT_IN_CONDITION.test(input.text.slice(from, node.startIndex + OPT_IN_AFTER));
}
/** A test turned around: `!cfg.insecure`, `not skip_verify`, `x == false`, `x !== true`. */
const NEGATED_TEST = /^\s*\(?\s*(?:!(?!=)|not\b)|={2,3}\s*(?:false|False)\b|!={1,2}\s*(?:true|True)\b/;
const FUNCTION_TYPES =
  /^(?:function_definition|lambda|function_declaration|function_expression|arrow_function|method_definition|generator_function_declaration|func_literal|method_declaration)$/;

/** Chromium's switches that accept any certificate, as a string: `args: ['--ignore-certificate-errors']` (group 1: the quote). */
export const BROWSER_TLS_OFF_SWITCH = /(['"`])--ignore-(?:certificate|ssl)-errors(?:=(?:true|1|yes))?\1/g;

/**
 * Reports browser automation told to accept any certificate (TS/JS and Python alike): an option given
 * true (`ignoreHTTPSErrors: true`, `ignore_https_errors=True`) or Chromium's switch (BROWSER_TLS_OFF_SWITCH).
 */
export function reportBrowserTlsOff(input: CheckInput, node: Node, what: 'option' | 'switch'): void {
  const option = what === 'option';
  input.report(
    node,
    'tls-verification-disabled',
    `\`${option ? node.text.replace(/\s+/g, ' ') : node.text}\` makes ${option ? 'the browser' : 'Chromium'} accept any certificate: pages it loads, the cookies and credentials it sends can be read and changed on the path.`,
    option
      ? 'Remove it; for a private CA install it in the browser profile, or pass the option only from a setting for that host.'
      : 'Remove the switch; for a private CA add it to the browser profile or the system trust store.',
  );
}

/**
 * Whether `node` is taken only when a setting named for accepting unverified certificates is on, within
 * its function: the branch of an `if` (Python, JS), of a conditional (`cfg.insecure ? [...] : []`,
 * `[...] if skip_verify else []`) or the right side of `&&`/`and` whose test names such a setting and
 * does not turn it around. The operator's choice, like `verify=settings.VERIFY_SSL`, is no finding.
 */
export function underTlsOptIn(node: Node, input?: CheckInput): boolean {
  if (input && !mentionsTlsOptIn(input, node)) return false;
  let child = node;
  for (const current of climb(node)) {
    if (FUNCTION_TYPES.test(current.type)) return false;
    let test: Node | null = null;
    if (current.type === 'if_statement' || current.type === 'elif_clause') {
      const consequence = current.childForFieldName('consequence');
      if (consequence && contains(consequence, child)) test = current.childForFieldName('condition');
    } else if (current.type === 'ternary_expression') {
      const consequence = current.childForFieldName('consequence');
      if (consequence && contains(consequence, child)) test = current.childForFieldName('condition');
    } else if (current.type === 'conditional_expression') {
      // Python `a if test else b`: the first child is taken when the second named child holds.
      const parts = current.namedChildren;
      if (parts[0] && contains(parts[0], child)) test = parts[1] ?? null;
    } else if (current.type === 'binary_expression' || current.type === 'boolean_operator') {
      const operator = current.childForFieldName('operator')?.text;
      const right = current.childForFieldName('right');
      if ((operator === '&&' || operator === 'and') && right && contains(right, child))
        test = current.childForFieldName('left');
    }
    if (test && TLS_OPT_IN_NAME.test(test.text) && !NEGATED_TEST.test(test.text)) return true;
    child = current;
  }
  return false;
}
