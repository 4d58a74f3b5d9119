import { errorMessage } from '../errorMessage';
/**
 * A small renderer for the Jinja/Tera-style templates that templated (agpm) persona files use:
 * `{{ path | filter }}`, `{% if %}…{% elif %}…{% else %}…{% endif %}` and `{# comments #}`.
 * Unknown variables render empty, unknown conditions are false, each with a warning naming the
 * variable; whatever happens, no raw template syntax is left in the output.
 */

export interface TemplateResult {
  text: string;
  warnings: string[];
}

type Token =
  | { kind: 'text'; text: string }
  | { kind: 'output'; source: string; line: number }
  | { kind: 'tag'; source: string; line: number };

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'output'; source: string; line: number }
  | { kind: 'if'; branches: { condition: string; line: number; body: Node[] }[]; otherwise: Node[] };

const TAG_PATTERN = /\{\{-?([\s\S]*?)-?\}\}|\{%-?([\s\S]*?)-?%\}|\{#[\s\S]*?#\}/g;

/** Newlines in `text` from `from` up to (not including) `to`. */
function newlinesBetween(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) count += 1;
  return count;
}

/** Splits the template into text and tags. A block tag or comment alone on its line takes the whole line with it. */
function tokenize(source: string, firstLine: number): Token[] {
  const tokens: Token[] = [];
  let cursor = 0;
  // Each tag's line, counted on from the previous tag instead of from the start of the source.
  let line = firstLine;
  let lineCountedTo = 0;
  for (const match of source.matchAll(TAG_PATTERN)) {
    let start = match.index;
    let end = start + match[0].length;
    const isOutput = match[1] !== undefined;
    if (!isOutput) {
      const lineStart = source.lastIndexOf('\n', start - 1) + 1;
      const newline = source.indexOf('\n', end);
      const lineEnd = newline === -1 ? source.length : newline;
      if (/^[ \t]*$/.test(source.slice(lineStart, start)) && /^[ \t]*$/.test(source.slice(end, lineEnd))) {
        start = Math.max(lineStart, cursor);
        end = newline === -1 ? lineEnd : newline + 1;
      }
    }
    if (start > cursor) tokens.push({ kind: 'text', text: source.slice(cursor, start) });
    line += newlinesBetween(source, lineCountedTo, match.index);
    lineCountedTo = match.index;
    if (isOutput) tokens.push({ kind: 'output', source: match[1].trim(), line });
    else if (match[2] !== undefined) tokens.push({ kind: 'tag', source: match[2].trim(), line });
    cursor = end;
  }
  if (cursor < source.length) tokens.push({ kind: 'text', text: source.slice(cursor) });
  return tokens;
}

function parseNodes(tokens: Token[], warn: (message: string) => void): Node[] {
  const root: Node[] = [];
  const stack: { node: Extract<Node, { kind: 'if' }>; target: Node[] }[] = [];
  let target = root;
  for (const token of tokens) {
    if (token.kind !== 'tag') {
      target.push(
        token.kind === 'text'
          ? { kind: 'text', text: token.text }
          : { kind: 'output', source: token.source, line: token.line },
      );
      continue;
    }
    const [keyword = '', ...restWords] = token.source.split(/\s+/);
    const rest = restWords.join(' ');
    const open = stack[stack.length - 1];
    if (keyword === 'if') {
      const node: Extract<Node, { kind: 'if' }> = {
        kind: 'if',
        branches: [{ condition: rest, line: token.line, body: [] }],
        otherwise: [],
      };
      target.push(node);
      stack.push({ node, target });
      target = node.branches[0].body;
    } else if (keyword === 'elif' && open) {
      const branch = { condition: rest, line: token.line, body: [] as Node[] };
      open.node.branches.push(branch);
      target = branch.body;
    } else if (keyword === 'else' && open) {
      target = open.node.otherwise;
    } else if (keyword === 'endif' && open) {
      stack.pop();
      target = open.target;
    } else if (keyword === 'elif' || keyword === 'else' || keyword === 'endif') {
      warn(`line ${token.line}: {% ${keyword} %} without a matching {% if %} was removed`);
    } else {
      warn(
        `line ${token.line}: unsupported template tag {% ${token.source} %} was removed (supported: if, elif, else, endif)`,
      );
    }
  }
  for (const open of stack) {
    warn(
      `line ${open.node.branches[0].line}: {% if ${open.node.branches[0].condition} %} is never closed with {% endif %}; it runs to the end of the file`,
    );
  }
  return root;
}

// ---- expressions -------------------------------------------------------------------------------

type ExprToken =
  | { kind: 'name'; value: string }
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'op'; value: string };

function lexExpression(source: string): ExprToken[] {
  const tokens: ExprToken[] = [];
  const pattern =
    /\s*(?:([A-Za-z_][\w.]*)|"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|(\d+(?:\.\d+)?)|(==|!=|<=|>=|[<>()|,]))/y;
  let index = 0;
  while (index < source.length) {
    if (/^\s*$/.test(source.slice(index))) break;
    pattern.lastIndex = index;
    const match = pattern.exec(source);
    if (!match) throw new Error(`cannot read "${source.slice(index).trim()}"`);
    index = pattern.lastIndex;
    if (match[1] !== undefined) tokens.push({ kind: 'name', value: match[1] });
    else if (match[2] !== undefined) tokens.push({ kind: 'string', value: match[2].replace(/\\(.)/g, '$1') });
    else if (match[3] !== undefined) tokens.push({ kind: 'string', value: match[3].replace(/\\(.)/g, '$1') });
    else if (match[4] !== undefined) tokens.push({ kind: 'number', value: Number(match[4]) });
    else tokens.push({ kind: 'op', value: match[5] });
  }
  return tokens;
}

/** A value, whether it came from known variables, and the unknown variables it touched (for warnings). */
interface Evaluated {
  value: unknown;
  known: boolean;
  missing: string[];
}

const literal = (value: unknown): Evaluated => ({ value, known: true, missing: [] });

const KEYWORDS: Record<string, unknown> = { true: true, false: false, none: null, null: null };

class ExpressionEvaluator {
  private position = 0;
  private readonly tokens: ExprToken[];

  constructor(
    source: string,
    private readonly variables: Record<string, unknown>,
    private readonly warn: (message: string) => void,
    private readonly where: string,
  ) {
    this.tokens = lexExpression(source);
  }

  evaluate(): Evaluated {
    if (this.tokens.length === 0) throw new Error('empty expression');
    const result = this.or();
    if (this.position < this.tokens.length) throw new Error(`unexpected "${String(this.tokens[this.position].value)}"`);
    return result;
  }

  private peek(): ExprToken | undefined {
    return this.tokens[this.position];
  }

  private acceptName(word: string): boolean {
    const token = this.peek();
    if (token?.kind === 'name' && token.value === word) {
      this.position += 1;
      return true;
    }
    return false;
  }

  private acceptOp(op: string): boolean {
    const token = this.peek();
    if (token?.kind === 'op' && token.value === op) {
      this.position += 1;
      return true;
    }
    return false;
  }

  private or(): Evaluated {
    let left = this.and();
    while (this.acceptName('or')) {
      const right = this.and();
      left = { value: truthy(left) || truthy(right), known: true, missing: [...left.missing, ...right.missing] };
    }
    return left;
  }

  private and(): Evaluated {
    let left = this.not();
    while (this.acceptName('and')) {
      const right = this.not();
      left = { value: truthy(left) && truthy(right), known: true, missing: [...left.missing, ...right.missing] };
    }
    return left;
  }

  private not(): Evaluated {
    if (this.acceptName('not')) {
      const operand = this.not();
      return { value: !truthy(operand), known: true, missing: operand.missing };
    }
    return this.comparison();
  }

  private comparison(): Evaluated {
    const left = this.filtered();
    const token = this.peek();
    if (token?.kind === 'op' && ['==', '!=', '<', '>', '<=', '>='].includes(token.value)) {
      this.position += 1;
      const right = this.filtered();
      return {
        value: compare(token.value, left.value, right.value),
        known: left.known && right.known,
        missing: [...left.missing, ...right.missing],
      };
    }
    return left;
  }

  private filtered(): Evaluated {
    let current = this.primary();
    while (this.acceptOp('|')) {
      const token = this.peek();
      if (token?.kind !== 'name') throw new Error('a filter name must follow "|"');
      this.position += 1;
      const args: Evaluated[] = [];
      if (this.acceptOp('(')) {
        if (!this.acceptOp(')')) {
          do {
            args.push(this.or());
          } while (this.acceptOp(','));
          if (!this.acceptOp(')')) throw new Error(`missing ")" after the arguments of filter ${token.value}`);
        }
      }
      current = this.applyFilter(token.value, current, args);
    }
    return current;
  }

  private primary(): Evaluated {
    const token = this.peek();
    if (!token) throw new Error('expression ends too early');
    this.position += 1;
    if (token.kind === 'string' || token.kind === 'number') return literal(token.value);
    if (token.kind === 'op') {
      if (token.value !== '(') throw new Error(`unexpected "${token.value}"`);
      const inner = this.or();
      if (!this.acceptOp(')')) throw new Error('missing ")"');
      return inner;
    }
    if (Object.prototype.hasOwnProperty.call(KEYWORDS, token.value)) return literal(KEYWORDS[token.value]);
    return this.lookup(token.value);
  }

  private lookup(path: string): Evaluated {
    let current: unknown = this.variables;
    for (const part of path.split('.')) {
      if (current === null || typeof current !== 'object' || !Object.prototype.hasOwnProperty.call(current, part)) {
        return { value: undefined, known: false, missing: [path] };
      }
      current = (current as Record<string, unknown>)[part];
    }
    if (current === undefined) return { value: undefined, known: false, missing: [path] };
    return literal(current);
  }

  private applyFilter(name: string, input: Evaluated, args: Evaluated[]): Evaluated {
    const text = (): string => (input.known ? stringify(input.value) : '');
    const mapped = (value: string): Evaluated => ({ value, known: input.known, missing: input.missing });
    switch (name) {
      case 'default':
        if (input.known && input.value !== '' && input.value !== null) return input;
        // A defaulted variable is not "unknown" to the author: they planned for its absence, so no warning.
        return args[0] ?? literal('');
      // agpm's `content` reads a file; here the caller supplies the content itself, so it passes through.
      case 'content':
        return input;
      case 'lower':
        return mapped(text().toLowerCase());
      case 'upper':
        return mapped(text().toUpperCase());
      case 'trim':
        return mapped(text().trim());
      case 'capitalize': {
        const t = text();
        return mapped(t.charAt(0).toUpperCase() + t.slice(1).toLowerCase());
      }
      case 'title':
        return mapped(text().replace(/\b\w/g, (c) => c.toUpperCase()));
      case 'join': {
        const separator = args[0] ? stringify(args[0].value) : ', ';
        return mapped(Array.isArray(input.value) ? input.value.map(stringify).join(separator) : text());
      }
      default:
        this.warn(`${this.where}: unknown filter "${name}" ignored`);
        return input;
    }
  }
}

function truthy(result: Evaluated): boolean {
  if (!result.known) return false;
  const value = result.value;
  if (Array.isArray(value)) return value.length > 0;
  if (value !== null && typeof value === 'object') return Object.keys(value).length > 0;
  return Boolean(value);
}

function compare(op: string, left: unknown, right: unknown): boolean {
  switch (op) {
    case '==':
      return left === right;
    case '!=':
      return left !== right;
    case '<':
      return (left as number) < (right as number);
    case '>':
      return (left as number) > (right as number);
    case '<=':
      return (left as number) <= (right as number);
    default:
      return (left as number) >= (right as number);
  }
}

function stringify(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(stringify).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

// ---- rendering ---------------------------------------------------------------------------------

/**
 * Renders a template against `variables`. Never throws: problems become warnings
 * ("line 12: unknown template variable `agpm.project.styleguide` rendered empty").
 */
export function renderTemplate(
  source: string,
  variables: Record<string, unknown>,
  options: { firstLine?: number } = {},
): TemplateResult {
  const warnings: string[] = [];
  const warn = (message: string): void => {
    if (!warnings.includes(message)) warnings.push(message);
  };

  const evaluate = (expression: string, line: number, purpose: 'output' | 'condition'): Evaluated => {
    const where = `line ${line}`;
    try {
      const result = new ExpressionEvaluator(expression, variables, warn, where).evaluate();
      for (const name of result.missing) {
        warn(
          purpose === 'output'
            ? `${where}: unknown template variable "${name}" rendered empty`
            : `${where}: unknown template variable "${name}" in a condition is treated as false`,
        );
      }
      return result;
    } catch (error) {
      warn(
        `${where}: cannot evaluate "${expression}" (${errorMessage(error)}); ${purpose === 'output' ? 'rendered empty' : 'treated as false'}`,
      );
      return { value: undefined, known: false, missing: [] };
    }
  };

  const renderNodes = (nodes: Node[]): string =>
    nodes
      .map((node) => {
        if (node.kind === 'text') return node.text;
        if (node.kind === 'output') {
          const result = evaluate(node.source, node.line, 'output');
          return result.known ? stringify(result.value) : '';
        }
        for (const branch of node.branches) {
          if (truthy(evaluate(branch.condition, branch.line, 'condition'))) return renderNodes(branch.body);
        }
        return renderNodes(node.otherwise);
      })
      .join('');

  let text = renderNodes(parseNodes(tokenize(source, options.firstLine ?? 1), warn));
  // Openers left without a closer ("{{ name" with no "}}") are not template syntax we can evaluate;
  // the model must still never see them.
  const leftovers = text.match(/\{\{|\{%|\{#/g);
  if (leftovers) {
    warn(`removed ${leftovers.length} unclosed template delimiter(s) (${[...new Set(leftovers)].join(', ')})`);
    text = text.replace(/\{\{|\{%|\{#/g, '');
  }
  return { text: text.replace(/\n{3,}/g, '\n\n'), warnings };
}

/** True when the text contains template syntax the renderer would act on. */
export function hasTemplateSyntax(text: string): boolean {
  return /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}|\{#[\s\S]*?#\}/.test(text);
}
