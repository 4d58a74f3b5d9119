import { KNOWN_SECRET_PATTERNS, PROVIDER_TOKEN_PATTERNS, SECRET_NAME_PATTERN } from '../secretPatterns';

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
  /(?:^|[\\/])(?:\.env(?:\.[\w.-]+)?|\.npmrc|\.yarnrc|\.pypirc|\.netrc|\.(?:bash|zsh)rc|\.profile|(?:[\w.-]*\.)?(?:Dockerfile|Containerfile)(?:\.[\w.-]+)?|[^\\/]+\.(?:env|ya?ml|ini|cfg|conf|properties|toml|sh|bash|zsh|dockerfile))$/i;

// `name = "value"`, `name: 'value'`, `name := "value"`, `name => "value"`, `"name": "value"`, `name="value"` (keyword args),
// `os.environ["NAME"] = "value"`, comparisons (`password === "admin123"`), with an optional type annotation
// (`password: str = "x"`) or a Go type after `var` (`var dbPassword string = "x"`), and Python string prefixes
// (`f"…"`, `b"…"`, `r"…"`). Only spaces and tabs separate the parts: a newline would let `database:` take the
// value of the next line. Group 1: the name; group 3: the string prefix; group 4: the quote; group 5: the value.
const QUOTED_ASSIGNMENT =
  /(?<![\w$])["']?([A-Za-z_$][\w$.-]*)["']?\]?([ \t]*(?::[ \t]*[A-Za-z_][\w[\]|., ]*?[ \t]*|(?<=\bvar[ \t]+[A-Za-z_$][\w$]*)[ \t]+[A-Za-z_][\w.[\]*]*[ \t]*)?(?:===?|!==?|:=|=>|=|:)[ \t]*)([rRbBuUfF]{0,2})(["'`])((?:\\.|(?!\4)[^\\\n])*)\4/g;

// Python triple-quoted strings (`password = """…"""`), which may span lines. Group 1: the name; group 2: up to the
// opening quotes; group 3: the quotes; group 4: the value.
const TRIPLE_QUOTED_ASSIGNMENT =
  /(?<![\w$])([A-Za-z_$][\w$.]*)([ \t]*(?::[ \t]*[A-Za-z_][\w[\]|., ]*?[ \t]*)?=[ \t]*[rRbBuUfF]{0,2}("""|\'\'\'))([\s\S]*?)\3/g;

// Unquoted values in config files: `DB_PASSWORD=hunter2`, `export TOKEN=abc`, `ENV API_TOKEN=abc`, `password: hunter2`.
// `[ \t]` rather than `\s`: a `\s` could run over a newline and read `FOO=` plus the next line as one assignment.
const UNQUOTED_CONFIG_VALUE =
  /^([ \t]*(?:(?:export|ENV|ARG)[ \t]+)?["']?([A-Za-z_][\w.-]*)["']?[ \t]*[=:][ \t]*)([^\s"'#][^\n#]*?)([ \t]*(?:#.*)?)$/gm;

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
  /(?:^|[_.-])(?:pw|passphrase|key[_-]?base|auth|master[_-]?key|session[_-]?key)$|[a-z]Pw$|Passphrase$/i;

function isSecretName(name: string): boolean {
  const segment = lastSegment(name);
  return SECRET_NAME_PATTERN.test(segment) || MORE_SECRET_NAMES.test(segment);
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
function replaceAssignments(text: string, pattern: RegExp, replace: (match: RegExpExecArray) => string | null): string {
  const regex = new RegExp(pattern.source, pattern.flags);
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
    out += text.slice(copied, match.index) + (replace as (...args: unknown[]) => string)(...args);
    copied = match.index + match[0].length;
    changed = true;
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
  [/(?<=\b(?:Bearer|Basic)[ \t]+)(?=[A-Za-z._~+/-]*\d)[A-Za-z0-9._~+/-]{8,}=*/g.source, ['Bearer', 'Basic']],
  [
    /(?<=\b(?:AccountKey|SharedAccessKey|SharedAccessSignature)=)[^;\s"'`]+/g.source,
    ['AccountKey=', 'SharedAccessKey=', 'SharedAccessSignature='],
  ],
  [/(?<=(?:^|:)_(?:authToken|auth|password)=)[^\s"'#;]+/gm.source, ['_authToken=', '_auth=', '_password=']],
]);

/** A global regex finding any of the texts, or undefined when the pattern has no entry. */
function requiredTextFinder(pattern: RegExp): RegExp | undefined {
  const required = KNOWN_PATTERN_REQUIRED_TEXT.get(pattern.source);
  return required && new RegExp(required.map((part) => part.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|'), 'g');
}

/**
 * A line can only hold a `name = "value"` secret (QUOTED_ASSIGNMENT, accepted) if a secret word
 * (SECRET_NAME_PATTERN's endings) ends a name there and is followed by what QUOTED_ASSIGNMENT
 * allows after the name: an optional closing quote or bracket, then an operator or a type
 * annotation (`: str =`), or, after `var name`, a Go type. Running the assignment pattern only on
 * such lines gives the same result (its matches never span lines, and its lookbehinds see the same
 * line start) at a fraction of the cost: it was more than half the engine's own time.
 */
const SECRET_NAME_CANDIDATE =
  /(?:pass(?:word|wd|phrase)?|pwd|[_a-z]pw|secret|key(?:[_-]?base)?|token|credentials?|[_.-]auth)["']?\]?(?:[ \t]*[:=!]|[ \t]+[A-Za-z_])/gi;

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
  let out = '';
  let copied = 0;
  candidate.lastIndex = 0;
  for (let hit = candidate.exec(text); hit; hit = candidate.exec(text)) {
    const lineStart = text.lastIndexOf('\n', hit.index) + 1;
    const newline = text.indexOf('\n', hit.index);
    const lineEnd = newline === -1 ? text.length : newline;
    const line = text.slice(lineStart, lineEnd);
    const replaced = replaceLine(line, lineStart);
    candidate.lastIndex = lineEnd;
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
 * before and after a run is never a word character, so `\b` means the same inside a run.
 */
const TOKEN_RUN = /[\w.\-+/=:~$@]{16,}/g;

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
      /(?<=(?:[;?&"'`]|\w=[^\s;&"'`,()]*[ \t]+)[ \t]*(?:password|passwd|pwd|user password)[ \t]*=[ \t]*)[^;&\s"'`),]{2,}/gi,
    line: /passw|pwd/gi,
  },
  {
    name: 'command-line credential',
    regex:
      /(?<=(?:^|[\s"'`])--?(?:password|passwd|pass|token|api-key|apikey|secret|client-secret|auth-token|access-token)(?:=|[ \t]+))(?![-$])[^\s"'`]{3,}/gim,
    line: /-(?:pass|token|api-?key|secret|client-secret|auth-token|access-token)/gi,
  },
  {
    name: 'command-line credential',
    regex: /(?<=\bmysql(?:dump|admin)?\b[^\n]*?[ \t]-p)(?![$ ])[^\s"'`]{3,}/g,
    line: /mysql/g,
  },
  {
    name: 'command-line credential',
    regex: /(?<=(?:^|\s)(?:-u|--user)[ \t]+["']?[^\s:"'$]+:)(?!\$)[^\s"'@]{3,}/gm,
    line: /(?:-u|--user)[ \t]/g,
  },
  {
    name: 'authorization header credential',
    regex:
      /(?<=\bAuthorization["']?[ \t]*[:=,][ \t]*["']?(?:token|Token|Bot|Key|SSWS|Splunk|Apikey|ApiKey|Digest)[ \t]+)[A-Za-z0-9._~+/=:-]{8,}/g,
    line: /Authorization/g,
  },
];

/**
 * A header or credential name passed as a string argument, then its value: `Set("X-Api-Key", "…")`,
 * `headers.append('x-auth-token', '…')`. Group 2: the name; group 4: the value.
 */
const NAMED_ARGUMENT_PAIR =
  /(["'])((?:x-)?[\w-]*(?:api[-_]?key|token|secret|password|passwd|auth)[\w-]*)\1[ \t]*,[ \t]*(["'])([^"'\n]{6,})\3/gi;

/** YAML flow maps and inline objects in config files: `db: {user: app, password: s3cret}`. */
const FLOW_MAP_VALUE = /([{,][ \t]*["']?([\w.-]+)["']?[ \t]*:[ \t]*)(?!["'{[\s])([^,}\n]+?)(?=[ \t]*[,}])/g;

/** YAML block scalars under a secret name: `password: |` then more-indented lines. */
const BLOCK_SCALAR =
  /^([ \t]*)["']?([\w.-]+)["']?[ \t]*:[ \t]*[|>][+-]?[0-9]?[ \t]*(?:#[^\n]*)?\n((?:(?:\1[ \t]+[^\n]*|[ \t]*)(?:\n|$))+)/gm;

/** `.netrc` / `_netrc`: `machine host login user password secret`, on one line or several. */
const NETRC_FILE = /(?:^|[\\/])[._]netrc$/i;
const NETRC_PASSWORD = /(?<=(?:^|\s)(?:password|passwd)[ \t]+)\S+/gm;

export function redactSecrets(text: string, options: RedactOptions = {}): RedactionResult {
  const redactions: Redaction[] = [];
  let out = text;
  const marks = LATIN1_WITHOUT_MARKS.test(text) ? LATIN1_MARKS : PLACEHOLDER_MARKS;
  const placeholder = (kind: string): string => redactionPlaceholder(kind, marks);
  const replacement = (match: string, kind: string): string => replacementFor(match, kind, marks);
  const nonSecret = (value: string): boolean => isNonSecretValue(value, marks);

  for (const pattern of KNOWN_SECRET_PATTERNS) {
    const flags = pattern.regex.flags.includes('g') ? pattern.regex.flags : pattern.regex.flags + 'g';
    const regex = new RegExp(pattern.regex.source, flags);
    const lineAt = lineLocator(out);
    const replaceIn = (part: string, partStart: number): string =>
      replaceMatches(part, regex, (match: string, ...rest: unknown[]) => {
        const offset = rest.find((r) => typeof r === 'number') as number;
        redactions.push({ line: lineAt(partStart + offset), kind: pattern.name });
        return replacement(match, pattern.name);
      });
    const finder = requiredTextFinder(pattern.regex);
    out = finder ? replaceOnCandidateLines(out, finder, replaceIn) : replaceIn(out, 0);
  }

  {
    // The provider formats only run inside long runs of token characters: trying seventy
    // alternatives at every position of the text cost more than all other patterns together.
    const lineAt = lineLocator(out);
    out = replaceMatches(out, TOKEN_RUN, (run: string, runStart: number) =>
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
    out = replaceOnCandidateLines(out, new RegExp(line.source, line.flags), (text, lineStart) =>
      replaceMatches(text, new RegExp(regex.source, regex.flags), (match: string, offset: number) => {
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

  // Triple-quoted strings need their quotes: most files have none and skip the pattern's scan.
  if (out.includes('"""') || out.includes("'''")) {
    const lineAfterKnown = lineLocator(out);
    out = replaceAssignments(out, TRIPLE_QUOTED_ASSIGNMENT, ({ 1: name, 2: head, 3: quotes, 4: value, index }) => {
      if (!isSecretName(name) || nonSecret(value)) return null;
      redactions.push({ line: lineAfterKnown(index), kind: `value of ${name}` });
      return name + head + replacement(value, `value of ${lastSegment(name)}`) + quotes;
    });
  }

  const lineAfterTriple = lineLocator(out);
  const candidate = new RegExp(SECRET_NAME_CANDIDATE.source, SECRET_NAME_CANDIDATE.flags);
  out = replaceOnCandidateLines(out, candidate, (line, lineStart) =>
    replaceAssignments(line, QUOTED_ASSIGNMENT, ({ 0: whole, 1: name, 4: quote, 5: value, index }) => {
      if (!isSecretName(name) || nonSecret(value)) return null;
      redactions.push({ line: lineAfterTriple(lineStart + index), kind: `value of ${name}` });
      const valueStart = whole.length - value.length - quote.length;
      return whole.slice(0, valueStart) + placeholder(`value of ${lastSegment(name)}`) + quote;
    }),
  );

  if (options.path && NETRC_FILE.test(options.path)) {
    const lineAt = lineLocator(out);
    out = replaceMatches(out, NETRC_PASSWORD, (_match: string, offset: number) => {
      redactions.push({ line: lineAt(offset), kind: 'netrc password' });
      return placeholder('netrc password');
    });
  }

  if (options.path && CONFIG_FILE.test(options.path)) {
    const lineAtFlow = lineLocator(out);
    out = replaceMatches(
      out,
      FLOW_MAP_VALUE,
      (whole: string, head: string, name: string, value: string, offset: number) => {
        if (!isSecretName(name) || nonSecret(value)) return whole;
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
        if (!isSecretName(name) || nonSecret(value)) return whole;
        redactions.push({ line: lineAfterQuoted(offset), kind: `value of ${name}` });
        return head + placeholder(`value of ${lastSegment(name)}`) + tail;
      },
    );
  }

  redactions.sort((a, b) => a.line - b.line);
  // The only « » in the text are the placeholders' (the input held none): one pass makes them ‹ ›.
  if (marks === LATIN1_MARKS && redactions.length > 0)
    out = out.replace(/[\u00ab\u00bb]/g, (mark) =>
      mark === LATIN1_MARKS.open ? PLACEHOLDER_MARKS.open : PLACEHOLDER_MARKS.close,
    );
  return { text: out, redactions };
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
