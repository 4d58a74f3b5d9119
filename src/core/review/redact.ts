import { KNOWN_SECRET_PATTERNS, SECRET_NAME_PATTERN } from '../secretPatterns';

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

/** Files whose unquoted values are data (env files, YAML, ini, properties, toml). */
const CONFIG_FILE = /(?:^|[\\/])(?:\.env(?:\.[\w.-]+)?|[^\\/]+\.(?:env|ya?ml|ini|cfg|conf|properties|toml))$/i;

// `name = "value"`, `name: 'value'`, `name := "value"`, `name => "value"`, `"name": "value"`, `name="value"` (keyword args),
// with an optional type annotation (`password: str = "x"`). Group 1: the name; group 3: the quote; group 4: the value.
const QUOTED_ASSIGNMENT =
  /(?<![\w$])["']?([A-Za-z_$][\w$.-]*)["']?(\s*(?::\s*[A-Za-z_][\w[\]|., ]*?\s*)?(?::=|=>|=|:)\s*)(["'`])((?:\\.|(?!\3)[^\\\n])*)\3/g;

// Unquoted values in config files: `DB_PASSWORD=hunter2`, `export TOKEN=abc`, `password: hunter2`.
const UNQUOTED_CONFIG_VALUE = /^(\s*(?:export\s+)?["']?([A-Za-z_][\w.-]*)["']?\s*[=:]\s*)([^\s"'#][^\n#]*?)(\s*(?:#.*)?)$/gm;

/** Every placeholder starts with this: text containing it was derived from redacted code. */
export const REDACTION_MARK = '‹redacted:';

export function redactionPlaceholder(kind: string): string {
  const label = kind.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  return `${REDACTION_MARK}${label}›`;
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
function replacementFor(match: string, kind: string): string {
  const newlines = match.split('\n').length - 1;
  return redactionPlaceholder(kind) + '\n'.repeat(newlines);
}

function lastSegment(name: string): string {
  return name.split('.').pop() ?? name;
}

function isSecretName(name: string): boolean {
  return SECRET_NAME_PATTERN.test(lastSegment(name));
}

/** Values that are clearly not literal credentials: empty, references, placeholders. */
function isNonSecretValue(value: string): boolean {
  const v = value.trim();
  if (v.length < 3) return true;
  if (v.includes(REDACTION_MARK)) return true;
  if (/^\$\{?[A-Za-z_]/.test(v) || /^\{\{.*\}\}$/.test(v) || /^%\(?[A-Za-z_]/.test(v)) return true;
  if (/^(?:null|none|nil|true|false|undefined|changeme|<[^>]*>|x+|\*+)$/i.test(v)) return true;
  return false;
}

export function redactSecrets(text: string, options: RedactOptions = {}): RedactionResult {
  const redactions: Redaction[] = [];
  let out = text;

  for (const pattern of KNOWN_SECRET_PATTERNS) {
    const flags = pattern.regex.flags.includes('g') ? pattern.regex.flags : pattern.regex.flags + 'g';
    const lineAt = lineLocator(out);
    out = out.replace(new RegExp(pattern.regex.source, flags), (match: string, ...rest: unknown[]) => {
      const offset = rest.find((r) => typeof r === 'number') as number;
      redactions.push({ line: lineAt(offset), kind: pattern.name });
      return replacementFor(match, pattern.name);
    });
  }

  const lineAfterKnown = lineLocator(out);
  out = out.replace(QUOTED_ASSIGNMENT, (whole: string, name: string, _between: string, quote: string, value: string, offset: number) => {
    if (!isSecretName(name) || isNonSecretValue(value)) return whole;
    redactions.push({ line: lineAfterKnown(offset), kind: `value of ${name}` });
    const valueStart = whole.length - value.length - quote.length;
    return whole.slice(0, valueStart) + redactionPlaceholder(`value of ${lastSegment(name)}`) + quote;
  });

  if (options.path && CONFIG_FILE.test(options.path)) {
    const lineAfterQuoted = lineLocator(out);
    out = out.replace(UNQUOTED_CONFIG_VALUE, (whole: string, head: string, name: string, value: string, tail: string, offset: number) => {
      if (!isSecretName(name) || isNonSecretValue(value)) return whole;
      redactions.push({ line: lineAfterQuoted(offset), kind: `value of ${name}` });
      return head + redactionPlaceholder(`value of ${lastSegment(name)}`) + tail;
    });
  }

  redactions.sort((a, b) => a.line - b.line);
  return { text: out, redactions };
}
