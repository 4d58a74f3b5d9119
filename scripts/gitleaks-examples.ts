// How many of gitleaks' rule examples (the true positives each rule in cmd/generate/config/rules/*.go
// validates against) our redaction removes. Nothing of gitleaks is copied here: the script reads a
// checkout given on the command line, evaluates the examples' Go string expressions itself (string
// literals, `+`, secrets.NewSecret over the helper alphabets or a simple regex, GenerateSampleSecret(s)
// with the placements read from the checkout's utils/generate.go), and judges each example by the
// secret its rule would report (config/gitleaks.toml's regex, the secret group or first group) being
// gone from redactSecrets' output.
//
//   node --import tsx scripts/gitleaks-examples.ts /path/to/gitleaks [--list-missed]
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { redactSecrets } from '../src/core/review/redact';

const root = process.argv[2];
if (!root) {
  process.stderr.write('usage: node --import tsx scripts/gitleaks-examples.ts GITLEAKS_CHECKOUT [--list-missed]\n');
  process.exit(2);
}
const listMissed = process.argv.includes('--list-missed');
/** `--dump FILE`: writes every example with the secret judged, to measure another redactor on the same set. */
const dumpTo = process.argv.includes('--dump') ? process.argv[process.argv.indexOf('--dump') + 1] : undefined;
const dumped: { rule: string; text: string; secret?: string }[] = [];
const rulesDir = join(root, 'cmd/generate/config/rules');

// A fixed-seed generator, so every run judges the same values.
let state = 20261205;
function random(): number {
  state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
  return state / 2_147_483_648;
}

/** A string matching a simple regex: literals, escapes, classes, groups with `|`, and quantifiers. */
function fromRegex(source: string): string {
  let at = 0;
  const s = source.replace(/^\(\?i\)/, '');
  function klass(): string[] {
    // After '['.
    const chars: string[] = [];
    let negate = false;
    if (s[at] === '^') {
      negate = true;
      at++;
    }
    while (at < s.length && s[at] !== ']') {
      let c = s[at++];
      if (c === '\\') {
        const e = s[at++];
        if (e === 'd') chars.push(...'0123456789');
        else if (e === 'w') chars.push(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_');
        else if (e === 's') chars.push(' ');
        else chars.push(e);
        continue;
      }
      if (s[at] === '-' && s[at + 1] !== ']' && at + 1 < s.length) {
        const end = s[at + 1] === '\\' ? s[at + 2] : s[at + 1];
        at += s[at + 1] === '\\' ? 3 : 2;
        for (let code = c.charCodeAt(0); code <= end.charCodeAt(0); code++) chars.push(String.fromCharCode(code));
        continue;
      }
      if (c === '[' && s.startsWith(':alnum:]', at)) {
        at += 8;
        chars.push(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789');
        continue;
      }
      chars.push(c);
      c = '';
    }
    at++;
    if (negate) throw new Error('negated class');
    return chars;
  }
  function atom(): () => string {
    const c = s[at++];
    if (c === '(') {
      if (s[at] === '?') {
        if (s[at + 1] === ':') at += 2;
        else if (s.startsWith('?i)', at)) at += 3;
        else if (s.startsWith('?i:', at)) at += 3;
        else throw new Error('group kind');
      }
      const alternatives = sequenceList();
      at++; // ')'
      return () => alternatives[Math.floor(random() * alternatives.length)]();
    }
    if (c === '[') {
      const chars = klass();
      return () => chars[Math.floor(random() * chars.length)];
    }
    if (c === '\\') {
      const e = s[at++];
      if (e === 'd') return () => String(Math.floor(random() * 10));
      if (e === 'w') return () => 'abcdefghij'[Math.floor(random() * 10)];
      if (e === 'b') return () => '';
      return () => e;
    }
    if (c === '.') return () => 'x';
    if (c === '^' || c === '$') return () => '';
    return () => c;
  }
  function quantified(): () => string {
    const base = atom();
    const q = s[at];
    let min = 1;
    let max = 1;
    if (q === '{') {
      const close = s.indexOf('}', at);
      const [a, b] = s.slice(at + 1, close).split(',');
      min = Number(a);
      max = b === undefined ? min : b === '' ? min + 8 : Number(b);
      at = close + 1;
    } else if (q === '?') {
      min = 0;
      at++;
    } else if (q === '*') {
      min = 0;
      max = 8;
      at++;
    } else if (q === '+') {
      max = 8;
      at++;
    }
    if (s[at] === '?') at++;
    return () => {
      const n = min + Math.floor(random() * (max - min + 1));
      let out = '';
      for (let i = 0; i < n; i++) out += base();
      return out;
    };
  }
  function sequenceList(): (() => string)[] {
    const alternatives: (() => string)[] = [];
    let parts: (() => string)[] = [];
    while (at < s.length && s[at] !== ')') {
      if (s[at] === '|') {
        at++;
        const done = parts;
        alternatives.push(() => done.map((p) => p()).join(''));
        parts = [];
        continue;
      }
      parts.push(quantified());
    }
    const done = parts;
    alternatives.push(() => done.map((p) => p()).join(''));
    return alternatives;
  }
  const top = sequenceList();
  if (at < s.length) throw new Error(`unbalanced at ${at}`);
  return top[0]();
}

const HELPERS: Record<string, (size: string) => string> = {
  Numeric: (size) => `[0-9]{${size}}`,
  Hex: (size) => `[a-f0-9]{${size}}`,
  AlphaNumeric: (size) => `[a-z0-9]{${size}}`,
  AlphaNumericExtendedShort: (size) => `[a-z0-9_-]{${size}}`,
  AlphaNumericExtended: (size) => `[a-z0-9=_\\-]{${size}}`,
  AlphaNumericExtendedLong: (size) => `[a-z0-9\\/=_\\+\\-]{${size}}`,
};

/** The placements of utils.GenerateSampleSecrets, read from the checkout: kind → template. */
function samplePlacements(): Map<string, string> {
  const text = readFileSync(join(root, 'cmd/generate/config/utils/generate.go'), 'utf8');
  const body = text.slice(text.indexOf('func GenerateSampleSecrets'));
  const map = body.slice(body.indexOf('{', body.indexOf('map[string]string')) + 1, body.indexOf('replacer'));
  const placements = new Map<string, string>();
  for (const line of map.split('\n')) {
    const trimmed = line.trim();
    if (trimmed.startsWith('//')) continue;
    const entry = /^"([^"]+)":\s*(.+?),?\s*(?:\/\/.*)?$/.exec(trimmed);
    if (entry) placements.set(entry[1], goString(entry[2].replace(/,$/, '')));
  }
  return placements;
}

function goString(literal: string): string {
  const t = literal.trim();
  if (t.startsWith('`')) return t.slice(1, -1);
  try {
    return JSON.parse(t.replace(/\\'/g, "'").replace(/\\x([0-9a-fA-F]{2})/g, '\\u00$1')) as string;
  } catch {
    throw new Unsupported(t.slice(0, 60));
  }
}

/** Splits an argument list or composite-literal body at top-level commas. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === '`') {
      const close = c === '`' ? closingBacktick(text, i) : closingQuote(text, i);
      i = close;
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      i = text.indexOf('\n', i);
      if (i === -1) break;
      continue;
    }
    if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => stripComments(p).trim()).filter((p) => p !== '');
}

/** Go source without its `//` comments (strings kept whole). */
function stripComments(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === '`') {
      const close = c === '`' ? closingBacktick(text, i) : closingQuote(text, i);
      out += text.slice(i, close + 1);
      i = close;
    } else if (c === '/' && text[i + 1] === '/') {
      const newline = text.indexOf('\n', i);
      if (newline === -1) break;
      i = newline - 1;
    } else out += c;
  }
  return out;
}

function closingBacktick(text: string, open: number): number {
  const close = text.indexOf('`', open + 1);
  return close === -1 ? text.length : close;
}

function closingQuote(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return text.length;
}

/** The index after the bracket closing the one at `open`. */
function balanced(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '"') i = closingQuote(text, i);
    else if (c === '`') i = closingBacktick(text, i);
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c) && --depth === 0) return i + 1;
  }
  return text.length;
}

interface Example {
  text: string;
  /** The secret the example was built around, when known. */
  secret?: string;
}

class Unsupported extends Error {}

function evalString(expr: string, vars: Map<string, string>): { value: string; secret?: string } {
  let value = '';
  let secret: string | undefined;
  const terms = splitConcatenation(expr);
  for (const term of terms) {
    const t = term.trim();
    if (t.startsWith('"') || t.startsWith('`')) value += goString(t);
    else if (vars.has(t)) value += vars.get(t);
    else if (t.startsWith('secrets.NewSecret(')) {
      const arg = t.slice('secrets.NewSecret('.length, -1).trim();
      const generated = fromRegex(regexArgument(arg, vars));
      secret = (secret ?? '') + generated;
      value += generated;
    } else if (t.startsWith('utils.GenerateSampleSecret(')) {
      const [id, inner] = splitTopLevel(t.slice('utils.GenerateSampleSecret('.length, -1));
      const s = evalString(inner, vars);
      value += `${evalString(id, vars).value}_api_token = "${s.value}"`;
      secret = s.value;
    } else if (/^utils\.\w+\(/.test(t)) {
      value += regexArgument(t, vars);
    } else if (/^strings\.Repeat\(/.test(t)) {
      const [what, count] = splitTopLevel(t.slice('strings.Repeat('.length, -1));
      value += evalString(what, vars).value.repeat(Number(count));
    } else throw new Unsupported(t.slice(0, 60));
  }
  return { value, secret };
}

function regexArgument(arg: string, vars: Map<string, string>): string {
  const helper = /^utils\.(\w+)\("?(\d+(?:,\d*)?)"?\)$/.exec(arg);
  if (helper && HELPERS[helper[1]]) return HELPERS[helper[1]](helper[2]);
  if (arg === 'utils.Hex8_4_4_4_12()') return '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
  if (/^utils\.\w+\(/.test(arg)) throw new Unsupported(arg.slice(0, 60));
  return evalString(arg, vars).value;
}

function splitConcatenation(expr: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i];
    if (c === '"') i = closingQuote(expr, i);
    else if (c === '`') i = closingBacktick(expr, i);
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (c === '+' && depth === 0) {
      parts.push(expr.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(expr.slice(start));
  return parts;
}

const placements = samplePlacements();

function sampleSecrets(args: string, vars: Map<string, string>): Example[] {
  const [id, secretExpr] = splitTopLevel(args);
  const identifier = evalString(id, vars).value;
  const { value } = evalString(secretExpr, vars);
  return [...placements.values()].map((template) => ({
    text: template.replaceAll('{i}', identifier).replaceAll('{I}', identifier.toUpperCase()).replaceAll('{s}', value),
    secret: value,
  }));
}

/** The examples of one list expression: GenerateSampleSecrets, append(tps, ...), []string{...}, map literals. */
function listExamples(expr: string, vars: Map<string, string>, skipped: string[]): Example[] {
  const e = expr.trim().replace(/\.\.\.$/, '');
  if (e.startsWith('utils.GenerateSampleSecrets(')) {
    try {
      return sampleSecrets(e.slice(e.indexOf('(') + 1, -1), vars);
    } catch (error) {
      if (!(error instanceof Unsupported)) throw error;
      skipped.push(e.slice(0, 80));
      return [];
    }
  }
  let items: string[];
  if (e.startsWith('append(')) items = splitTopLevel(e.slice('append('.length, -1)).slice(1);
  else if (/^\[\]string\s*\{/.test(e)) items = splitTopLevel(e.slice(e.indexOf('{') + 1, -1));
  else if (/^map\[string\]string\s*\{/.test(e))
    items = splitTopLevel(e.slice(e.indexOf('{') + 1, -1)).map((entry) => entry.slice(entryColon(entry) + 1));
  else items = [e];
  const examples: Example[] = [];
  for (const item of items) {
    const t = item.trim();
    if (t.startsWith('utils.GenerateSampleSecrets(') || t.startsWith('append(') || t.startsWith('[]string')) {
      examples.push(...listExamples(t, vars, skipped));
      continue;
    }
    try {
      const { value, secret } = evalString(t, vars);
      examples.push({ text: value, secret });
    } catch (error) {
      if (!(error instanceof Unsupported)) throw error;
      skipped.push(t.slice(0, 80));
    }
  }
  return examples;
}

function entryColon(entry: string): number {
  const key = entry.trim();
  const end = key.startsWith('`') ? key.indexOf('`', 1) : closingQuote(key, 0);
  return entry.indexOf(':', entry.indexOf(key) + end);
}

/** gitleaks' regex of each rule id, with its secret group, made a JavaScript regex (null when it cannot be). */
function ruleRegexes(): Map<string, { regex: RegExp; group: number } | null> {
  const toml = readFileSync(join(root, 'config/gitleaks.toml'), 'utf8');
  const rules = new Map<string, { regex: RegExp; group: number } | null>();
  for (const block of toml.split('[[rules]]').slice(1)) {
    const id = /^id = "([^"]+)"/m.exec(block)?.[1];
    const source = /^regex = '''(.*)'''$/m.exec(block)?.[1];
    if (!id || !source) continue;
    const group = Number(/^secretGroup = (\d+)/m.exec(block)?.[1] ?? 0);
    const flags = source.includes('(?i') ? 'i' : '';
    const js = source
      .replace(/\(\?i\)/g, '')
      .replace(/\(\?-?i:/g, '(?:')
      .replace(/\\z/g, '$')
      .replace(/\[:alnum:\]/g, 'A-Za-z0-9')
      .replace(/\(\?s:\.\)/g, '[\\s\\S]');
    try {
      rules.set(id, { regex: new RegExp(js, flags), group });
    } catch {
      rules.set(id, null);
    }
  }
  return rules;
}

function reportedSecret(rule: { regex: RegExp; group: number }, text: string): string | undefined {
  const match = rule.regex.exec(text);
  if (!match) return undefined;
  if (rule.group > 0) return match[rule.group];
  return match.slice(1).find((g) => g !== undefined && g !== '') ?? match[0];
}

const regexes = ruleRegexes();
let total = 0;
let caught = 0;
let judgedByExampleSecret = 0;
const skipped: string[] = [];
const missed: string[] = [];
const rulesSeen = new Set<string>();
const rulesAllCaught = new Set<string>();
const rulesMissing = new Set<string>();
for (const file of readdirSync(rulesDir).filter((f) => f.endsWith('.go') && !f.endsWith('_test.go'))) {
  const text = readFileSync(join(rulesDir, file), 'utf8');
  for (const fn of text.split(/\nfunc /).slice(1)) {
    const id = /RuleID:\s*"([^"]+)"/.exec(fn)?.[1];
    if (!id) continue;
    const vars = new Map<string, string>();
    const examples: Example[] = [];
    // Statements in order: string variables, and every `tps :=` / `tps =` list.
    const statement = /^\s*(\w+)\s*:?=\s*/gm;
    for (let m = statement.exec(fn); m; m = statement.exec(fn)) {
      const start = m.index + m[0].length;
      let end = start;
      // The expression runs to the end of the line, or to the bracket closing one it opens.
      for (let i = start; i < fn.length && fn[i] !== '\n'; i++) {
        if ('([{'.includes(fn[i])) {
          i = balanced(fn, i) - 1;
        } else if (fn[i] === '"') i = closingQuote(fn, i);
        else if (fn[i] === '`') i = closingBacktick(fn, i);
        end = i + 1;
      }
      const expr = stripComments(fn.slice(start, end)).trim();
      statement.lastIndex = end;
      if (/^(tps|truePositives)$/i.test(m[1])) examples.push(...listExamples(expr, vars, skipped));
      else if (!/^(fps|falsePositives|r|rule)$/.test(m[1])) {
        try {
          vars.set(m[1], evalString(expr, vars).value);
        } catch {
          // Not a string variable (a rule, a regex, a helper's result): the examples never name it.
        }
      }
    }
    if (examples.length === 0) continue;
    rulesSeen.add(id);
    const rule = regexes.get(id) ?? null;
    let ruleCaught = 0;
    for (const example of examples) {
      total++;
      const secret = (rule && reportedSecret(rule, example.text)) ?? example.secret;
      if (!rule || !reportedSecret(rule, example.text)) judgedByExampleSecret++;
      dumped.push({ rule: id, text: example.text, secret });
      const out = redactSecrets(example.text, { path: 'example.txt' }).text;
      const ok = secret !== undefined && secret !== '' ? !out.includes(secret) : out !== example.text;
      if (ok) {
        caught++;
        ruleCaught++;
      } else missed.push(`${id}: ${example.text.replace(/\n/g, '\\n').slice(0, 160)}`);
    }
    if (ruleCaught === examples.length) rulesAllCaught.add(id);
    else rulesMissing.add(id);
  }
}
if (dumpTo) writeFileSync(dumpTo, JSON.stringify(dumped));
process.stdout.write(
  [
    `examples: ${total} from ${rulesSeen.size} rules; redacted: ${caught} (${((100 * caught) / total).toFixed(1)}%)`,
    `rules with every example redacted: ${rulesAllCaught.size} of ${rulesSeen.size}`,
    `judged by the example's own secret (rule regex did not run in JavaScript or did not match): ${judgedByExampleSecret}`,
    `examples not evaluated (expressions this script does not read): ${skipped.length}`,
    ...(listMissed ? ['missed:', ...missed, 'not evaluated:', ...skipped] : []),
    '',
  ].join('\n'),
);
