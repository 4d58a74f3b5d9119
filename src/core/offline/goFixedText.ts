/**
 * Names of a Go package that stand for fixed text, read from its files' text alone: its string
 * constants, its package-level `[]string` lists of literals that no file assigns again (a list of
 * table names), and its functions (without a receiver) whose every `return` gives text built only of
 * literals, constants and numbers (`func Interval(ctx context.Context, days int) string` returning
 * `fmt.Sprintf("now() - interval '%d days'", days)`). Spliced into SQL such a name adds no input.
 * The SQL check reads the file's own (fixedTextOf) and the project's facts hand it those of the
 * file's package declared elsewhere and of the packages of its module it imports (projectFacts.ts).
 */
import { closingBracket, splitTopLevel, stringEnd } from './syntax';

/** `const name = …` / `const name T = …` at the start of a line (gofmt's layout of the top level). */
const TOP_LEVEL_CONST = /^const[ \t]+([A-Za-z_]\w*)\b/gm;
/** `const (` … `)` at the start of a line: each entry's names, one entry per line. */
const TOP_LEVEL_CONST_BLOCK = /^const[ \t]*\(([^]*?)^\)/gm;
const CONST_BLOCK_ENTRY = /^[ \t]+([A-Za-z_]\w*(?:[ \t]*,[ \t]*[A-Za-z_]\w*)*)\b/gm;
/** `var name = []string{` at the start of a line, or an entry of a `var (` block. */
const TOP_LEVEL_LIST = /^(?:var[ \t]+|[ \t]+)([A-Za-z_]\w*)(?:[ \t]+\[\]string)?[ \t]*=[ \t]*\[\]string[ \t]*\{/gm;
const TOP_LEVEL_VAR_BLOCK = /^var[ \t]*\(([^]*?)^\)/gm;
/** Top-level functions without a receiver: `func name(`, generics allowed. */
const TOP_LEVEL_FUNCTION = /^func[ \t]+([A-Za-z_]\w*)[ \t]*(?:\[[^\]\n]*\][ \t]*)?\(/gm;
const STRING_LITERAL = /^(?:"(?:[^"\\\n]|\\.)*"|`[^`]*`)$/;
const NUMBER = /^-?\d[\d_]*(?:\.\d+)?$/;
const NUMERIC_TYPE = /^(?:u?int(?:8|16|32|64)?|uintptr|float(?:32|64)|bool|byte|time\.Duration)$/;
/** Calls that turn a number into text. */
const NUMBER_TO_TEXT = /^strconv\.(?:Itoa|FormatInt|FormatUint|FormatFloat|FormatBool)$/;
/** A `fmt` verb (flags, width, precision) and its letter; `%%` is no verb. */
const FORMAT_VERB = /%(?:%|[-+# 0]*(?:\d+)?(?:\.\d*)?([A-Za-z]))/g;

/** Each top-level name with the text of its literal list, for the lists of string literals only. */
function literalLists(text: string): string[] {
  const names: string[] = [];
  const read = (source: string, offset: number, pattern: RegExp): void => {
    for (const match of source.matchAll(pattern)) {
      // Inside a function body a line `\tname = []string{` is a local; only `var name` or a var block's entry counts.
      const open = offset + (match.index ?? 0) + match[0].length - 1;
      const close = closingBracket(text, open);
      if (close < 0) continue;
      const items = splitTopLevel(text.slice(open + 1, close).replace(/\/\/[^\n]*/g, '')).filter((item) => item !== '');
      if (items.length > 0 && items.every((item) => STRING_LITERAL.test(item))) names.push(match[1]);
    }
  };
  read(text, 0, /^var[ \t]+([A-Za-z_]\w*)(?:[ \t]+\[\]string)?[ \t]*=[ \t]*\[\]string[ \t]*\{/gm);
  for (const block of text.matchAll(TOP_LEVEL_VAR_BLOCK)) {
    const start = (block.index ?? 0) + block[0].indexOf('(') + 1;
    read(block[1], start, TOP_LEVEL_LIST);
  }
  return names;
}

/** Whether any of `texts` gives `name` another value (`name = …`, `name[i] = …`, `name = append(name, …)`). */
function reassigned(texts: readonly string[], name: string): boolean {
  const assigned = new RegExp(`(?<![\\w.])${name}[ \\t]*(?:\\[[^\\]\\n]*\\][ \\t]*)?(?:=|\\+=)(?!=)`, 'g');
  let count = 0;
  for (const text of texts)
    for (const match of text.matchAll(assigned)) {
      // The declaration itself (`var name = []string{…}`, a var block's `name = []string{…}`).
      const after = text.slice((match.index ?? 0) + match[0].length, (match.index ?? 0) + match[0].length + 40);
      if (/^[ \t]*\[\]string[ \t]*\{/.test(after)) continue;
      count += 1;
    }
  return count > 0;
}

/** The text of a function declared at `at`: its parameters, its result and its body (gofmt: `}` at a line's start). */
function functionParts(
  text: string,
  at: number,
  headLength: number,
): { parameters: string; result: string; body: string } | undefined {
  const open = at + headLength - 1;
  const close = closingBracket(text, open);
  if (close < 0) return undefined;
  const brace = text.indexOf('{', close);
  const end = text.indexOf('\n}', brace);
  if (brace < 0 || end < 0) return undefined;
  return {
    parameters: text.slice(open + 1, close),
    result: text.slice(close + 1, brace).trim(),
    body: text.slice(brace, end + 2),
  };
}

/** The names of the parameters of a number or boolean type: a `%d` or `%v` of one is digits. */
function numericParameters(parameters: string): Set<string> {
  const numeric = new Set<string>();
  const untyped: string[] = [];
  for (const piece of splitTopLevel(parameters)) {
    const match = /^([A-Za-z_]\w*)(?:\s+(\S[^]*))?$/.exec(piece);
    if (!match) continue;
    if (match[2] === undefined) untyped.push(match[1]);
    else for (const name of [...untyped.splice(0), match[1]]) if (NUMERIC_TYPE.test(match[2].trim())) numeric.add(name);
  }
  return numeric;
}

/** The operands of `a + b + c` at the top level of an expression's text. */
function plusOperands(expression: string): string[] | undefined {
  const operands: string[] = [];
  let start = 0;
  for (let at = 0; at < expression.length; at += 1) {
    const char = expression[at];
    if (char === '(' || char === '[' || char === '{' || char === '"' || char === '`' || char === "'") {
      const end =
        char === '"' || char === '`' || char === "'" ? stringEnd(expression, at) : closingBracket(expression, at);
      if (end < 0) return undefined;
      at = end;
    } else if (char === '+') {
      operands.push(expression.slice(start, at).trim());
      start = at + 1;
    }
  }
  operands.push(expression.slice(start).trim());
  return operands;
}

/**
 * Whether the expression's text is fixed text: literals, known fixed names, numbers (a numeric
 * parameter, `strconv.Itoa(n)`), and `fmt.Sprintf` of a literal format whose text verbs (`%s`, `%v`,
 * `%q`) are given only such values and whose number verbs (`%d`, `%x`, `%f`) anything.
 */
function fixedExpression(
  expression: string,
  isFixed: (name: string) => boolean,
  numeric: ReadonlySet<string>,
  depth = 0,
): boolean {
  if (depth > 4) return false;
  const operands = plusOperands(expression.trim());
  if (!operands || operands.some((operand) => operand === '')) return false;
  return operands.every((operand) => {
    if (STRING_LITERAL.test(operand) || NUMBER.test(operand)) return true;
    if (/^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)?$/.test(operand)) return numeric.has(operand) || isFixed(operand);
    if (operand.startsWith('(') && closingBracket(operand, 0) === operand.length - 1)
      return fixedExpression(operand.slice(1, -1), isFixed, numeric, depth + 1);
    const call = /^([A-Za-z_][\w.]*)\s*\(/.exec(operand);
    if (!call || closingBracket(operand, call[0].length - 1) !== operand.length - 1) return false;
    const args = splitTopLevel(operand.slice(call[0].length, -1));
    if (NUMBER_TO_TEXT.test(call[1])) return true;
    if (call[1] === 'fmt.Sprintf' && STRING_LITERAL.test(args[0] ?? '')) {
      const verbs = [...args[0].matchAll(FORMAT_VERB)].filter((verb) => verb[0] !== '%%');
      // `%[2]s` or `*` widths pair verbs and values differently: every value must then be fixed.
      const paired = verbs.length === args.length - 1;
      return args.slice(1).every((arg, index) => {
        const letter = paired ? verbs[index][1] : 's';
        return /^[dxXobeEfgGt]$/.test(letter) || fixedExpression(arg, isFixed, numeric, depth + 1);
      });
    }
    return call[1] === 'strings.Join' && args.length === 2 && fixedExpression(args[0], isFixed, numeric, depth + 1)
      ? fixedExpression(args[1], isFixed, numeric, depth + 1)
      : isFixed(`${call[1]}()`);
  });
}

/** Every `return` of a function's body with its expression (to the end of its brackets), or undefined for a bare one. */
function returnedExpressions(body: string): string[] | undefined {
  const found: string[] = [];
  for (const match of body.matchAll(/(?<![\w.])return\b[ \t]*/g)) {
    const start = (match.index ?? 0) + match[0].length;
    let end = start;
    while (end < body.length && body[end] !== '\n' && body[end] !== '}' && body[end] !== ';') {
      const char = body[end];
      if (char === '(' || char === '[' || char === '{') {
        const close = closingBracket(body, end);
        if (close < 0) return undefined;
        end = close + 1;
      } else if (char === '"' || char === '`' || char === "'") {
        const close = stringEnd(body, end);
        if (close < 0) return undefined;
        end = close + 1;
      } else if (char === '/' && body[end + 1] === '/') break;
      else end += 1;
    }
    const expression = body.slice(start, end).trim();
    if (expression === '') return undefined;
    found.push(expression);
  }
  return found.length > 0 ? found : undefined;
}

/**
 * The names that stand for fixed text in one package (its files' texts, tests left out by the
 * caller): constants, lists of literals nobody assigns again, and functions returning fixed text,
 * the latter written `name()` (a function may rely on another: read until nothing changes).
 */
export function packageFixedText(texts: readonly string[]): Set<string> {
  const fixed = new Set<string>();
  for (const text of texts) {
    for (const match of text.matchAll(TOP_LEVEL_CONST)) fixed.add(match[1]);
    for (const block of text.matchAll(TOP_LEVEL_CONST_BLOCK))
      for (const entry of block[1].matchAll(CONST_BLOCK_ENTRY))
        for (const name of entry[1].split(',')) fixed.add(name.trim());
  }
  for (const text of texts) for (const name of literalLists(text)) if (!reassigned(texts, name)) fixed.add(name);
  const candidates: Array<{ name: string; returns: string[]; numeric: Set<string> }> = [];
  for (const text of texts)
    for (const match of text.matchAll(TOP_LEVEL_FUNCTION)) {
      const parts = functionParts(text, match.index ?? 0, match[0].length);
      if (!parts || parts.result !== 'string') continue;
      const returns = returnedExpressions(parts.body);
      if (returns) candidates.push({ name: match[1], returns, numeric: numericParameters(parts.parameters) });
    }
  const declaredTwice = new Set(
    candidates.filter((c, i) => candidates.findIndex((other) => other.name === c.name) !== i).map((c) => c.name),
  );
  for (let changed = true; changed;) {
    changed = false;
    for (const { name, returns, numeric } of candidates) {
      if (declaredTwice.has(name) || fixed.has(`${name}()`)) continue;
      if (returns.every((expression) => fixedExpression(expression, (n) => fixed.has(n), numeric))) {
        fixed.add(`${name}()`);
        changed = true;
      }
    }
  }
  return fixed;
}

/** The identifiers a text mentions on their own (`statTables`) and after a package name (`store.Interval`). */
export function mentionedIdentifiers(text: string): { bare: Set<string>; qualified: Set<string> } {
  const found = { bare: new Set<string>(), qualified: new Set<string>() };
  for (const match of text.matchAll(/(?<![\w.])([A-Za-z_]\w*)(?:[ \t]*\.[ \t]*([A-Za-z_]\w*))?/g)) {
    found.bare.add(match[1]);
    if (match[2] !== undefined) found.qualified.add(`${match[1]}.${match[2]}`);
  }
  return found;
}

/**
 * Of a package's fixed names, those `text` uses: bare (`statTables`, `Interval()`) for its own package,
 * or qualified by `qualifier` (`goatcounter.Interval()`) for an imported one, exported names only.
 * `mentioned` is the text's identifiers (see mentions), when the caller already read them.
 */
export function usedFixedText(
  text: string,
  names: ReadonlySet<string>,
  qualifier?: string,
  mentioned: { bare: Set<string>; qualified: Set<string> } = mentionedIdentifiers(text),
): string[] {
  const used: string[] = [];
  for (const name of names) {
    const bare = name.endsWith('()') ? name.slice(0, -2) : name;
    if (qualifier === undefined) {
      if (mentioned.bare.has(bare)) used.push(name);
    } else if (/^[A-Z]/.test(bare) && mentioned.qualified.has(`${qualifier}.${bare}`))
      used.push(`${qualifier}.${name}`);
  }
  return used;
}
