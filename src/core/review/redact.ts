import { entropyBits, KNOWN_SECRET_PATTERNS, PROVIDER_TOKEN_PATTERNS, SECRET_NAME_PATTERN } from '../secretPatterns';
import type { ReviewFinding } from '../findings';

/**
 * Removes credentials from code before it is sent to a model, cached or logged. The text keeps its
 * line count and shape (quotes, indentation, the rest of the line), so line numbers and anchoring
 * stay valid.
 */
export interface Redaction {
  /** 1-based line where the secret started. */
  line: number;
  /** What was found: a known format (`AWS access key id`) or `value of <name>`. */
  kind: string;
}

export interface RedactionResult {
  text: string;
  redactions: Redaction[];
}

export interface RedactOptions {
  /** File path: decides whether unquoted `NAME=value` / `name: value` lines (env, YAML, ini) are secrets. */
  path?: string;
}

/**
 * Files whose unquoted values are data: env files, YAML, ini, properties, toml, and the shell-like
 * files where `export NAME=value` / `ENV NAME=value` lines hold configuration (Dockerfiles, shell
 * scripts, .npmrc).
 */
const CONFIG_FILE =
  /(?:^|[\\/])(?:\.env(?:\.[\w.-]+)?|\.npmrc|\.yarnrc|\.pypirc|\.netrc|\.(?:bash|zsh)rc|\.profile|(?:[\w.-]*\.)?(?:Dockerfile|Containerfile)(?:\.[\w.-]+)?|(?:GNU)?[Mm]akefile|[^\\/]+\.(?:env|ya?ml|ini|cfg|conf|properties|toml|sh|bash|zsh|dockerfile|mk))$/i;

// `name = "value"`, `name: 'value'`, `name := "value"`, `name => "value"`, `"name": "value"`, `name="value"` (keyword args),
// the other assignment operators (`.=` in PHP, `??=`, `||=`, `+=`, and Make's `?=`, `::=`, `:::=`),
// `os.environ["NAME"] = "value"`, comparisons (`password === "admin123"`, see isComparedCredential), with an optional
// type annotation (`password: str = "x"`, `api_key: &str = "x"`) or a Go type after `var` (`var dbPassword string = "x"`),
// and Python string prefixes (`f"…"`, `b"…"`, `r"…"`). Only spaces and tabs separate the parts: a newline would let
// `database:` take the value of the next line. Group 1: the name; group 2: up to the value's prefix; group 3: the
// string prefix; group 4: the quote; group 5: the value.
const QUOTED_ASSIGNMENT =
  /(?<![\w$])["']?([A-Za-z_$][\w$.-]*)["']?\]?([ \t]*(?::[ \t]*&?[A-Za-z_][\w[\]|.,<>&* ]{0,80}?[ \t]*|(?<=\bvar[ \t]+[A-Za-z_$][\w$]*)[ \t]+[A-Za-z_][\w.[\]*]*[ \t]*)?(?:===?|!==?|:{1,3}=|=>|\?\?=|\|\|=|[.?+]=|=|:)[ \t]*)([rRbBuUfF]{0,2})(["'`])((?:\\.|(?!\4)[^\\\n])*)\4/g;

/** A character QUOTED_ASSIGNMENT's value can be quoted with (its group 4). */
const QUOTE_CHARACTER = /["'`]/;

/**
 * The alternative of QUOTED_ASSIGNMENT's group 2 for a Go type after `var NAME`, exactly as it
 * stands in the pattern's source.
 */
export const VAR_TYPE_ALTERNATIVE = String.raw`|(?<=\bvar[ \t]+[A-Za-z_$][\w$]*)[ \t]+[A-Za-z_][\w.[\]*]*[ \t]*`;

/** `regex` with `alternative` (a piece of its source) taken out; throws if the source lacks it. */
export function withoutAlternative(regex: RegExp, alternative: string): RegExp {
  const at = regex.source.indexOf(alternative);
  if (at === -1) throw new Error(`redact: /${regex.source}/ has no alternative ${alternative}`);
  return new RegExp(regex.source.slice(0, at) + regex.source.slice(at + alternative.length), regex.flags);
}

/**
 * QUOTED_ASSIGNMENT without the `var NAME TYPE` alternative, for lines without `var`: there its
 * lookbehind can never hold, so the pattern finds the same matches with the same groups. That
 * lookbehind is tried after every length of every name the pattern backtracks over and reads the
 * name backwards each time (quadratic in the name): ~40% of the pattern's cost on the lines of the
 * engine bench's file (e.g. 10.4 → 0.75 µs for `const token = req.headers.authorization?.replace(…)`).
 */
const QUOTED_ASSIGNMENT_WITHOUT_VAR_TYPE = withoutAlternative(QUOTED_ASSIGNMENT, VAR_TYPE_ALTERNATIVE);

/** The QUOTED_ASSIGNMENT pattern to run on one line: the same matches, found faster on lines without `var`. */
export function quotedAssignmentFor(line: string): RegExp {
  return line.includes('var') ? QUOTED_ASSIGNMENT : QUOTED_ASSIGNMENT_WITHOUT_VAR_TYPE;
}

/** The operator part of a QUOTED_ASSIGNMENT match that compares rather than assigns. */
const COMPARISON_OPERATOR = /(?:===?|!==?)[ \t]*$/;

// Python triple-quoted strings (`password = """…"""`), which may span lines. Group 1: the name; group 2: up to the
// opening quotes; group 3: the quotes; group 4: the value.
const TRIPLE_QUOTED_ASSIGNMENT =
  /(?<![\w$])([A-Za-z_$][\w$.]*)([ \t]*(?::[ \t]*[A-Za-z_][\w[\]|., ]*?[ \t]*)?=[ \t]*[rRbBuUfF]{0,2}("""|\'\'\'))([\s\S]*?)\3/g;

/**
 * What every TRIPLE_QUOTED_ASSIGNMENT match holds (its group 2 ends with it): without one, the
 * pattern cannot match anywhere in the text.
 */
const TRIPLE_QUOTED_OPENING = /=[ \t]*[rRbBuUfF]{0,2}(?:"""|''')/;

// Unquoted values in config files: `DB_PASSWORD=hunter2`, `export TOKEN=abc`, `ENV API_TOKEN=abc`, `password: hunter2`.
// `[ \t]` rather than `\s`: a `\s` could run over a newline and read `FOO=` plus the next line as one assignment.
const UNQUOTED_CONFIG_VALUE =
  /^([ \t]*(?:(?:export|ENV|ARG)[ \t]+)?["']?([A-Za-z_][\w.-]*)["']?[ \t]*(?:[?+]?=|:{1,3}=|[=:])[ \t]*)([^\s"'#](?:[^\n#]*[^\s#])?)([ \t]*(?:#.*)?)$/gm;

/** Every placeholder starts with this: text containing it was derived from redacted code. */
export const REDACTION_MARK = '‹redacted:';

/** The characters that open and close a placeholder. */
interface Marks {
  open: string;
  close: string;
}

const PLACEHOLDER_MARKS: Marks = { open: '‹', close: '›' };

/**
 * The marks redactSecrets writes while it works on a text that is all Latin-1 and holds neither
 * of them, turned into ‹ › at the end. V8 stores a string holding ‹ (not Latin-1) two bytes per
 * character, and an 80 KB text then takes 160 KB, beyond V8's regular object size: every pass that
 * rewrote the text allocated a large object (~0.8 ms per pass against ~0.01 ms for a one-byte
 * text, over half of a 2,000-line TypeScript file's redaction in `npm run bench -- engine`).
 * « and » are, like ‹ and ›, initial and final quotation punctuation outside every character class
 * the patterns name (word, space, quote, token characters), so each pattern matches exactly where
 * it would with ‹ ›, and the result is the same text.
 */
const LATIN1_MARKS: Marks = { open: '«', close: '»' };
/** A text redactSecrets can work on with LATIN1_MARKS: nothing beyond Latin-1, no « or ». */
const LATIN1_WITHOUT_MARKS = /^[^\u00ab\u00bb\u0100-\uffff]*$/;

function redactionPlaceholder(kind: string, marks: Marks = PLACEHOLDER_MARKS): string {
  const label = kind
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return `${marks.open}redacted:${label}${marks.close}`;
}

/**
 * Line numbers of offsets in one text. The newline offsets are found once, on the first question,
 * and each answer is a binary search: counting newlines from the start for every secret made
 * redaction quadratic in files with many of them (the profile of `npm run bench` showed it).
 */
function lineLocator(text: string): (offset: number) => number {
  let newlines: number[] | undefined;
  return (offset) => {
    if (!newlines) {
      newlines = [];
      for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) newlines.push(at);
    }
    // Newlines before the offset, plus one.
    let low = 0;
    let high = newlines.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (newlines[middle] < offset) low = middle + 1;
      else high = middle;
    }
    return low + 1;
  };
}

/** Replaces a match with the placeholder, keeping every newline the match contained. */
function replacementFor(match: string, kind: string, marks: Marks = PLACEHOLDER_MARKS): string {
  const newlines = match.split('\n').length - 1;
  return redactionPlaceholder(kind, marks) + '\n'.repeat(newlines);
}

function lastSegment(name: string): string {
  return name.split('.').pop() ?? name;
}

/**
 * Names redaction also treats as credentials, beyond the offline rule's (SECRET_NAME_PATTERN): a
 * placeholder too many costs little here, a key sent costs a rotation. `ADMIN_PW`, `adminPw`,
 * `secret_key_base`, `passphrase`, `SENTRY_AUTH`, `sasl.jaas.config`-style `*_auth` values.
 */
const MORE_SECRET_NAMES =
  /(?:^|[_.-])(?:pw|passphrase|key[_-]?base|auth|master[_-]?key|session[_-]?key)$|[a-z]Pw$|Passphrase$|^BUNDLE_\w+__\w+$/i;

function isSecretName(name: string): boolean {
  const segment = lastSegment(name);
  return SECRET_NAME_PATTERN.test(segment) || MORE_SECRET_NAMES.test(segment);
}

/**
 * Names that hold a credential only sometimes: a bare `key` (`HEROKU_KEY`, `hubspotKey`), a login, a
 * client or access id, or a name with a secret word inside it (`secret_value`, `token_v2`). Their
 * values are redacted when they look generated (credentialShaped), not when they read like a word, a
 * path or a URL.
 */
const WEAK_SECRET_NAME =
  /(?:key|login|client|sid|(?:access|client|app|account|secret|api)[_-]?id)$|secret|token|passw|api[_-]?key|apikey|credential/i;

/**
 * A value that looks like a generated credential: one run of at least 12 visible characters with
 * letters and digits mixed (two digits, or one with both cases), spread like random text (≥ 3 bits
 * a character), and not a URL or a path.
 */
export function credentialShaped(value: string): boolean {
  const v = value.trim();
  if (v.length < 12 || /\s/.test(v) || v.includes('://') || /^[./~]/.test(v)) return false;
  const digits = v.match(/\d/g)?.length ?? 0;
  if (digits === 0 || (v.match(/[A-Za-z]/g)?.length ?? 0) < 2) return false;
  if (digits < 2 && !(/[a-z]/.test(v) && /[A-Z]/.test(v))) return false;
  return entropyBits(v) >= 3;
}

/**
 * A literal compared with a secret-named field is a credential only when it looks like one: letters
 * and digits or symbols mixed (`password === "admin123"`), or generated. `user.password == "LDAP"`,
 * `token !== "none"`, `auth === "oauth2"`-style words are modes and sentinels, not secrets.
 */
function isComparedCredential(value: string): boolean {
  const v = value.trim();
  if (credentialShaped(v)) return true;
  return v.length >= 6 && !/\s/.test(v) && /[A-Za-z]/.test(v) && /[\d!@#$%^&*+=?~]/.test(v) && !/^[a-z]+\d$/i.test(v);
}

/** Values that are clearly not literal credentials: empty, references, placeholders. */
function isNonSecretValue(value: string, marks: Marks = PLACEHOLDER_MARKS): boolean {
  const v = value.trim();
  if (v.length < 3) return true;
  if (v.includes(`${marks.open}redacted:`)) return true;
  if (/^\$\{?[A-Za-z_]/.test(v) || /^\{\{.*\}\}$/.test(v) || /^%\(?[A-Za-z_]/.test(v)) return true;
  if (/^(?:null|none|nil|true|false|undefined|changeme|<[^>]*>|x+|\*+)$/i.test(v)) return true;
  return false;
}

/**
 * Replaces the matches `replace` returns text for. A match it declines (null) is retried from the
 * next character rather than skipped whole: in `Example: db_password = "x"` the first match takes
 * `Example` as the name and `db_password` as a type annotation, and skipping it would hide the secret.
 */
function replaceAssignments(text: string, regex: RegExp, replace: (match: RegExpExecArray) => string | null): string {
  // The module's own global regex, reused (a copy per call cost more than many of the lines it
  // runs on): its lastIndex starts at 0 and is put back to 0.
  regex.lastIndex = 0;
  let out = '';
  let copied = 0;
  for (let match = regex.exec(text); match; match = regex.exec(text)) {
    const replacement = replace(match);
    if (replacement === null) {
      regex.lastIndex = match.index + 1;
      continue;
    }
    out += text.slice(copied, match.index) + replacement;
    copied = match.index + match[0].length;
    regex.lastIndex = copied;
  }
  regex.lastIndex = 0;
  return out + text.slice(copied);
}

/**
 * `text.replace(regex, replace)` for a global regex, with the same arguments to `replace` (the match,
 * its groups, the offset, the text, the named groups when there are any) and the same result, by an
 * exec loop. Once a text holds a placeholder (‹ is not Latin-1) V8 stores it two bytes per
 * character, and String.prototype.replace with a function then took ~1 ms per 80 KB for every
 * pattern that matched at all, ~30 times the loop's cost (`npm run bench -- engine`, profiled).
 */
function replaceMatches(text: string, regex: RegExp, replace: (...args: never[]) => string): string {
  if (!regex.global) throw new Error(`replaceMatches needs a global regex: /${regex.source}/${regex.flags}`);
  regex.lastIndex = 0;
  let out = '';
  let copied = 0;
  let changed = false;
  for (let match = regex.exec(text); match; match = regex.exec(text)) {
    const args: unknown[] = [...match, match.index, text];
    if (match.groups) args.push(match.groups);
    const replaced = (replace as (...args: unknown[]) => string)(...args);
    // A match left as it was stays in the text copied around it: no new text when nothing changed.
    if (replaced !== match[0]) {
      out += text.slice(copied, match.index) + replaced;
      copied = match.index + match[0].length;
      changed = true;
    }
    // An empty match moves on by one character (a code point with the u flag), as replace does.
    if (match[0].length === 0) {
      const code = text.codePointAt(regex.lastIndex);
      regex.lastIndex += regex.unicode && code !== undefined && code > 0xffff ? 2 : 1;
    }
  }
  regex.lastIndex = 0;
  return changed ? out + text.slice(copied) : text;
}

/**
 * Substrings one of which every match of a known pattern contains on its own line, keyed by the
 * pattern's exact source. These patterns start with a lookbehind, which keeps the regex engine from
 * skipping ahead by a literal: each cost a full scan of the text (the profile of `npm run bench`
 * showed them at ~0.3 ms per 80 KB each). Their matches and lookarounds never cross a line break,
 * so running them on just the lines holding the text gives the same result. A pattern whose source
 * changes loses its entry and simply runs over the whole text (a test checks that every entry still
 * names a pattern).
 */
export const KNOWN_PATTERN_REQUIRED_TEXT: ReadonlyMap<string, readonly string[]> = new Map([
  [/(?<=\b[a-z][a-z0-9+.-]*:\/\/[^\s:@/'"`]*:)[^\s'"`/]+(?=@[^\s@'"`/]+)/gi.source, ['://']],
  [/(?<=\b(?:Bearer|Basic)[ \t]{1,32})(?=[A-Za-z._~+/-]*\d)[A-Za-z0-9._~+/-]{8,}=*/g.source, ['Bearer', 'Basic']],
  // `Key=` and `Signature=` end the three names: as a finder `Key=|Signature=` costs ~18 µs per
  // 80 KB against ~45 for the three names (their alternation starts at every `A` or `S`); the pass
  // then also reads the few other lines with `Key=` (`apiKey=`), where it finds nothing.
  [/(?<=\b(?:AccountKey|SharedAccessKey|SharedAccessSignature)=)[^;\s"'`]+/g.source, ['Key=', 'Signature=']],
  [/(?<=(?:^|:)_(?:authToken|auth|password)=)[^\s"'#;]+/gm.source, ['_authToken=', '_auth=', '_password=']],
]);

/** A global regex finding any of the texts, or undefined when the pattern has no entry. */
function requiredTextFinder(pattern: RegExp): RegExp | undefined {
  const required = KNOWN_PATTERN_REQUIRED_TEXT.get(pattern.source);
  return required && new RegExp(required.map((part) => part.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|'), 'g');
}

/**
 * The known formats as redactSecrets runs them, built once: each as a global regex of its own (the
 * shared patterns' lastIndex is not touched) with its required-text finder. Building them for every
 * text cost ~2 µs each, as much as scanning a small file with them.
 */
const KNOWN_PASSES = KNOWN_SECRET_PATTERNS.map((pattern) => ({
  name: pattern.name,
  regex: new RegExp(
    pattern.regex.source,
    pattern.regex.flags.includes('g') ? pattern.regex.flags : pattern.regex.flags + 'g',
  ),
  finder: requiredTextFinder(pattern.regex),
}));

/**
 * A line can only hold a `name = "value"` secret (QUOTED_ASSIGNMENT, accepted) if a secret word
 * (SECRET_NAME_PATTERN's endings) ends a name there and is followed by what QUOTED_ASSIGNMENT
 * allows after the name: an optional closing quote or bracket, then an operator or a type
 * annotation (`: str =`), or, after `var name`, a Go type. Running the assignment pattern only on
 * such lines gives the same result (its matches never span lines, and its lookbehinds see the same
 * line start) at a fraction of the cost: it was more than half the engine's own time.
 */
export const SECRET_NAME_CANDIDATE =
  /(?:pass(?:word|wd|phrase)?|pwd|(?:[_a-z]|\b)pw|secret|key(?:[_-]?base)?|token|credentials?|(?:[_.-]|\b)auth|login|client|sid|(?:access|client|app|account|api)[_-]?id|__[A-Z0-9_]+)(?:(?<=secret|token|passw|credential|api[_-]?key|apikey)[\w.-]*)?["']?\]?(?:[ \t]*(?:[:=!]|[.?+|]{1,2}=)|[ \t]+[A-Za-z_])/gi;

/**
 * SECRET_NAME_CANDIDATE for a lowercased text: without the `i` flag, which made V8 try both cases of
 * every letter at every offset (~0.25 ms per 80 KB, the costliest scan of redaction), and with its
 * `A-Z` ranges made `a-z` (under `i` they stood for both cases). On a text of Latin-1 characters,
 * lowercasing keeps every offset and makes no ASCII letter of a character that was not one, and
 * the `i` flag (without `u`) matches an ASCII letter of the pattern only with an ASCII letter of
 * either case: it matches at the same offsets of the lowercased text as SECRET_NAME_CANDIDATE does
 * of the text (a test checks the pattern holds no other upper-case letter or escape).
 */
export const SECRET_NAME_CANDIDATE_LOWERCASE = new RegExp(SECRET_NAME_CANDIDATE.source.replaceAll('A-Z', 'a-z'), 'g');

/**
 * Where the lines holding a SECRET_NAME_CANDIDATE match start: found in the lowercased text when
 * `latin1` says the text is Latin-1 (the caller knows it; testing it again costs a scan).
 */
export function secretNameLineStarts(text: string, latin1: boolean): number[] {
  return latin1
    ? candidateLineStarts(text.toLowerCase(), SECRET_NAME_CANDIDATE_LOWERCASE)
    : candidateLineStarts(text, SECRET_NAME_CANDIDATE);
}

/**
 * Rewrites the lines where `candidate` (a global regex) matches with `replaceLine`, each line once;
 * the other lines are copied unchanged. Only for patterns whose matches and lookarounds stay within
 * a line: a line alone then matches exactly as it does inside the text.
 */
function replaceOnCandidateLines(
  text: string,
  candidate: RegExp,
  replaceLine: (line: string, lineStart: number) => string,
): string {
  return replaceOnLines(text, candidateLineStarts(text, candidate), replaceLine);
}

/** Where each line holding a match of `candidate` (a global regex) starts, each line once, in order. */
function candidateLineStarts(text: string, candidate: RegExp): number[] {
  const starts: number[] = [];
  candidate.lastIndex = 0;
  for (let hit = candidate.exec(text); hit; hit = candidate.exec(text)) {
    starts.push(text.lastIndexOf('\n', hit.index) + 1);
    const newline = text.indexOf('\n', hit.index);
    candidate.lastIndex = newline === -1 ? text.length : newline;
  }
  candidate.lastIndex = 0;
  return starts;
}

/** Rewrites the lines starting at `starts` (offsets in `text`, ascending) with `replaceLine`; the rest is copied unchanged. */
function replaceOnLines(
  text: string,
  starts: readonly number[],
  replaceLine: (line: string, lineStart: number) => string,
): string {
  let out = '';
  let copied = 0;
  for (const lineStart of starts) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline === -1 ? text.length : newline;
    const line = text.slice(lineStart, lineEnd);
    const replaced = replaceLine(line, lineStart);
    // Lines left as they were are copied with the text around them: no new text when none changed.
    if (replaced === line) continue;
    out += text.slice(copied, lineStart) + replaced;
    copied = lineEnd;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** Every provider format in one pass over the text (one regex per format cost a scan each). */
const PROVIDER_TOKENS = new RegExp(
  PROVIDER_TOKEN_PATTERNS.map((pattern) => `(?:${pattern.regex.source})`).join('|'),
  'g',
);
const PROVIDER_EXACT = PROVIDER_TOKEN_PATTERNS.map((pattern) => ({
  name: pattern.name,
  exact: new RegExp(`^(?:${pattern.regex.source})$`),
}));

/**
 * Maximal runs of the characters provider tokens are made of (webhook URLs and JWTs included), at
 * least as long as the shortest format: every provider token lies inside one, and the character
 * before and after a run is never a word character, so `\b` means the same inside a run. As a
 * regex, `/[\w.\-+/=:~$@|%]{16,}/g`; scanned by hand (tokenRuns), since the regex engine re-read
 * every shorter run from each of its characters: ~1 ms per 80 KB, a quarter of the whole redaction.
 */
const TOKEN_RUN_MIN = 16;
const TOKEN_CHARACTER = new Uint8Array(128);
for (const character of 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-+/=:~$@|%')
  TOKEN_CHARACTER[character.charCodeAt(0)] = 1;

/**
 * The text with each maximal run of token characters (at least TOKEN_RUN_MIN long) replaced by
 * `replaceRun(run, start)`: what `replaceMatches(text, /[\w.\-+/=:~$@|%]{16,}/g, replaceRun)`
 * returns. A run left as it was is not copied. Only every TOKEN_RUN_MIN-th character is read
 * until one is a token character: no run that long can fit between two characters that are not
 * (code has short runs, so this reads about a third of the text's characters instead of all).
 */
function replaceTokenRuns(text: string, replaceRun: (run: string, start: number) => string): string {
  let out = '';
  let copied = 0;
  const length = text.length;
  // The character before `at` is no token character (or `at` is 0): a run can start at `at`.
  let at = 0;
  while (at + TOKEN_RUN_MIN <= length) {
    // No function call per character: until V8 optimises this loop, a call costs more than the test.
    const probe = at + TOKEN_RUN_MIN - 1;
    const code = text.charCodeAt(probe);
    if (code >= 128 || TOKEN_CHARACTER[code] === 0) {
      at = probe + 1;
      continue;
    }
    // The run holding the probe: back to its start (not before `at`), then on to its end.
    let start = probe;
    while (start > at) {
      const previous = text.charCodeAt(start - 1);
      if (previous >= 128 || TOKEN_CHARACTER[previous] === 0) break;
      start--;
    }
    let end = probe + 1;
    for (let next = text.charCodeAt(end); next < 128 && TOKEN_CHARACTER[next] === 1; next = text.charCodeAt(end)) end++;
    if (end - start >= TOKEN_RUN_MIN) {
      const run = text.slice(start, end);
      const replaced = replaceRun(run, start);
      if (replaced !== run) {
        out += text.slice(copied, start) + replaced;
        copied = end;
      }
    }
    // The character at `end` is no token character (or the text ended).
    at = end + 1;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

function providerOf(token: string): string {
  return PROVIDER_EXACT.find((pattern) => pattern.exact.test(token))?.name ?? 'provider token';
}

/**
 * Credentials known by where they stand rather than by their shape: the value after `password=` in a
 * connection string (JDBC `?…&password=`, ADO.NET `Password=…;`, libpq `host=… password=…`), after a
 * credential flag on a command line (`--password x`, `--token=x`, `mysql -px`, `curl -u user:x`), and
 * after an Authorization scheme other than Bearer/Basic (`token …`, `Bot …`, `SSWS …`). A `$` after a
 * flag is a reference, not a value.
 */
const POSITIONAL_CREDENTIALS: readonly { name: string; regex: RegExp; line: RegExp }[] = [
  {
    name: 'connection string password',
    regex:
      /(?<=(?:[;?&"'`]|\w=[^\s;&"'`,()]{0,256}[ \t]{1,32})[ \t]{0,32}(?:password|passwd|pwd|user password)[ \t]{0,32}=[ \t]{0,32})[^;&\s"'`),]{2,}/gi,
    line: /passw|pwd/gi,
  },
  {
    name: 'command-line credential',
    regex:
      /(?<=(?:^|[\s"'`])--?(?:password|passwd|pass|token|api-key|apikey|secret|client-secret|auth-token|access-token)(?:=|[ \t]{1,32}))(?![-$])[^\s"'`]{3,}/gim,
    line: /-(?:pass|token|api-?key|secret|client-secret|auth-token|access-token)/gi,
  },
  {
    name: 'command-line credential',
    regex: /(?<=\bmysql(?:dump|admin)?\b[^\n]{0,512}?[ \t]-p)(?![$ ])[^\s"'`]{3,}/g,
    line: /mysql/g,
  },
  {
    name: 'command-line credential',
    regex: /(?<=(?:^|\s)(?:-u|--user)[ \t]{1,32}["']?[^\s:"'$]{1,256}["']?:["']?)(?!\$)[^\s"']{3,}/gm,
    line: /(?:-u|--user)[ \t]/g,
  },
  // `curl -u ":secret"` and `-u "token:"` (a key sent as the user, the password left empty).
  {
    name: 'command-line credential',
    regex:
      /(?:(?<=(?:^|\s)(?:-u|--user)[ \t]{1,32}["']?:)(?!\$)[^\s"':]{6,}(?=["']?(?:\s|$))|(?<=(?:^|\s)(?:-u|--user)[ \t]{1,32}["']?)(?!\$)[^\s"':]{6,}(?=:["']?(?:\s|$)))/gm,
    line: /(?:-u|--user)[ \t]+["']?(?::|[^\s"':]{6,}:["']?(?:\s|$))/g,
  },
  {
    name: 'authorization header credential',
    regex:
      /(?<=\bAuthorization["']?[ \t]{0,32}[:=,][ \t]{0,32}["']?(?:token|Token|Bot|Key|SSWS|Splunk|Apikey|ApiKey|Digest)[ \t]{1,32})[A-Za-z0-9._~+/=:-]{8,}/g,
    line: /Authorization/g,
  },
];

/**
 * A header or credential name passed as a string argument, then its value: `Set("X-Api-Key", "…")`,
 * `headers.append('x-auth-token', '…')`. Group 2: the name; group 4: the value.
 */
const NAMED_ARGUMENT_PAIR =
  /(["'])((?:x-)?[\w-]*(?:api[-_]?key|token|secret|password|passwd|auth)[\w-]*)\1[ \t]*,[ \t]*(["'])([^"'\n]{6,})\3/gi;

/**
 * `NAME=value` inside a string, a URL query or a command line, in any file: `"DB_PASSWORD=x\\nOTHER=y"`,
 * `?api_key=x&`, `--set image.password=x`. Group 1: the name; group 2: the value. In code, a value
 * that reads like an identifier or an attribute path (`password=password`, `token=settings.TOKEN`)
 * is a keyword argument, not a credential.
 */
const EMBEDDED_ASSIGNMENT =
  /(?<=(?:^|[\s"'`?&;,(]|\\[nrt])(?:--?)?)([A-Za-z_][\w.-]*)=(?![=>])([^\s"'`&;,()[\]{}\\<>]{3,})(?=$|[\s"'`&;,)<]|\\[nrt])/g;
const IDENTIFIER_OR_PATH = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/;

/**
 * An element named like a secret whose text is the secret, in XML or markup of any file
 * (`<password>x</password>`, `<apiToken>\n  x\n</apiToken>`). Group 1: the name; group 2: the text.
 * The text is matched greedily up to the next `<` and then backed off to its last visible character,
 * so an element with a long body is read once.
 */
const XML_ELEMENT = /<([A-Za-z_][\w.:-]*)(?:[ \t][^<>]*)?>[ \t\r\n]*([^<>\s](?:[^<>]*[^<>\s])?)[ \t\r\n]*<\/\1>/g;

/**
 * An HTTP header written as one string, `"Authorization: Bearer x"`, `-H 'X-Api-Key: x'`, `"Token: x"`:
 * the name holds a credential word. Group 2: the name; group 3: the value (after an optional scheme).
 */
const HEADER_STRING =
  /(["'])((?:[\w-]*(?:auth|api-?key|apikey|token|secret|password|session)[\w-]*|Cookie))[ \t]*:[ \t]*(?:(?:Bearer|Basic|Token|Bot|Digest|Api-?Token|Api-?Key|SSWS|Splunk|GenieKey|Key)[ \t]+)?([^"'\s][^"'\n]*?)[ \t]*\1/gi;
const HEADER_STRING_LINE = /auth|api-?key|token|secret|password|session|cookie/gi;

/**
 * An environment entry written as a name/value pair, as in Kubernetes and ECS definitions
 * (`- name: DB_PASSWORD` then `value: x`, `{"name": "DB_PASSWORD", "value": "x"}`), and the
 * `key`/`value` attributes of .NET and NuGet configuration (`<add key="ClearTextPassword" value="x" />`).
 * Group 1: the name; group 3: the value.
 */
const NAME_VALUE_PAIR =
  /\b(?:name|key)["']?[ \t]*[:=][ \t]*["']?([\w.-]+)["']?[ \t]*,?[ \t]*(?:\r?\n[ \t]*-?[ \t]*)?["']?value["']?[ \t]*[:=][ \t]*(["']?)([^"'\n,}]+?)\2[ \t]*(?=[,}\r\n/>]|$)/g;

/** YAML flow maps and inline objects in config files: `db: {user: app, password: s3cret}`. */
const FLOW_MAP_VALUE = /([{,][ \t]*["']?([\w.-]+)["']?[ \t]*:[ \t]*)(?!["'{[\s])([^,}\n]+?)(?=[ \t]*[,}])/g;

/** YAML block scalars under a secret name: `password: |` then more-indented lines. */
const BLOCK_SCALAR =
  /^([ \t]*)["']?([\w.-]+)["']?[ \t]*:[ \t]*[|>][+-]?[0-9]?[ \t]*(?:#[^\n]*)?\n((?:(?:\1[ \t]+[^\n]*|[ \t]*)(?:\n|$))+)/gm;

/** `.netrc` / `_netrc`: `machine host login user password secret`, on one line or several. */
const NETRC_FILE = /(?:^|[\\/])[._]netrc$/i;
const NETRC_PASSWORD = /(?<=(?:^|\s)(?:password|passwd)[ \t]{1,32})\S+/gm;

export function redactSecrets(text: string, options: RedactOptions = {}): RedactionResult {
  const redactions: Redaction[] = [];
  let out = text;
  const marks = LATIN1_WITHOUT_MARKS.test(text) ? LATIN1_MARKS : PLACEHOLDER_MARKS;
  // The placeholders written meanwhile (« ») are Latin-1 too: the text stays Latin-1 throughout.
  const latin1 = marks === LATIN1_MARKS;
  const placeholder = (kind: string): string => redactionPlaceholder(kind, marks);
  const replacement = (match: string, kind: string): string => replacementFor(match, kind, marks);
  const nonSecret = (value: string): boolean => isNonSecretValue(value, marks);
  // A secret name with a real value, or a weaker name (`HEROKU_KEY`, `client_id`) with a generated-looking one.
  const isCredential = (name: string, value: string): boolean =>
    !nonSecret(value) && (isSecretName(name) || (WEAK_SECRET_NAME.test(lastSegment(name)) && credentialShaped(value)));
  const config = options.path !== undefined && CONFIG_FILE.test(options.path);
  // Where SECRET_NAME_CANDIDATE matches, in the text as it was when the lines were found.
  let secretNameLines: { text: string; starts: number[] } = { text: '', starts: [] };

  for (const pattern of KNOWN_PASSES) {
    const { regex, finder } = pattern;
    const lineAt = lineLocator(out);
    const replaceIn = (part: string, partStart: number): string =>
      replaceMatches(part, regex, (match: string, ...rest: unknown[]) => {
        const offset = rest.find((r) => typeof r === 'number') as number;
        redactions.push({ line: lineAt(partStart + offset), kind: pattern.name });
        return replacement(match, pattern.name);
      });
    out = finder ? replaceOnCandidateLines(out, finder, replaceIn) : replaceIn(out, 0);
  }

  {
    // The provider formats only run inside long runs of token characters: trying seventy
    // alternatives at every position of the text cost more than all other patterns together.
    const lineAt = lineLocator(out);
    out = replaceTokenRuns(out, (run, runStart) =>
      replaceMatches(run, PROVIDER_TOKENS, (match: string, offset: number) => {
        const name = providerOf(match);
        redactions.push({ line: lineAt(runStart + offset), kind: name });
        return replacement(match, name);
      }),
    );
  }
  // Each runs only on the lines holding its marker word (their matches stay within a line): their
  // lookbehinds would otherwise be tried at every position of the text.
  for (const { name, regex, line } of POSITIONAL_CREDENTIALS) {
    const lineAt = lineLocator(out);
    out = replaceOnCandidateLines(out, line, (text, lineStart) =>
      replaceMatches(text, regex, (match: string, offset: number) => {
        if (nonSecret(match)) return match;
        redactions.push({ line: lineAt(lineStart + offset), kind: name });
        return replacement(match, name);
      }),
    );
  }
  {
    const lineAt = lineLocator(out);
    out = replaceAssignments(out, NAMED_ARGUMENT_PAIR, ({ 0: whole, 2: name, 3: quote, 4: value, index }) => {
      if (nonSecret(value) || !/\d/.test(value) || /\s/.test(value.trim())) return null;
      redactions.push({ line: lineAt(index), kind: `value of ${name}` });
      const valueStart = whole.length - value.length - quote.length;
      return whole.slice(0, valueStart) + placeholder(`value of ${name}`) + quote;
    });
  }

  {
    // In code, `password=password` and `token=settings.TOKEN` are keyword arguments; in a config
    // file or a shell script a bare word after `=` is the value itself.
    const lineAt = lineLocator(out);
    secretNameLines = {
      text: out,
      starts: secretNameLineStarts(out, latin1),
    };
    // Every match holds an `=`: a line without one (`password: string;`) is not scanned.
    out = replaceOnLines(out, secretNameLines.starts, (line, lineStart) =>
      !line.includes('=')
        ? line
        : replaceMatches(line, EMBEDDED_ASSIGNMENT, (whole: string, name: string, value: string, offset: number) => {
            const credential = isSecretName(name)
              ? !nonSecret(value) && (config || !IDENTIFIER_OR_PATH.test(value) || credentialShaped(value))
              : isCredential(name, value);
            if (!credential) return whole;
            redactions.push({ line: lineAt(lineStart + offset), kind: `value of ${name}` });
            return `${name}=${placeholder(`value of ${lastSegment(name)}`)}`;
          }),
    );
  }
  if (out.includes('</')) {
    const lineAt = lineLocator(out);
    out = replaceMatches(out, XML_ELEMENT, (whole: string, name: string, value: string, offset: number) => {
      if (value.includes('\n') || !isCredential(name, value)) return whole;
      const at = whole.indexOf(value, name.length + 2);
      redactions.push({ line: lineAt(offset + at), kind: `value of ${name}` });
      return whole.slice(0, at) + placeholder(`value of ${name}`) + whole.slice(at + value.length);
    });
  }
  {
    const lineAt = lineLocator(out);
    out = replaceOnCandidateLines(out, HEADER_STRING_LINE, (line, lineStart) =>
      replaceMatches(
        line,
        HEADER_STRING,
        (whole: string, _quote: string, name: string, value: string, offset: number) => {
          // Tokens carry a digit; `your-api-key`, `USER_TOKEN` and prose after the colon do not.
          if (nonSecret(value) || value.length < 6 || !/\d/.test(value) || /^[A-Z0-9_]+$/.test(value)) return whole;
          redactions.push({ line: lineAt(lineStart + offset), kind: `value of ${name}` });
          const at = whole.lastIndexOf(value);
          return whole.slice(0, at) + placeholder(`value of ${name}`) + whole.slice(at + value.length);
        },
      ),
    );
  }
  if (/\bvalue["']?[ \t]*[:=]/.test(out)) {
    const lineAt = lineLocator(out);
    out = replaceMatches(
      out,
      NAME_VALUE_PAIR,
      (whole: string, name: string, _quote: string, value: string, offset: number) => {
        if (!isCredential(name, value)) return whole;
        const at = whole.lastIndexOf(value);
        redactions.push({ line: lineAt(offset + at), kind: `value of ${name}` });
        return whole.slice(0, at) + placeholder(`value of ${lastSegment(name)}`) + whole.slice(at + value.length);
      },
    );
  }

  // Triple-quoted strings need their quotes after an `=`: most files have none (a docstring is no
  // assignment) and skip the pattern's scan, which tries every name in the text (~0.5 ms per 80 KB).
  if ((out.includes('"""') || out.includes("'''")) && TRIPLE_QUOTED_OPENING.test(out)) {
    const lineAfterKnown = lineLocator(out);
    out = replaceAssignments(out, TRIPLE_QUOTED_ASSIGNMENT, ({ 1: name, 2: head, 3: quotes, 4: value, index }) => {
      if (!isCredential(name, value)) return null;
      redactions.push({ line: lineAfterKnown(index), kind: `value of ${name}` });
      return name + head + replacement(value, `value of ${lastSegment(name)}`) + quotes;
    });
  }

  const lineAfterTriple = lineLocator(out);
  // The lines found for the embedded assignments, when no pass since then changed the text (nearly
  // every file): the same text has the same candidate lines, and the scan costs ~0.2 ms per 80 KB.
  const quotedLines = secretNameLines.text === out ? secretNameLines.starts : secretNameLineStarts(out, latin1);
  // Every match holds its value's quotes: a line with no quote character (`const jwtSecret =
  // process.env.JWT_SECRET;`) is not scanned, which tries every name on the line (~2 µs a try).
  out = replaceOnLines(out, quotedLines, (line, lineStart) =>
    !QUOTE_CHARACTER.test(line)
      ? line
      : replaceAssignments(
          line,
          quotedAssignmentFor(line),
          ({ 0: whole, 1: name, 2: operator, 4: quote, 5: value, index }) => {
            if (!isCredential(name, value)) return null;
            if (COMPARISON_OPERATOR.test(operator) && !isComparedCredential(value)) return null;
            redactions.push({ line: lineAfterTriple(lineStart + index), kind: `value of ${name}` });
            const valueStart = whole.length - value.length - quote.length;
            return whole.slice(0, valueStart) + placeholder(`value of ${lastSegment(name)}`) + quote;
          },
        ),
  );

  if (options.path && NETRC_FILE.test(options.path)) {
    const lineAt = lineLocator(out);
    out = replaceMatches(out, NETRC_PASSWORD, (_match: string, offset: number) => {
      redactions.push({ line: lineAt(offset), kind: 'netrc password' });
      return placeholder('netrc password');
    });
  }

  if (config) {
    const lineAtFlow = lineLocator(out);
    out = replaceMatches(
      out,
      FLOW_MAP_VALUE,
      (whole: string, head: string, name: string, value: string, offset: number) => {
        if (!isCredential(name, value)) return whole;
        redactions.push({ line: lineAtFlow(offset), kind: `value of ${name}` });
        return head + placeholder(`value of ${lastSegment(name)}`);
      },
    );
    const lineAtBlock = lineLocator(out);
    out = replaceMatches(
      out,
      BLOCK_SCALAR,
      (whole: string, _indent: string, name: string, body: string, offset: number) => {
        if (!isSecretName(name) || body.trim() === '') return whole;
        redactions.push({ line: lineAtBlock(offset) + 1, kind: `value of ${name}` });
        const head = whole.slice(0, whole.length - body.length);
        // Each line keeps its indentation and its newline: the line count stays.
        const lines = body.replace(
          /^([ \t]*)(\S.*)$/gm,
          (_line: string, space: string) => space + placeholder(`value of ${lastSegment(name)}`),
        );
        return head + lines;
      },
    );
    const lineAfterQuoted = lineLocator(out);
    out = replaceMatches(
      out,
      UNQUOTED_CONFIG_VALUE,
      (whole: string, head: string, name: string, value: string, tail: string, offset: number) => {
        if (!isCredential(name, value)) return whole;
        redactions.push({ line: lineAfterQuoted(offset), kind: `value of ${name}` });
        return head + placeholder(`value of ${lastSegment(name)}`) + tail;
      },
    );
  }

  redactions.sort((a, b) => a.line - b.line);
  // The only « » in the text are the placeholders' (the input held none): one pass makes them ‹ ›.
  if (marks === LATIN1_MARKS && redactions.length > 0) out = withPlaceholderMarks(out);
  return { text: out, redactions };
}

/**
 * The text with every « and » made ‹ and ›, by indexOf and one join. The regex replace with a
 * function it replaces cost ~0.24 ms per 80 KB with 41 placeholders, counting the first read of
 * the result, against ~0.18 ms. Most of either is making the two-byte text (‹ is not Latin-1), 160
 * KB in V8's large-object space; concatenating the pieces instead would only defer that copy to the
 * first reader, which flattens the rope.
 */
function withPlaceholderMarks(text: string): string {
  const parts: string[] = [];
  let copied = 0;
  let open = text.indexOf(LATIN1_MARKS.open);
  let close = text.indexOf(LATIN1_MARKS.close);
  while (open !== -1 || close !== -1) {
    const isOpen = close === -1 || (open !== -1 && open < close);
    const at = isOpen ? open : close;
    parts.push(text.slice(copied, at), isOpen ? PLACEHOLDER_MARKS.open : PLACEHOLDER_MARKS.close);
    copied = at + 1;
    if (isOpen) open = text.indexOf(LATIN1_MARKS.open, copied);
    else close = text.indexOf(LATIN1_MARKS.close, copied);
  }
  parts.push(text.slice(copied));
  return parts.join('');
}

/**
 * A string literal known to hold a credential (the offline `hardcoded-secret` rule's quote), with
 * its content replaced: the prefix and quotes stay (`"‹redacted:hardcoded-secret›"`), the line count
 * too. Findings quote it in the editor, the chat, dismissal records and CLI output.
 */
export function redactSecretLiteral(literal: string): string {
  const shape = /^([A-Za-z]{0,2})("""|'''|["'`])([\s\S]*)\2$/.exec(literal);
  if (!shape || shape[3] === '') return replacementFor(literal, 'hardcoded secret');
  return shape[1] + shape[2] + replacementFor(shape[3], 'hardcoded secret') + shape[2];
}

/**
 * How many characters a real line and its redacted form share at the start and (without overlapping
 * that) at the end: what lies between is where they differ.
 */
export function changedStretch(real: string, shown: string): { prefix: number; suffix: number } {
  let prefix = 0;
  while (prefix < real.length && prefix < shown.length && real[prefix] === shown[prefix]) prefix++;
  let suffix = 0;
  while (
    suffix < real.length - prefix &&
    suffix < shown.length - prefix &&
    real[real.length - 1 - suffix] === shown[shown.length - 1 - suffix]
  )
    suffix++;
  return { prefix, suffix };
}

/** The last redaction of each unit object: planning and the offline findings' quotes read the same one. */
const unitRedactions = new WeakMap<object, { path: string; text: string; result: RedactionResult }>();

/**
 * redactSecrets of a unit's whole text, computed once per unit object: the engine redacts a file for
 * the request and again, when offline findings quote it, for their quotes and fixes.
 */
export function redactUnitText(unit: { path: string; text: string }): RedactionResult {
  const known = unitRedactions.get(unit);
  if (known && known.text === unit.text && known.path === unit.path) return known.result;
  const result = redactSecrets(unit.text, { path: unit.path });
  unitRedactions.set(unit, { path: unit.path, text: unit.text, result });
  return result;
}

/**
 * The part of `redactedLines` (the redacted text of a finding's lines) that its quote covers: cut at
 * the start column and before the end column where the text there is the same as in the real lines,
 * whole lines otherwise.
 */
function quoteFromRedacted(
  realLines: readonly string[],
  redactedLines: readonly string[],
  startColumn: number | undefined,
  endColumn: number | undefined,
): string {
  const lines = [...redactedLines];
  const last = lines.length - 1;
  if (endColumn !== undefined) {
    const realTail = realLines[last].slice(endColumn - 1);
    if (realTail !== '' && lines[last].endsWith(realTail)) lines[last] = lines[last].slice(0, -realTail.length);
  }
  if (startColumn !== undefined) {
    const realHead = realLines[0].slice(0, startColumn - 1);
    if (lines[0].startsWith(realHead)) lines[0] = lines[0].slice(realHead.length);
  }
  return lines.join('\n');
}

/** Texts redactedText has seen, per kind of path: redacted text by text. Bounded: cleared when full. */
const redactedTexts = new Map<string, string>();
const REDACTED_TEXTS_LIMIT = 4096;

/**
 * redactSecrets(text, { path }).text, remembered: the offline findings' messages and suggestions
 * repeat from file to file (78 distinct messages among 6,126 findings of the bench's 100,000-line
 * review), and redacting each again was a sixth of that review's main-thread CPU; the persona is the
 * same in every review. The path only chooses between config-file and netrc rules, so the key is
 * those two and the text (`''` as the path: neither, as redactSecrets(text) without a path).
 */
export function redactedText(text: string, path: string): string {
  const key = `${CONFIG_FILE.test(path) ? 'c' : '-'}${NETRC_FILE.test(path) ? 'n' : '-'}${text}`;
  const known = redactedTexts.get(key);
  if (known !== undefined) return known;
  const redacted = redactSecrets(text, { path }).text;
  if (redactedTexts.size >= REDACTED_TEXTS_LIMIT) redactedTexts.clear();
  redactedTexts.set(key, redacted);
  return redacted;
}

/**
 * Findings about one unit (the offline checks'), with no secret the redaction finds in the unit: a
 * quote over a line holding one is taken from the redacted text, a fix replacing such a line is
 * dropped (as for the model's fixes: its replacement would carry the secret into the JSON, the SARIF
 * `insertedContent` and the editor's preview), and a message or suggestion is redacted too. Files
 * with nothing to redact, nearly all, cost one look-up.
 */
export function withoutSecrets<T extends ReviewFinding>(findings: T[], unit: { path: string; text: string }): T[] {
  if (findings.length === 0) return findings;
  const redacted = redactUnitText(unit);
  if (redacted.redactions.length === 0) return findings;
  const realLines = unit.text.split('\n');
  const redactedLines = redacted.text.split('\n');
  const touchesSecret = (start: number, end: number): boolean => {
    for (let line = start; line <= end; line++) if (realLines[line - 1] !== redactedLines[line - 1]) return true;
    return false;
  };
  // Whether a quote over these lines holds any of the text redaction replaced on them: a piece of
  // each replaced stretch (8 characters, or all of a shorter one) found in the quote.
  const quoteHoldsSecret = (quote: string, start: number, end: number): boolean => {
    for (let line = start; line <= end; line++) {
      const real = realLines[line - 1] ?? '';
      const shown = redactedLines[line - 1] ?? '';
      if (real === shown) continue;
      const { prefix, suffix } = changedStretch(real, shown);
      // A line emptied by a multi-line secret (its text went into the placeholder) is all secret.
      const replaced = real.slice(prefix, real.length - suffix);
      // A long stretch (secrets far apart on one long line) is not searched piece by piece: taken as held.
      if (replaced.length > 512) return true;
      const piece = Math.min(8, replaced.length);
      for (let at = 0; piece > 0 && at + piece <= replaced.length; at++)
        if (quote.includes(replaced.slice(at, at + piece))) return true;
    }
    return false;
  };
  const scrub = (text: string): string => redactedText(text, unit.path);
  return findings.map((finding) => {
    const quoteHasSecret =
      !finding.quote.includes(REDACTION_MARK) && quoteHoldsSecret(finding.quote, finding.startLine, finding.endLine);
    const fixHasSecret =
      finding.fix !== null &&
      (touchesSecret(finding.fix.startLine, finding.fix.endLine) ||
        scrub(finding.fix.replacement) !== finding.fix.replacement);
    const message = scrub(finding.message);
    const suggestion = scrub(finding.suggestion);
    if (!quoteHasSecret && !fixHasSecret && message === finding.message && suggestion === finding.suggestion)
      return finding;
    const quote = quoteHasSecret
      ? quoteFromRedacted(
          realLines.slice(finding.startLine - 1, finding.endLine),
          redactedLines.slice(finding.startLine - 1, finding.endLine),
          finding.startColumn,
          finding.endColumn,
        )
      : finding.quote;
    return {
      ...finding,
      quote,
      message,
      suggestion,
      fix: fixHasSecret ? null : finding.fix,
    };
  });
}
