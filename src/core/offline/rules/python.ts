import type { Node } from '@vscode/tree-sitter-wasm';
import {
  CONFIGURED_KINDS,
  climb,
  chainOperands,
  closingBracket,
  isWordCode,
  reportBrowserTlsOff,
  BROWSER_TLS_OFF_SWITCH,
  stringEnd,
  comparedSecretLiterals,
  contains,
  MAX_BUILD_DEPTH,
  descendants,
  DOTTED_NAME_CHAIN,
  DIALECT_OWNER,
  BUILDER_FRAGMENT,
  PLACEHOLDER_LIST,
  PLACEHOLDER_HELPER,
  enclosingOfType,
  explainsOnItsOwnLine,
  field,
  groupedBy,
  indexSpans,
  isReportableKeyLiteral,
  isReportableNamedSecret,
  isLabelWord,
  namesLabelTable,
  underTlsOptIn,
  isSecretName,
  joinBuilds,
  type LazyAncestors,
  knownSecretLiterals,
  lastStartingBy,
  looksLikeSql,
  splicedAsName,
  matchesInRegion,
  memberCalls,
  named,
  nodesAtMatches,
  nodeOfTypeAt,
  isFakeDataModule,
  randomBuildsSecret,
  reportPerLoop,
  scopeAssignmentLists,
  splitTopLevel,
  secretNamedStrings,
  sourceOf,
  stringWithAncestorsAt,
  stringWithParentAt,
  textMatchOncePerCheck,
  unquote,
  type CallInLoop,
  type Span,
  type SpanIndex,
  type StringBuild,
  namesTenancyContainer,
} from '../syntax';
import type { CheckInput, RuleChecker } from '../types';

const FUNCTIONS = new Set(['function_definition', 'lambda']);
const LOOPS = new Set(['for_statement', 'while_statement']);

/** A call with its target read once; arguments are read from the tree only when a rule asks. */
class Call {
  private args?: { positional: Node[]; keywords: Map<string, Node>; hasKwargsSplat: boolean };

  constructor(
    readonly node: Node,
    /** Full callee text: `requests.get`, `cursor.execute`, `os.system`. */
    readonly text: string,
    readonly object: string | undefined,
    readonly name: string,
  ) {}

  private read(): { positional: Node[]; keywords: Map<string, Node>; hasKwargsSplat: boolean } {
    if (!this.args) {
      const positional: Node[] = [];
      const keywords = new Map<string, Node>();
      let hasKwargsSplat = false;
      for (const arg of named(field(this.node, 'arguments'))) {
        if (arg.type === 'keyword_argument') {
          const key = field(arg, 'name');
          if (key) keywords.set(key.text, arg);
        } else if (arg.type === 'dictionary_splat') hasKwargsSplat = true;
        else positional.push(arg);
      }
      this.args = { positional, keywords, hasKwargsSplat };
    }
    return this.args;
  }

  get positional(): Node[] {
    return this.read().positional;
  }
  get keywords(): Map<string, Node> {
    return this.read().keywords;
  }
  /** `**kwargs` present: keyword arguments unknown. */
  get hasKwargsSplat(): boolean {
    return this.read().hasKwargsSplat;
  }
}

// Every rule walks the calls; read them once per file.
const { readCall, calls } = memberCalls(
  'call',
  DOTTED_NAME_CHAIN,
  { type: 'attribute', object: 'object', name: 'attribute' },
  (node, text, object, name) => new Call(node, text, object, name),
);

function keywordValue(call: Call, name: string): Node | null {
  return field(call.keywords.get(name) ?? null, 'value');
}

function enclosingFunction(input: CheckInput, node: Node): Node | null {
  return enclosingOfType(input, node, FUNCTIONS);
}

/** The expression inside parentheses, with its type (each `type` read is a WebAssembly call). */
function unwrapTyped(node: Node | null): { node: Node; type: string } | null {
  let current = node;
  while (current) {
    const type = current.type;
    if (type !== 'parenthesized_expression') return { node: current, type };
    current = named(current)[0] ?? null;
  }
  return null;
}

function unwrap(node: Node | null): Node | null {
  return unwrapTyped(node)?.node ?? null;
}

/** A string's prefix letters and opening quote (`rb"`, `f'`). */
const STRING_PREFIX = /[A-Za-z]*["']/y;

function isFString(string: Node): boolean {
  // Only a string prefixed `f` (or a template `t`) holds interpolations: a plain one's children are not read.
  const source = sourceOf(string);
  if (source !== undefined) {
    STRING_PREFIX.lastIndex = string.startIndex;
    const prefix = STRING_PREFIX.exec(source)?.[0];
    if (prefix !== undefined && !/[fFtT]/.test(prefix)) return false;
  }
  return string.namedChildren.some((child) => child?.type === 'interpolation');
}

function literalString(node: Node | null): string | undefined {
  const unwrapped = unwrapTyped(node);
  if (!unwrapped || unwrapped.type !== 'string' || isFString(unwrapped.node)) return undefined;
  return unquote(unwrapped.node.text);
}

/** SQLAlchemy's text(...) wraps the statement; the rules look through it. */
/** True when a call is the statement argument of a query call (`session.execute(text(q))`): that call reports it. */
function isQueryArgument(call: Call): boolean {
  const outer = call.node.parent?.parent;
  if (!outer || outer.type !== 'call') return false;
  const target = readCall(outer);
  return !!target && target.object !== undefined && SQL_METHODS.has(target.name);
}

const SQL_WRAPPERS = new Set(['text', 'sqlalchemy.text', 'sa.text']);

/** How a string is built: f-string, `+`, `%`, `.format()`; null for anything else. */
const isPlus = (candidate: Node): boolean =>
  candidate.type === 'binary_operator' && field(candidate, 'operator')?.text === '+';

/** Parts of a `+` chain: dynamic when any operand is not a string build. */
function concatBuild(node: Node, depth: number, inertName?: InertName): StringBuild | null {
  const operands = chainOperands(node, isPlus);
  const parts = operands.map((operand) => stringBuild(operand, depth + 1, inertName));
  if (parts.every((part) => part === null)) return null;
  return {
    literal: parts.map((part) => part?.literal ?? '').join(' '),
    dynamic: parts.some((part, at) => {
      if (part) return part.dynamic;
      const operand = operands[at];
      if (isInertValue(operand)) return false;
      return !(operand && inertName?.(operand) === true);
    }),
  };
}

/**
 * Whether a value spliced into text carries no input where it is used, beyond what isInertValue sees:
 * a local given only inert values (resolvedStringBuild), or fixed SQL (sqlFixedPieces).
 */
/** Whether a value cannot carry input; asked `asName`, whether it is a name the program keeps (keptName). */
type InertName = (value: Node | null, asName?: boolean) => boolean;

/** Literals, tuples of literals and UPPER_CASE names: values that cannot carry input. */
function isConstantValue(node: Node | null): boolean {
  const value = unwrapTyped(node);
  if (!value) return true;
  if (value.type === 'tuple' || value.type === 'list') return named(value.node).every((item) => isConstantValue(item));
  if (value.type === 'string') return !isFString(value.node);
  if (
    value.type === 'integer' ||
    value.type === 'float' ||
    value.type === 'true' ||
    value.type === 'false' ||
    value.type === 'none'
  )
    return true;
  return value.type === 'identifier' && /^[A-Z][A-Z0-9_]*$/.test(value.node.text);
}

/**
 * Names the ORM gives a model's table or column: Django's `Model._meta.db_table`, `_meta.pk.column`,
 * `_meta.get_field("x").column`, SQLAlchemy's `Model.__tablename__` / `Model.__table__.name`. An
 * identifier the model declares in code, not input.
 */
const MODEL_IDENTIFIER =
  /(?:^|\.)(?:_meta\.(?:db_table|pk\.column|get_field\([^()]*\)\.column)|__tablename__|__table__\.(?:name|fullname))$/;

/** Calls whose result is a number (`int(limit)`, `len(ids)`) or an identifier quoted for SQL (`quote_name(t)`). */
const INERT_CALL =
  /^(?:int|float|bool|len|abs|round|(?:[\w.]*\.)?(?:quote_?(?:name|ident|identifier|table|column)|escape_?identifier|Identifier))$/;

/**
 * A value that carries no input into text: a constant, a number made by `int()`/`len()`, an identifier
 * quoted for SQL, or a list of placeholders joined (`",".join(["%s"] * len(ids))`, `", ".join("?" for _ in ids)`).
 */
function isInertValue(node: Node | null): boolean {
  if (isConstantValue(node)) return true;
  const value = unwrapTyped(node);
  if (!value) return true;
  if (value.type === 'tuple' || value.type === 'list') return named(value.node).every((item) => isInertValue(item));
  if (value.type === 'dictionary') return named(value.node).every((pair) => isInertValue(field(pair, 'value')));
  if (value.type === 'binary_operator' && field(value.node, 'operator')?.text === '*') {
    // `["?"] * n` and `"?, " * n` repeat fixed text whatever n is.
    const left = unwrapTyped(field(value.node, 'left'));
    const right = unwrapTyped(field(value.node, 'right'));
    return [left, right].some(
      (side) => side !== null && (side.type === 'string' || side.type === 'list') && isConstantValue(side.node),
    );
  }
  if (value.type === 'generator_expression' || value.type === 'list_comprehension')
    return isConstantValue(field(value.node, 'body'));
  if (value.type === 'attribute') return MODEL_IDENTIFIER.test(value.node.text);
  if (value.type !== 'call') return false;
  const fn = field(value.node, 'function');
  // `f(x for x in xs)`: the generator is the arguments node itself.
  const argumentNode = field(value.node, 'arguments');
  const args = argumentNode?.type === 'generator_expression' ? [argumentNode] : named(argumentNode);
  // `sep.join(items)` with a literal separator is inert when its items are.
  if (fn?.type === 'attribute' && field(fn, 'attribute')?.text === 'join')
    return isConstantValue(field(fn, 'object')) && args.length === 1 && isInertValue(args[0]);
  return INERT_CALL.test(fn?.text ?? '');
}

/** True when some value a `.format(...)` call or an f-string splices in can carry input. */
function splicesInput(values: Array<Node | null>, inertName?: InertName): boolean {
  const carries = (value: Node | null): boolean => !isInertValue(value) && !(value && inertName?.(value) === true);
  return values.some((value) => {
    if (!value) return false;
    if (value.type === 'keyword_argument') return carries(field(value, 'value'));
    if (value.type === 'interpolation') return carries(named(value)[0] ?? null);
    return value.type === 'list_splat' || value.type === 'dictionary_splat' || carries(value);
  });
}

/** A `str.format` field: `{}`, `{0}`, `{name}`, `{name.attr}`, `{0!r:>10}`; group 1 what it names. */
const FORMAT_FIELD = /\{([^{}!:]*)(?:![rsa])?(?::[^{}]*)?\}/g;

/**
 * Whether `"…".format(…)` splices input: each field takes its argument (in order, by index or by
 * keyword), judged where it lands, so a name the program keeps in a name's place is no input. Fields
 * it cannot pair with an argument (`{0.attr}`, `**kwargs`) judge every argument as before.
 */
function formatSplicesInput(template: string, args: Node[], inertName?: InertName): boolean {
  const text = template.replace(/\{\{|\}\}/g, '  ');
  const fields = [...text.matchAll(FORMAT_FIELD)];
  // The arguments are paired (tree reads) only when some field stands in a name's place.
  const asName = fields.map((found) => {
    const start = found.index ?? 0;
    return splicedAsName(text.slice(0, start), text.slice(start + found[0].length));
  });
  if (!asName.includes(true)) return splicesInput(args, inertName);
  const positional = args.filter((arg) => arg.type !== 'keyword_argument');
  const keywords = new Map(
    args
      .filter((arg) => arg.type === 'keyword_argument')
      .map((arg) => [field(arg, 'name')?.text ?? '', field(arg, 'value')] as const),
  );
  let next = 0;
  const paired = fields.map((found) => {
    const key = found[1].trim();
    if (key === '') return positional[next++];
    if (/^\d+$/.test(key)) return positional[Number(key)];
    return /^[A-Za-z_]\w*$/.test(key) ? (keywords.get(key) ?? undefined) : undefined;
  });
  const splats = args.some((arg) => arg.type === 'list_splat' || arg.type === 'dictionary_splat');
  if (splats || paired.some((value) => value === undefined)) return splicesInput(args, inertName);
  return fields.some((_, at) => {
    const value = paired[at] ?? null;
    return splicesInput([value], inertName) && !(asName[at] && inertName?.(value, true) === true);
  });
}

function stringBuild(node: Node | null, depth = 0, inertName?: InertName): StringBuild | null {
  const unwrapped = unwrapTyped(node);
  if (!unwrapped || depth > MAX_BUILD_DEPTH) return null;
  const { node: inner, type } = unwrapped;
  if (type === 'string') {
    // Each child and its type read once: the literal and the values spliced in come from the same children.
    const parts = inner.namedChildren.map((child) => ({ child, type: child?.type }));
    // Each piece's text read once: the literal, and the text before and after each splice, come from it.
    const pieces = parts
      .filter((part) => part.type === 'string_content' || part.type === 'interpolation')
      .map((part) => ({ child: part.child, splice: part.type === 'interpolation', text: '' }));
    for (const piece of pieces) piece.text = piece.splice ? '_' : (piece.child?.text ?? '');
    // An interpolation stands in as a name, so `f"UPDATE {table} SET x = 1"` keeps the shape of SQL.
    const literal = pieces.map((piece) => piece.text).join('');
    // `f"… {TABLE}"` splices a constant; `f"… {user_id}"` a value; `f"FROM {self.table}"` a name the program keeps.
    let dynamic = false;
    let before = '';
    for (let at = 0; at < pieces.length && !dynamic; at += 1) {
      const { child, splice, text } = pieces[at];
      if (splice && splicesInput([child], inertName)) {
        const after = pieces[at + 1]?.splice === false ? pieces[at + 1].text : '';
        const value = named(child)[0] ?? null;
        dynamic = !(splicedAsName(before, after) && inertName?.(value, true) === true);
      }
      before += text;
    }
    return { literal, dynamic };
  }
  if (type === 'concatenated_string') {
    const parts = named(inner)
      .map((part) => stringBuild(part, depth + 1, inertName))
      .filter((part): part is StringBuild => part !== null);
    return { literal: parts.map((part) => part.literal).join(' '), dynamic: parts.some((part) => part.dynamic) };
  }
  if (type === 'binary_operator' && isPlus(inner)) return concatBuild(inner, depth, inertName);
  if (type === 'binary_operator') {
    const left =
      field(inner, 'operator')?.text === '%' ? stringBuild(field(inner, 'left'), depth + 1, inertName) : null;
    if (!left) return null;
    // `"… %d" % n` splices only numbers; `"…" % ()` and `% "literal"` splice nothing that varies.
    const numbersOnly = !/%[-#0 +]*\d*(?:\.\d+)?[sr(a]/.test(left.literal);
    const right = field(inner, 'right');
    const carries = (value: Node | null): boolean => !isInertValue(value) && !(value && inertName?.(value) === true);
    // One value per `%s`, in order: each judged where it lands (a kept name in a name's place is no input).
    // The tree is read for this only when some `%s` stands in a name's place (pure text first).
    const verbs =
      numbersOnly || left.dynamic ? [] : [...left.literal.matchAll(PERCENT_VERB)].filter((verb) => verb[2] !== '%');
    const asName = verbs.map((verb) => {
      const start = verb.index ?? 0;
      return splicedAsName(left.literal.slice(0, start), left.literal.slice(start + verb[0].length));
    });
    const rightType = asName.includes(true) && verbs.every((verb) => !verb[1]) ? right?.type : undefined;
    const items = rightType === 'tuple' ? named(right) : rightType && rightType !== 'dictionary' ? [right] : [];
    if (items.length > 0 && verbs.length === items.length)
      return {
        literal: left.literal,
        dynamic: verbs.some((verb, at) => {
          if (!/[sra]/.test(verb[2]) || !carries(items[at])) return false;
          return !(asName[at] && inertName?.(items[at], true) === true);
        }),
      };
    return {
      literal: left.literal,
      dynamic: left.dynamic || (!numbersOnly && carries(right)),
    };
  }
  if (type === 'call') {
    const fn = field(inner, 'function');
    if (fn?.type === 'attribute' && field(fn, 'attribute')?.text === 'format') {
      const base = stringBuild(field(fn, 'object'), depth + 1, inertName);
      if (base)
        return {
          literal: base.literal,
          dynamic: base.dynamic || formatSplicesInput(base.literal, named(field(inner, 'arguments')), inertName),
        };
    }
    // `"… '[VALUE]'".replace("[VALUE]", value)` splices the value in as surely as `%` does.
    if (fn?.type === 'attribute' && field(fn, 'attribute')?.text === 'replace') {
      const base = stringBuild(field(fn, 'object'), depth + 1, inertName);
      const args = named(field(inner, 'arguments'));
      const value = args[1];
      if (base && value)
        return {
          literal: base.literal,
          dynamic: base.dynamic || (!isInertValue(value) && inertName?.(value) !== true),
        };
    }
    if (SQL_WRAPPERS.has(fn?.text ?? ''))
      return stringBuild(named(field(inner, 'arguments'))[0] ?? null, depth + 1, inertName);
  }
  return null;
}

/** One assignment of a scope; its target text is read from the tree the first time a lookup reaches it. */
interface ScopeAssignment {
  node: Node;
  target?: string | undefined;
  targetRead?: boolean;
}

const scopeAssignments = scopeAssignmentLists<ScopeAssignment>(['assignment', 'augmented_assignment'], (node) => ({
  node,
}));

function assignmentTarget(assignment: ScopeAssignment): string | undefined {
  if (!assignment.targetRead) {
    assignment.target = field(assignment.node, 'left')?.text;
    assignment.targetRead = true;
  }
  return assignment.target;
}

/** The assignments (`=`, `+=`) to `name` in `scope` that come before the offset `before`, in order. */
function* assignmentsBefore(input: CheckInput, scope: Node, name: string, before: number): Generator<ScopeAssignment> {
  for (const assignment of scopeAssignments(input, scope)) {
    if (assignment.node.startIndex >= before) return;
    if (assignmentTarget(assignment) === name) yield assignment;
  }
}

/**
 * A string build, following a plain name to its assignments earlier in the same function. A local
 * given only inert values splices nothing (`n = int(limit)`); `inertName` may know more (fixed SQL).
 */
function resolvedStringBuild(
  input: CheckInput,
  node: Node | null,
  inertName: InertName = (value) =>
    value?.type === 'identifier' && (isInertLocal(input, value) || isFixedPrivateParameter(input, value)),
): StringBuild | null {
  const unwrapped = unwrapTyped(node);
  if (!unwrapped) return null;
  const { node: inner, type } = unwrapped;
  if (type === 'call' && SQL_WRAPPERS.has(field(inner, 'function')?.text ?? ''))
    return resolvedStringBuild(input, named(field(inner, 'arguments'))[0] ?? null, inertName);
  if (type !== 'identifier') return stringBuild(inner, 0, inertName);
  const scope = enclosingFunction(input, inner) ?? input.moduleScope(inner.startIndex);
  const name = inner.text;
  const builds: StringBuild[] = [];
  for (const assignment of assignmentsBefore(input, scope, name, inner.startIndex)) {
    const build = stringBuild(field(assignment.node, 'right'), 0, inertName);
    if (build) builds.push(build);
    // `q += something` that is not a string build splices an unknown value.
    else if (assignment.node.type === 'augmented_assignment') builds.push({ literal: '', dynamic: true });
  }
  return joinBuilds(builds);
}

/** Whether `name` appears among the parameters of `fn` (read from their text: a word of the list). */
function namesParameter(fn: Node, name: string): boolean {
  return new RegExp(`(^|\\W)${name}(\\W|$)`).test(field(fn, 'parameters')?.text ?? '');
}

/**
 * A local of a function given only inert values before `identifier` (`marks = ",".join("?" for _ in ids)`,
 * `n = int(limit)`): never a parameter, never grown with `+=`, every assignment inert.
 */
function isInertLocal(input: CheckInput, identifier: Node): boolean {
  const fn = enclosingFunction(input, identifier);
  if (!fn) return false;
  const name = identifier.text;
  if (!assignsName(input.text.slice(fn.startIndex, identifier.startIndex), name)) return false;
  if (namesParameter(fn, name)) return false;
  let assigned = false;
  for (const assignment of assignmentsBefore(input, fn, name, identifier.startIndex)) {
    if (assignment.node.type !== 'assignment' || !isInertValue(field(assignment.node, 'right'))) return false;
    assigned = true;
  }
  return assigned;
}

/** Per file, `${function id} ${parameter}` → whether every call of the module passes it fixed text. */
const fixedParametersByFile = new WeakMap<CheckInput, Map<string, boolean>>();
/** How many helpers deep a parameter is followed to its callers (`_search(table)` → `_query(text)`). */
const MAX_PARAMETER_DEPTH = 3;
/** Per file, its code with strings and comments emptied, and how often each name is used bare in it. */
const bareUsesByFile = new WeakMap<CheckInput, { code: string; uses: Map<string, number> }>();

/**
 * How many times `name` appears in the file's code as a bare name (`_search(…)`, `map(_search, …)`,
 * `{"x": _search}`, its own `def`), not as another object's attribute (`self._search`). Strings and
 * comments do not count. Read once per file and name.
 */
function bareUses(input: CheckInput, name: string): number {
  let file = bareUsesByFile.get(input);
  if (!file) {
    file = { code: withoutStrings(input.text), uses: new Map() };
    bareUsesByFile.set(input, file);
  }
  let uses = file.uses.get(name);
  if (uses === undefined) {
    uses = file.code.match(new RegExp(`(?<![\\w.])${name}\\b`, 'g'))?.length ?? 0;
    file.uses.set(name, uses);
  }
  return uses;
}

/**
 * `def _rank_clause(vector, query): … "{vector} @@ {query}".format(…)`: a parameter of a module-private
 * function (`_name`, defined at the top of the module, never reassigned before the use) whose every
 * call in the module passes text that carries no input: literals, constants, locals built only from
 * them, or another such parameter (a few helpers deep). The module is the function's only caller
 * by its name's convention, so its calls are all the values the parameter takes, as long as every
 * use of its name is a call: a function handed on as a value (`map(_rank_clause, terms)`,
 * `{"rank": _rank_clause}`, `Thread(target=…)`) is called with values no call here shows.
 */
function isFixedPrivateParameter(input: CheckInput, identifier: Node, depth = 0): boolean {
  if (depth >= MAX_PARAMETER_DEPTH) return false;
  // From the text first (most names spliced are in no such function): a `def _name(…)` at the module's level.
  const span = innermost(spans(input).functions, identifier);
  if (!span || (span.start > 0 && input.text[span.start - 1] !== '\n')) return false;
  const header = /^(?:async[ \t]+)?def[ \t]+(_[A-Za-z0-9]\w*)[ \t]*\(([^)]*)/.exec(
    input.text.slice(span.start, span.start + 300),
  );
  const name = identifier.text;
  if (!header || !new RegExp(`\\b${name}\\b`).test(header[2])) return false;
  const fnName = header[1];
  const fn = enclosingFunction(input, identifier);
  if (!fn || fn.type !== 'function_definition') return false;
  const parameters = named(field(fn, 'parameters'));
  const index = parameters.findIndex((parameter) => parameter.text === name);
  if (index < 0) return false;
  // Reassigned before the use (`query = query.strip()`, `a, query = …`): not only what the callers passed.
  const target = new RegExp(`(?:^|[\\s,(\\[])${name}(?:$|[\\s,)\\]])`);
  if (
    scopeAssignments(input, fn).some(
      (assignment) =>
        assignment.node.startIndex < identifier.startIndex && target.test(assignmentTarget(assignment) ?? ''),
    )
  )
    return false;
  let byKey = fixedParametersByFile.get(input);
  if (!byKey) {
    byKey = new Map();
    fixedParametersByFile.set(input, byKey);
  }
  const key = `${fn.id} ${name}`;
  const known = byKey.get(key);
  if (known !== undefined) return known;
  // A call that reaches this one again (recursion) counts as not fixed.
  byKey.set(key, false);
  const inert: InertName = (value) =>
    value?.type === 'identifier' && (isInertLocal(input, value) || isFixedPrivateParameter(input, value, depth + 1));
  let sites = 0;
  let fixed = true;
  for (const site of calls(input)) {
    if (site.name !== fnName || site.object !== undefined) continue;
    sites += 1;
    const splat = site.hasKwargsSplat || site.positional.slice(0, index + 1).some((arg) => arg.type === 'list_splat');
    const given = unwrap(keywordValue(site, name) ?? site.positional[index] ?? null);
    if (splat || !given) {
      fixed = false;
      break;
    }
    if (isInertValue(given) || inert(given)) continue;
    const build = resolvedStringBuild(input, given, inert);
    if (!build || build.dynamic) {
      fixed = false;
      break;
    }
  }
  // Every bare use of the name is one of those calls or its `def`: it is never handed on as a value.
  const answer = fixed && sites > 0 && bareUses(input, fnName) === sites + 1;
  byKey.set(key, answer);
  return answer;
}

const HTTPX_CLIENTS = new Set(['Client', 'AsyncClient', 'stream']);
const REQUESTS_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'request', 'options']);

/** `import requests as r`: the names the requests module goes by in this file. */
const REQUESTS_ALIAS = /^[ \t]*import[ \t]+requests[ \t]+as[ \t]+(\w+)/gm;
/** `.Session()` / `.session()`: where sessionAssignments reads a session's assignment backwards from. */
const SESSION_CALL = /\.[Ss]ession\(\)/g;

function isBlankCode(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/**
 * `s = requests.Session()`, `self.session = r.session()`: the name given a session and the module
 * it is made from, in text order. What `/\b([A-Za-z_][\w.]*)[ \t]*=[ \t]*(?:requests|\w+)\.[Ss]ession\(\)/g`
 * matches (that regex starts at every word: ~1 ms for the 10,000-line Python bench file), read
 * backwards from each `.Session()`: the module (word characters), blanks, `=`, blanks, then the name:
 * the first letter or `_` of the run of word characters and dots before it that starts the run or
 * follows a dot (the regex's `\b`), not inside the previous match (the regex's scan resumes after it).
 */
function sessionAssignments(text: string): Array<{ name: string; module: string }> {
  const found: Array<{ name: string; module: string }> = [];
  let matchedUpTo = 0;
  for (const call of text.matchAll(SESSION_CALL)) {
    let at = call.index;
    const moduleEnd = at;
    while (at > 0 && isWordCode(text.charCodeAt(at - 1))) at -= 1;
    if (at === moduleEnd) continue;
    const module = text.slice(at, moduleEnd);
    while (at > 0 && isBlankCode(text.charCodeAt(at - 1))) at -= 1;
    if (at === 0 || text.charCodeAt(at - 1) !== 0x3d) continue;
    at -= 1;
    while (at > 0 && isBlankCode(text.charCodeAt(at - 1))) at -= 1;
    const nameEnd = at;
    let runStart = nameEnd;
    while (runStart > 0 && (isWordCode(text.charCodeAt(runStart - 1)) || text.charCodeAt(runStart - 1) === 0x2e))
      runStart -= 1;
    for (let start = Math.max(runStart, matchedUpTo); start < nameEnd; start += 1) {
      const code = text.charCodeAt(start);
      const letter = (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || code === 0x5f;
      if (!letter || (start > runStart && text.charCodeAt(start - 1) !== 0x2e)) continue;
      found.push({ name: text.slice(start, nameEnd), module });
      matchedUpTo = call.index + call[0].length;
      break;
    }
  }
  return found;
}

/** `with requests.Session() as s:` binds a session as surely as `s = requests.Session()` does. */
const REQUESTS_SESSION_WITH = /\bwith[ \t]+(\w+)\.[Ss]ession\(\)[ \t]+as[ \t]+([A-Za-z_]\w*)/g;

interface RequestsNames {
  modules: Set<string>;
  sessions: Set<string>;
}

const requestsNamesByFile = new WeakMap<CheckInput, RequestsNames>();

function requestsNames(input: CheckInput): RequestsNames {
  const cached = requestsNamesByFile.get(input);
  if (cached) return cached;
  const modules = new Set(['requests']);
  const sessions = new Set<string>();
  requestsNamesByFile.set(input, { modules, sessions });
  // Most files have neither: look for the plain text before running the patterns.
  if (/import[ \t]+requests[ \t]+as\b/.test(input.text))
    for (const match of input.text.matchAll(REQUESTS_ALIAS)) modules.add(match[1]);
  if (!input.text.includes('ession()')) return { modules, sessions };
  // Each name's answer once: timedByDefault scans the whole text, and a file may create a session of one name many times.
  const timed = new Map<string, boolean>();
  const untimed = (session: string): boolean => {
    let answer = timed.get(session);
    if (answer === undefined) timed.set(session, (answer = timedByDefault(input.text, session)));
    return !answer;
  };
  for (const { name, module } of sessionAssignments(input.text))
    if (modules.has(module) && untimed(name)) sessions.add(name);
  for (const match of input.text.matchAll(REQUESTS_SESSION_WITH))
    if (modules.has(match[1]) && untimed(match[2])) sessions.add(match[2]);
  return { modules, sessions };
}

/** `class TimeoutHTTPAdapter(HTTPAdapter):` — an adapter class defined in the file, with its body. */
const ADAPTER_CLASS =
  /^class[ \t]+(\w+)[ \t]*\([^)\n]*HTTPAdapter[^)\n]*\)[ \t]*:[^\n]*\n((?:[ \t]+[^\n]*\n|[ \t]*\n)*)/gm;

/**
 * A session given a default timeout the way requests allows it: mounted with an adapter that sets one
 * (`s.mount("https://", TimeoutHTTPAdapter(timeout=5))`, an adapter class of the file whose body
 * handles `timeout`, directly or through a name bound to one), or with its `request` wrapped
 * (`s.request = functools.partial(s.request, timeout=10)`). Its calls do time out.
 */
function timedByDefault(text: string, session: string): boolean {
  const name = session.replace(/\./g, '\\.');
  if (new RegExp(`(?:^|[^\\w.])${name}\\.request[ \\t]*=[ \\t]*[^\\n]*\\btimeout[ \\t]*=`, 'm').test(text)) return true;
  const mounts = [
    ...text.matchAll(new RegExp(`(?:^|[^\\w.])${name}\\.mount\\([^,\\n]+,[ \\t]*([\\w.]+)(\\([^\\n]*)?`, 'gm')),
  ];
  if (mounts.length === 0) return false;
  const timedClasses = new Set<string>();
  for (const match of text.matchAll(ADAPTER_CLASS)) if (/\btimeout\b/.test(match[2])) timedClasses.add(match[1]);
  const timedConstruction = (callee: string, args: string): boolean =>
    /\btimeout[ \t]*=/.test(args) || timedClasses.has(callee.split('.').pop() ?? '');
  return mounts.some(([, adapter, args]) => {
    if (args !== undefined) return timedConstruction(adapter, args);
    // `adapter = TimeoutHTTPAdapter(timeout=5)` earlier, then `s.mount("https://", adapter)`.
    const bound = new RegExp(
      `(?:^|[^\\w.])${adapter.replace(/\./g, '\\.')}[ \\t]*=[ \\t]*([\\w.]+)\\(([^\\n]*)`,
      'm',
    ).exec(text);
    return !!bound && timedConstruction(bound[1], bound[2]);
  });
}

/** `session: requests.Session`, `s: Session` (imported from requests), `requests.sessions.Session`. */
const SESSION_ANNOTATION = /^(?:(\w+)\.(?:sessions\.)?)?Session$/;
const SESSION_IMPORTED = /^[ \t]*from[ \t]+requests(?:\.sessions)?[ \t]+import[ \t]+[^\n]*\bSession\b/m;
/** A function's header: its indentation, name and where its parameter list opens. */
const DEF_HEADER = /^([ \t]*)(?:async[ \t]+)?def[ \t]+(\w+)[ \t]*\(/gm;

interface DefHeader {
  start: number;
  indent: number;
  name: string;
  /** The parameters as written (`session: requests.Session`), split at the list's own commas. */
  parameters: string[];
}

const defHeadersByFile = new WeakMap<CheckInput, DefHeader[]>();

/** The file's `def` headers, read from the text (no tree reads): one pass per file. */
function defHeaders(input: CheckInput): DefHeader[] {
  let found = defHeadersByFile.get(input);
  if (found) return found;
  found = [];
  const text = input.text;
  for (const match of text.matchAll(DEF_HEADER)) {
    const open = match.index + match[0].length - 1;
    const close = closingBracket(text, open);
    if (close < 0) continue;
    const parameters: string[] = [];
    let depth = 0;
    let from = open + 1;
    for (let at = open + 1; at <= close; at += 1) {
      const c = text[at];
      if (c === '(' || c === '[' || c === '{') depth += 1;
      else if ((c === ')' || c === ']' || c === '}') && at < close) depth -= 1;
      else if ((c === ',' && depth === 0) || at === close) {
        const piece = text.slice(from, at).trim();
        if (piece) parameters.push(piece);
        from = at + 1;
      }
    }
    found.push({ start: match.index, indent: match[1].length, name: match[2], parameters });
  }
  defHeadersByFile.set(input, found);
  return found;
}

/**
 * The function a position is in, from the text: the last `def` before it indented less than its line
 * (a function defined and ended earlier at the same depth is a sibling, not a parent).
 */
function enclosingDef(input: CheckInput, at: number): DefHeader | undefined {
  const text = input.text;
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  const indent = /^[ \t]*/.exec(text.slice(lineStart, Math.min(at, lineStart + 200)))?.[0].length ?? 0;
  let found: DefHeader | undefined;
  for (const header of defHeaders(input)) {
    if (header.start >= lineStart) break;
    if (header.indent < indent) found = header;
  }
  return found;
}

/**
 * The call is on a requests session: a name the module binds to one (`self.session = requests.Session()`),
 * or a parameter of the function around it that holds one, annotated so
 * (`def fetch(session: requests.Session, url)`) or given one by every call of the function in the
 * module that passes that argument (`order_status(self.session, base, order_id)`). The session's calls
 * have no default timeout either.
 */
function onRequestsSession(input: CheckInput, call: Call): boolean {
  const object = call.object;
  if (object === undefined) return false;
  const { modules, sessions } = requestsNames(input);
  if (sessions.has(object)) return true;
  if (!/^[A-Za-z_]\w*$/.test(object) || (sessions.size === 0 && !input.text.includes('Session'))) return false;
  const header = enclosingDef(input, call.node.startIndex);
  if (!header) return false;
  const index = header.parameters.findIndex((parameter) => new RegExp(`^${object}\\b(?!\\s*[.(])`).test(parameter));
  if (index < 0) return false;
  const annotation = /^\w+\s*:\s*([\w.]+)/.exec(header.parameters[index])?.[1];
  const typed = annotation ? SESSION_ANNOTATION.exec(annotation) : null;
  if (typed) return typed[1] === undefined ? SESSION_IMPORTED.test(input.text) : modules.has(typed[1]);
  if (sessions.size === 0) return false;
  // A method called on `self` is not passed its first parameter.
  const method = /^(?:self|cls)\b/.test(header.parameters[0] ?? '');
  const passed: string[] = [];
  for (const site of calls(input)) {
    if (site.name !== header.name) continue;
    if (method ? site.object !== 'self' && site.object !== 'cls' : site.object !== undefined) continue;
    const given = site.positional[index - (method ? 1 : 0)] ?? keywordValue(site, object);
    if (given) passed.push(given.text);
  }
  return passed.length > 0 && passed.every((text) => sessions.has(text));
}

/**
 * The standard library's HTTP clients and urllib3's pools, which wait on the socket module's global
 * timeout: None (block forever) unless the program calls `socket.setdefaulttimeout(…)`.
 * `urllib.request.urlopen(url, data, timeout)`, `http.client.HTTPConnection(host, port, timeout)` /
 * `HTTPSConnection`: the timeout is a keyword or the third argument. urllib3's `PoolManager(…)` /
 * `ProxyManager(…)` take `timeout=` for all their requests (its module-level `urllib3.request()` has a
 * 3 s default and is not one of these). Names as the file imports them: the dotted path,
 * `from urllib import request` then `request.urlopen`, `from urllib.request import urlopen as fetch`.
 */
const STDLIB_CLIENTS: ReadonlyArray<{ module: string; names: RegExp; timeoutAt?: number }> = [
  { module: 'urllib.request', names: /^urlopen$/, timeoutAt: 2 },
  { module: 'http.client', names: /^HTTPS?Connection$/, timeoutAt: 2 },
  { module: 'urllib3', names: /^(?:PoolManager|ProxyManager)$/ },
  { module: 'urllib3.poolmanager', names: /^(?:PoolManager|ProxyManager)$/ },
];
const FROM_IMPORT = /^[ \t]*from[ \t]+([\w.]+)[ \t]+import[ \t]+\(?([^\n)]*)/gm;

const stdlibClientsByFile = new WeakMap<CheckInput, Map<string, (typeof STDLIB_CLIENTS)[number]>>();

/** The callee texts that name one of STDLIB_CLIENTS in this file (`urllib.request.urlopen`, `urlopen`, `request.urlopen`). */
function stdlibClients(input: CheckInput): Map<string, (typeof STDLIB_CLIENTS)[number]> {
  let found = stdlibClientsByFile.get(input);
  if (found) return found;
  found = new Map();
  stdlibClientsByFile.set(input, found);
  const text = input.text;
  if (!/urlopen|HTTPS?Connection|PoolManager|ProxyManager/.test(text) || /\bsocket\.setdefaulttimeout\s*\(/.test(text))
    return found;
  for (const known of STDLIB_CLIENTS) {
    // `import urllib.request` / `import urllib3`: the dotted path.
    if (new RegExp(`^[ \\t]*import[ \\t]+${known.module.replace(/\./g, '\\.')}\\b`, 'm').test(text))
      for (const name of ['urlopen', 'HTTPConnection', 'HTTPSConnection', 'PoolManager', 'ProxyManager'])
        if (known.names.test(name)) found.set(`${known.module}.${name}`, known);
  }
  for (const match of text.matchAll(FROM_IMPORT)) {
    const [, module, list] = match;
    for (const piece of list.split(',')) {
      const [name, alias] = piece.trim().split(/[ \t]+as[ \t]+/);
      if (!name) continue;
      for (const known of STDLIB_CLIENTS) {
        // `from urllib.request import urlopen`, `from urllib3 import PoolManager as Pool`.
        if (module === known.module && known.names.test(name)) found.set(alias ?? name, known);
        // `from urllib import request`, `from http import client as hc`: the submodule by its name.
        const dot = known.module.lastIndexOf('.');
        if (dot > 0 && module === known.module.slice(0, dot) && name === known.module.slice(dot + 1))
          for (const member of ['urlopen', 'HTTPConnection', 'HTTPSConnection'])
            if (known.names.test(member)) found.set(`${alias ?? name}.${member}`, known);
      }
    }
  }
  return found;
}

/** `pool = urllib3.PoolManager()`: whether every request the file makes on `pool` passes `timeout=` (and it makes one). */
function poolRequestsTimed(input: CheckInput, call: Call): boolean {
  const line = input.text.slice(input.text.lastIndexOf('\n', call.node.startIndex) + 1, call.node.startIndex);
  const name = /([A-Za-z_][\w.]*)[ \t]*=[ \t]*$/.exec(line)?.[1];
  if (!name) return false;
  let requests = 0;
  for (const site of calls(input)) {
    if (site.object !== name || !/^(?:request|urlopen|request_encode_body|request_encode_url)$/.test(site.name))
      continue;
    requests += 1;
    if (site.hasKwargsSplat) continue;
    const given = keywordValue(site, 'timeout');
    if (!given || given.type === 'none') return false;
  }
  return requests > 0;
}

/** `aiohttp.ClientTimeout()` / `ClientTimeout(total=None)` (imported from aiohttp): none of its four bounds set. */
function unboundedAiohttpTimeout(input: CheckInput, call: Call): boolean {
  const fromModule =
    call.object !== undefined && /^[ \t]*import[ \t]+aiohttp\b/m.test(input.text) && call.object === 'aiohttp';
  const imported =
    call.object === undefined && /^[ \t]*from[ \t]+aiohttp[ \t]+import[ \t]+[^\n]*\bClientTimeout\b/m.test(input.text);
  if ((!fromModule && !imported) || call.hasKwargsSplat) return false;
  if (call.positional.some((arg) => arg.type !== 'none')) return false;
  return ['total', 'connect', 'sock_read', 'sock_connect'].every((key) => {
    const value = keywordValue(call, key);
    return !value || value.type === 'none';
  });
}

/** A call of a standard-library client (or urllib3 pool) with no timeout; undefined otherwise. */
function stdlibCallWithoutTimeout(input: CheckInput, call: Call): string | undefined {
  const known = stdlibClients(input).get(call.text);
  if (!known || call.hasKwargsSplat) return undefined;
  const given =
    keywordValue(call, 'timeout') ?? (known.timeoutAt !== undefined ? call.positional[known.timeoutAt] : undefined);
  if (given && given.type !== 'none') return undefined;
  // `urlopen("file:///…")`, `urlopen("data:image/png;base64,…")`: a local file or inline data, no server to wait for.
  const target = unwrap(call.positional[0] ?? keywordValue(call, 'url') ?? null);
  if (target?.type === 'string' && /^[A-Za-z]*["']{1,3}(?:file|data):/i.test(target.text)) return undefined;
  if (known.timeoutAt !== undefined)
    return call.positional.length > 0 || call.keywords.size > 0 ? known.module : undefined;
  return poolRequestsTimed(input, call) ? undefined : known.module;
}

const httpNoTimeout: RuleChecker = (input) => {
  const { modules } = requestsNames(input);
  for (const call of calls(input)) {
    const viaModule = call.object !== undefined && modules.has(call.object) && REQUESTS_METHODS.has(call.name);
    const viaSession = (REQUESTS_METHODS.has(call.name) || call.name === 'send') && onRequestsSession(input, call);
    if (!viaModule && !viaSession) {
      const stdlib = stdlibCallWithoutTimeout(input, call);
      if (stdlib) {
        const pool = stdlib.startsWith('urllib3');
        input.report(
          call.node,
          'http-no-timeout',
          pool
            ? `\`${call.text}(…)\` without \`timeout=\` makes a pool whose requests use the socket default, no timeout: a server that stops answering holds each of them forever.`
            : `\`${call.text}\` has no timeout: ${stdlib} waits on the socket default, which is none unless \`socket.setdefaulttimeout\` is called, so a server that stops answering holds this call forever.`,
          pool
            ? 'Pass `timeout=urllib3.Timeout(connect=…, read=…)` (or seconds) when making the pool, or on every request.'
            : 'Pass `timeout=` in seconds.',
        );
        continue;
      }
      // aiohttp's sessions stop a request after 300 s in all; a `ClientTimeout` with no bound set
      // (`ClientTimeout()`, `ClientTimeout(total=None)`) given to a session or a request turns that off.
      if (call.name === 'ClientTimeout' && unboundedAiohttpTimeout(input, call)) {
        input.report(
          call.node,
          'http-no-timeout',
          `\`${call.text}(…)\` sets no bound: it replaces aiohttp's default (300 s in all) with none, so a server that stops answering holds the request forever.`,
          'Give it a bound: `ClientTimeout(total=30)` (or `sock_connect=` and `sock_read=`).',
        );
        continue;
      }
      // httpx has a default timeout (5 s); `timeout=None` on a call or a client turns it off.
      const viaHttpx = call.object === 'httpx' && (REQUESTS_METHODS.has(call.name) || HTTPX_CLIENTS.has(call.name));
      if (viaHttpx && keywordValue(call, 'timeout')?.type === 'none')
        input.report(
          call.node,
          'http-no-timeout',
          `\`${call.text}(timeout=None)\` turns off httpx's default timeout: a server that stops answering holds this call forever.`,
          'Pass a timeout in seconds (`timeout=10`) or an `httpx.Timeout(...)`.',
        );
      continue;
    }
    if (call.hasKwargsSplat || (call.positional.length === 0 && !call.keywords.has('url'))) continue;
    // `timeout=None` is the default spelled out: still no timeout.
    if (call.keywords.has('timeout') && keywordValue(call, 'timeout')?.type !== 'none') continue;
    const argumentList = field(call.node, 'arguments');
    let edit;
    if (argumentList && !call.keywords.has('timeout')) {
      const close = argumentList.endIndex - 1;
      const before = input.text.slice(argumentList.startIndex, close).trimEnd();
      const insertAt = argumentList.startIndex + before.length;
      edit = { start: insertAt, end: insertAt, newText: before.endsWith(',') ? ' timeout=10' : ', timeout=10' };
    }
    input.report(
      call.node,
      'http-no-timeout',
      `\`${call.text}\` has no timeout: requests waits forever for a server that stops answering.`,
      'Pass `timeout=` (seconds, or a (connect, read) tuple) on every call, or use a Session wrapper that sets one.',
      edit,
    );
  }
};

/**
 * The first `return` in a `finally` block, or a `break`/`continue` that leaves the loop around the
 * `try` (one of a loop inside the block is its own): each ends the `finally` without re-raising the
 * exception in flight. Nested functions and classes run elsewhere.
 */
function leavesFinally(block: Node | null, inLoop: boolean): Node | null {
  for (const child of named(block)) {
    const type = child.type;
    if (type === 'return_statement') return child;
    if (!inLoop && (type === 'break_statement' || type === 'continue_statement')) return child;
    if (FUNCTIONS.has(type) || type === 'class_definition' || type === 'decorated_definition') continue;
    const inner = leavesFinally(child, inLoop || LOOPS.has(type));
    if (inner) return inner;
  }
  return null;
}

/**
 * `except Exception: flash("failed") … finally: return redirect(…)`: a handler of every error that does
 * not raise again already decided what a failure does; the `finally` then swallows only what that
 * handler itself raises.
 */
function handlesEverything(tryStatement: Node | null): boolean {
  return named(tryStatement).some((clause) => {
    if (clause.type !== 'except_clause') return false;
    const caught = named(clause).find((child) => child.type !== 'block');
    const inner = caught?.type === 'as_pattern' ? named(caught)[0] : caught;
    if (inner && !BROAD_CATCH.test(inner.text.split('.').pop() ?? '')) return false;
    const block = named(clause).find((child) => child.type === 'block');
    return !!block && !/\braise\b/.test(block.text);
  });
}

function isSilentBlock(block: Node | null): boolean {
  if (!block) return false;
  const statements = named(block);
  return (
    statements.length > 0 &&
    statements.every(
      (statement) =>
        statement.type === 'pass_statement' ||
        // `except Exception: continue` in a loop drops the failure and the item with it.
        statement.type === 'continue_statement' ||
        (statement.type === 'expression_statement' &&
          named(statement).length === 1 &&
          named(statement)[0].type === 'ellipsis'),
    )
  );
}

/**
 * Handlers that drop failures nobody foresaw: a bare `except:`, `Exception`/`BaseException`, and
 * I/O failures (`OSError`, `requests.RequestException`, `DatabaseError`, `redis.ConnectionError`).
 * A handler naming any other type (`KeyError`, `ValueError`, `Model.DoesNotExist`, a project's own
 * `NoSuchJobError`) expects that outcome: `except ValueError: pass` around `int(x)` is a deliberate idiom.
 */
const UNFORESEEN =
  /^(?:Exception|BaseException|OSError|IOError|EnvironmentError|RequestException|Timeout|\w*(?:Request|Connection|Timeout|Database|Operational|Integrity|Interface|Programming|Socket|SSL|HTTP|Http|Network|Transport|Redis|Broker)\w*(?:Error|Exception))$/;

function catchesOnlyExpectedOutcomes(caught: Node): boolean {
  const inner = caught.type === 'as_pattern' ? (named(caught)[0] ?? caught) : caught;
  const types = inner.type === 'tuple' || inner.type === 'parenthesized_expression' ? named(inner) : [inner];
  return (
    types.length > 0 &&
    types.every((type) => {
      const name = type.text.split('.').pop() ?? '';
      return !UNFORESEEN.test(name);
    })
  );
}

/** Comments inside a node, read from its text (a `#` outside strings: the handler holds only pass/...). */
function commentsIn(input: CheckInput, node: Node): Array<{ startIndex: number; text: string }> {
  const found: Array<{ startIndex: number; text: string }> = [];
  const text = input.text.slice(node.startIndex, node.endIndex);
  for (const match of text.matchAll(/#[^\n]*/g))
    found.push({ startIndex: node.startIndex + match.index, text: match[0] });
  return found;
}

/** Tool directives are no reasons: `# noqa`, `# pragma: no cover`, `# nosec`, `# type: ignore`, `# TODO`. */
const DIRECTIVE = /^#\s*(?:noqa|pragma|nosec|type:|pylint|mypy|TODO|FIXME|XXX)\b/i;

/** `pass  # can't be autojoined`: a comment of three words or more after the handler's `pass`, `continue` or `...`. */
function explainsAfterPass(text: string, comment: { startIndex: number; text: string }): boolean {
  const lineStart = text.lastIndexOf('\n', comment.startIndex - 1) + 1;
  if (!/^\s*(?:pass|continue|\.\.\.)\s*$/.test(text.slice(lineStart, comment.startIndex))) return false;
  return !DIRECTIVE.test(comment.text) && comment.text.replace(/^#/, '').trim().split(/\s+/).length >= 3;
}

/**
 * `for check in checks: try: check(); return True / except Denied: pass`, then a fallback after the
 * loop: the try ends by leaving the loop on the first success, so the handler only moves on to the
 * next alternative. A try that does not leave the loop drops each failure and is still reported.
 */
function triesNextAlternative(clause: Node): boolean {
  const tryStatement = clause.parent;
  if (tryStatement?.type !== 'try_statement') return false;
  const last = named(field(tryStatement, 'body')).pop();
  if (last?.type !== 'return_statement' && last?.type !== 'break_statement') return false;
  const block = tryStatement.parent;
  return block?.type === 'block' && block.parent?.type === 'for_statement';
}

/**
 * `if hasattr(query, "_compile_state"): try: … except Exception: pass`: the code probes an attribute
 * that only some versions have and does without it when it fails; a best-effort extra, not a lost error.
 */
function probesOptionalFeature(clause: Node): boolean {
  const block = clause.parent?.parent;
  const guard = block?.type === 'block' ? block.parent : null;
  return guard?.type === 'if_statement' && /^hasattr\(/.test(field(guard, 'condition')?.text ?? '');
}

/** The errors a database raises when a table or column is missing: before the first migration, for one. */
const SCHEMA_NOT_READY = /^(?:ProgrammingError|OperationalError)$/;
/** Functions Python runs while it loads the code: a metaclass's `__new__`, `__init_subclass__`, an AppConfig's `ready`. */
const RUNS_AT_LOAD = /^(?:__new__|__init_subclass__|__set_name__|ready)$/;

/**
 * `except ProgrammingError: pass` while the code loads (at the top of a module, in a class body, in a
 * metaclass's `__new__` or an app's `ready()`): the tables may not exist yet (a fresh database before
 * `migrate`, a management command), and the code does without what it would read. Not so in a
 * function that runs per request, where the same handler hides a failing query.
 */
function toleratesUnmigratedSchema(input: CheckInput, clause: Node): boolean {
  // From the text, no tree read: `except sqlite3.OperationalError:`, `except (ProgrammingError, OperationalError) as e:`.
  const header = /^except\s*\(?([\w.,\s]+?)\)?(?:\s+as\s+\w+)?\s*:/.exec(
    input.text.slice(clause.startIndex, clause.startIndex + 200),
  );
  const names = header?.[1].split(',');
  if (!names?.every((name) => SCHEMA_NOT_READY.test(name.trim().split('.').pop() ?? ''))) return false;
  // The innermost function's name from the text (the spans are read once per file for query-in-loop too).
  const fn = innermost(spans(input).functions, clause);
  return (
    !fn || RUNS_AT_LOAD.test(/^(?:async\s+)?def\s+(\w+)/.exec(input.text.slice(fn.start, fn.start + 200))?.[1] ?? '')
  );
}

/** Handler types that catch whatever goes wrong: no decision about one failure can be read from them. */
const BROAD_CATCH = /^(?:Exception|BaseException)$/;

/** An `except` header, over several lines when its types are in parentheses: the names caught. */
const EXCEPT_HEADER = /^except\s*\(?([\w.,\s]*?)\)?(?:\s+as\s+\w+)?\s*:/;

/**
 * A comment that says a failure is expected here (`# This will fail if the filesystem is read-only`,
 * `# may fail`, `# best effort`). Naming an error alone is no such word: `# Save the order (an error
 * here loses it)` describes the step.
 */
const EXPECTED_FAILURE =
  /\b(?:(?:it's|it is|that's|that is) (?:ok|okay|fine)|(?:may|might|can|could|will|would)(?: not)? fail|fails? (?:on|if|when|for|in|with|without|under)|may not|might not|cannot|can't|read-only|ignored?|ignoring|best[- ]effort|optional(?:ly)?|harmless|not (?:critical|fatal|required|important|needed)|(?:errors?|failures?) (?:is|are) (?:fine|ok|okay|expected|harmless|ignored))\b/i;

/** `logger.error("lost the stream, retrying")`: a statement that logs a failure at warning level or above. */
const LOGS_FAILURE =
  /^(?:await\s+)?(?:self\.|cls\.)?_*(?:log|logger|logging|LOG|LOGGER|log_?\w*)\.(?:warning|warn|error|exception|critical)\(/;

/** The lines of a text from `from` on (or backwards before it): where each starts and what it holds. */
function* linesFrom(text: string, from: number, backwards: boolean): Generator<{ indent: number; code: string }> {
  let at = from;
  while (backwards ? at > 0 : at < text.length) {
    const start = backwards ? text.lastIndexOf('\n', at - 2) + 1 : at;
    const newline = text.indexOf('\n', start);
    const end = newline < 0 ? text.length : newline;
    const line = text.slice(start, end);
    const code = line.trimStart();
    yield { indent: line.length - code.length, code: code.trimEnd() };
    at = backwards ? start : end + 1;
  }
}

/** The header of a block a try can open: `if old_key:`, `with lock:`, `else:`. */
const BLOCK_OPENER = /^(?:if|elif|else|with|async\s+with)\b[^\n]*:$/;

/**
 * Read from the text around a handler whose body is only `pass` or `continue` (no tree read): the comment lines
 * right above its `try:` say the failure is expected (`# This fails on a read-only filesystem`); or,
 * for a handler of named failures (not `Exception`), the failure is handled around it: the `try` has
 * an `else:` that runs only on success (an optional update check: nothing to do when it fails), or
 * the statement right after the `try` logs it (`except (OSError, httpx.ReadError): pass`, then
 * `logger.error("lost the connection, retrying")`).
 */
function handledAroundHandler(input: CheckInput, clause: Node): boolean {
  const text = input.text;
  const start = clause.startIndex;
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  if (text.slice(lineStart, start).trim() !== '') return false;
  const indent = start - lineStart;
  const isClause = (code: string): boolean => /^(?:except|else|finally)\b/.test(code);
  // Up to the `try:`, over its body and the handlers before this one.
  let comments: string[] | undefined;
  let tryIndent = 0;
  let opener = false;
  for (const line of linesFrom(text, lineStart, true)) {
    if (comments) {
      if (line.code.startsWith('#')) {
        comments.push(line.code);
        continue;
      }
      // `# If this fails it's OK …` above `if old_key:` whose block opens with the try: the comment is the
      // block's, and the try is all the block does first.
      if (comments.length > 0 || opener || line.indent >= tryIndent || !BLOCK_OPENER.test(line.code)) break;
      opener = true;
      continue;
    }
    if (line.code === '' || line.code.startsWith('#') || line.indent > indent) continue;
    if (line.indent < indent) return false;
    if (/^try\s*:/.test(line.code)) {
      comments = [];
      tryIndent = line.indent;
    } else if (!isClause(line.code)) return false;
  }
  if (comments?.some((comment) => !DIRECTIVE.test(comment) && EXPECTED_FAILURE.test(comment))) return true;
  const header = EXCEPT_HEADER.exec(text.slice(start, start + 300));
  const names = header?.[1]
    .split(',')
    .map((name) => name.trim().split('.').pop() ?? '')
    .filter((name) => name !== '');
  if (!header || !names?.length || names.some((name) => BROAD_CATCH.test(name))) return false;
  // Down past the handlers to the `else:` or the statement after the `try`; a handler that
  // `continue`s never reaches that statement.
  const headerEnd = text.indexOf('\n', start + header[0].length);
  if (headerEnd < 0) return false;
  let continues: boolean | undefined;
  for (const line of linesFrom(text, headerEnd + 1, false)) {
    if (line.code === '' || line.code.startsWith('#')) continue;
    continues ??= line.code.startsWith('continue');
    if (line.indent > indent) continue;
    if (line.indent < indent) return false;
    if (/^else\s*:/.test(line.code)) return true;
    if (!isClause(line.code)) return !continues && LOGS_FAILURE.test(line.code);
  }
  return false;
}

/**
 * Calls that act on the world wherever they stand in a try (a value of `x = Model.objects.create(…)`
 * too): database writes and transactions, network requests, mail and messages, files written or
 * removed, processes run, tasks queued. Reading is not acting: `int(s)`, `re.findall(…)[0]`,
 * `d.get(k)`, `subprocess.check_output(["git", "describe"])`, `fcntl.ioctl(…)`.
 */
const ACTION_CALL = new RegExp(
  [
    // The database, read or written (Django's managers, SQLAlchemy, DB-API, Mongo): a failing query is lost too.
    String.raw`\.objects\.|\.(?:get_or_create|update_or_create|bulk_create|bulk_update|commit|rollback|flush|execute|executemany|executescript|query|scalars?|insert_one|insert_many|update_one|update_many|delete_one|delete_many|replace_one)\s*\(`,
    // Network, mail, messages, queued work.
    String.raw`(?:^|[^\w.])(?:requests|httpx|aiohttp|urllib3|urllib\.request)\.\w+\s*\(|\burlopen\s*\(|\.(?:post|put|patch|request|stream|urlopen|fetch\w*|send\w*|publish|emit|notify\w*|enqueue|delay|apply_async|upload\w*|download\w*|login|connect)\s*\(|\bsend_\w*mail\w*\s*\(`,
    // Files and processes.
    String.raw`(?<!\bsys\.std(?:err|out))\.(?:write|writelines|write_text|write_bytes|dump|touch|unlink|kill|terminate)\s*\(|\b(?:os|shutil)\.(?:remove|unlink|rename|replace|rmdir|removedirs|makedirs|mkdir|chmod|chown|symlink|move|copy\w*|rmtree|system|popen|exec\w*|spawn\w*|kill)\s*\(|\bsubprocess\.(?:run|call|check_call|Popen)\s*\(`,
  ].join('|'),
);

/**
 * A function or method named for an action (`record.save()`, `sku.reserve_backorder()`,
 * `ping_supplier()`, `send_invite(…)`), wherever its call stands: its result may be kept, but the
 * call acts. Getters, parsers and accessors (`scrape.title()`, `parse_time(s)`, `get_minutes(t)`)
 * are named otherwise.
 */
const ACTION_VERB =
  /^_*(?:save|create|insert|update|upsert|delete|remove|destroy|drop|purge|reset|add|put|post|send|publish|emit|notify|dispatch|enqueue|schedule|submit|commit|rollback|flush|write|store|persist|upload|download|import|export|sync|charge|pay|refund|reserve|book|cancel|ping|invoke|execute|exec|run|start|stop|restart|kill|terminate|register|unregister|subscribe|unsubscribe|connect|disconnect|login|logout|grant|revoke|approve|reject|activate|deactivate|enable|disable|move|rename|attach|detach|install|uninstall|migrate|process|handle|increment|decrement|incr|decr|push|set)(?:_|[A-Z\d]|$)/;

/** A name called in code: `name(`, `.name(`. */
const CALLED_NAME = /\b([A-Za-z_]\w*)\s*\(/g;
/** Methods that change a collection the function holds when called on a plain name (`seen.add(x)`, `d.update(e)`). */
const PLAIN_COLLECTION_METHODS = new Set(['add', 'update', 'remove', 'discard']);

/** Some call in `code` (strings emptied) is named for an action (ACTION_VERB), not for a collection of the function's. */
function callsAnAction(code: string): boolean {
  for (const match of code.matchAll(CALLED_NAME)) {
    const name = match[1];
    if (!ACTION_VERB.test(name)) continue;
    // What the method is called on: back to a space, an operator or an opening bracket (`a.b[k]`, `f(x)`).
    const receiver = /([^\s=,:;({]*)\.\s*$/.exec(code.slice(Math.max(0, match.index - 120), match.index));
    // The built-in `set(…)`, and a function defined here (`def save(…)`), call nothing.
    if (!receiver) {
      if (name !== 'set' && !/\bdef\s+$/.test(code.slice(Math.max(0, match.index - 8), match.index))) return true;
      continue;
    }
    // `sys.stderr.write(…)`, `log.set_level(…)`: output.
    if (SAYS_SOMETHING.test(`${receiver[1]}.${name}`)) continue;
    // `seen.add(x)` fills the function's own set; `recipe.tags.add(t)` links rows.
    if (PLAIN_COLLECTION_METHODS.has(name) && /^[A-Za-z_]\w*(?:\[[^\]]*\])*$/.test(receiver[1])) continue;
    // `app.config.update(values)`: a dict held on an object (`qs.filter(…).update(…)` writes rows).
    if (name === 'update' && /^[A-Za-z_][\w.]*$/.test(receiver[1])) continue;
    return true;
  }
  return false;
}

/** Calls made for their effect on a value the function holds, or to say something: they act on nothing outside it. */
const LOCAL_EFFECT =
  /^(?:append|extend|insert|appendleft|extendleft|setdefault|update|pop|popleft|discard|sort|reverse)$/;
/** Writing to the log or the console: `logger.debug(…)`, `print(…)`, `sys.stderr.write(…)`, `warnings.warn(…)`. */
const SAYS_SOMETHING =
  /^(?:print|warnings\.warn|traceback\.print_\w+|sys\.(?:stderr|stdout)\.write|(?:self\.|cls\.)?_*(?:log|logger|logging|LOG|LOGGER)\w*\.\w+)$/;
/** Reading configuration or data in: `app.config.from_pyfile(path)`, `parser.read(path)`, `load_dotenv()`. */
const READS_IN = /^(?:read\w*|load\w*|from_\w+|parse\w*|import_module|__import__)$/;
/** Statements that compute or leave: nothing in them acts by itself (their calls are read apart). */
const PLAIN_STATEMENTS = new Set([
  'return_statement',
  'pass_statement',
  'break_statement',
  'continue_statement',
  'import_statement',
  'import_from_statement',
  'raise_statement',
  'delete_statement',
  'assert_statement',
  'comment',
]);
/** Statements made of blocks: each block (and each `elif`/`else`/`except`/`finally` clause's) is read in turn. */
const COMPOUND_STATEMENTS = new Set([
  'if_statement',
  'for_statement',
  'while_statement',
  'try_statement',
  'with_statement',
]);
const CLAUSES = new Set(['elif_clause', 'else_clause', 'except_clause', 'finally_clause']);

/** A call standing as a statement (`items.append(x)`, `print(x)`) that acts on nothing outside the function. */
function statementCallComputes(call: Node): boolean {
  const fn = field(call, 'function');
  if (!fn) return false;
  const text = fn.text.replace(/\s+/g, '');
  if (SAYS_SOMETHING.test(text)) return true;
  if (fn.type === 'identifier') return READS_IN.test(text);
  if (fn.type !== 'attribute') return false;
  const method = field(fn, 'attribute')?.text ?? '';
  const owner = field(fn, 'object');
  if (READS_IN.test(method)) return true;
  // `seen.add(x)` fills a set; `recipe.tags.add(tag)` links rows (a related manager).
  if (method === 'add') return owner?.type === 'identifier';
  // `d.update(other)` fills a dict; `Model.objects.filter(…).update(…)` writes rows.
  return LOCAL_EFFECT.test(method) && !!owner && !owner.text.includes('(');
}

/** The blocks of a compound statement or clause (its `elif`/`else`/`except`/`finally` clauses' too) compute only. */
function partsCompute(node: Node): boolean {
  return named(node).every((part) =>
    part.type === 'block' ? blockComputes(part) : !CLAUSES.has(part.type) || partsCompute(part),
  );
}

/** Every statement of a block (and of the blocks inside it) computes a value: see computesOnly. */
function blockComputes(block: Node): boolean {
  return named(block).every((statement) => {
    const type = statement.type;
    if (PLAIN_STATEMENTS.has(type)) return true;
    if (COMPOUND_STATEMENTS.has(type)) return partsCompute(statement);
    if (type !== 'expression_statement') return false;
    return named(statement).every((expression) => {
      const inner = expression.type === 'await' ? (named(expression)[0] ?? expression) : expression;
      return inner.type !== 'call' || statementCallComputes(inner);
    });
  });
}

/** `open(path, "w")`, `open(p, mode="ab")`: a file opened to be written. */
const OPENS_FOR_WRITING = /\bopen\s*\([^)]*,\s*(?:mode\s*=\s*)?[rRbB]?["'][rbt]*[wax+]/;

/** The text of code with its string literals emptied (`"a.save()"` → `""`), so only code is searched. */
function withoutStrings(code: string): string {
  return code.replace(/("""|''')[\s\S]*?\1|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, '""').replace(/#[^\n]*/g, '');
}

/** The `try` statement an `except` clause belongs to, and its body; null for a clause outside one. */
function tryOf(clause: Node): { tryStatement: Node | null; body: Node | null } {
  const tryStatement = clause.parent?.type === 'try_statement' ? clause.parent : null;
  return { tryStatement, body: tryStatement ? field(tryStatement, 'body') : null };
}

/** Errors of a connection, a timeout or the operating system: the read failed, not the data. */
const IO_ERROR =
  /^(?:OSError|IOError|EnvironmentError|TimeoutError|\w*Timeout|RequestException|URLError|HTTPError|\w*Connection\w*Error)$/;
/** Calls that write or send what they are given: `client.write(path, data)`, `store.save(k, v)`, `create_or_update_secret(…)`. */
const WRITE_CALL =
  /\b(?:write\w*|save\w*|put\w*|upload\w*|store|persist\w*|upsert\w*|create_or_update\w*|update_\w+|replace\w*|dump\w*|set_\w+|send\w*|post)\s*\(/g;

/** Whether one of `names` is in the arguments of a write call in `code`. */
function writesName(code: string, names: string[]): boolean {
  for (const match of code.matchAll(WRITE_CALL)) {
    const open = match.index + match[0].length - 1;
    const close = closingBracket(code, open);
    const args = code.slice(open + 1, close < 0 ? code.length : close);
    if (names.some((name) => new RegExp(`\\b${name}\\b`).test(args))) return true;
  }
  return false;
}

/**
 * `try: keys = vault.read(path) except ConnectionError: pass` and then the keys, still the default,
 * written back (`vault.write(path, keys)`), in the function or by a caller of the file given them
 * (`keys = read_keys(path); keys[name] = value; client.write(path, keys)`): a failed read is not a
 * missing value; the write replaces what was stored with the default. The parse-or-default idiom holds
 * for a value read; not for an I/O error's default that goes back to the store.
 */
function writesBackIoDefault(input: CheckInput, clause: Node, caught: Node | undefined): boolean {
  const inner = caught?.type === 'as_pattern' ? named(caught)[0] : caught;
  if (!inner) return false;
  const types = inner.type === 'tuple' || inner.type === 'parenthesized_expression' ? named(inner) : [inner];
  if (!types.some((type) => type.text === 'socket.error' || IO_ERROR.test(type.text.split('.').pop() ?? '')))
    return false;
  const { tryStatement, body } = tryOf(clause);
  if (!tryStatement || !body) return false;
  const text = input.text;
  const names = [
    ...text.slice(body.startIndex, body.endIndex).matchAll(/^[ \t]*([A-Za-z_]\w*)[ \t]*(?::[^=\n]*)?=(?!=)/gm),
  ].map((match) => match[1]);
  if (names.length === 0) return false;
  const fn = innermost(spans(input).functions, clause);
  const after = text.slice(clause.endIndex, fn ? fn.end : text.length);
  if (writesName(after, names)) return true;
  // Returned, then written back by a caller in the file: `secret = get_secret(…)` … `write(…, secret…)`.
  if (!fn || !names.some((name) => new RegExp(`^[ \\t]*return[ \\t]+${name}[ \\t]*$`, 'm').test(after))) return false;
  const header = /^(?:async[ \t]+)?def[ \t]+(\w+)/.exec(text.slice(fn.start, fn.start + 200))?.[1];
  if (!header) return false;
  for (const call of text.matchAll(
    new RegExp(`^([ \\t]*)([A-Za-z_]\\w*)[ \\t]*=[ \\t]*(?:self\\.|cls\\.)?${header}\\(`, 'gm'),
  )) {
    if (call.index >= fn.start && call.index < fn.end) continue;
    // The caller's statements after the call, while they stay indented at least as deep.
    const rest = text.slice(call.index + call[0].length);
    const lines: string[] = [];
    for (const line of rest.split('\n').slice(1)) {
      if (line.trim() === '') continue;
      if ((/^[ \t]*/.exec(line)?.[0].length ?? 0) < call[1].length) break;
      lines.push(line);
      if (lines.length > 200) break;
    }
    if (writesName(lines.join('\n'), [call[2]])) return true;
  }
  return false;
}

/**
 * `try: width = int(os.environ["COLUMNS"]) except Exception: pass`: a try whose body only computes
 * values (assignments, `x += parse(…)`, `keywords.append(name)`, `re.findall(…)[0]`, imports, an
 * optional config file read in, a log line) is the parse-or-default idiom: when it fails, the target
 * keeps its default and the code after the try carries on with it. A try that acts (a row saved or
 * deleted, a request sent, a file written, a process run: ACTION_CALL; or any other call standing as
 * a statement, `cache.set(…)`, `recipe.tags.add(…)`) loses that action silently and is reported.
 */
function computesOnly(input: CheckInput, clause: Node): boolean {
  const { tryStatement, body } = tryOf(clause);
  if (!tryStatement || !body) return false;
  // A try a `while` repeats (a reader that reconnects, a poll): each failure is dropped again, unseen.
  if (tryStatement.parent?.parent?.type === 'while_statement') return false;
  const code = input.text.slice(body.startIndex, body.endIndex);
  if (OPENS_FOR_WRITING.test(code)) return false;
  const bare = withoutStrings(code);
  if (ACTION_CALL.test(bare) || callsAnAction(bare)) return false;
  return blockComputes(body);
}

/** An HTTP read: `requests.get(…)`, `session.head(…)`, `httpx.get(…)`, `self.client.get(…)` asks and changes nothing. */
const HTTP_READ = /\b(?:requests|httpx|[\w.]*session|[\w.]*client)\.(?:get|head)\s*\(/gi;

/**
 * `try: r = requests.head(url, timeout=5); if r.ok: return r.headers[…] except RequestException: pass`,
 * then another attempt or `return None`; or `latest = None; try: latest = requests.get(…).json()[…]
 * except RequestException: pass`, then `if latest is not None:`. A handler of named failures (not
 * `Exception`) around a read (an HTTP GET/HEAD, computing values; nothing written, sent or run) whose
 * function does without the result: the try returns on success and the function goes on to its
 * fallback, or a name the try sets keeps a default given before it that the code after tests. The
 * failure becomes the "unknown" answer the function is written to give; not a lost error.
 */
function fallsBackAfterFailedRead(input: CheckInput, clause: Node): boolean {
  // The types caught, from the text (no tree read): named failures only.
  const names = EXCEPT_HEADER.exec(input.text.slice(clause.startIndex, clause.startIndex + 300))?.[1]
    .split(',')
    .map((name) => name.trim().split('.').pop() ?? '')
    .filter((name) => name !== '');
  if (!names?.length || names.some((name) => BROAD_CATCH.test(name))) return false;
  const { tryStatement, body } = tryOf(clause);
  if (!tryStatement || !body) return false;
  const block = tryStatement.parent;
  const fn = block?.parent;
  if (block?.type !== 'block' || !fn || fn.type !== 'function_definition') return false;
  const code = input.text.slice(body.startIndex, body.endIndex);
  if (OPENS_FOR_WRITING.test(code)) return false;
  const bare = withoutStrings(code).replace(HTTP_READ, 'read(');
  if (ACTION_CALL.test(bare) || callsAnAction(bare)) return false;
  const after = input.text.slice(tryStatement.endIndex, fn.endIndex);
  // The try leaves with the answer; what follows it is the fallback.
  if (/\breturn\b/.test(bare) && after.trim() !== '') return true;
  const before = input.text.slice(fn.startIndex, tryStatement.startIndex);
  return [...code.matchAll(/^[ \t]*([A-Za-z_]\w*)[ \t]*(?::[^=\n]*)?=(?!=)/gm)].some(([, name]) => {
    if (!new RegExp(`^[ \\t]*${name}[ \\t]*(?::[^=\\n]*)?=(?!=)`, 'm').test(before)) return false;
    return new RegExp(
      `\\b${name}[ \\t]+is[ \\t]+(?:not[ \\t]+)?None\\b|\\b(?:if|elif)[ \\t]+(?:not[ \\t]+)?${name}[ \\t]*:|\\b${name}[ \\t]*[=!]=`,
    ).test(after);
  });
}

/**
 * `try: from optional_lib import Thing … Image.register_open("X", factory) except Exception: pass` at
 * the top of a module: the block exists only if the optional dependency imports, and it only defines
 * and registers what the dependency adds. Without it the feature is absent, which is the design.
 */
function registersOptionalDependency(clause: Node): boolean {
  if (clause.startPosition.column !== 0) return false;
  const { tryStatement, body } = tryOf(clause);
  if (!tryStatement || !body || tryStatement.parent?.type !== 'module') return false;
  const statements = named(body).filter((statement) => statement.type !== 'comment');
  const first = statements[0]?.type;
  if (first !== 'import_statement' && first !== 'import_from_statement') return false;
  return statements.every((statement) => {
    const type = statement.type;
    if (
      type === 'import_statement' ||
      type === 'import_from_statement' ||
      type === 'function_definition' ||
      type === 'class_definition' ||
      type === 'decorated_definition'
    )
      return true;
    if (type !== 'expression_statement') return false;
    const call = named(statement)[0];
    const fn = call?.type === 'call' ? field(call, 'function') : null;
    const name = fn?.type === 'attribute' ? field(fn, 'attribute')?.text : fn?.text;
    return /^(?:register|add)(?:_\w+)?$/.test(name ?? '');
  });
}

/** A statement that only lets go of a resource: `tmp.unlink()`, `os.remove(path)`, `conn.close()`, `proc.kill()`. */
const RELEASES =
  /^(?:await\s+)?[\w.\[\]"']*\.(?:unlink|remove|rmdir|rmtree|removedirs|close|aclose|terminate|kill|shutdown|stop|release|disconnect|cleanup)\s*\((?:[^()]|\([^()]*\))*\)\s*$/;

/** `os.kill(pid, 0)`, `os.killpg(group, 0)`: a liveness probe. */
const SIGNAL_ZERO_PROBE = /^(?:os\.)?kill(?:pg)?\(\s*[^,()]+(?:\([^()]*\))?\s*,\s*0\s*\)$/;

/**
 * `finally: try: tmp.unlink() except OSError: pass`, or the same in an `except` that goes on to
 * raise or report the first failure: a try that only releases a resource (a temporary file, a
 * connection, a child process) on the way out of a failed or finished operation. Its own failure
 * would hide the one being handled, and the resource is gone or going either way.
 */
function cleansUpOnTheWayOut(input: CheckInput, clause: Node): boolean {
  const { tryStatement, body } = tryOf(clause);
  if (!tryStatement || !body) return false;
  const statements = named(body);
  if (statements.length === 0 || statements.length > 3) return false;
  const code = statements.map((statement) => input.text.slice(statement.startIndex, statement.endIndex));
  // `os.kill(pid, 0)` sends nothing: it asks whether the process is there, and the error is the answer.
  if (code.length === 1 && SIGNAL_ZERO_PROBE.test(code[0])) return true;
  if (!code.every((line) => RELEASES.test(line))) return false;
  for (const at of climb(tryStatement)) {
    if (at.type === 'finally_clause' || at.type === 'except_clause') return true;
    if (at.type === 'function_definition' || at.type === 'class_definition') return false;
  }
  return false;
}

const silentCatch: RuleChecker = (input) => {
  const found: Array<{ at: Node; group: number }> = [];
  for (const clause of input.nodesOfType('except_clause')) {
    const block = named(clause).find((child) => child.type === 'block') ?? null;
    if (!isSilentBlock(block)) continue;
    const caught = named(clause).find((child) => child.type !== 'block');
    if (caught && catchesOnlyExpectedOutcomes(caught)) continue;
    // A comment in the handler saying why the error is ignored records a decision: on its own line, or
    // after the `pass` (`pass  # can't be autojoined`).
    if (
      block &&
      commentsIn(input, clause).some(
        (comment) => explainsOnItsOwnLine(input.text, comment) || explainsAfterPass(input.text, comment),
      )
    )
      continue;
    if (triesNextAlternative(clause) || probesOptionalFeature(clause)) continue;
    if (toleratesUnmigratedSchema(input, clause)) continue;
    if (handledAroundHandler(input, clause)) continue;
    if (cleansUpOnTheWayOut(input, clause)) continue;
    // `except Exception: continue` drops the item too: only `pass` keeps the default and carries on.
    if (
      block &&
      !named(block).some((statement) => statement.type === 'continue_statement') &&
      computesOnly(input, clause) &&
      !writesBackIoDefault(input, clause, caught)
    )
      continue;
    if (registersOptionalDependency(clause)) continue;
    if (fallsBackAfterFailedRead(input, clause) && !writesBackIoDefault(input, clause, caught)) continue;
    // A `return` in the try's `finally` swallows this handler's errors and every other: reported there,
    // once. Not when a handler of every error keeps the `finally` silent: this handler is then the finding.
    const ending = named(clause.parent).find((child) => child.type === 'finally_clause');
    if (
      ending &&
      leavesFinally(named(ending).find((child) => child.type === 'block') ?? null, false) &&
      !handlesEverything(clause.parent)
    )
      continue;
    // The `except` keyword; the handlers of one function are one decision (a best-effort importer).
    const at = clause.child(0) ?? clause;
    const fn = innermost(spans(input).functions, clause);
    found.push({ at, group: fn ? fn.start : -1 - clause.startIndex });
  }
  for (const clause of input.nodesOfType('finally_clause')) {
    const leaves = leavesFinally(named(clause).find((child) => child.type === 'block') ?? null, false);
    if (!leaves || handlesEverything(clause.parent)) continue;
    const word =
      leaves.type === 'return_statement' ? 'return' : leaves.type === 'break_statement' ? 'break' : 'continue';
    input.report(
      leaves,
      'silent-catch',
      `\`${word}\` inside \`finally\` discards the exception the \`try\` (or one of its handlers) was raising: every failure there, expected or not, disappears without a trace.`,
      `Move the \`${word}\` after the \`try\` statement and let the errors you do not handle propagate (Python 3.14 warns about this, PEP 765).`,
    );
  }
  for (const [first, ...others] of groupedBy(found, (item) => item.group)) {
    const more =
      others.length === 0
        ? ''
        : ` ${others.length} more handler${others.length === 1 ? '' : 's'} in this function drop${others.length === 1 ? 's' : ''} errors the same way, shown as related locations.`;
    input.report(
      first.at,
      'silent-catch',
      `The exception is caught and dropped: the failure disappears without a log, metric or retry.${more}`,
      'Log it with `logger.exception(...)`, re-raise, or handle it explicitly; catch the narrowest exception type.',
      undefined,
      undefined,
      others.map((other) => other.at),
    );
  }
};

const STRING_TYPES: ReadonlySet<string> = new Set(['string']);
const NAMED_HOLDERS: ReadonlySet<string> = new Set([
  'assignment',
  'keyword_argument',
  'default_parameter',
  'typed_default_parameter',
  'pair',
]);

/** The key under which a schema documents a sample value: OpenAPI / JSON Schema `"example"`, `"examples"`. */
const EXAMPLE_KEY = /^(?:['"])examples?['"]$/;
/** Any such key in the file (read once per file): without one, no tree is climbed. */
const mentionsExample = textMatchOncePerCheck(/['"]examples?['"]\s*:/);

/**
 * Whether a dict entry is part of a sample value a schema documents (`json_schema_extra = {"example":
 * {"password": "…"}}` on a pydantic model, an OpenAPI dict): what the documentation shows, not a
 * setting. Climbs through the dicts and lists of literals the entry is written in.
 */
function insideSchemaExample(holder: Node): boolean {
  for (let node: Node | null = holder; node; node = node.parent) {
    if (node.type === 'pair') {
      if (node.id !== holder.id && EXAMPLE_KEY.test(field(node, 'key')?.text ?? '')) return true;
    } else if (!/^(?:dictionary|list|tuple|parenthesized_expression)$/.test(node.type)) return false;
  }
  return false;
}

/** Bases that make a class an enumeration: `Enum`, `StrEnum`, `IntFlag`, Django's `TextChoices`. */
const ENUM_BASE = /\b(?:\w*Enum|\w*Flag|\w*Choices)\b/;

/**
 * `class AuthMethod(str, Enum): username_password = "username-password"`: an enumeration member's
 * value is the label the code compares and stores, not a credential, whatever the member's name.
 * Read from the text: the line holds `name = <the literal>` and the first line above it that is
 * indented less opens a class with an enumeration among its bases (over several lines too).
 */
function isEnumMember(text: string, literalStart: number): boolean {
  const lineStart = text.lastIndexOf('\n', literalStart - 1) + 1;
  const member = /^([ \t]+)\w+[ \t]*(?::[^=\n]*)?=[ \t]*$/.exec(text.slice(lineStart, literalStart));
  if (!member) return false;
  const indent = member[1].length;
  let header = '';
  for (const line of linesFrom(text, lineStart, true)) {
    if (line.code === '' || line.code.startsWith('#') || line.indent >= indent) {
      if (header !== '') header = `${line.code} ${header}`;
      continue;
    }
    header = `${line.code} ${header}`;
    if (/^class\b/.test(line.code)) break;
    // The closing `):` of bases written over several lines: read on up to the `class` line.
    if (!/^\)\s*:/.test(line.code) && header === `${line.code} `) return false;
    if (header.length > 500) return false;
  }
  const bases = /^class\s+\w+\s*\(([^)]*)\)\s*:/.exec(header);
  return !!bases && ENUM_BASE.test(bases[1]);
}

/** Names of the calls signingKeyArgument and envFallback look at. */
const KEY_OR_ENV_CALLS = new Set(['encode', 'decode', 'new', 'HMAC', 'getenv', 'get', 'setdefault']);

/** The argument of a signing/HMAC call that holds the key: `jwt.encode(payload, key)`, `hmac.new(key, msg)`. */
function signingKeyArgument(call: Call): Node | null {
  if ((call.object === 'jwt' || call.object === 'jose.jwt') && (call.name === 'encode' || call.name === 'decode'))
    return call.positional[1] ?? keywordValue(call, 'key');
  if (call.object === 'hmac' && (call.name === 'new' || call.name === 'HMAC'))
    return call.positional[0] ?? keywordValue(call, 'key');
  return null;
}

/** `os.getenv("NAME", "literal")`, `os.environ.get(...)`, `environ.setdefault(...)`: the name and the fallback. */
function envFallback(call: Call): { name: string; fallback: Node } | undefined {
  const fromEnviron = /(?:^|\.)environ$/.test(call.object ?? '') && (call.name === 'get' || call.name === 'setdefault');
  const getenv = call.name === 'getenv' && (call.object === undefined || call.object === 'os');
  if (!fromEnviron && !getenv) return undefined;
  const name = literalString(call.positional[0] ?? null);
  const fallback = call.positional[1] ?? keywordValue(call, 'default') ?? keywordValue(call, 'value');
  return name !== undefined && fallback ? { name, fallback } : undefined;
}

/**
 * The string literal a name was last given before `identifier` in its function, else at the top
 * level of the module; null when its value is anything else or a parameter of that name hides it.
 */
function literalAssigned(input: CheckInput, identifier: Node): Node | null {
  const fn = enclosingFunction(input, identifier);
  // The top level is looked up only when the function gives nothing (a lookup there is recorded).
  for (const scope of fn ? [fn, null] : [null]) {
    if (scope === null) return literalAssignedAtTop(input, identifier, fn);
    const last = lastValueIn(input, scope, identifier, false);
    if (!last) continue;
    return stringLiteralNode(last);
  }
  return null;
}

function stringLiteralNode(node: Node): Node | null {
  const value = unwrap(node);
  return value && value.type === 'string' && !isFString(value) ? value : null;
}

/** The value last assigned to `identifier`'s name in `scope` before it (top-level assignments only when `topOnly`). */
function lastValueIn(input: CheckInput, scope: Node, identifier: Node, topOnly: boolean): Node | null {
  // Most keys are never assigned in the function that uses them: the text says so without a walk of its tree.
  if (!assignsName(input.text.slice(scope.startIndex, identifier.startIndex), identifier.text)) return null;
  let last: Node | null = null;
  for (const assignment of assignmentsBefore(input, scope, identifier.text, identifier.startIndex)) {
    if (topOnly && enclosingFunction(input, assignment.node)) continue;
    last = field(assignment.node, 'right');
  }
  return last;
}

/** True when `text` may assign `name` (`name =`, `name +=`, `name: T =`); false means it surely does not. */
function assignsName(text: string, name: string): boolean {
  for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + 1)) {
    if (/^\s*(?::[^=\n]*)?[-+*/%|&^@]?=(?!=)/.test(text.slice(at + name.length, at + name.length + 80))) return true;
  }
  return false;
}

function literalAssignedAtTop(input: CheckInput, identifier: Node, fn: Node | null): Node | null {
  // A top-level `JWT_SECRET = "…"` is reported where it is written (its name says secret).
  if (isSecretName(identifier.text)) return null;
  // A parameter of that name hides the top-level value.
  if (fn && namesParameter(fn, identifier.text)) return null;
  const last = lastValueIn(input, input.moduleScope(identifier.startIndex), identifier, true);
  return last ? stringLiteralNode(last) : null;
}

/**
 * `SECRET_KEY = "…"` at the top of a base settings module that a production module beside it takes
 * (`from .base import *`) and then assigns again from the environment or a file: the deployed value
 * is that one (ReviewUnit.facts, pySettingsReplaced). A key of a known provider's format is still
 * reported (knownSecretLiterals), and so is the literal when no module beside it replaces it.
 */
function replacedBySettingsBeside(input: CheckInput, name: string, holder: Node): boolean {
  const replaced = input.facts?.pySettingsReplaced;
  if (!replaced?.includes(name) || holder.type !== 'assignment') return false;
  return holder.parent?.type === 'expression_statement' && holder.parent.parent?.type === 'module';
}

/**
 * The name of the table a literal is an entry of: `css_classes` for `css_classes["password"] = "input"`,
 * `widget_types` for `widget_types = {"password": "input"}`, `self.labels` for `self.labels.update({…})`.
 */
function tableOfEntry(holder: Node, literal: Node): string | undefined {
  if (holder.type === 'assignment') {
    const left = field(holder, 'left');
    if (left?.type !== 'subscript' || field(holder, 'right')?.id !== literal.id) return undefined;
    return field(left, 'value')?.text;
  }
  if (holder.type !== 'pair' || field(holder, 'value')?.id !== literal.id) return undefined;
  const table = holder.parent;
  const owner = table?.type === 'dictionary' ? table.parent : null;
  if (!owner) return undefined;
  if (owner.type === 'assignment' && field(owner, 'right')?.id === table?.id) return field(owner, 'left')?.text;
  if (owner.type === 'keyword_argument') return field(owner, 'name')?.text;
  const call = owner.type === 'argument_list' ? owner.parent : null;
  const callee = call?.type === 'call' ? field(call, 'function') : null;
  return callee?.type === 'attribute' && field(callee, 'attribute')?.text === 'update'
    ? field(callee, 'object')?.text
    : undefined;
}

const hardcodedSecret: RuleChecker = (input) => {
  const reported = new Set<number>();
  const report = (
    literal: Node,
    message: string,
    at: Node = literal,
    suggestion = 'Read it from the environment (`os.environ[...]`) or a secret manager, rotate this value, and remove it from the history.',
  ): void => {
    if (reported.has(literal.startIndex)) return;
    reported.add(literal.startIndex);
    input.report(at, 'hardcoded-secret', message, suggestion);
  };
  for (const { literal, format } of knownSecretLiterals(input, STRING_TYPES)) {
    report(literal, `A ${format} is written in the source: anyone with the code has the credential.`);
  }
  for (const call of calls(input)) {
    if (!KEY_OR_ENV_CALLS.has(call.name)) continue;
    const key = unwrap(signingKeyArgument(call));
    if (key) {
      const literal = key.type === 'identifier' ? literalAssigned(input, key) : key.type === 'string' ? key : null;
      const value = literalString(literal);
      if (literal && value !== undefined && isReportableKeyLiteral(value))
        report(
          literal,
          `\`${call.text}\` is given a key written in the source: anyone with the code can sign or verify as the service.`,
          key,
        );
      continue;
    }
    const env = envFallback(call);
    if (!env || !isSecretName(env.name)) continue;
    const literal = unwrap(env.fallback);
    const value = literalString(literal);
    if (!literal || value === undefined || !isReportableNamedSecret(env.name, value)) continue;
    report(
      literal,
      `\`${env.name}\` falls back to a credential written in the code when the variable is unset: the service then starts silently with a value anyone with the source knows.`,
      literal,
      `Fail at start-up when \`${env.name}\` is unset (\`os.environ[...]\` raises; or generate a random value per install and store it); keep a development default only behind an explicit development setting.`,
    );
  }
  // Secret-like names given a string, found in the text; the tree confirms the string is the value of
  // an assignment (to a name, attribute or subscript), keyword argument, default parameter or dict entry with that name.
  for (const { name, literalStart } of secretNamedStrings(input)) {
    if (!isSecretName(name)) continue;
    const found = stringWithParentAt(input.tree, literalStart, STRING_TYPES);
    if (!found || !found.parent || !NAMED_HOLDERS.has(found.parent.type)) continue;
    const literal = found.literal;
    const text = literalString(literal);
    if (text === undefined || !isReportableNamedSecret(name, text)) continue;
    if (replacedBySettingsBeside(input, name, found.parent)) continue;
    if (isEnumMember(input.text, literal.startIndex)) continue;
    if (mentionsExample(input) && insideSchemaExample(found.parent)) continue;
    if (isLabelWord(text) && namesLabelTable(tableOfEntry(found.parent, literal) ?? '')) continue;
    report(literal, `\`${name}\` is set to a literal credential: it ships with the code and every copy of it.`);
  }
  for (const { literal, message } of comparedSecretLiterals(input, STRING_TYPES, 'comparison_operator', literalString))
    report(literal, message);
};

const SQL_METHODS = new Set([
  'run',
  'execute',
  'executemany',
  'query',
  'raw',
  'exec',
  'exec_driver_sql',
  'fetch',
  'fetchrow',
  'fetchval',
  'executescript',
]);

/** Query-builder methods that take a raw SQL fragment as a plain string (SQLAlchemy 1.x, Django `.extra`). */
const SQL_FRAGMENT_METHODS = new Set(['filter', 'order_by', 'group_by', 'having', 'distinct', 'where']);

/** Reports a call whose argument is SQL text built from values (`text(f"…")`, `RawSQL("…" % x)`, `.extra(where=[…])`). */
function reportBuiltFragment(input: CheckInput, call: Call, values: Array<Node | null>, needsSqlText: boolean): void {
  for (const value of values) {
    const build = resolvedStringBuild(input, value);
    if (!build || !build.dynamic) continue;
    // A fragment reads as SQL by its keywords, or by operators a field name never holds (`name = …`).
    if (needsSqlText && !looksLikeSql(build.literal) && !/[=<>()]|\s/.test(build.literal.trim())) continue;
    reportFragmentCall(input, call);
    return;
  }
}

function reportFragmentCall(input: CheckInput, call: Call): void {
  input.report(
    call.node,
    'sql-injection',
    `SQL text is built from values and handed to \`${call.text}\`: input can change the query.`,
    'Keep the SQL constant and bind the values (`text("… = :v").bindparams(v=…)`, `RawSQL("… = %s", [v])`, `params=`).',
  );
}

/** Django's `QuerySet.extra(select, where, params, tables, order_by, select_params)`: the SQL-bearing ones. */
const EXTRA_PARAMETERS = ['select', 'where', 'params', 'tables', 'order_by', 'select_params'];
const EXTRA_SQL = new Set(['select', 'where', 'tables', 'order_by']);

/** The items of a list, tuple, dict or `dict(k=v)` given to `.extra()`: the SQL fragments in it. */
function collectionItems(node: Node | null): Array<Node | null> | undefined {
  const value = unwrapTyped(node);
  if (!value) return undefined;
  if (value.type === 'list' || value.type === 'tuple') return named(value.node);
  if (value.type === 'dictionary') return named(value.node).map((pair) => field(pair, 'value'));
  if (value.type === 'call' && field(value.node, 'function')?.text === 'dict')
    return named(field(value.node, 'arguments')).map((arg) =>
      arg.type === 'keyword_argument' ? field(arg, 'value') : arg,
    );
  return undefined;
}

/** `name.append(…)`, `name.extend(…)`, `name.insert(…)` calls of a file by receiver name, in order, listed once. */
const growthCallsByFile = new WeakMap<CheckInput, Map<string, Call[]>>();

function listGrowthCalls(input: CheckInput): Map<string, Call[]> {
  let byName = growthCallsByFile.get(input);
  if (!byName) {
    byName = new Map();
    for (const call of calls(input)) {
      if (call.object === undefined || !/^(?:append|extend|insert)$/.test(call.name)) continue;
      const list = byName.get(call.object) ?? [];
      list.push(call);
      byName.set(call.object, list);
    }
    growthCallsByFile.set(input, byName);
  }
  return byName;
}

/** Per file, `${scope id} ${name}` → where the first fragment built from values goes into that list. */
const builtFragmentsByFile = new WeakMap<CheckInput, Map<string, number>>();

/**
 * Where a list given to `.extra(where=conditions)` first receives SQL text built from values, in its
 * function: its list or dict assignments, `name[k] = v`, `name.append(v)`, `name.insert(i, v)`,
 * `name.extend([...])`; Infinity when none does. Worked out once per name and function, so many
 * `.extra` calls on one list cost one pass.
 */
function firstBuiltFragment(input: CheckInput, name: Node): number {
  const scope = enclosingFunction(input, name) ?? input.moduleScope(name.startIndex);
  let byName = builtFragmentsByFile.get(input);
  if (!byName) {
    byName = new Map();
    builtFragmentsByFile.set(input, byName);
  }
  const key = `${scope.id} ${name.text}`;
  const known = byName.get(key);
  if (known !== undefined) return known;
  const built = (items: Array<Node | null> | undefined): boolean =>
    (items ?? []).some((item) => resolvedStringBuild(input, item)?.dynamic === true);
  let first = Infinity;
  for (const assignment of scopeAssignments(input, scope)) {
    const target = assignmentTarget(assignment);
    const right = field(assignment.node, 'right');
    if (
      target === name.text ? built(collectionItems(right)) : !!target?.startsWith(`${name.text}[`) && built([right])
    ) {
      first = assignment.node.startIndex;
      break;
    }
  }
  for (const call of listGrowthCalls(input).get(name.text) ?? []) {
    if (call.node.startIndex >= first) continue;
    if ((enclosingFunction(input, call.node) ?? input.moduleScope(call.node.startIndex)).id !== scope.id) continue;
    const value = call.positional[call.name === 'insert' ? 1 : 0] ?? null;
    if (built(call.name === 'extend' ? collectionItems(value) : [value])) first = call.node.startIndex;
  }
  byName.set(key, first);
  return first;
}

/** A sequence named in a quoted argument of PostgreSQL's sequence functions: `nextval('{name}')` names an object. */
const SEQUENCE_NAME_SPLICE = new RegExp(`\\b(?:nextval|currval|setval)\\(\\s*'${'\u0001'}'`, 'gi');

/**
 * `def restart_sequence(op, table_name, sequence_name): … text(f"SELECT MAX(id) FROM {table_name}")`: a
 * helper of the project's Alembic migrations (its first parameter is the operations object `op`, and
 * it uses it) splicing only names into the places of names (a table after FROM, a sequence in
 * `nextval('…')`): schema code, given the identifiers each migration names. A value spliced where data
 * goes (`WHERE name = '{name}'`) is still reported.
 */
function schemaNamesInMigrationHelper(input: CheckInput, call: Call, value: Node | null): boolean {
  const fn = innermost(spans(input).functions, call.node);
  if (!fn) return false;
  const code = input.text.slice(fn.start, fn.end);
  if (!/^(?:async\s+)?def\s+\w+\s*\(\s*op\s*[,)]/.test(code) || !/\bop\.\w+\(/.test(code)) return false;
  let inner = unwrap(value);
  if (inner?.type === 'call' && SQL_WRAPPERS.has(field(inner, 'function')?.text ?? ''))
    inner = unwrap(named(field(inner, 'arguments'))[0] ?? null);
  const text = inner ? splicedText(inner) : null;
  if (!text) return false;
  const all = text.split(SPLICE).length - 1;
  const names = (text.match(IDENTIFIER_SPLICE)?.length ?? 0) + (text.match(SEQUENCE_NAME_SPLICE)?.length ?? 0);
  return all > 0 && names >= all;
}

const sqlInjection: RuleChecker = (input) => {
  for (const call of calls(input)) {
    if (call.name === 'RawSQL' || (SQL_WRAPPERS.has(call.text) && !isQueryArgument(call))) {
      if (schemaNamesInMigrationHelper(input, call, call.node)) continue;
      reportBuiltFragment(input, call, [call.positional[0] ?? keywordValue(call, 'sql')], false);
      continue;
    }
    if (call.object !== undefined && call.name === 'extra') {
      const values = EXTRA_PARAMETERS.map((name, at) =>
        EXTRA_SQL.has(name) ? unwrap(keywordValue(call, name) ?? call.positional[at] ?? null) : null,
      );
      // A list held in a name: the fragments it was given before this call.
      const heldBuilt = values.some(
        (value) => value?.type === 'identifier' && firstBuiltFragment(input, value) < call.node.startIndex,
      );
      const items = values.flatMap((value) =>
        value?.type === 'identifier' ? [value] : (collectionItems(value) ?? []),
      );
      if (heldBuilt) reportFragmentCall(input, call);
      else reportBuiltFragment(input, call, items, false);
      continue;
    }
    if (call.object !== undefined && SQL_FRAGMENT_METHODS.has(call.name) && call.keywords.size === 0) {
      const first = unwrap(call.positional[0] ?? null);
      // Only a string built here counts: a column object or a variable of unknown kind does not.
      const wrapped = first?.type === 'call' && SQL_WRAPPERS.has(field(first, 'function')?.text ?? '');
      if (first && first.type !== 'identifier' && !wrapped) reportBuiltFragment(input, call, [first], true);
      continue;
    }
    if (call.object === undefined || !SQL_METHODS.has(call.name)) continue;
    const build = resolvedStringBuild(input, call.positional[0] ?? null, sqlFixedPieces(input, call));
    if (!build || !build.dynamic || !looksLikeSql(build.literal)) continue;
    if (schemaNamesInMigrationHelper(input, call, call.positional[0] ?? null)) continue;
    input.report(
      call.node,
      'sql-injection',
      `SQL is built from values spliced into the text and run with \`${call.text}\`: input can change the query.`,
      'Use placeholders (`%s`, `:name`, `$1`) and pass the values as the parameters argument.',
    );
  }
  reportSqlStatementBuilds(input);
};

/** A `%` conversion: `%s`, `%(name)s`, `%-10r`, `%%`; group 1 the mapping key, group 2 the letter. */
const PERCENT_VERB = /%(\([^)]*\))?[-#0 +]*(?:\d+|\*)?(?:\.(?:\d+|\*))?([a-zA-Z%])/g;

/** What an object holds from the request it serves (`self.request`, `self.kwargs` of a view): input, not state. */
const HELD_INPUT = /^(?:request|req|kwargs|args|params|query|query_params|data|body|form|json|payload|input)$/;

/**
 * Whether the file gives `self.NAME` / `cls.NAME` a value read out of a parameter of the function that
 * assigns it: a call on it, an item or an attribute of it (`self.order_by = params.get("order")`,
 * `self.sort = options["sort"]`). Such state holds what a caller sent (a view's query string handed to a
 * report object), not a name the program chose; state given a parameter whole (`self.table = table`,
 * what the object was built for) or fixed text still counts as kept.
 */
function stateReadFromParameter(input: CheckInput, name: string): boolean {
  if (!new RegExp(String.raw`\b(?:self|cls)\.${name}[ \t]*(?::[^=\n]*)?=(?!=)`).test(input.text)) return false;
  return descendants(input.tree.rootNode, 'assignment').some((assignment) => {
    const left = field(assignment, 'left')?.text.replace(/\s+/g, '');
    if (left !== `self.${name}` && left !== `cls.${name}`) return false;
    const right = unwrap(field(assignment, 'right'));
    if (!right || !['call', 'subscript', 'attribute'].includes(right.type)) return false;
    const root = descendants(right, ['identifier'])[0];
    if (!root || root.startIndex !== right.startIndex || root.text === 'self' || root.text === 'cls') return false;
    const fn = enclosingFunction(input, assignment);
    return !!fn && namesParameter(fn, root.text);
  });
}

/**
 * A value spliced where SQL names a table or column that the program itself keeps: state of the object
 * (`self.table`, `cls.columns[i]`: what the instance or class was built with, not what it was sent), a
 * name the module assigns at its top level (`TABLES[kind]`, `audit_table`), or a local of the function
 * given only such values (`table = self.table_name`). A parameter and what is read from one may come
 * from a request, and so may what a view holds of its request (`self.request.GET["sort"]`) or state
 * read out of a parameter where it is set (stateReadFromParameter).
 */
function keptName(input: CheckInput, node: Node, depth = 0): boolean {
  if (depth > 2) return false;
  const type = node.type;
  if (type === 'subscript') {
    const value = field(node, 'value');
    return !!value && keptName(input, value, depth + 1);
  }
  if (type === 'attribute') {
    const path = node.text.split('.').map((part) => part.trim());
    if (path[0] === 'self' || path[0] === 'cls')
      return (
        path.length > 1 &&
        !HELD_INPUT.test(path[1]) &&
        !stateReadFromParameter(input, path[1].replace(/\W[\s\S]*$/, ''))
      );
    const root = descendants(node, ['identifier'])[0];
    return !!root && root.startIndex === node.startIndex && keptName(input, root, depth + 1);
  }
  if (type !== 'identifier') return false;
  const name = node.text;
  const fn = enclosingFunction(input, node);
  if (fn && namesParameter(fn, name)) return false;
  const assignments = fn ? [...assignmentsBefore(input, fn, name, node.startIndex)] : [];
  // A name the module assigns at its top level and no function changes (`global x`, `x.append(v)`, `x[k] = v`).
  if (assignments.length === 0)
    return (
      !!fn &&
      new RegExp(`^${name}[ \\t]*(?::[^=\\n]*)?=(?!=)`, 'm').test(input.text) &&
      !new RegExp(
        `\\bglobal\\b[^\\n]*\\b${name}\\b|(?<![\\w.])${name}\\s*(?:\\.\\s*(?:append|extend|insert|update|setdefault|add)\\s*\\(|\\[[^\\]\\n]*\\]\\s*=(?!=))`,
      ).test(input.text)
    );
  return assignments.every((assignment) => {
    const right = unwrap(field(assignment.node, 'right'));
    return assignment.node.type === 'assignment' && !!right && keptName(input, right, depth + 1);
  });
}

/** `Status.PAID`, `Status.PAID.value`: an Enum member or a class's constant, written in the code. */
const CLASS_CONSTANT = /^[A-Z][A-Za-z0-9]*\.[A-Z][A-Z0-9_]*(?:\.(?:value|name))?$/;

/** Keyword arguments of a query call that hold the statement, not its parameters. */
const STATEMENT_KEYWORDS = new Set(['sql', 'query', 'statement', 'stmt', 'operation']);

/** How many pieces one query's fixed-SQL test reads before it gives up (a name built from many others). */
const MAX_FIXED_STEPS = 400;

/**
 * The objects whose own values a query call binds as its parameters: `values=filters.values()`,
 * `params=q.params`, or a name given one before (`parsed = filters.values(extra)`, then `parsed`).
 */
function boundOwners(input: CheckInput, call: Call): Set<string> {
  const owners = new Set<string>();
  const addOwner = (value: Node | null): void => {
    let inner = unwrapTyped(value);
    if (inner?.type === 'await') inner = unwrapTyped(named(inner.node)[0] ?? null);
    const target = inner?.type === 'call' ? field(inner.node, 'function') : inner?.node;
    if (target?.type === 'attribute') {
      const owner = field(target, 'object');
      if (owner) owners.add(owner.text);
    }
  };
  const statementByKeyword = [...call.keywords.keys()].some((name) => STATEMENT_KEYWORDS.has(name));
  const values = [
    ...call.positional.slice(statementByKeyword ? 0 : 1),
    ...[...call.keywords].filter(([name]) => !STATEMENT_KEYWORDS.has(name)).map(([, arg]) => field(arg, 'value')),
  ];
  for (const value of values) {
    const inner = unwrap(value);
    if (inner?.type !== 'identifier') {
      addOwner(inner);
      continue;
    }
    const scope = enclosingFunction(input, inner) ?? input.moduleScope(inner.startIndex);
    for (const assignment of assignmentsBefore(input, scope, inner.text, call.node.startIndex))
      addOwner(field(assignment.node, 'right'));
  }
  return owners;
}

/** `if name not in ALLOWED: return …` before `node` in its function: the names checked against a fixed collection. */
function namesCheckedAgainstFixedSets(input: CheckInput, node: Node): Set<string> {
  const fn = innermost(spans(input).functions, node);
  const before = input.text.slice(fn?.start ?? 0, node.startIndex);
  if (!before.includes(' not in ')) return new Set();
  return new Set([...before.matchAll(ALLOWLIST_GUARD)].map((match) => match[1]));
}

/** A value spliced where no bind marker (`:name`, `%(name)s`, `$1`, `@p`) opens: data in the text. */
const VALUE_SPLICE = /(?:^|[^:@$(])\u0001/;

/** A string literal holding a bind marker: `"?"`, `f"{key} = ?"`, `"%s"`, `f"{col} = :{col}"`, `"$1"`. */
const BIND_MARKER_LITERAL = /[rRbBuUfF]{0,2}["'][^"'\n]*(?:\?|%s|%\(\w+\)s|:\{?\w|\$\d)[^"'\n]*["']/;

/**
 * `where, params = _build_where(filters)`, then `where` spliced into the statement that `context` runs
 * with `params` (`execute(sql, params)`, `execute(sql, [vector, *params])`): a helper of this module
 * that writes bind markers returns the clause with the values for them, the same contract as a query
 * builder's clause bound with its own values. A helper of another module, one that writes no marker
 * (its values go into the text), or values the query does not bind leave the clause unknown.
 */
function clauseOfOwnBuilder(input: CheckInput, context: Call | undefined, name: Node, text: string): boolean {
  if (!context) return false;
  const fn = enclosingFunction(input, name);
  if (!fn) return false;
  const before = input.text.slice(fn.startIndex, name.startIndex);
  if (assignsName(before, text)) return false;
  const unpacked = new RegExp(
    `^[ \\t]*${text}[ \\t]*,[ \\t]*([A-Za-z_]\\w*)[ \\t]*=[ \\t]*([A-Za-z_]\\w*)\\(`,
    'm',
  ).exec(before);
  if (!unpacked) return false;
  const [, values, helper] = unpacked;
  const bound = [...context.positional.slice(1), ...[...context.keywords.values()].map((arg) => field(arg, 'value'))];
  if (!bound.some((arg) => !!arg && new RegExp(`\\b${values}\\b`).test(arg.text))) return false;
  const definition = new RegExp(`^def[ \\t]+${helper}[ \\t]*\\(`, 'm').exec(input.text);
  if (!definition) return false;
  // The function's text: up to the next line that starts at the module's level.
  const from = input.text.indexOf('\n', definition.index) + 1;
  const next = from > 0 ? input.text.slice(from).search(/^\S/m) : -1;
  const body = input.text.slice(definition.index, next < 0 ? undefined : from + next);
  return BIND_MARKER_LITERAL.test(body);
}

/**
 * SQL the ORM compiled, with the values for its placeholders beside it: Django's
 * `qs.query.where.as_sql(compiler, connection)`, `compiler.as_sql()`, `qs.query.sql_with_params()`,
 * `compiler.compile(node)` return `(sql, params)`. (`str(qs.query)` is not one: it pastes the values in.)
 */
function isOrmCompile(node: Node | null): boolean {
  const inner = unwrap(node);
  if (inner?.type !== 'call') return false;
  const fn = field(inner, 'function');
  if (fn?.type !== 'attribute') return false;
  const method = field(fn, 'attribute')?.text;
  if (method === 'as_sql' || method === 'sql_with_params') return true;
  return method === 'compile' && /compiler$/i.test(field(fn, 'object')?.text ?? '');
}

const ORM_COMPILE_TEXT = /\.(?:as_sql|sql_with_params|compile)\(/;

/**
 * `sql, params = compiler.as_sql()` (or `compiled = ….as_sql(…)`, `sql = compiled[0]`), then `sql`
 * spliced into a statement that `context` runs with those params (`execute(q, params + [id])`, or a
 * local made from them): the ORM's own parameterised SQL, its values bound. Every assignment of the
 * name before its use must be such a compile; without a query call here the params must at least be
 * used after the splice (handed on with the text). Compiled SQL whose values are dropped or pasted
 * into the text (`sql % params`) is not this.
 */
function ormCompiledSql(input: CheckInput, context: Call | undefined, name: Node, text: string): boolean {
  const fn = enclosingFunction(input, name);
  if (!fn || !ORM_COMPILE_TEXT.test(input.text.slice(fn.startIndex, name.startIndex))) return false;
  const assignments = scopeAssignments(input, fn).filter((assignment) => assignment.node.startIndex < name.startIndex);
  // The name holding a whole compiled pair (`compiled = qs.query.sql_with_params()`).
  const holdsPair = (holder: Node): boolean => {
    const given = assignments.filter((assignment) => assignmentTarget(assignment) === holder.text);
    return given.length > 0 && given.every((assignment) => isOrmCompile(field(assignment.node, 'right')));
  };
  const carriers = new Set<string>();
  for (const assignment of assignments) {
    const left = field(assignment.node, 'left');
    const right = field(assignment.node, 'right');
    if (!left) continue;
    if (left.type === 'pattern_list' || left.type === 'tuple_pattern') {
      const targets = named(left);
      if (!targets.some((target) => target.text === text)) continue;
      if (targets.length !== 2 || targets[0]?.text !== text || !isOrmCompile(right)) return false;
      carriers.add(targets[1]?.text ?? '');
      continue;
    }
    if (left.text !== text) continue;
    const taken = unwrap(right);
    if (taken?.type !== 'subscript' || field(taken, 'subscript')?.text !== '0') return false;
    const pair = unwrap(field(taken, 'value'));
    if (pair?.type === 'identifier' && holdsPair(pair)) carriers.add(pair.text);
    else return false;
  }
  if (carriers.size === 0) return false;
  const carries = (code: string): boolean =>
    [...carriers].some((carrier) => !!carrier && new RegExp(`\\b${carrier}\\b`).test(code));
  if (!context) return carries(input.text.slice(name.endIndex, fn.endIndex));
  const statementByKeyword = [...context.keywords.keys()].some((key) => STATEMENT_KEYWORDS.has(key));
  const bound = [
    ...context.positional.slice(statementByKeyword ? 0 : 1),
    ...[...context.keywords].filter(([key]) => !STATEMENT_KEYWORDS.has(key)).map(([, arg]) => field(arg, 'value')),
  ];
  return bound.some((arg) => {
    if (!arg) return false;
    if (carries(arg.text)) return true;
    // `params = list(base_params) + [obj.id]`, then `execute(query, params)`.
    const locals = [arg, ...descendants(arg, 'identifier')].filter((piece) => piece.type === 'identifier');
    return locals.some((local) =>
      scopeAssignments(input, fn).some(
        (assignment) =>
          assignment.node.startIndex < context.node.startIndex &&
          assignmentTarget(assignment) === local.text &&
          carries(field(assignment.node, 'right')?.text ?? ''),
      ),
    );
  });
}

/**
 * What a statement run by `context` may splice without input reaching it: fixed SQL of the program's
 * own, not data.
 * - the data store's own SQL: an attribute or a call on the database object (`{db.timestamp_now}`,
 *   `{db.timestamp_placeholder("now")}`; DIALECT_OWNER, the Go check's too) given only fixed values,
 *   and helpers that write bind markers (`placeholder(key)`, a `placeholders` list joined);
 * - a query builder's clause (`filters.where()`, `q.order_by_clause()`; BUILDER_FRAGMENT) when the
 *   query call binds that builder's own values (`values=filters.values()`): its text is bind markers,
 *   and no condition handed to it is built here from values;
 * - a local given only such pieces, literals and constants (`clause = "a = :a"`, then
 *   `clause = f"({clause}) AND b = :b"`), a list of them joined; an Enum member (`Status.PAID`);
 * - a name first checked against a fixed collection (`if field not in ["tag", "status"]: return`).
 * A value of unknown origin (a parameter, a call's result) is not fixed.
 */
function sqlFixedPieces(input: CheckInput, context: Call | undefined): InertName {
  let owners: Set<string> | undefined;
  const bound = (owner: string): boolean => (owners ??= context ? boundOwners(input, context) : new Set()).has(owner);
  const resolving = new Set<string>();
  let steps = 0;
  // A value spliced into a condition handed to a builder: text built here from values (`f"a = '{v}'"`).
  const builtFromValues = (value: Node | null): boolean => {
    const inner = unwrapTyped(value);
    if (!inner) return false;
    if (inner.type === 'list' || inner.type === 'tuple') return named(inner.node).some(builtFromValues);
    if (inner.type !== 'identifier') return stringBuild(inner.node, 0, fixed)?.dynamic === true;
    if (fixed(inner.node)) return false;
    const fn = enclosingFunction(input, inner.node);
    if (!fn) return false;
    for (const assignment of assignmentsBefore(input, fn, inner.node.text, inner.node.startIndex)) {
      const right = field(assignment.node, 'right');
      if (unwrap(right)?.type !== 'identifier' && builtFromValues(right)) return true;
    }
    return grownWith(fn, inner.node).some(builtFromValues);
  };
  // The values `name.append(v)`, `name.insert(i, v)`, `name.extend([...])` add before `name` is used here.
  const grownWith = (fn: Node, name: Node): Array<Node | null> =>
    (listGrowthCalls(input).get(name.text) ?? [])
      .filter(
        (call) => call.node.startIndex < name.startIndex && (enclosingFunction(input, call.node) ?? fn).id === fn.id,
      )
      .map((call) => call.positional[call.name === 'insert' ? 1 : 0] ?? null);
  // A list named for bind markers that is given quoted values (`placeholders = ", ".join(f"'{v}'" for v
  // in ids)`) holds data: its name is trusted only while what it is given marks places (`"?"`, `f":{key}"`).
  const holdsValues = (name: Node): boolean => {
    const fn = enclosingFunction(input, name);
    if (!fn) return false;
    const key = `${fn.id} ${name.text} values`;
    if (resolving.has(key)) return false;
    resolving.add(key);
    const given = [
      ...[...assignmentsBefore(input, fn, name.text, name.startIndex)].map((assignment) =>
        field(assignment.node, 'right'),
      ),
      ...grownWith(fn, name),
    ];
    const splicesData = (value: Node | null): boolean =>
      !!value &&
      [value, ...descendants(value, ['string', 'binary_operator', 'call'])].some((piece) =>
        VALUE_SPLICE.test(splicedText(piece, 0, fixed) ?? ''),
      );
    const found = given.some(splicesData);
    resolving.delete(key);
    return found;
  };
  const fixedLocal = (name: Node, text: string): boolean => {
    const fn = enclosingFunction(input, name);
    // Read from the text first: most names spliced are parameters, never assigned in the function.
    if (!fn || !assignsName(input.text.slice(fn.startIndex, name.startIndex), text)) return false;
    const key = `${fn.id} ${text}`;
    // `clause = f"({clause}) AND b = :b"`: the name's other pieces decide.
    if (resolving.has(key)) return true;
    if (namesParameter(fn, text)) return false;
    resolving.add(key);
    let assigned = false;
    let allFixed = true;
    for (const assignment of assignmentsBefore(input, fn, text, name.startIndex)) {
      assigned = true;
      if (!fixed(field(assignment.node, 'right'))) {
        allFixed = false;
        break;
      }
    }
    if (assigned && allFixed) allFixed = grownWith(fn, name).every((value) => fixed(value));
    resolving.delete(key);
    return assigned && allFixed;
  };
  const fixedCall = (call: Node): boolean => {
    const fn = field(call, 'function');
    const argumentNode = field(call, 'arguments');
    const args =
      argumentNode?.type === 'generator_expression'
        ? [argumentNode]
        : named(argumentNode).map((arg) => (arg.type === 'keyword_argument' ? field(arg, 'value') : arg));
    if (fn?.type === 'identifier') return PLACEHOLDER_HELPER.test(fn.text);
    if (fn?.type !== 'attribute') return false;
    const owner = field(fn, 'object');
    const method = field(fn, 'attribute')?.text ?? '';
    if (!owner) return false;
    if (method === 'join') return isConstantValue(owner) && args.length === 1 && fixed(args[0]);
    if (PLACEHOLDER_HELPER.test(method)) return true;
    if (DIALECT_OWNER.test(owner.text)) return args.every((arg) => fixed(arg));
    if (BUILDER_FRAGMENT.test(method.replace(/_/g, '')) && bound(owner.text))
      return !args.some((arg) => builtFromValues(arg));
    const build = stringBuild(call, 0, fixed);
    return !!build && !build.dynamic;
  };
  const fixed: InertName = (value, asName) => {
    steps += 1;
    const inner = unwrapTyped(value);
    if (!inner || steps > MAX_FIXED_STEPS) return false;
    const { node, type } = inner;
    if (asName && keptName(input, node)) return true;
    switch (type) {
      case 'identifier': {
        const text = node.text;
        return (
          /^[A-Z][A-Z0-9_]*$/.test(text) ||
          (PLACEHOLDER_LIST.test(text) && !holdsValues(node)) ||
          CONFIGURATION_VALUE.test(text) ||
          namesCheckedAgainstFixedSets(input, node).has(text) ||
          fixedLocal(node, text) ||
          clauseOfOwnBuilder(input, context, node, text) ||
          ormCompiledSql(input, context, node, text)
        );
      }
      case 'attribute': {
        const text = node.text;
        const owner = text.slice(0, text.lastIndexOf('.'));
        return (
          CLASS_CONSTANT.test(text) ||
          CONFIGURATION_VALUE.test(text) ||
          DIALECT_OWNER.test(owner) ||
          MODEL_IDENTIFIER.test(text)
        );
      }
      case 'list':
      case 'tuple':
        return named(node).every((item) => fixed(item));
      case 'await':
        return false;
      case 'call':
        return isInertValue(node) || fixedCall(node);
      default: {
        if (isInertValue(node)) return true;
        const build = stringBuild(node, 0, fixed);
        return !!build && !build.dynamic;
      }
    }
  };
  return fixed;
}

/**
 * A string that opens like a SQL statement (the text a driver would run, not a sentence that names
 * a keyword): `SELECT … FROM t`, `INSERT INTO t`, `UPDATE t SET c =`, `DELETE FROM t [WHERE …]`,
 * `WITH x AS (`. The select list must read as columns, not prose (`Select one of the options from …`).
 */
const SQL_STATEMENT_START =
  /^[\s(]*(?:(select)\s+(?:distinct\s+)?([\s\S]+?)\s+from(?:\s+[\w."`[{%_(]|\s*$)|(insert)\s+(?:or\s+\w+\s+)?into\b|(update)\s+(?:[\w."`[\]{}%]+\s+)?set\s+[\w"`.[{%]+\s*=|(delete)\s+from\s+(?:[\w."`[\]{}%]+\s*)?(?:$|;|where\b|using\b|returning\b)|(with)\s+(?:recursive\s+)?[\w"`]+(?:\s*\([^)]*\))?\s+as\s*\()/i;

function opensSqlStatement(text: string): boolean {
  const match = SQL_STATEMENT_START.exec(text);
  if (!match) return false;
  // SQL is written SELECT or select; `Select …`, `Delete …` open a sentence.
  const keyword = match[1] ?? match[3] ?? match[4] ?? match[5] ?? match[6] ?? '';
  if (/^[A-Z][a-z]/.test(keyword)) return false;
  // Columns are names, expressions and aliases between commas; four plain words in a row are a sentence.
  return !match[2] || !match[2].split(',').some((column) => /^\s*[a-z]+(?:\s+[a-z]+){3,}\s*$/i.test(column));
}

/** Where a string literal opens with a SQL keyword (after its prefix, quotes, spaces or a parenthesis). */
const SQL_STATEMENT_LITERAL = /(?<![\w'"])[rRbBuUfF]{0,2}(?:"""|'''|"|')[\s(]*(?:select|insert|update|delete|with)\b/gi;

/** Calls whose argument is a message to a person (a log line, an error, output), not a query. */
const MESSAGE_CALL =
  /^(?:print|_|gettext|gettext_lazy|ugettext|ugettext_lazy|ngettext)$|\.(?:debug|info|warning|warn|error|exception|critical|fatal|log|echo|secho|write)$|(?:Error|Exception|Warning)$/;

/** The calls that report their own SQL argument (run it, wrap it in `text()`, hand it to Django). */
function reportsItsSql(call: Call): boolean {
  if (call.name === 'RawSQL' || call.name === 'extra' || SQL_WRAPPERS.has(call.text)) return true;
  return call.object !== undefined && (SQL_METHODS.has(call.name) || SQL_FRAGMENT_METHODS.has(call.name));
}

/** Per function (or module), the names handed to a call that reports its own SQL: `cur.execute(q)`, `text(q)`. */
const sqlNamesByFile = new WeakMap<CheckInput, Set<string>>();

function namesRunAsSql(input: CheckInput): Set<string> {
  let names = sqlNamesByFile.get(input);
  if (!names) {
    names = new Set();
    for (const call of calls(input)) {
      if (!reportsItsSql(call)) continue;
      const first = unwrap(call.positional[0] ?? keywordValue(call, 'sql'));
      if (first?.type !== 'identifier') continue;
      const scope = enclosingFunction(input, call.node) ?? input.moduleScope(call.node.startIndex);
      names.add(`${scope.id} ${first.text}`);
    }
    sqlNamesByFile.set(input, names);
  }
  return names;
}

/** Stands for a value spliced into text that may carry input, in `splicedText`. */
const SPLICE = '\u0001';

/** A value read from the program's own configuration (`self.configuration["db"]`, `settings.SCHEMA`). */
const CONFIGURATION_VALUE =
  /^(?:[\w.]+\.)?(?:configuration|config|settings|conf)(?:\.\w+|\[[^\]]+\]|\.get\([^)]*\))*$/i;

function splicedMark(value: Node | null, fixed?: InertName): string {
  return isInertValue(value) || CONFIGURATION_VALUE.test(value?.text ?? '') || (value && fixed?.(value) === true)
    ? '0'
    : SPLICE;
}

/**
 * The text of a string build with SPLICE where a value that may carry input goes in (`"… = '%s'" % v`
 * → `… = '\u0001'`), so the place of each value in the statement can be read; null when not a build.
 */
function splicedText(node: Node | null, depth = 0, fixed?: InertName): string | null {
  const unwrapped = unwrapTyped(node);
  if (!unwrapped || depth > MAX_BUILD_DEPTH) return null;
  const { node: inner, type } = unwrapped;
  if (type === 'string')
    return inner.namedChildren
      .map((child) =>
        child?.type === 'string_content'
          ? child.text
          : child?.type === 'interpolation'
            ? splicedMark(named(child)[0] ?? null, fixed)
            : '',
      )
      .join('');
  if (type === 'concatenated_string')
    return named(inner)
      .map((part) => splicedText(part, depth + 1, fixed) ?? '')
      .join('');
  if (type === 'binary_operator' && isPlus(inner))
    return chainOperands(inner, isPlus)
      .map((operand) => splicedText(operand, depth + 1, fixed) ?? splicedMark(operand, fixed))
      .join('');
  if (type === 'binary_operator' && field(inner, 'operator')?.text === '%') {
    const left = splicedText(field(inner, 'left'), depth + 1, fixed);
    if (left === null) return null;
    const right = unwrapTyped(field(inner, 'right'));
    const values = right?.type === 'tuple' ? named(right.node) : [right?.node ?? null];
    let at = 0;
    return left.replace(/%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?([a-z%])/gi, (_spec, kind: string) => {
      if (kind === '%') return '%';
      const value = right?.type === 'tuple' ? (values[at++] ?? null) : values[0];
      return /[sra]/i.test(kind) ? splicedMark(value, fixed) : '0';
    });
  }
  if (type === 'call') {
    const fn = field(inner, 'function');
    const method = fn?.type === 'attribute' ? field(fn, 'attribute')?.text : undefined;
    const base =
      method === 'format' || method === 'replace' ? splicedText(field(fn, 'object'), depth + 1, fixed) : null;
    if (base === null) return null;
    const args = named(field(inner, 'arguments'));
    if (method === 'replace')
      return args.length >= 2 ? base.split(literalString(args[0]) ?? '\u0000').join(splicedMark(args[1], fixed)) : base;
    const keywords = new Map(
      args
        .filter((arg) => arg.type === 'keyword_argument')
        .map((arg) => [field(arg, 'name')?.text, field(arg, 'value')]),
    );
    const positional = args.filter((arg) => arg.type !== 'keyword_argument');
    let at = 0;
    return base.replace(/\{([^{}]*)\}/g, (_, name: string) => {
      const key = name.split(/[.[!:]/)[0];
      if (key === '') return splicedMark(positional[at++] ?? null, fixed);
      return splicedMark(/^\d+$/.test(key) ? (positional[Number(key)] ?? null) : (keywords.get(key) ?? null), fixed);
    });
  }
  return null;
}

/**
 * A value goes where the statement names a table or columns (`FROM {table}`, `{catalog}.schema`,
 * `INSERT INTO %s`, `SELECT {cols} FROM`, `INSERT INTO t ({cols}) VALUES`): schema introspection and
 * query builders splice their own identifiers there. Reported where a query call runs the text; built
 * alone, only values count.
 */
const IDENTIFIER_SPLICE = new RegExp(
  `(?:\\b(?:from|join|into|update|table|exists|select)\\s+["\`\\[]?|\\.)${SPLICE}|${SPLICE}["\`\\]]?\\.|\\(\\s*${SPLICE}\\s*\\)(?=\\s*(?:values|select)\\b)`,
  'gi',
);

function splicesValueIntoSql(node: Node, fixed: InertName): boolean {
  const text = splicedText(node, 0, fixed);
  if (text === null) return false;
  const all = text.split(SPLICE).length - 1;
  const identifiers = text.match(IDENTIFIER_SPLICE)?.length ?? 0;
  return all > identifiers;
}

/**
 * SQL recognised by its text: a statement built with `%`, `.format()`, an f-string or `+` from a
 * value that is not constant is reported where it is built, whether or not this function runs it
 * (a query builder returns it; a helper runs it elsewhere). Not reported when a query call here
 * reports it already (it is its argument, or the name it is stored in is), nor when the text is a
 * message (`log.info(…)`, an exception's text), nor when only constants, numbers (`%d`, `int()`),
 * quoted identifiers or placeholder lists are spliced.
 */
function reportSqlStatementBuilds(input: CheckInput): void {
  const seen = new Set<number>();
  for (const match of matchesInRegion(input, SQL_STATEMENT_LITERAL)) {
    const found = stringWithAncestorsAt(input.tree, match.index, STRING_TYPES);
    if (!found) continue;
    // Climb from the literal to the whole build: `"…" % x`, `"…" + x + "…"`, `"…".format(x)`, `("…" "…")`.
    let build: Node = found.literal;
    // Where the climb stopped: the build's consumer, and what holds it (read only if asked for).
    let consumer: Node | null = null;
    let holders: LazyAncestors | undefined;
    const chain = found.ancestors;
    for (let at = 0, node = chain.at(0); node; at += 1, node = chain.at(at)) {
      const type = node.type;
      if (type === 'concatenated_string' || type === 'parenthesized_expression') build = node;
      else if (type === 'binary_operator' && isPlus(node)) build = node;
      else if (type === 'binary_operator' && field(node, 'operator')?.text === '%') {
        // The text formatted, not a value given to another format.
        const left = field(node, 'left');
        if (!left || !contains(left, build)) break;
        build = node;
      } else if (
        type === 'attribute' &&
        chain.at(at + 1)?.type === 'call' &&
        /^(?:format|replace)$/.test(field(node, 'attribute')?.text ?? '')
      ) {
        build = chain.at(at + 1) ?? build;
        at += 1;
      } else {
        consumer = node;
        holders = chain.from(at + 1);
        break;
      }
    }
    if (seen.has(build.startIndex)) continue;
    seen.add(build.startIndex);
    // The consumer first: most statements go straight to a query call, which reports them itself.
    const consumerType = consumer?.type;
    const consumerCall = consumer && holders ? callConsuming(consumerType, holders) : undefined;
    if (consumer && isHandledElsewhere(input, consumer, consumerType, consumerCall, build)) continue;
    const built = stringBuild(build);
    if (!built?.dynamic || !opensSqlStatement(built.literal)) continue;
    if (!splicesValueIntoSql(build, sqlFixedPieces(input, consumerCall))) continue;
    input.report(
      build,
      'sql-injection',
      'SQL text is built by splicing values into the statement: wherever it is run, input can change the query.',
      'Keep the statement constant with placeholders (`%s`, `:name`, `?`) and pass the values as the query parameters.',
    );
  }
}

/**
 * The call a built statement is an argument of (`db.fetchall(f"…", values)`, `query=f"…"`). `holders`
 * are the consumer's parent and grandparent, read on the way down.
 */
function callConsuming(type: string | undefined, holders: LazyAncestors): Call | undefined {
  if (type !== 'keyword_argument' && type !== 'argument_list') return undefined;
  const callNode = type === 'keyword_argument' ? holders.at(1) : holders.at(0);
  return callNode?.type === 'call' ? readCall(callNode) : undefined;
}

/** The consumer of a built statement runs it and reports it, or shows it to a person. */
function isHandledElsewhere(
  input: CheckInput,
  consumer: Node,
  type: string | undefined,
  call: Call | undefined,
  build: Node,
): boolean {
  if (type === 'keyword_argument' || type === 'argument_list')
    return !!call && (reportsItsSql(call) || MESSAGE_CALL.test(call.text));
  if (type === 'assignment' && field(consumer, 'right')?.id === build.id) {
    const target = field(consumer, 'left');
    if (target?.type !== 'identifier') return false;
    const scope = enclosingFunction(input, consumer) ?? input.moduleScope(consumer.startIndex);
    return namesRunAsSql(input).has(`${scope.id} ${target.text}`);
  }
  return false;
}

/** A function's or a loop body's range; `isAsync` marks `async def` functions. */
interface ScopeSpan extends Span {
  isAsync: boolean;
}

// Loop and function spans, read once per file: climbing parents is slow in web-tree-sitter.
const spanLists = new WeakMap<CheckInput, { functions: SpanIndex<ScopeSpan>; loopBodies: SpanIndex<ScopeSpan> }>();

function spans(input: CheckInput): { functions: SpanIndex<ScopeSpan>; loopBodies: SpanIndex<ScopeSpan> } {
  let found = spanLists.get(input);
  if (!found) {
    const functions = [...FUNCTIONS]
      .flatMap((type) => input.nodesOfType(type))
      .map((fn) => ({
        start: fn.startIndex,
        end: fn.endIndex,
        isAsync: input.text.startsWith('async', fn.startIndex),
      }));
    const loopBodies: ScopeSpan[] = [];
    for (const type of LOOPS) {
      for (const loop of input.nodesOfType(type)) {
        const body = field(loop, 'body');
        if (body) loopBodies.push({ start: body.startIndex, end: body.endIndex, isAsync: false });
      }
    }
    found = { functions: indexSpans(functions), loopBodies: indexSpans(loopBodies) };
    spanLists.set(input, found);
  }
  return found;
}

/**
 * The span holding the node's start with the largest start; among spans with that same start, the
 * first in document order (the stable sort keeps it). Binary search, then a backwards scan that
 * stops once no earlier span reaches the position.
 */
function innermost({ spans, starts, maxEnd }: SpanIndex<ScopeSpan>, node: Node): ScopeSpan | undefined {
  const start = node.startIndex;
  for (let at = lastStartingBy(starts, start); at >= 0 && maxEnd[at] > start; at -= 1) {
    if (spans[at].end <= start) continue;
    let first = at;
    for (let earlier = at - 1; earlier >= 0 && spans[earlier].start === spans[at].start; earlier -= 1) {
      if (spans[earlier].end > start) first = earlier;
    }
    return spans[first];
  }
  return undefined;
}

/** Inside a for/while body, within the same function. */
function inLoopBody(input: CheckInput, node: Node): boolean {
  const { functions, loopBodies } = spans(input);
  const body = innermost(loopBodies, node);
  const fn = innermost(functions, node);
  return !!body && (!fn || body.start > fn.start);
}

/** Statements that change the schema or the session (`KILL 42` ends one): one per object by nature, nothing to batch. */
const DDL_TEXT =
  /^\s*(?:CREATE|DROP|ALTER|TRUNCATE|INSTALL|LOAD|PRAGMA|SET|RESET|GRANT|REVOKE|VACUUM|ANALYZE|REINDEX|COMMENT|ATTACH|DETACH|KILL)\b/i;
/** SQLAlchemy's schema constructs (`DropTable(t)`, `CreateIndex(i)`). */
const DDL_CONSTRUCT = /^(?:\w+\.)*(?:Create|Drop|Add|Alter)(?:Table|Index|Constraint|Schema|Sequence|Column)\(/;
/** Loop variables and collections that are schema objects or statements: one statement each, not one per row. */
const SCHEMA_OBJECTS =
  /^(?:\w+_)?(?:tables?|table_names?|tablenames?|columns?|indexes|indices|constraints?|fkeys?|foreign_keys|schemas?|sequences?|extensions?|migrations?|statements?|stmts?|queries|sqls?)$/i;

/** Names bound by a `for` target (`for a, (b, c) in ...`). */
function targetNames(target: Node | null): string[] {
  if (!target) return [];
  if (target.type === 'identifier') return [target.text];
  return named(target).flatMap((child) => targetNames(child));
}

/** A collection written out in the code (`["a", "b"]`, `range(3)`), or a name bound only to one. */
function isWrittenOutCollection(input: CheckInput, iterable: Node | null, fn: Node | null): boolean {
  const value = unwrapTyped(iterable);
  if (!value) return false;
  // `[*pinned, *shelved]` unpacks other lists: as long as they are (growthShown reads them).
  const unpacks = (node: Node): boolean =>
    named(node).some((item) => item.type === 'list_splat' || item.type === 'dictionary_splat');
  if (['list', 'tuple', 'set', 'dictionary'].includes(value.type)) return !unpacks(value.node);
  if (value.type === 'call' && /^range\(\s*\d{1,2}\s*\)$/.test(value.node.text)) return true;
  // `settings.DEFAULT_GROUPS`, `self.KINDS`: an UPPER_CASE attribute is a setting or a class constant;
  // Django's request mappings (`request.POST`, `request.FILES`) are UPPER_CASE too and hold input.
  if (value.type === 'attribute')
    return /\.[A-Z][A-Z0-9_]*$/.test(value.node.text) && !FROM_REQUEST.test(value.node.text);
  if (value.type !== 'identifier') return false;
  // An UPPER_CASE name is a constant of the module (isConstantValue), a CapWords name a class (an Enum's
  // members); other names are looked up in the function only.
  if (/^[A-Z][A-Z0-9_]*$|^[A-Z][a-z]+(?:[A-Z][a-z0-9]*)*$/.test(value.node.text)) return true;
  if (!fn) return false;
  let bound = false;
  for (const assignment of assignmentsBefore(input, fn, value.node.text, value.node.startIndex)) {
    const right = unwrapTyped(field(assignment.node, 'right'));
    if (!right || !['list', 'tuple', 'set', 'dictionary'].includes(right.type) || unpacks(right.node)) return false;
    // `entries = []`, filled later (`entries.append(row)`): as long as the data.
    if (named(right.node).length === 0) return false;
    bound = true;
  }
  return bound;
}

/** A query's rows, or a mapping built from them (`dict(qs.values_list(…))`, `{r.id: r for r in rows}`). */
const FILLED_BY_QUERY =
  /\.objects\b|\.(?:execute|query|filter|filter_by|all|values_list|values|fetchall|scalars)\s*\(|\bfor\b/;

/**
 * `for action, entry in permissions.items()`, `for key, value in options.items()`: the pairs of a
 * mapping the code was handed or wrote (a settings form, a permission map, `**kwargs`) are one per
 * key, as many as its author named, not one per row. A mapping the function filled from a query
 * (`totals = dict(qs.values_list(…))`) is as long as the data and stays a loop over it.
 */
function pairsOfHeldMapping(input: CheckInput, loop: Node, iterable: Node, fn: Node | null): boolean {
  const text = iterable.text;
  const held = /^([A-Za-z_][\w.]*(?:\[[^\]\n]*\])?)\.items\(\)$/.exec(text)?.[1];
  if (!held) return false;
  // The request's body (`request.json["rows"]`, `payload = await request.json()`) is as long as the caller
  // makes it: a pair per entry the client sent.
  if (FROM_REQUEST.test(held)) return false;
  // `for product_id, quantity in cart.items(): Product.objects.get(pk=product_id)`: keyed by rows
  // (a cart, a payload of ids), one pass per row whoever holds the mapping.
  const key = targetNames(field(loop, 'left'))[0];
  if (key && keysRows(input, loop, key)) return false;
  if (!/^[A-Za-z_]\w*$/.test(held) || !fn) return true;
  for (const assignment of assignmentsBefore(input, fn, held, iterable.startIndex)) {
    const value = field(assignment.node, 'right')?.text ?? '';
    if (FILLED_BY_QUERY.test(value) || FROM_REQUEST.test(value)) return false;
  }
  return true;
}

/** A request's data: `request.json`, `request.data`, `request.POST`, `get_json()`, a body parsed from JSON. */
const FROM_REQUEST = /\brequest\.|\bget_json\(|\bjson\.loads?\(|\.json\(\s*\)/;

/** A loop variable named for a row's id: `pk`, `id`, `product_id`, `userId`. */
const ID_NAME = /^(?:pk|id|\w*_(?:pk|id)|\w*[a-z]Id)$/;

/** Whether the mapping's key is a row's id: named so, or given to the query as one (`pk=key`, `user_id=key`). */
function keysRows(input: CheckInput, loop: Node, key: string): boolean {
  if (ID_NAME.test(key)) return true;
  const body = field(loop, 'body');
  if (!body) return false;
  return new RegExp(`(?:\\b(?:pk|id)|_(?:pk|id))\\s*=\\s*${key}\\b(?!\\s*[.(\\[])`).test(
    input.text.slice(body.startIndex, body.endIndex),
  );
}

const COUNTED_RETRY =
  /^range\(\s*(?:\d\s*,\s*)?(?:\d{1,2}|[\w.]*(?:retr(?:y|ies)|attempts?|tries)\w*)\s*(?:\+\s*1\s*)?\)$/i;

/**
 * `for name in data: if name not in self.fields: continue`: every pass past the first line handles
 * one of a declared set (a serializer's fields, a constant, a literal list): as many as the schema
 * has, whatever the data holds.
 */
const DECLARED_ONLY =
  /^if[ \t]+[A-Za-z_]\w*[ \t]+not[ \t]+in[ \t]+(?:(?:self|cls)\.(?:\w*_)?(?:fields|columns|attributes|properties|choices)|(?:(?:self|cls)\.)?[A-Z][A-Z0-9_]*|[[({][^\n]*[\])}])[ \t]*:[ \t]*(?:#[^\n]*)?\n[ \t]*continue\b/;
function skipsUndeclared(text: string, body: Node): boolean {
  return DECLARED_ONLY.test(text.slice(body.startIndex, Math.min(body.endIndex, body.startIndex + 300)));
}

/**
 * Whether a loop runs once per row of data: a `for` loop whose list the file shows grows with the data
 * (loopShowsGrowth), not one over a collection written out in the code, schema objects or statements, a
 * count of tries, a held mapping's pairs or a declared set. A `while` loop never shows it.
 */
function loopGrowsWithData(input: CheckInput, loop: Node, fn: Node | null): boolean {
  // A `while` walk (a queue, a retry, a poll, a paged listing) shows no list that grows with the data.
  if (loop.type !== 'for_statement') return false;
  const body = field(loop, 'body');
  const iterable = field(loop, 'right');
  if (isWrittenOutCollection(input, iterable, fn)) return false;
  // `for attempt in range(3)`, `range(MAX_RETRIES)`: a count of tries repeats one call until it succeeds.
  if (COUNTED_RETRY.test(iterable?.text ?? '')) return false;
  const names = [...targetNames(field(loop, 'left')), (iterable?.text ?? '').split('.').pop() ?? ''];
  if (names.some((name) => SCHEMA_OBJECTS.test(name.replace(/\(.*$/s, '')))) return false;
  if (iterable && pairsOfHeldMapping(input, loop, iterable, fn)) return false;
  if (body && skipsUndeclared(input.text, body)) return false;
  if (!loopShowsGrowth(input, loop)) return false;
  // `for realm in realms_to_add`: one pass per tenancy container, few (namesTenancyContainer).
  const found = forText(input, loop);
  return !(found && found.targets.length === 1 && namesTenancyContainer(found.targets[0]));
}

const GROWTH_WRAPPER =
  /^(?:enumerate|sorted|list|set|tuple|reversed|iter|frozenset|tqdm|zip|chain(?:\.from_iterable)?)\(/;
/**
 * A slice that keeps a few: one with an end and no step (`[:50]`, `[0:n]`, `[i:i + n]`) or the last few
 * (`[-n:]`). Not `[:-1]` or `[1:-1]` (all but one or two), `[::2]` (every other one) nor `[::-1]` (all,
 * reversed): those are as many as the list. A mapping's key with a colon (`row["a:b"]`) is no slice.
 */
const FEW_SLICE = String.raw`\[(?:[^[\]:\n"']*:[ \t]*(?![-:\s])[^[\]:\n"']+|[ \t]*-[ \t]*[\w.]+[ \t]*:[ \t]*)\]`;
/**
 * A query with a cap: a slice that keeps a few (FEW_SLICE), `.limit(…)`, `.first()`, `.paginate(…)`, or
 * one row (`Model.objects.get(pk=…)`, `get_object_or_404(…)`); not a mapping's `.get("key", [])`.
 */
const CAPPED = new RegExp(
  String.raw`${FEW_SLICE}|\.(?:limit|first|last|paginate|one|one_or_none|scalar|get_or_create|latest|earliest)\(|\.(?:objects|query|session)\.get\(|\.get\(\s*\w+\s*=|\bget_object_or_404\(`,
);
const REQUEST_LIST =
  /\brequest\.(?:data|json|POST|GET|FILES|form|args|values|files|query_params|get_json)\b|\bget_json\(|\bvalidated_data\b|\.getlist\(/;
const PARSED_DOCUMENT =
  /\bjson\.loads?\(|\.json\(\s*\)|\bcsv\.(?:reader|DictReader)\(|\byaml\.(?:safe_|full_)?load(?:_all)?\(|\b(?:ET|ElementTree|etree|lxml\.etree)\.|\bfromstring\(|\.iter_rows\(|\bload_workbook\(|\.readlines\(\)|\.namelist\(\)|\bxmltodict\.parse\(|\bfeedparser\.parse\(|\btomllib?\.loads?\(/;
const FOLDER_LISTING =
  /\bos\.(?:listdir|scandir|walk)\(|\bglob\.i?glob\(|\.(?:iterdir|rglob|glob)\(|(?:^|[^.\w])(?:listdir|scandir)\(|\.(?:list|listdir|ls|list_dir|list_objects(?:_v2)?|list_blobs)\([^()\n]*(?:path|dir|folder|prefix|bucket)/i;
/**
 * Rows of a query given no limit; a model class's manager by Django's naming (`objects`,
 * `Post.active_objects`; not a record's related manager such as `route.stop_objects`).
 */
const QUERY_ROWS_UNBOUNDED =
  /\)\s*\.all\(\s*\)$|\b(?:get|find|fetch|list)_all\w*\(|\.objects\b|\b[A-Z]\w*\.[a-z]\w*_objects\b|\.query\b|\bsession\.(?:execute|scalars|query)\(|\.scalars\(|\.fetchall\(|\bselect\(|\b(?:get|filter)_queryset\(|\.(?:select_related|prefetch_related|annotate|values_list|only|defer|iterator)\(/;
/**
 * A SELECT run through a DB-API or SQLAlchemy connection (`conn.execute("SELECT id FROM users")`,
 * `cursor.execute(text('''WITH …'''))`): its rows, unless the SQL caps them (`LIMIT 20`).
 */
const SELECT_RUN =
  /\.(?:execute|exec_driver_sql)\(\s*(?:(?:sa\.|sqlalchemy\.)?text\(\s*)?[rRbBuUfF]{0,2}(?:"""|'''|"|')\s*(?:SELECT|WITH)\b/i;
/** SQL that caps its rows (`LIMIT 20`), or a cursor asked for one row or a few (`.fetchone()`, `.fetchmany(n)`). */
const SQL_LIMIT = /\bLIMIT\s+\d|\.fetch(?:one|many)\(/i;
/** `recipe.steps.all()`, `self.slots.filter(…)`: one record's children through its related manager. */
const RECORD_CHILDREN = /^(?:[A-Za-z_]\w*\.)+[a-z_]\w*\.(?:all|filter|exclude|order_by)\(/;
/** A queryset method on a name (`qs.filter(…)`, `rows.all()`): the rows are the name's. */
const ON_NAME = /^([A-Za-z_]\w*)\.(?:all|filter|exclude|order_by|distinct|values|items|keys)\(/;
const IDS_LIST = /^(?:ids|pks|uuids|\w+_(?:ids|pks|uuids)|\w*[a-z](?:Ids|Pks|Uuids))$/;
const QUERYSET_NAME = /^(?:queryset|qs|\w+_(?:qs|queryset))$/;
const GROWTH_DEPTH = 4;
/** A list cut to a few at its end (FEW_SLICE): `[:n]`, `[i:i + n]`, `[-n:]`; not `[1:]` nor `[:-1]`, which drop one. */
const SLICED_TO_FEW = new RegExp(`${FEW_SLICE}$`);

/** The first argument of a call's text (`sorted(rows, key=…)` → `rows`). */
function firstArgument(text: string): string {
  const open = text.indexOf('(');
  let depth = 0;
  for (let at = open + 1; at < text.length; at += 1) {
    const c = text[at];
    if (c === '(' || c === '[' || c === '{') depth += 1;
    else if (c === ')' || c === ']' || c === '}') {
      if (depth === 0) return text.slice(open + 1, at).trim();
      depth -= 1;
    } else if (c === ',' && depth === 0) return text.slice(open + 1, at).trim();
  }
  return text.slice(open + 1).trim();
}

/** The right-hand side of an assignment starting at `from` (continued while its brackets are open). */
function rightHandSide(text: string, from: number): string {
  let depth = 0;
  let at = from;
  for (; at < text.length && at < from + 3000; at += 1) {
    const c = text[at];
    if (c === '(' || c === '[' || c === '{') depth += 1;
    else if (c === ')' || c === ']' || c === '}') depth -= 1;
    else if (c === '\n' && depth <= 0) break;
  }
  return text.slice(from, at).trim();
}

/** The `in` part of a comprehension (`[f for f in listdir(p) if …]` → `listdir(p)`). */
function comprehensionSource(expr: string): string | undefined {
  if (!/^[[({]/.test(expr)) return undefined;
  const match = /\bfor\s+[^\n]+?\s+in\s+([\s\S]+?)(?:\s+if\s+[\s\S]*)?[\])}]\s*$/.exec(expr);
  return match?.[1].trim();
}

/**
 * Positive evidence, read in the file, that a `for` loop's list grows with the data (the principle of
 * JS/TS's growthOrigin, session 12): the rows of a query given no limit (`Model.objects.filter(…)`,
 * `session.query(…)`, `select(…)`, `cursor.fetchall()`, a chain on a queryset, a parameter named
 * `queryset`), the request's own list (`request.data[…]`, `request.POST.getlist(…)`, `validated_data`,
 * a list parameter of a routed function), a document parsed from text or an upload (`json.load(s)`,
 * `response.json()`, `csv.reader`, `yaml.safe_load`), a folder listing (`os.listdir`, `glob`,
 * `Path.iterdir`, a client's `list(path)`), a list named for row ids (`user_story_ids`) or walked as
 * row references (`for source_id in selected:`), a parameter declared as a list (`skus: list[str]`),
 * or a loop nested in one of those. Read back through
 * the function's assignments, `with … as`, lists filled by `append`, and the loops around it. A
 * parameter or a helper's result nothing explains, one record's own children (`recipe.steps.all()`,
 * `self.slots.all()`), a capped query (`[:50]`, `.limit(…)`), a constant and `self.…` show none.
 */
function growthShown(input: CheckInput, raw: string, at: number, depth: number, listParameters = true): boolean {
  if (depth > GROWTH_DEPTH) return false;
  let expr = raw.trim().replace(/^await\s+/, '');
  // What only holds or reorders rows keeps them (read in the text, so it spends no depth): a
  // comprehension's source, `sorted(set(list(qs)))`, `range(len(rows))`, brackets.
  for (let peeled = true; peeled;) {
    peeled = false;
    // `urls[:max_pages]`, `sorted(rows)[:50]`, `recent[-10:]`: a slice with an end (or the last few) holds
    // at most that many, whatever the list it is cut from.
    if (SLICED_TO_FEW.test(expr)) return false;
    const comprehension = comprehensionSource(expr);
    // `range(len(rows))`: the indexes of a list are as many as its items.
    const counted = /^range\(\s*len\(([^()]+)\)\s*\)$/.exec(expr)?.[1];
    if (comprehension !== undefined) expr = comprehension;
    else if (/^(?:itertools\.)?(?:chain|zip)\(/.test(expr)) {
      // `chain(pinned, shelved)`: as many as all its lists together.
      const open = expr.indexOf('(');
      const close = closingBracket(expr, open);
      if (close !== expr.length - 1) break;
      const lists = splitTopLevel(expr.slice(open + 1, close)).filter((list) => list && !/^\w+\s*=/.test(list));
      return lists.some((list) => growthShown(input, list.replace(/^\*/, ''), at, depth, listParameters));
    } else if (GROWTH_WRAPPER.test(expr)) expr = firstArgument(expr);
    else if (counted) expr = counted;
    else if (/^\(.*\)$/s.test(expr) && closingBracket(expr, 0) === expr.length - 1) expr = expr.slice(1, -1).trim();
    else break;
    peeled = true;
  }
  // `list(shelved) + list(reviewed)`, `mine | theirs`, `[*pinned, *shelved]`: rows joined to other
  // rows or to a few fixed items are as many as the rows.
  const operands = topLevelOperands(expr);
  if (operands.length > 1) return operands.some((operand) => growthShown(input, operand, at, depth, listParameters));
  if (/^[[{(]\s*\*/.test(expr) && closingBracket(expr, 0) === expr.length - 1)
    return splitTopLevel(expr.slice(1, -1)).some(
      (item) => item.startsWith('*') && growthShown(input, item.replace(/^\*+/, ''), at, depth, listParameters),
    );
  if (REQUEST_LIST.test(expr) || PARSED_DOCUMENT.test(expr) || FOLDER_LISTING.test(expr)) return true;
  const last = /([A-Za-z_]\w*)(?:\(\s*\))?$/.exec(expr)?.[1] ?? '';
  if (IDS_LIST.test(last)) return true;
  if (CAPPED.test(expr)) return false;
  if (RECORD_CHILDREN.test(expr) && !/^[A-Z]|\.objects\./.test(expr)) return false;
  if (QUERY_ROWS_UNBOUNDED.test(expr)) return true;
  if (SELECT_RUN.test(expr)) return !SQL_LIMIT.test(expr);
  // A function of this file whose answer is rows (`for r in pending_refunds(conn, m):`, which returns
  // `cursor.fetchall()` of a query given no limit): its result grows as those rows do.
  const helper = /^([A-Za-z_]\w*)\(/.exec(expr)?.[1];
  if (helper !== undefined) return returnsGrowingRows(input, helper, depth + 1, listParameters);
  const onName = ON_NAME.exec(expr)?.[1];
  const root = onName ?? /^([A-Za-z_]\w*)(?:$|[[.])/.exec(expr)?.[1];
  if (!root || root === 'self' || root === 'cls' || /^[A-Z]/.test(root)) return false;
  return nameShowsGrowth(input, root, at, depth + 1, listParameters);
}

/** The operands of an expression's top-level `+` or `|` (`list(a) + list(b)`), strings and brackets skipped; one when none. */
function topLevelOperands(expr: string): string[] {
  const operands: string[] = [];
  let start = 0;
  for (let at = 0; at < expr.length; at += 1) {
    const char = expr[at];
    if (char === '(' || char === '[' || char === '{') {
      const end = closingBracket(expr, at);
      if (end < 0) return [expr];
      at = end;
    } else if (char === '"' || char === "'") {
      const end = stringEnd(expr, at);
      if (end < 0) return [expr];
      at = end;
    } else if ((char === '+' || char === '|') && at > start && expr[at + 1] !== '=') {
      operands.push(expr.slice(start, at).trim());
      start = at + 1;
    }
  }
  if (operands.length === 0) return [expr];
  operands.push(expr.slice(start).trim());
  return operands.filter((operand) => operand.length > 0);
}

/**
 * Whether a function of this file named `name` returns (or yields) what growthShown calls growing: each
 * `return X` / `yield from X` of its own body, read where it stands (its assignments before it).
 */
function returnsGrowingRows(input: CheckInput, name: string, depth: number, listParameters = true): boolean {
  if (depth > GROWTH_DEPTH) return false;
  const fn = functionNamed(input, name);
  if (!fn) return false;
  const body = input.text.slice(fn.start, fn.end);
  for (const back of body.matchAll(/^[ \t]+(?:return|yield[ \t]+from)[ \t]+(?=\S)/gm)) {
    const at = fn.start + (back.index ?? 0) + back[0].length;
    if (growthShown(input, rightHandSide(input.text, at), at, depth, listParameters)) return true;
  }
  return false;
}

/** What the function around `at` bound `name` to before it: assignments, `with … as`, loops around, appends, its parameters. */
function nameShowsGrowth(input: CheckInput, name: string, at: number, depth: number, listParameters = true): boolean {
  if (IDS_LIST.test(name)) return true;
  const header = enclosingDef(input, at);
  if (!header) return false;
  const text = input.text;
  const before = text.slice(header.start, at);
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  const indent = /^[ \t]*/.exec(text.slice(lineStart, at))?.[0].length ?? 0;
  const escaped = name.replace(/\W/g, '');
  const patterns = [
    new RegExp(`^[ \\t]*${escaped}[ \\t]*(?::[^=\\n]+)?=(?!=)[ \\t]*`, 'gm'),
    new RegExp(`^[ \\t]*with[ \\t]+(?:[^\\n]*,[ \\t]*)?([^\\n]*?)[ \\t]+as[ \\t]+${escaped}\\b`, 'gm'),
  ];
  // Positions handed on are a statement's first character: enclosingDef reads the indentation before it.
  const statementAt = (match: RegExpMatchArray): number =>
    header.start + (match.index ?? 0) + Math.max(0, match[0].search(/\S/));
  for (const match of before.matchAll(patterns[0]))
    if (
      growthShown(
        input,
        rightHandSide(before, (match.index ?? 0) + match[0].length),
        statementAt(match),
        depth,
        listParameters,
      )
    )
      return true;
  for (const match of before.matchAll(patterns[1]))
    if (growthShown(input, match[1], statementAt(match), depth, listParameters)) return true;
  // `cursor.execute("SELECT …")` then `for row in cursor:`: a DB-API cursor walks the rows of the last
  // statement it ran before the loop.
  const runs = [...before.matchAll(new RegExp(`^[ \\t]*(?:await[ \\t]+)?${escaped}\\.execute\\(`, 'gm'))];
  const run = runs.at(-1);
  if (run) {
    const statement = rightHandSide(before, (run.index ?? 0) + run[0].length - `${escaped}.execute(`.length);
    if (SELECT_RUN.test(statement) && !SQL_LIMIT.test(statement)) return true;
  }
  // A loop around `at` (or before it, for a list filled per item) that binds the name or fills it.
  const loops = [
    ...before.matchAll(/^([ \t]*)(?:async[ \t]+)?for[ \t]+([^\n]+?)[ \t]+in[ \t]+([^\n]+?):[ \t]*(?:#[^\n]*)?$/gm),
  ];
  for (const loop of loops) {
    const targets = loop[2].split(/[\s,()[\]]+/);
    if (
      targets.includes(name) &&
      loop[1].length < indent &&
      growthShown(input, loop[3], statementAt(loop), depth, listParameters)
    )
      return true;
  }
  for (const fill of before.matchAll(
    new RegExp(`^([ \\t]*)${escaped}[ \\t]*(?:\\.(?:append|extend|add|update)\\(|\\+=)`, 'gm'),
  )) {
    const around = loops.filter((loop) => loop.index < fill.index && loop[1].length < fill[1].length).pop();
    if (around && growthShown(input, around[3], statementAt(around), depth, listParameters)) return true;
  }
  const parameter = header.parameters.find((written) => written.replace(/^\*+/, '').split(/[:=]/)[0].trim() === name);
  if (parameter === undefined) return false;
  if (QUERYSET_NAME.test(name)) return true;
  // A parameter the function declares as a list (`skus: list[str]`, `items: list`, a FastAPI body):
  // the function says it takes many, as many as its callers hand over. (On rounds 4-7: 2 more real
  // and 5 more debatable findings; the labelled set's two N+1s over `items: list` / `skus: list[str]`.)
  return listParameters && /:\s*(?:list|List|Sequence|set|Set)\b/.test(parameter);
}

/** Whether a `for` loop shows, in the file, that its list grows with the data (see growthShown). */
function loopShowsGrowth(input: CheckInput, loop: Node): boolean {
  const found = forText(input, loop);
  if (!found) return false;
  // `for source_id in selected:`: row references, one query per row the caller picked. (Not the keys
  // of a mapping's pairs: on rounds 4-7 they were a backup's or a form's few entries.)
  const key = found.targets.length === 1 ? found.targets[0] : undefined;
  if (key && ID_NAME.test(key)) return true;
  return growthShown(input, found.iterable, loop.startIndex, 0);
}

/** The loops around a node within its function, innermost first. */
function enclosingLoops(node: Node): Node[] {
  const loops: Node[] = [];
  for (const ancestor of climb(node)) {
    const type = ancestor.type;
    if (FUNCTIONS.has(type) || type === 'class_definition') break;
    if (LOOPS.has(type) && contains(field(ancestor, 'body') ?? ancestor, node)) loops.push(ancestor);
  }
  return loops;
}

/** The call runs the loop's own item: a listed statement, or a request to each listed address (fan-out). */
function runsLoopItem(first: Node | null, loops: Node[]): boolean {
  const value = unwrap(first);
  if (!value) return false;
  const root = value.text.split(/[.[(]/)[0];
  return loops.some((loop) => loop.type === 'for_statement' && targetNames(field(loop, 'left')).includes(root));
}

/** Attributes of a loop item that shape a query rather than fill a value in it (`f.expression`, `rule.filters`). */
const QUERY_SHAPE_ATTRIBUTE = /^(?:\w+_)?(?:expressions?|filters?|criteria|conditions?|predicates?|where|clauses?)$/i;

/**
 * A query that one query for all the loop's items cannot replace, because each item changes what is
 * queried, not only a value in it:
 * - the session or connection is opened in the loop on something built from the item (a tenant's
 *   schema, `with session_scope(engine_for(org)) as s`): each iteration queries another database;
 * - the query built by the call is then shaped by the item's own filter expression
 *   (`query = apply_filters(query, f.expression)`): each iteration is a different query.
 */
function cannotBatch(input: CheckInput, loop: Node, call: Call): boolean {
  if (loop.type !== 'for_statement') return false;
  const items = targetNames(field(loop, 'left'));
  const body = field(loop, 'body');
  if (items.length === 0 || !body) return false;
  const mentionsItem = (text: string): boolean => items.some((item) => new RegExp(`\\b${item}\\b`).test(text));
  const before = input.text.slice(body.startIndex, call.node.startIndex);
  const handle = (call.object ?? '').split(/[.([]/)[0];
  if (handle && /^[A-Za-z_]\w*$/.test(handle)) {
    const opened = new RegExp(`\\bwith\\s+([^\\n]*?)\\s+as\\s+${handle}\\b|\\b${handle}\\s*=(?!=)\\s*([^\\n]+)`).exec(
      before,
    );
    // What the session is opened on: the item itself, or a name the loop built from it before
    // (`tenant_engine = engine.execution_options(…tenant…)`).
    const names = opened ? [...(opened[1] ?? opened[2] ?? '').matchAll(/\b[A-Za-z_]\w*\b/g)].map((m) => m[0]) : [];
    for (const name of names) {
      if (items.includes(name)) return true;
      const assigned = opened ? new RegExp(`\\b${name}\\s*=(?!=)`).exec(before.slice(0, opened.index)) : null;
      if (assigned && opened && mentionsItem(before.slice(assigned.index, opened.index))) return true;
    }
  }
  // `query = session.query(M)…` then `query = apply_filters(query, f.expression)` in the loop.
  const target = /(?:^|\n)\s*([A-Za-z_]\w*)\s*=\s*\(?\s*$/.exec(
    input.text.slice(body.startIndex, call.node.startIndex),
  )?.[1];
  if (!target) return false;
  const after = input.text.slice(call.node.endIndex, body.endIndex);
  return after.split('\n').some((line) => {
    if (!new RegExp(`\\b${target}\\b`).test(line)) return false;
    return [...line.matchAll(/\b([A-Za-z_]\w*)\.([A-Za-z_]\w*)/g)].some(
      ([, owner, attribute]) => items.includes(owner) && QUERY_SHAPE_ATTRIBUTE.test(attribute),
    );
  });
}

/** `pk__in=ids`, `id__in=page_ids` in a query's arguments (also inside `Q(...)`): the names given as a list. */
const IN_LOOKUP = /\b\w+__in\s*=\s*([A-Za-z_]\w*)\b(?!\s*[.([])/g;

/** Names the loop binds: its target, and names assigned in its body before `at` (`ids = []`, `page_ids = pages[i]`). */
function boundInLoop(input: CheckInput, loop: Node, at: number): Set<string> {
  const names = new Set(targetNames(field(loop, 'left')));
  const body = field(loop, 'body');
  if (body)
    for (const match of input.text
      .slice(body.startIndex, at)
      .matchAll(/^[ \t]*([A-Za-z_]\w*)[ \t]*(?::[^=\n]*)?=(?!=)/gm))
      names.add(match[1]);
  return names;
}

/**
 * The query already takes a batch the loop made: a `__in` lookup given a list bound in the loop
 * (`filter(pk__in=face_ids)` per cluster, `filter(id__in=page_ids)` per page of ids), one round trip
 * per chunk or group; or a slice of the result in a `while` loop (`filter(...)[:BATCH]` until done),
 * each pass fetching the next chunk.
 */
function takesLoopBatch(input: CheckInput, call: Call, loop: Node): boolean {
  // Read from the text, not the tree: the call's arguments and the chain after them.
  const text = input.text;
  const open = text.indexOf('(', call.node.startIndex);
  const close = open < 0 ? -1 : closingBracket(text, open);
  if (close < 0) return false;
  const args = text.slice(open, close);
  if (args.includes('__in')) {
    const bound = boundInLoop(input, loop, call.node.startIndex);
    for (const match of args.matchAll(IN_LOOKUP)) if (bound.has(match[1])) return true;
  }
  if (!text.startsWith('while', loop.startIndex)) return false;
  // `Model.objects.filter(...).order_by(...)[:64]`: follow the chain the call starts to a slice.
  let at = close + 1;
  for (
    let link = /^\s*\.\s*\w+\s*\(/.exec(text.slice(at, at + 200));
    link;
    link = /^\s*\.\s*\w+\s*\(/.exec(text.slice(at, at + 200))
  ) {
    const end = closingBracket(text, at + link[0].length - 1);
    if (end < 0) return false;
    at = end + 1;
  }
  const subscript = /^\s*\[/.exec(text.slice(at, at + 50));
  if (!subscript) return false;
  const end = closingBracket(text, at + subscript[0].length - 1);
  return end > 0 && /:/.test(text.slice(at + subscript[0].length, end));
}

/**
 * One page, chunk or batch per pass: `for page in range(1, paginator.num_pages + 1)`, `for chunk in
 * chunked(ids, 500)`, `for batch in batches`: the loop is the batching, whatever it calls per pass.
 */
const BATCH_ITERABLE = /\b(?:num_pages|page_range|paginat\w*|\w*chunk\w*|\w*batch\w*)\b/i;
const BATCH_TARGET = /^(?:\w+_)?(?:page|chunk|batch)(?:_(?:no|num|number|index|idx))?$/i;

const pageLoops = new WeakMap<CheckInput, Map<number, boolean>>();

function walksPagesOrChunks(input: CheckInput, loop: Node): boolean {
  let known = pageLoops.get(input);
  if (!known) pageLoops.set(input, (known = new Map()));
  let walks = known.get(loop.id);
  if (walks === undefined) {
    // The header's text (`for page in range(1, paginator.num_pages + 1):`), read without the tree.
    const header = /^for\s+(.+?)\s+in\s+(.+?):?\s*$/s.exec(
      input.text.slice(loop.startIndex, input.text.indexOf(':\n', loop.startIndex) + 1),
    );
    const iterable = header?.[2] ?? '';
    walks =
      BATCH_ITERABLE.test(iterable) ||
      (/^range\(/.test(iterable) && (header?.[1] ?? '').split(',').some((name) => BATCH_TARGET.test(name.trim())));
    known.set(loop.id, walks);
  }
  return walks;
}

/** `Users.query`, `models.Users.query`: Flask-SQLAlchemy's query property of a model class (CapWords). */
const FLASK_MODEL_QUERY = /(?:^|\.)[A-Z]\w*\.query$/;
/** The calls on it that run or start a query of rows: each ends in one round trip (`.first()`, `.all()`, `.delete()`). */
const FLASK_QUERY_METHODS = new Set(['get', 'get_or_404', 'filter', 'filter_by']);

/** A file written for Django: its model instances' relations and `save()` are queries. */
const DJANGO_FILE = /^[ \t]*(?:from|import)[ \t]+django\b|\.objects\.\w+\(/m;
/** Methods of a Django related manager that run a query (`entry.tags.all()`, `.count()`, `.set(…)`). */
const RELATION_QUERY = new Set([
  'all',
  'count',
  'exists',
  'filter',
  'exclude',
  'first',
  'last',
  'aggregate',
  'values_list',
  'set',
  'add',
  'remove',
  'create',
  'get_or_create',
  'update_or_create',
]);

/**
 * `entry.food.tags.count()`, `entry.tags.set(ids)` (a related manager of a row), `entry.save()`,
 * `entry.delete()` (the row itself): one query each, so one per item of a loop over rows. Read
 * from the call's target only; the caller checks the name is a loop's item (and takesNoItemArguments).
 */
function hasItemOrmShape(call: Call): boolean {
  const object = call.object;
  if (!object || !/^[a-z_]\w*(?:\.[a-z_]\w*)*$/.test(object)) return false;
  if (!object.includes('.')) return call.name === 'save' || call.name === 'delete';
  // `model.objects.values_list(…)` over models: a class's manager, not a row's relation.
  return RELATION_QUERY.has(call.name) && !object.endsWith('.objects');
}

/** A row's `save()`/`delete()` and a manager's `count()` take nothing (`image.save(path)`, `list.count(x)` do). */
function takesNoItemArguments(call: Call): boolean {
  const bare = !(call.object ?? '').includes('.');
  return !(bare || call.name === 'count') || call.positional.length === 0;
}

/**
 * What a prefetched relation answers from the rows it holds; `filter()`, `exclude()`, `values_list()`,
 * `aggregate()` build a new query and go to the database again whatever was prefetched.
 */
const SERVED_FROM_PREFETCH = new Set(['all', 'count', 'exists', 'first', 'last']);

/**
 * `if name in view.columns: view.columns.remove(name)`: the attribute is tested for membership,
 * indexed, measured or changed with a list's or dict's own methods in the loop: a value the row holds
 * (a JSON or array column), not a related manager, so its `remove()` changes memory only.
 */
function usedAsPlainValue(input: CheckInput, attribute: string, loop: Node): boolean {
  const body = field(loop, 'body');
  if (!body) return false;
  const name = attribute.replace(/\./g, '\\.');
  return new RegExp(
    `\\bin\\s+${name}\\b(?!\\s*[.(])|\\b${name}\\s*\\[|\\blen\\(\\s*${name}\\s*\\)|\\b${name}\\.(?:append|extend|insert|pop|index|sort|keys|items|discard|setdefault|popitem)\\(`,
  ).test(input.text.slice(body.startIndex, body.endIndex));
}

/**
 * `Person.objects.prefetch_related("faces__photo__faces")`, then `face.photo.faces.all()` per face: the
 * relation was loaded with the rows, in one more query, and is read from memory. Read from the text of
 * the function around the call (a prefetch elsewhere cannot be seen).
 */
function prefetchedInFunction(input: CheckInput, call: Call): boolean {
  if (!SERVED_FROM_PREFETCH.has(call.name)) return false;
  const relation = (call.object ?? '').split('.').pop() ?? '';
  const fn = innermost(spans(input).functions, call.node);
  const text = input.text.slice(fn?.start ?? 0, call.node.startIndex);
  if (!text.includes('prefetch_related')) return false;
  const mentioned = new RegExp(`(?:^|[^\\w])${relation}(?:$|[^\\w])|__${relation}\\b|\\b${relation}__`);
  // Each call's whole argument list, however deep its `Prefetch(..., queryset=...prefetch_related(...))` nest.
  for (let at = text.indexOf('prefetch_related('); at >= 0; at = text.indexOf('prefetch_related(', at + 1)) {
    const open = at + 'prefetch_related'.length;
    const close = closingBracket(text, open);
    if (mentioned.test(text.slice(open + 1, close < 0 ? text.length : close))) return true;
  }
  return false;
}

/**
 * `sle.amount = sle.base * factor; sle.save()`, `setattr(row, name, target); row.save()`, `row.delete()`:
 * the statements beside the call only set the row's fields, so one `update()` or `bulk_update()` of the
 * rows could write them all. A row that does more first (`rack.snapshot()`, `obj.full_clean()`, a file
 * removed) is saved one by one on purpose.
 */
function onlyWritesItem(call: Call, item: string): boolean {
  const statement = call.node.parent?.type === 'expression_statement' ? call.node.parent : null;
  const block = statement?.parent;
  if (!statement || block?.type !== 'block') return false;
  return named(block).every((other) => {
    if (other.id === statement.id || other.type === 'comment') return true;
    if (other.type === 'if_statement') return isGuardClause(other);
    if (other.type !== 'expression_statement') return false;
    const text = other.text;
    return (
      new RegExp(`^${item}\\.\\w+(?:\\[[^\\]]*\\])?\\s*[-+*/]?=(?!=)`).test(text) ||
      new RegExp(`^setattr\\(\\s*${item}\\s*,`).test(text)
    );
  });
}

/** `item.order += 1`, `row.book = new_edition`: a line that sets one field of the loop's row. */
const SETS_ROW_FIELD = (item: string): RegExp => new RegExp(`^${item}\\.\\w+\\s*[-+*/]?=(?!=)\\s*(.+)$`);

/**
 * `for item in items: item.order += 1; item.save()`, `for r in rows: r.book = edition; r.save()`: the
 * loop's body sets fields of its row to the same change for every row (a value the loop does not
 * compute, or the row's own field shifted by one) and saves it, and nothing else. One `update()`
 * (`F("order") + 1`) writes every row in one statement, whoever owns them, so the loop is a round trip
 * per row of a query given no cap, not a walk of a few children to read. A value the loop computes per
 * row (`item.order = i`, a form's value looked up per row, a call's answer) is per row: not this. Read
 * from the body's own lines first (the tree only once they pass).
 */
function writesSameChangeToRows(input: CheckInput, loop: Node, item: string): boolean {
  const found = forText(input, loop);
  if (!found || found.targets.length !== 1 || found.targets[0] !== item) return false;
  const sets = SETS_ROW_FIELD(item);
  const saves = new RegExp(`^${item}\\.save\\([^()]*\\)\\s*(?:#.*)?$`);
  let assigned = 0;
  let saved = 0;
  for (const line of found.ownLines) {
    if (/^\s*(?:#.*)?$/.test(line)) continue;
    if (saves.test(line)) {
      saved += 1;
      continue;
    }
    const value = sets.exec(line)?.[1];
    if (value === undefined) return false;
    // The value read without its strings, comments and the attributes it names (`item.order`, `edition.id`).
    const read = withoutStrings(value).replace(/\.\s*[A-Za-z_]\w*/g, '');
    // A call may answer differently per row (`random.choice(…)`, a lookup): a value computed per row.
    // The body sets nothing but the row's fields, so no other name of the loop changes per row.
    if (read.includes('(')) return false;
    assigned += 1;
  }
  return assigned > 0 && saved === 1 && rowsOfUncappedQuery(input, loop);
}

/** The loop walks rows of a query (iteratesQueryRows) that no slice, `limit` or single-row lookup caps. */
function rowsOfUncappedQuery(input: CheckInput, loop: Node): boolean {
  if (!iteratesQueryRows(input, loop)) return false;
  const iterable = unwrap(field(loop, 'right'));
  if (!iterable || CAPPED.test(iterable.text)) return false;
  const fn = enclosingFunction(input, loop);
  if (iterable.type !== 'identifier' || !fn) return true;
  for (const assignment of assignmentsBefore(input, fn, iterable.text, loop.startIndex))
    if (CAPPED.test(field(assignment.node, 'right')?.text ?? '')) return false;
  return true;
}

/** `if not allowed(user, row): return denied()`: a check that leaves the loop or the function, nothing else. */
function isGuardClause(statement: Node): boolean {
  if (field(statement, 'alternative')) return false;
  const body = named(field(statement, 'consequence'));
  return (
    body.length === 1 &&
    ['return_statement', 'raise_statement', 'continue_statement', 'break_statement'].includes(body[0].type)
  );
}

/** A Django queryset: a manager's or a relation's rows (`Model.objects…`, `self.racks.all()`, `qs.filter(…)`). */
const QUERY_ROWS =
  /\.objects\b|\.(?:all|filter|exclude|order_by|select_related|prefetch_related|annotate|distinct|only|defer)\s*\(/;

/** The loop walks rows a query loads: its iterable is a queryset, or a name the function gave one before. */
function iteratesQueryRows(input: CheckInput, loop: Node): boolean {
  const iterable = unwrap(field(loop, 'right'));
  if (!iterable) return false;
  if (QUERY_ROWS.test(iterable.text)) return true;
  if (iterable.type !== 'identifier') return false;
  const fn = enclosingFunction(input, loop);
  if (!fn) return false;
  for (const assignment of assignmentsBefore(input, fn, iterable.text, loop.startIndex))
    if (QUERY_ROWS.test(field(assignment.node, 'right')?.text ?? '')) return true;
  return false;
}

const NOT_IN = ' not in ';

/**
 * `if unit_id not in self._units: self._units[unit_id] = Unit.objects.get(pk=unit_id)`: a query
 * behind a check of the map its answer is stored in runs once per key, not once per item (a memo).
 */
function behindMemoGuard(input: CheckInput, call: Call, innermostLoop: Node | undefined): boolean {
  // Read from the text first: most loops check nothing with `not in` before their query. Only the
  // text from the loop's start is searched (a guard before it does not count): lastIndexOf reads
  // backwards one character at a time, and from each query to the file's start that was a tenth
  // of a Python check's CPU on a 10,000-line file.
  const from = innermostLoop?.startIndex ?? 0;
  const start = call.node.startIndex;
  const guard = input.text.slice(from, start + NOT_IN.length).lastIndexOf(NOT_IN, start - from);
  if (guard < 0) return false;
  for (const ancestor of climb(call.node)) {
    if (ancestor.id === innermostLoop?.id || FUNCTIONS.has(ancestor.type)) break;
    if (ancestor.type !== 'if_statement') continue;
    const guard = /^([\s\S]+?)\s+not\s+in\s+([\s\S]+)$/.exec(field(ancestor, 'condition')?.text ?? '');
    const block = field(ancestor, 'consequence');
    if (!guard || !block) continue;
    const squash = (code: string): string => code.replace(/\s+/g, '');
    const [key, store] = [squash(guard[1]), squash(guard[2])];
    const body = squash(block.text);
    if (body.includes(`${store}[${key}]=`) || body.includes(`${store}.setdefault(${key},`)) return true;
  }
  return false;
}

/**
 * The methods Django gives every manager. Of these, `get()` and `filter()` per item are read as the
 * N+1 (a lookup or a queryset read at once, nearly always); creating rows per item of an import
 * (`get_or_create`, `create`) was mostly bounded on real code (a handful of keywords per recipe) and
 * the lazy builders (`all()`, `values_list()`) and helpers (`normalize_email`) run nothing themselves.
 */
const DJANGO_MANAGER_API = new Set([
  'aggregate',
  'alias',
  'all',
  'annotate',
  'bulk_create',
  'bulk_update',
  'check',
  'complex_filter',
  'contains',
  'contribute_to_class',
  'count',
  'create',
  'create_superuser',
  'create_user',
  'dates',
  'datetimes',
  'db_manager',
  'deconstruct',
  'defer',
  'delete',
  'difference',
  'distinct',
  'earliest',
  'exclude',
  'exists',
  'explain',
  'extra',
  'first',
  'get_by_natural_key',
  'get_or_create',
  'get_queryset',
  'in_bulk',
  'intersection',
  'iterator',
  'last',
  'latest',
  'make_random_password',
  'none',
  'normalize_email',
  'only',
  'order_by',
  'prefetch_related',
  'raw',
  'reverse',
  'select_for_update',
  'select_related',
  'union',
  'update',
  'update_or_create',
  'using',
  'values',
  'values_list',
  'get',
  'filter',
  // django.contrib.contenttypes: lookups its manager caches.
  'get_for_model',
  'get_for_models',
  'get_for_id',
  'clear_cache',
]);

/**
 * The call's arguments name something the loop binds (its item, or a name assigned in its body):
 * `AuditEntry.objects.record(instance=doc)` per doc. A manager method given the same value on every
 * pass (`get_defaults_for_model(model)`) answers the same question each time, from a cache, mostly.
 */
function takesLoopValue(input: CheckInput, call: Call, loops: Node[]): boolean {
  const args = field(call.node, 'arguments')?.text ?? '';
  return loops.some((loop) =>
    [...boundInLoop(input, loop, call.node.startIndex)].some((name) => new RegExp(`\\b${name}\\b`).test(args)),
  );
}

/**
 * A method the project's own manager adds (`LogEntry.objects.log_create(...)`): it wraps queries of its
 * own. Read on a class's `Model.objects` only (a list named `objects` or `self.objects` has `pop()`).
 */
function isCustomManagerMethod(name: string): boolean {
  return !DJANGO_MANAGER_API.has(name) && !name.startsWith('_');
}

/**
 * `def validate(self, attrs)`, `def validate_fields(self, data)`: a serializer's or schema's validation
 * hook (DRF, marshmallow) checks the entries of one submitted object, as many as one form holds. Read
 * from the innermost function's header: a method (its first parameter `self`).
 */
function isValidationHook(input: CheckInput, node: Node): boolean {
  const fn = innermost(spans(input).functions, node);
  if (!fn) return false;
  if (!/^(?:async\s+)?def\s+validate(?:_\w+)?\s*\(\s*self\b/.test(input.text.slice(fn.start, fn.start + 120)))
    return false;
  // Of a class the framework runs on one submission (`class X(serializers.ModelSerializer)`,
  // `(ma.ModelSchema)`, `(FlaskForm)`): a service's or a model's own `validate(self, order)` may walk
  // all of an order's lines or a table's rows.
  for (const at of climb(node))
    if (at.type === 'class_definition') return VALIDATING_BASE.test(field(at, 'superclasses')?.text ?? '');
  return false;
}

/** The base of a class that validates one submitted object: a DRF serializer, a marshmallow schema, a form. */
const VALIDATING_BASE = /Serializer|Schema|Form\b/;

/**
 * Django's admin module (`from django.contrib import admin` and a ModelAdmin registered): its actions
 * run for staff over the rows they ticked in the admin list, a staff tool's cost, not a request path's.
 */
const DJANGO_ADMIN_IMPORT = /^[ \t]*from[ \t]+django\.contrib[ \t]+import[ \t]+(?:[^\n]*,[ \t]*)?admin\b/m;
const REGISTERS_MODEL_ADMIN = /\badmin\.(?:site\.)?register\b|\(\s*admin\.ModelAdmin\s*\)/;

/** A call that runs a query by its shape alone, wherever it stands (the loop's own rows aside). */
function runsQueryItself(
  input: CheckInput,
  call: Call,
): { isQuery: boolean; modelQuery: boolean; customManager: boolean } {
  const object = call.object ?? '';
  // Flask-SQLAlchemy's `Model.query.filter_by(...).first()`, `Model.query.get(id)`: a class's query property.
  const modelQuery = FLASK_MODEL_QUERY.test(object) && FLASK_QUERY_METHODS.has(call.name);
  const customManager = /(?:^|\.)[A-Z]\w*\.objects$/.test(object) && isCustomManagerMethod(call.name);
  const isQuery =
    // `pipe.execute()`, `request.execute()`: a Redis pipeline or an API client, no statement given.
    ((call.name === 'execute' || call.name === 'query') &&
      (call.positional.length > 0 || call.keywords.size > 0) &&
      !isDnsResolver(input, object)) ||
    (/(^|\.)objects$/.test(object) && (call.name === 'get' || call.name === 'filter')) ||
    customManager ||
    modelQuery ||
    // SQLAlchemy's `session.get(Model, pk)`; a requests session's `get(url)` is an HTTP call.
    (/(^|\.)session$/.test(object) && call.name === 'get' && !onRequestsSession(input, call));
  return { isQuery, modelQuery, customManager };
}

/** How deep the queries of the file's own functions are followed: `col_star` → `make_star` → `get_source`. */
const CALLEE_DEPTH = 2;

/**
 * `for source_id in selected_ids:` (a parameter of the function), `for uuid in request.json["files"]`:
 * the loop walks a list its caller or the request hands over, as long as the user's selection.
 */
function walksCallersList(input: CheckInput, loop: Node): boolean {
  if (loop.type !== 'for_statement') return false;
  const iterable = unwrap(field(loop, 'right'));
  if (!iterable) return false;
  if (/^request\.(?:json|form|args|data|POST|GET|values)\b/.test(iterable.text)) return true;
  if (iterable.type !== 'identifier') return false;
  const fn = innermost(spans(input).functions, loop);
  const header = fn ? (/^[^)]*\)/.exec(input.text.slice(fn.start, fn.start + 400))?.[0] ?? '') : '';
  return new RegExp(`[(,]\\s*${iterable.text}\\s*[:,)=]`).test(header);
}

/**
 * `rows.append(export_row(user, r))`, `data[r.id] = describe(r)`, `yield render(r)`: the loop keeps what
 * the call answers for each item, a read per item that one query for all the items could answer (the
 * `for` form of `[export_row(user, r) for r in rows]`). A call made for its effect (a progress
 * counter, a file moved, a record imported) is a step of a job per item, not this.
 */
function keepsAnswerPerItem(call: Call): boolean {
  const parent = call.node.parent;
  if (!parent) return false;
  if (parent.type === 'yield') return true;
  if (parent.type === 'argument_list') {
    const outer = parent.parent;
    const callee = outer?.type === 'call' ? (field(outer, 'function')?.text ?? '') : '';
    return /\.(?:append|extend|add)$/.test(callee) && named(parent).length === 1;
  }
  if (parent.type === 'assignment' && field(parent, 'right')?.id === call.node.id)
    return field(parent, 'left')?.type === 'subscript';
  return false;
}

/**
 * Where following a called function's own calls starts: a module function's callees are followed
 * (CALLEE_DEPTH), a method's (`self.add_to_group(g)`) are not: what it does through other methods of
 * its class (`self.in_group(g)`) is mostly a check on rows it already holds.
 */
const calleeDepth = (call: Call): number => (call.object === 'self' ? CALLEE_DEPTH : 1);

/**
 * `device_to_dict(d, realm_names=names)` where `device_to_dict` runs its query only when not handed
 * that map (`if realm_names is not None: … else: Realm.query…`): the caller passes what the query
 * would look up (loaded once before the loop), so no query runs per item.
 */
function answeredByCaller(input: CheckInput, call: Call, query: Call): boolean {
  const header = enclosingDef(input, query.node.startIndex);
  // The query of the function called here (not of one it calls in turn).
  if (header?.name !== call.name) return false;
  const parameters = header.parameters
    .map((written) => written.replace(/^\*+/, '').split(/[:=]/)[0].trim())
    .filter((name) => name !== 'self' && name !== 'cls');
  for (const ancestor of climb(query.node)) {
    if (FUNCTIONS.has(ancestor.type)) break;
    const statement = ancestor.parent;
    if (statement?.type !== 'if_statement') continue;
    const condition = field(statement, 'condition')?.text ?? '';
    // The query's branch runs when the parameter is missing: the `else` of `if p is not None`/`if p`,
    // the body of `if p is None`/`if not p`.
    const missing =
      ancestor.type === 'else_clause'
        ? /^([A-Za-z_]\w*)(?:\s+is\s+not\s+None)?$/.exec(condition)?.[1]
        : field(statement, 'consequence')?.id === ancestor.id
          ? /^(?:not\s+([A-Za-z_]\w*)|([A-Za-z_]\w*)\s+is\s+None)$/.exec(condition)?.slice(1).find(Boolean)
          : undefined;
    const index = missing === undefined ? -1 : parameters.indexOf(missing);
    if (index < 0) continue;
    const given = call.keywords.get(missing ?? '');
    if (given ? field(given, 'value')?.text !== 'None' : index < call.positional.length) return true;
  }
  return false;
}

/** A row made when the lookup finds none: a model saved or created, or added to a SQLAlchemy session. */
const MAKES_ROW = /\bDoesNotExist\b[\s\S]*\.(?:save|create)\(|\bif\s+not\s+\w+\s*:[\s\S]*\.(?:save\(|create\(|add\()/;

/**
 * `get_or_create_tag(name, user)`: a function of the file that looks a row up and makes it when the
 * lookup finds none is the ORM's `get_or_create` by another name, one row found or made per item of
 * a list someone typed or imported, which the inline rule leaves alone too (DJANGO_MANAGER_API).
 */
function getsOrMakesRow(input: CheckInput, callee: Span): boolean {
  return MAKES_ROW.test(input.text.slice(callee.start, callee.end));
}

/** Per check, the names the file's text defines as `def NAME(` (one scan, asked for every call). */
const definedNames = new WeakMap<CheckInput, Set<string>>();

/** Whether the file may define the function a call names (`def NAME(`): read in the text before anything else is. */
function mayCallFileFunction(input: CheckInput, call: Call): boolean {
  if (call.object !== undefined && call.object !== 'self') return false;
  let names = definedNames.get(input);
  if (!names)
    definedNames.set(input, (names = new Set(Array.from(input.text.matchAll(/def ([^\s(]+)\(/g), (m) => m[1]))));
  return names.has(call.name);
}

/** sameFileFunction's answers per check, by name: each was a scan of the whole file, asked for every call. */
const sameFileFunctions = new WeakMap<CheckInput, Map<string, ScopeSpan | undefined>>();

/**
 * The function of this file a call names: `get_source(id)`, a function at the module's level defined
 * once, read from the text. (Methods called per item, `self.add_info(key)`, were mostly a handful of
 * settings or import entries on real code: not followed.)
 */
function sameFileFunction(input: CheckInput, call: Call): ScopeSpan | undefined {
  if (call.object === 'self') return methodNamed(input, call.name);
  return call.object === undefined ? functionNamed(input, call.name) : undefined;
}

/**
 * `self.export_row(row)`: the method of this file defined once as `def NAME(self, …)` (a method the
 * class around the call inherits from elsewhere, or that two classes of the file define, is not read).
 */
function methodNamed(input: CheckInput, name: string): ScopeSpan | undefined {
  let known = sameFileFunctions.get(input);
  if (!known) sameFileFunctions.set(input, (known = new Map()));
  const key = `self.${name}`;
  if (known.has(key)) return known.get(key);
  const definitions = [
    ...input.text.matchAll(new RegExp(`^[ \\t]+(?:async[ \\t]+)?def[ \\t]+${name}[ \\t]*\\(\\s*self\\b`, 'gm')),
  ];
  const start = definitions.length === 1 ? definitions[0].index + definitions[0][0].search(/\S/) : -1;
  const found = start === -1 ? undefined : spans(input).functions.spans.find((span) => span.start === start);
  known.set(key, found);
  return found;
}

/** The function of this file defined once at the start of a line as `def NAME(` (see sameFileFunction). */
function functionNamed(input: CheckInput, name: string): ScopeSpan | undefined {
  let known = sameFileFunctions.get(input);
  if (!known) sameFileFunctions.set(input, (known = new Map()));
  if (known.has(name)) return known.get(name);
  const definitions = [...input.text.matchAll(new RegExp(`^(?:async[ \\t]+)?def[ \\t]+${name}[ \\t]*\\(`, 'gm'))];
  const start = definitions.length === 1 ? definitions[0].index : -1;
  const found = start === -1 ? undefined : spans(input).functions.spans.find((span) => span.start === start);
  known.set(name, found);
  return found;
}

/**
 * The first query a function of the file runs outside a loop of its own (a query in its own loop is
 * reported there), directly or through the file's functions it calls, up to CALLEE_DEPTH.
 */
function queryInsideFunction(
  input: CheckInput,
  fn: ScopeSpan,
  depth: number,
  memo: Map<string, Call | null>,
): Call | undefined {
  const key = `${fn.start}:${depth}`;
  if (memo.has(key)) return memo.get(key) ?? undefined;
  memo.set(key, null);
  let found: Call | undefined;
  for (const inner of calls(input)) {
    if (found) break;
    if (inner.node.startIndex < fn.start || inner.node.startIndex >= fn.end) continue;
    if (inLoopBody(input, inner.node)) continue;
    if (runsQueryItself(input, inner).isQuery) found = inner;
    else if (depth < CALLEE_DEPTH) {
      const next = sameFileFunction(input, inner);
      if (next && next.start !== fn.start) found = queryInsideFunction(input, next, depth + 1, memo);
    }
  }
  memo.set(key, found ?? null);
  return found;
}

/** A call that stores, moves or copies a file: a storage backend's `save`/`put`/`upload`, `shutil.move`, `os.rename`. */
const FILE_STORE_CALL =
  /\b(?:\w*storage\w*|fs|s3|bucket|blob\w*)\s*\.\s*(?:save|put|put_object|upload\w*|move|copy)\s*\(|\b(?:shutil\.(?:move|copy\w*)|os\.(?:rename|replace))\s*\(/;

/**
 * A row write given a name the loop took from a file stored per element (`new_name =
 * storage.save(target, f)`, then `filter(pk=obj.pk).update(image=new_name)`): each row gets the name
 * its own file was stored under, after the file's I/O; one statement for all rows could not write it.
 */
function writesStoredFileName(input: CheckInput, loop: Node, call: Call): boolean {
  const body = field(loop, 'body');
  if (!body) return false;
  const text = input.text;
  const before = text.slice(body.startIndex, call.node.startIndex);
  if (!FILE_STORE_CALL.test(before)) return false;
  const stored = [...before.matchAll(/^[ \t]*([A-Za-z_]\w*)[ \t]*=(?!=)([^\n]*)$/gm)]
    .filter((match) => FILE_STORE_CALL.test(match[2]))
    .map((match) => match[1]);
  if (stored.length === 0) return false;
  // The call's arguments and the chain after them (`.filter(pk=obj.pk).update(name=new_name)`).
  let at = text.indexOf('(', call.node.startIndex);
  for (let link = 0; at >= 0 && link < 4; link += 1) {
    const end = closingBracket(text, at);
    if (end < 0) return false;
    const args = text.slice(at, end);
    if (stored.some((name) => new RegExp(`\\b${name}\\b`).test(args))) return true;
    const next = /^\s*\.\s*\w+\s*\(/.exec(text.slice(end + 1, end + 200));
    at = next ? end + next[0].length : -1;
  }
  return false;
}

/** Whether the file names `dns.resolver` anywhere: asked for every `execute`/`query` call, answered once per check. */
const mentionsDnsResolver = textMatchOncePerCheck(/dns\.resolver/);

/**
 * `resolver.query(name)` on a dnspython resolver (`default = dns.resolver.get_default_resolver()`,
 * `dns.resolver.Resolver()`, or `dns.resolver` itself): a DNS lookup, not a database statement.
 */
function isDnsResolver(input: CheckInput, object: string): boolean {
  if (!/^[A-Za-z_][\w.]*$/.test(object) || !mentionsDnsResolver(input)) return false;
  if (object === 'dns.resolver' || object === 'dns.query') return true;
  const name = object.replace(/\./g, '\\.');
  return new RegExp(`(?:^|[^\\w.])${name}[ \\t]*=[ \\t]*dns\\.resolver\\.`).test(input.text);
}

/** A `for` loop's text, read once: its target and iterable, and its body's own lines (at the body's indentation). */
interface ForText {
  targets: string[];
  iterable: string;
  body: string;
  ownLines: string[];
}

const forTexts = new WeakMap<CheckInput, Map<number, ForText | null>>();

function forText(input: CheckInput, loop: Node): ForText | null {
  let known = forTexts.get(input);
  if (!known) forTexts.set(input, (known = new Map()));
  const start = loop.startIndex;
  let found = known.get(start);
  if (found !== undefined) return found;
  const text = input.text.slice(start, loop.endIndex);
  const header = /^(?:async[ \t]+)?for[ \t]+([\s\S]+?)[ \t]+in[ \t]+([\s\S]+?):[ \t]*(?:#[^\n]*)?\n/.exec(text);
  found = null;
  if (header) {
    const body = text.slice(header[0].length);
    const indent = /^(?:[ \t]*\n)*([ \t]+)/.exec(body)?.[1] ?? '';
    found = {
      targets: header[1].split(/[\s,()[\]]+/).filter((name) => /^[A-Za-z_]\w*$/.test(name)),
      iterable: header[2].trim(),
      body,
      ownLines: indent
        ? body
            .split('\n')
            .filter((line) => line.startsWith(indent) && !/^[ \t]/.test(line.slice(indent.length)))
            .map((line) => line.slice(indent.length))
        : [],
    };
  }
  known.set(start, found);
  return found;
}

/**
 * `for model, field in owners: model.objects.get(pk=…)`: the loop's item is the model queried, so each
 * pass reads another table; no one query for all the items exists.
 */
function queriesItemsOwnModel(input: CheckInput, call: Call, loops: Node[]): boolean {
  const owner = /^([A-Za-z_]\w*)\.objects$/.exec(call.object ?? '')?.[1];
  return (
    owner !== undefined &&
    loops.some((loop) => loop.type === 'for_statement' && !!forText(input, loop)?.targets.includes(owner))
  );
}

/** A statement that writes a line for a person watching: `print(…)`, `print_fn(…)`, `self.stdout.write(…)`, `click.echo(…)`. */
const PROGRESS_LINE =
  /^(?:(?:\w*_)?print(?:_\w*)?|(?:click\.)?s?echo|(?:self\.)?(?:stdout|stderr)\.write|sys\.(?:stdout|stderr)\.write)\s*\(/;
/** An iterable wrapped in a progress bar: `tqdm(rows)`, `track(items)`, `progressbar(…)`. */
const PROGRESS_BAR = /^(?:\w+\.)?(?:tqdm|trange|track|progress_?bar|alive_it)\s*\(/i;

/**
 * `for image in remote_images: print_fn(f"Processing {image['uuid']}"); Image.objects.get(…)`: a loop
 * that writes a line per item for a person to read (its body's own statement, not one behind
 * `if DEBUG:`), or walks its items under a progress bar, is an operator's batch (a sync, an import, a
 * management command), watched while it runs: its queries cost minutes of a job, not the latency of a
 * request, and nothing serves a user while it loops.
 */
function reportsProgressPerItem(input: CheckInput, loop: Node): boolean {
  if (loop.type !== 'for_statement') return false;
  const found = forText(input, loop);
  return (
    !!found &&
    (PROGRESS_BAR.test(found.iterable) || found.ownLines.some((line) => PROGRESS_LINE.test(line))) &&
    !servesRequest(input, loop.startIndex)
  );
}

/** A parameter holding the request (`request`, `req: Request`, `request: HttpRequest`) or a FastAPI dependency. */
const REQUEST_PARAMETER = /^(?:request|req)\b(?!\s*[.(])|=\s*Depends\(/;
/** A decorator that routes requests to the function: `@app.route(…)`, `@router.get(…)`, `@api_view`, `@action(…)`. */
const ROUTE_DECORATOR =
  /^@(?:[\w.]*\.(?:route|get|post|put|patch|delete|websocket|api_route)\s*\(|(?:api_view|action|login_required|require_(?:http_methods|GET|POST|safe))\b)/;

/**
 * The function around a position serves a request: it takes the request (a Django or DRF view, a
 * class-based view's `get(self, request)`, a FastAPI dependency) or a decorator routes to it. A line
 * it prints there goes to the server's log, not to an operator watching a batch, and its loop runs
 * while a user waits.
 */
function servesRequest(input: CheckInput, at: number): boolean {
  const header = enclosingDef(input, at);
  if (!header) return false;
  if (header.parameters.some((parameter) => REQUEST_PARAMETER.test(parameter))) return true;
  // The decorators: the lines right above the `def`, at its indentation.
  const lines = input.text.slice(Math.max(0, header.start - 2000), header.start).split('\n');
  for (let index = lines.length - 2; index >= 0; index -= 1) {
    const line = lines[index].trim();
    if (!line.startsWith('@')) break;
    if (ROUTE_DECORATOR.test(line)) return true;
  }
  return false;
}

/**
 * Django's ways of copying a row: `copy.pk = None` (or `.id = None`) then `save()`, or
 * `Model.objects.create(**model_to_dict(original))`. `model_to_dict` alone is as often a view
 * serialising rows for a response (`rows.append(model_to_dict(order))`): only a row made from the
 * dict (`create(parent=new, **data)`, `Model(**data)`) makes it a copy.
 */
const CLEARS_KEY = /^[ \t]*[A-Za-z_]\w*\.(?:pk|id)[ \t]*=[ \t]*None[ \t]*$/m;
const ROW_AS_DICT = /\bmodel_to_dict\(/;
const ROW_FROM_DICT = /\.(?:create|get_or_create|update_or_create)\([^()]*\*\*\w|\b[A-Z]\w*\([^()]*\*\*\w/;

/**
 * `for day in routine.days.all(): day_copy = copy(day); day_copy.pk = None; day_copy.save(); for slot
 * in day.slots.all(): …`: a loop that copies a record per item writes a new row per item whatever it
 * reads, so the read per item does not change how the work grows; and what it copies is one record's
 * own tree (a plan's meals, a routine's days).
 */
function copiesRowPerItem(input: CheckInput, loop: Node): boolean {
  if (loop.type !== 'for_statement') return false;
  const found = forText(input, loop);
  return !!found && (CLEARS_KEY.test(found.body) || (ROW_AS_DICT.test(found.body) && ROW_FROM_DICT.test(found.body)));
}

/** A comprehension (`[export_row(r) for r in rows]`): its element and later clauses run once per item of its source. */
interface ComprehensionLoop {
  node: Node;
  /** The first `for … in` clause's source, evaluated once. */
  sourceStart: number;
  sourceEnd: number;
  source: string;
  targets: string[];
}

const COMPREHENSIONS = ['list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression'];
/** Per check, the comprehensions' spans (from the one walk), and each one's clause read when first asked. */
const comprehensionsByFile = new WeakMap<
  CheckInput,
  { spans: SpanIndex<Span & { node: Node }>; loops: Map<number, ComprehensionLoop | null> }
>();

function comprehensionLoop(node: Node, known: Map<number, ComprehensionLoop | null>) {
  let loop = known.get(node.id);
  if (loop !== undefined) return loop;
  const clause = named(node).find((child) => child.type === 'for_in_clause');
  const right = field(clause ?? null, 'right');
  loop =
    clause && right
      ? {
          node,
          sourceStart: right.startIndex,
          sourceEnd: right.endIndex,
          source: right.text,
          targets: targetNames(field(clause, 'left')),
        }
      : null;
  known.set(node.id, loop);
  return loop;
}

/** The innermost comprehension whose element or later clauses hold the node (not its first source), if any. */
function comprehensionAround(input: CheckInput, node: Node): ComprehensionLoop | undefined {
  let found = comprehensionsByFile.get(input);
  if (!found) {
    const nodes = COMPREHENSIONS.flatMap((type) => input.nodesOfType(type));
    found = {
      spans: indexSpans(
        nodes.map((comprehension) => ({
          start: comprehension.startIndex,
          end: comprehension.endIndex,
          node: comprehension,
        })),
      ),
      loops: new Map(),
    };
    comprehensionsByFile.set(input, found);
  }
  const { spans: index, loops } = found;
  const at = node.startIndex;
  // Every comprehension around the position, innermost (latest start) first.
  for (let i = lastStartingBy(index.starts, at); i >= 0 && index.maxEnd[i] > at; i -= 1) {
    const span = index.spans[i];
    if (span.end <= at) continue;
    const loop = comprehensionLoop(span.node, loops);
    if (loop && !(at >= loop.sourceStart && at < loop.sourceEnd)) return loop;
  }
  return undefined;
}

/**
 * A query, or a function of the file that runs one, in a comprehension's element (`[export_book(user, e)
 * for e in editions]`): once per item, like a `for` loop's body. Reported when the call is given the
 * item and the comprehension's source shows it grows with the data (growthShown); not one batch or
 * page per item, nor a statement the item is.
 */
function queryPerComprehensionItem(
  input: CheckInput,
  call: Call,
  { isQuery, modelQuery }: { isQuery: boolean; modelQuery: boolean },
): ComprehensionLoop | undefined {
  const loop = comprehensionAround(input, call.node);
  if (!loop || loop.targets.length === 0) return undefined;
  const args = field(call.node, 'arguments')?.text ?? '';
  const mentions = (name: string): boolean => new RegExp(`\\b${name}\\b`).test(args);
  if (!loop.targets.some(mentions)) return undefined;
  // `[list(M.objects.filter(id__in=chunk)) for chunk in chunks]`: a batch per item.
  if (BATCH_ITERABLE.test(loop.source) || loop.targets.some((name) => BATCH_TARGET.test(name))) return undefined;
  for (const match of args.matchAll(IN_LOOKUP)) if (loop.targets.includes(match[1])) return undefined;
  // `[conn.execute(stmt) for stmt in statements]`: each item is its own statement.
  const first = unwrap(call.positional[0] ?? null);
  if (isQuery && !modelQuery && first && loop.targets.includes(first.text.split(/[.[(]/)[0])) return undefined;
  const key = loop.targets.length === 1 ? loop.targets[0] : undefined;
  const grows = (key !== undefined && ID_NAME.test(key)) || growthShown(input, loop.source, loop.node.startIndex, 0);
  return grows ? loop : undefined;
}

const RUNS_TOGETHER = /^(?:asyncio\.)?(?:gather|wait|as_completed)$/;

/**
 * The call builds a task that runs alongside the others, not one after another: it is the element of a
 * comprehension splatted into `asyncio.gather(*…)` (or handed to `asyncio.wait`/`as_completed`), or of one
 * assigned to a name that is, or it is appended to such a name per pass (`tasks.append(fetch(u))`). A
 * fan-out is unbounded-concurrency's question, not a sequential N+1.
 */
function startsTogether(input: CheckInput, call: Node): boolean {
  const parent = call.parent;
  if (!parent) return false;
  let name: string | undefined;
  if (COMPREHENSIONS.includes(parent.type) && field(parent, 'body')?.id === call.id) {
    let holder = parent.parent;
    while (holder?.type === 'parenthesized_expression') holder = holder.parent;
    if (holder?.type === 'list_splat' || holder?.type === 'argument_list') {
      const around = holder.type === 'list_splat' ? holder.parent : holder;
      const runner = around?.type === 'argument_list' ? field(around.parent ?? null, 'function') : null;
      return runner !== null && RUNS_TOGETHER.test(runner.text);
    }
    if (holder?.type === 'assignment' && field(holder, 'left')?.type === 'identifier')
      name = field(holder, 'left')?.text;
  } else if (parent.type === 'argument_list') {
    const appended = /^([A-Za-z_]\w*)\.append$/.exec(field(parent.parent ?? null, 'function')?.text ?? '')?.[1];
    if (appended) name = appended;
  }
  if (!name) return false;
  const fn = enclosingFunction(input, call);
  const after = input.text.slice(call.endIndex, fn ? fn.endIndex : input.text.length);
  return new RegExp(`\\b(?:asyncio\\.)?(?:gather\\(\\s*\\*|wait\\(\\s*|as_completed\\(\\s*)${name}\\b`).test(after);
}

const queryInLoop: RuleChecker = (input) => {
  if (DJANGO_ADMIN_IMPORT.test(input.text) && REGISTERS_MODEL_ADMIN.test(input.text)) return;
  const found: CallInLoop[] = [];
  const writeLoops = new Set<number>();
  const otherLoops = new Set<number>();
  const django = DJANGO_FILE.test(input.text);
  const callees = new Map<string, Call | null>();
  for (const call of calls(input)) {
    const object = call.object ?? '';
    const isHttp = object === 'requests' && (call.name === 'get' || call.name === 'post');
    // `item.tags.count()`, `item.save()`: the ORM asked about or for the loop's own row (read below).
    const ofLoopItem = django && hasItemOrmShape(call);
    const shape = runsQueryItself(input, call);
    const { modelQuery, customManager } = shape;
    const isQuery = shape.isQuery || ofLoopItem;
    const inBody = inLoopBody(input, call.node);
    // Outside a `for`/`while` body: a query, or a function of the file that runs one, per item of a comprehension.
    if (!inBody) {
      if (ofLoopItem || isHttp || (!isQuery && call.object !== undefined && call.object !== 'self')) continue;
      if (isQuery && shape.customManager) continue;
      const loop =
        isQuery || mayCallFileFunction(input, call)
          ? queryPerComprehensionItem(input, call, { isQuery, modelQuery })
          : undefined;
      if (!loop) continue;
      const callee = isQuery ? undefined : sameFileFunction(input, call);
      const inner =
        callee && !(callee.start <= call.node.startIndex && call.node.startIndex < callee.end)
          ? queryInsideFunction(input, callee, calleeDepth(call), callees)
          : undefined;
      if (!isQuery && (!inner || answeredByCaller(input, call, inner) || (callee && getsOrMakesRow(input, callee))))
        continue;
      if (isValidationHook(input, call.node) || startsTogether(input, call.node)) continue;
      found.push({
        node: call.node,
        loop: loop.node,
        callee: call.text,
        ...(inner ? { runs: [{ node: inner.node, callee: inner.text }] } : {}),
      });
      continue;
    }
    // `make_star(source_id)` per selected id, where `make_star` (a function of this file) runs a query.
    let runs: Call | undefined;
    if (!isQuery && !isHttp && (call.object === undefined || call.object === 'self')) {
      const callee = mayCallFileFunction(input, call) ? sameFileFunction(input, call) : undefined;
      if (callee && !(callee.start <= call.node.startIndex && call.node.startIndex < callee.end))
        runs = queryInsideFunction(input, callee, calleeDepth(call), callees);
      if (!runs || answeredByCaller(input, call, runs) || (callee && getsOrMakesRow(input, callee))) continue;
    }
    if (!(isQuery || isHttp || runs)) continue;
    let loops: Node[];
    if (ofLoopItem) {
      if (!takesNoItemArguments(call)) continue;
      // The row must be the item of a `for` around the call (`for entry in entries: entry.save()`).
      const root = object.split('.')[0];
      loops = enclosingLoops(call.node);
      const over = loops.find(
        (loop) => loop.type === 'for_statement' && targetNames(field(loop, 'left')).includes(root),
      );
      // A row saved or deleted per item of rows a query loaded (`for d in Device.objects.filter(…): d.save()`):
      // `update()`/`bulk_update()` would write them at once. Objects the code built or was handed are left alone.
      if (!over) continue;
      if (!object.includes('.') && !(iteratesQueryRows(input, over) && onlyWritesItem(call, root))) continue;
      if (object.includes('.') && (prefetchedInFunction(input, call) || usedAsPlainValue(input, object, over)))
        continue;
    } else {
      const first = call.positional[0] ?? keywordValue(call, 'url') ?? null;
      const statement = literalString(first) ?? stringBuild(first)?.literal;
      if (isQuery && statement !== undefined && DDL_TEXT.test(statement)) continue;
      if (isQuery && first && DDL_CONSTRUCT.test(unwrap(first)?.text ?? '')) continue;
      loops = enclosingLoops(call.node);
      // A manager method or a function of the file given the same value on every pass answers the same question.
      if ((customManager || runs) && !takesLoopValue(input, call, loops)) continue;
      if (runs && !keepsAnswerPerItem(call) && !loops.some((loop) => walksCallersList(input, loop))) continue;
      // `Model.query.get(item_id)` looks the item up: one query per item, not the item's own statement.
      if (!modelQuery && !runs && runsLoopItem(first, loops)) continue;
    }
    const fn = enclosingFunction(input, call.node);
    if (isValidationHook(input, call.node)) continue;
    // A row saved per pass with the same change as every other row: an `update()` of the query, rows of any owner.
    const sameChange =
      ofLoopItem && !object.includes('.') && call.name === 'save'
        ? loops.find((loop) => writesSameChangeToRows(input, loop, object))
        : undefined;
    const growing = loops.filter(
      (loop) => loop === sameChange || (loopGrowsWithData(input, loop, fn) && !walksPagesOrChunks(input, loop)),
    );
    if (growing.length === 0) continue;
    // Only `for` loops grow (loopGrowsWithData): a `while True:` around one repeats the whole pass.
    const perItem = growing;
    if (perItem.length === 0 || (isQuery && perItem.every((loop) => cannotBatch(input, loop, call)))) continue;
    if (isQuery && takesLoopBatch(input, call, perItem[0])) continue;
    if (isQuery && writesStoredFileName(input, loops[0], call)) continue;
    if (behindMemoGuard(input, call, loops[0])) continue;
    if (isQuery && queriesItemsOwnModel(input, call, loops)) continue;
    if (perItem.some((loop) => reportsProgressPerItem(input, loop) || copiesRowPerItem(input, loop))) continue;
    if (startsTogether(input, call.node)) continue;
    const loop = perItem[perItem.length - 1];
    (sameChange ? writeLoops : otherLoops).add(loop.id);
    found.push({
      node: call.node,
      loop,
      callee: call.text,
      ...(runs ? { runs: [{ node: runs.node, callee: runs.text }] } : {}),
    });
  }
  // A loop whose only calls save the same change per row: the fix is one write, not one read.
  const writesOnly = (item: CallInLoop): boolean => writeLoops.has(item.loop.id) && !otherLoops.has(item.loop.id);
  reportPerLoop(
    input,
    found.filter((item) => !writesOnly(item)),
    'Load everything in one query before the loop (`IN (...)`, `filter(id__in=...)`, `select_related`/`prefetch_related`, `executemany`).',
  );
  reportPerLoop(
    input,
    found.filter(writesOnly),
    'Write every row in one statement: `rows.update(field=value)` (`F("field") + 1` for a shift) or `bulk_update(rows, [fields])`.',
  );
};

/**
 * The comprehension a gather's tasks come from: splatted into the call (`gather(*[f(u) for u in urls])`)
 * or assigned to the name splatted (`tasks = [f(u) for u in urls]; gather(*tasks)`).
 */
function gatheredComprehension(input: CheckInput, call: Call): Node | undefined {
  const splat = call.positional.find((arg) => arg.type === 'list_splat');
  const spread = unwrap(named(splat ?? null)[0] ?? null);
  if (!spread) return undefined;
  let value: Node | null = spread;
  if (spread.type === 'identifier') {
    const scope = enclosingFunction(input, call.node) ?? input.moduleScope(call.node.startIndex);
    const assigned = descendants(scope, 'assignment').filter(
      (a) => a.startIndex < call.node.startIndex && field(a, 'left')?.text === spread.text,
    );
    value = unwrap(field(assigned[assigned.length - 1] ?? null, 'right'));
  }
  return value && (value.type === 'list_comprehension' || value.type === 'generator_expression') ? value : undefined;
}

const unboundedConcurrency: RuleChecker = (input) => {
  for (const call of calls(input)) {
    if (call.text !== 'asyncio.gather' && call.text !== 'gather') continue;
    const comprehension = gatheredComprehension(input, call);
    const forClause = named(comprehension ?? null).find((child) => child.type === 'for_in_clause');
    const iterable = unwrap(field(forClause ?? null, 'right'));
    if (!comprehension || !iterable) continue;
    // A list written out, or one the operator configures (`settings.rate_providers`): its size is not the data's.
    if (
      iterable.type === 'list' ||
      iterable.type === 'tuple' ||
      /^range\(\s*\d+\s*\)$/.test(iterable.text) ||
      CONFIGURATION_VALUE.test(iterable.text) ||
      // One task per configured integration (`connectors`, `self.providers`): as many as the configuration lists.
      CONFIGURED_KINDS.test(iterable.text)
    )
      continue;
    if (!growthShown(input, iterable.text, comprehension.startIndex, 0, false)) continue;
    const fn = enclosingFunction(input, call.node);
    if (fn && /Semaphore\(|BoundedSemaphore\(|\bsem(aphore)?\b|limiter|TaskGroup|Queue\(/.test(fn.text)) continue;
    input.report(
      field(call.node, 'function') ?? call.node,
      'unbounded-concurrency',
      '`asyncio.gather` starts one task per element at once: a large input floods the database, the API or the connection pool.',
      'Bound it with an `asyncio.Semaphore` around each task, or process fixed-size batches.',
    );
  }
};

const KEYWORD_ARGUMENT: ReadonlySet<string> = new Set(['keyword_argument']);

/** The call a keyword argument belongs to (keyword_argument → argument_list → call). */
function callOf(keyword: Node): Call | undefined {
  const call = keyword.parent?.parent;
  return call?.type === 'call' ? readCall(call) : undefined;
}

const COMMA_AFTER = /\s*,\s*/y;

/**
 * Length of `,` plus the whitespace between it and `index` when the text before `index` ends that
 * way, else 0. Scans backwards from `index`: a regex anchored at the end of the text before it
 * (`/,\s*$/`) rescans the whole prefix of the file for each match.
 */
function commaBeforeLength(text: string, index: number): number {
  let at = index - 1;
  while (at >= 0 && /\s/.test(text[at])) at -= 1;
  return at >= 0 && text[at] === ',' ? index - at : 0;
}

/** What a connection does beyond its handshake: data sent or read, a request made over it. */
const EXCHANGES_DATA =
  /\.(?:send|sendall|sendto|sendfile|recv|recv_into|recvfrom|read|readline|write|makefile|request|getresponse|unwrap)\s*\(|\b(?:urlopen|HTTPSConnection|urllib3|requests|httpx|aiohttp)\b/;

/**
 * `ctx.verify_mode = ssl.CERT_NONE`, then the function only calls `getpeercert()` on the wrapped
 * socket: it reads the peer's certificate to report on it (expiry, fingerprint) and sends or reads
 * nothing over the connection, so there is nothing to intercept. Read from the function's text after
 * the assignment.
 */
function onlyReadsPeerCertificate(input: CheckInput, assignment: Node): boolean {
  const fn = innermost(spans(input).functions, assignment);
  if (!fn) return false;
  const after = withoutStrings(input.text.slice(assignment.endIndex, fn.end));
  return (
    /\.getpeercert\s*\(/.test(after) &&
    !EXCHANGES_DATA.test(after) &&
    !/\breturn\s+[\w.]*ctx\b|\breturn\s+\w*context\b/i.test(after)
  );
}

/** A call of requests, httpx, aiohttp or a session/client object: where `verify=` is the TLS check. */
function isHttpClientCall(input: CheckInput, call: Call): boolean {
  const root = call.text.split('.')[0];
  return /^(requests|httpx|aiohttp)$|session|client|http/i.test(root) || requestsNames(input).modules.has(root);
}

/**
 * `def get_token(server, verify=False): requests.post(…, verify=verify)`: the parameter handed to
 * `verify=` turns the check off for every caller that leaves it out (its default is `False`), or a
 * call of the function in this module passes `False` for it. Not when the function assigns the name
 * before the call (`if verify is None: verify = …`). Says why, or undefined.
 */
function verifyParameterOff(input: CheckInput, keyword: Node, name: string): string | undefined {
  const fn = enclosingFunction(input, keyword);
  if (!fn || fn.type !== 'function_definition') return undefined;
  const body = field(fn, 'body');
  if (!body || assignsName(input.text.slice(body.startIndex, keyword.startIndex), name)) return undefined;
  const parameters = named(field(fn, 'parameters'));
  const index = parameters.findIndex(
    (parameter) =>
      parameter.text === name ||
      ((parameter.type === 'default_parameter' || parameter.type === 'typed_default_parameter') &&
        field(parameter, 'name')?.text === name) ||
      (parameter.type === 'typed_parameter' && named(parameter)[0]?.text === name),
  );
  if (index < 0) return undefined;
  const parameter = parameters[index];
  if (field(parameter, 'value')?.type === 'false') return 'defaults to `False`';
  const fnName = field(fn, 'name')?.text;
  if (!fnName) return undefined;
  const method = /^(?:self|cls)$/.test(parameters[0]?.text ?? '');
  for (const site of calls(input)) {
    if (site.name !== fnName || (!method && site.object !== undefined)) continue;
    const given = keywordValue(site, name) ?? site.positional[index - (method ? 1 : 0)] ?? null;
    if (unwrap(given)?.type === 'false')
      return `is given \`False\` by the call at line ${site.node.startPosition.row + 1}`;
  }
  return undefined;
}

const tlsVerificationDisabled: RuleChecker = (input) => {
  for (const call of calls(input)) {
    // Each check off written only on the branch taken when a setting named for it is on (`if
    // settings.SKIP_TLS_VERIFY:`, `… if insecure else …`) is that setting's value, as in Go and TS/JS.
    if (call.text !== 'ssl._create_unverified_context' || underTlsOptIn(call.node, input)) continue;
    input.report(
      call.node,
      'tls-verification-disabled',
      '`ssl._create_unverified_context()` accepts any certificate: the connection can be intercepted.',
      'Use `ssl.create_default_context()` (with `cafile=` for a private CA).',
    );
  }
  for (const verify of nodesAtMatches(input, /\bverify[ \t]*=[ \t]*False\b/g, KEYWORD_ARGUMENT, 1)) {
    const call = callOf(verify);
    if (!call || field(verify, 'value')?.type !== 'false') continue;
    if (!isHttpClientCall(input, call) || underTlsOptIn(verify, input)) continue;
    // Remove the keyword and the comma that joins it to its neighbour.
    const commaBefore = commaBeforeLength(input.text, verify.startIndex);
    COMMA_AFTER.lastIndex = verify.endIndex;
    const commaAfter = COMMA_AFTER.exec(input.text);
    const edit =
      commaBefore > 0
        ? { start: verify.startIndex - commaBefore, end: verify.endIndex, newText: '' }
        : { start: verify.startIndex, end: verify.endIndex + (commaAfter ? commaAfter[0].length : 0), newText: '' };
    input.report(
      verify,
      'tls-verification-disabled',
      '`verify=False` accepts any certificate: anyone on the path can read and change this traffic.',
      'Remove it; for a private CA pass `verify="/path/to/ca.pem"`.',
      edit,
    );
  }
  for (const verify of nodesAtMatches(
    input,
    /\bverify[ \t]*=[ \t]*(?!(?:True|False|None)\b)[A-Za-z_]\w*\b(?![.(\[])/g,
    KEYWORD_ARGUMENT,
    1,
  )) {
    const value = field(verify, 'value');
    if (value?.type !== 'identifier') continue;
    const call = callOf(verify);
    if (!call || !isHttpClientCall(input, call)) continue;
    const off = verifyParameterOff(input, verify, value.text);
    if (!off) continue;
    input.report(
      verify,
      'tls-verification-disabled',
      `\`verify=${value.text}\` takes the parameter \`${value.text}\`, which ${off}: the certificate goes unchecked and anyone on the path can read and change this traffic.`,
      'Default the parameter to `True` (or a CA bundle path) and let callers opt out explicitly, from configuration.',
    );
  }
  // urllib3 also takes the names as text (`cert_reqs='CERT_NONE'`, `'NONE'`); CERT_OPTIONAL accepts a server without a valid certificate too.
  for (const keyword of nodesAtMatches(
    input,
    /\bcert_reqs[ \t]*=[ \t]*(?:(?:ssl\.)?CERT_(?:NONE|OPTIONAL)\b|(['"])(?:CERT_)?(?:NONE|OPTIONAL)\1)/g,
    KEYWORD_ARGUMENT,
    1,
  )) {
    if (underTlsOptIn(keyword, input)) continue;
    input.report(
      keyword,
      'tls-verification-disabled',
      `\`${keyword.text.replace(/\s+/g, '')}\` accepts a certificate that does not verify: anyone on the path can read and change this traffic.`,
      'Keep `CERT_REQUIRED` (the default) and trust a private CA with `ca_certs=`.',
    );
  }
  for (const assignment of nodesAtMatches(
    input,
    /\b_create_default_https_context[ \t]*=[ \t]*(?:ssl\.)?_create_unverified_context\b/g,
    ASSIGNMENT,
  )) {
    if (underTlsOptIn(assignment, input)) continue;
    input.report(
      assignment,
      'tls-verification-disabled',
      'Replacing `ssl._create_default_https_context` with the unverified one turns off certificate checks for every HTTPS call of the process.',
      'Remove it; trust a private CA with `SSL_CERT_FILE` or `cafile=` on the context that needs it.',
    );
  }
  for (const { version, place } of weakProtocolVersions(input)) {
    input.report(
      place,
      'tls-verification-disabled',
      `\`${version.text}\` pins the connection to ${protocolName(version.text)}, which is broken and refused by current servers and clients: traffic can be downgraded and read.`,
      'Use `ssl.create_default_context()` (TLS 1.2 or later), or set `context.minimum_version = ssl.TLSVersion.TLSv1_2`.',
    );
  }
  // Browser automation told to accept any certificate: Playwright's `new_context(ignore_https_errors=True)`
  // (or a launch), pyppeteer's `ignoreHTTPSErrors=True`, the same as a dict entry handed on as `**options`.
  for (const option of nodesAtMatches(input, BROWSER_TLS_OFF_OPTION, KEYWORD_OR_PAIR, 2)) {
    const value = unwrap(field(option, 'value'));
    if (value?.type !== 'true' || underTlsOptIn(option, input)) continue;
    reportBrowserTlsOff(input, option, 'option');
  }
  // Chromium's switch, in the browser's argument list or given to a call (`options.add_argument(...)`).
  for (const literal of nodesAtMatches(input, BROWSER_TLS_OFF_SWITCH, STRING_TYPES, 1)) {
    const holder = literal.parent?.type;
    if ((holder !== 'list' && holder !== 'tuple' && holder !== 'argument_list') || underTlsOptIn(literal, input))
      continue;
    reportBrowserTlsOff(input, literal, 'switch');
  }
  for (const assignment of nodesAtMatches(input, /\bverify_mode[ \t]*=[ \t]*ssl\.CERT_NONE\b/g, ASSIGNMENT)) {
    if (onlyReadsPeerCertificate(input, assignment) || underTlsOptIn(assignment, input)) continue;
    input.report(
      assignment,
      'tls-verification-disabled',
      '`verify_mode = ssl.CERT_NONE` turns off certificate checks for this context.',
      'Keep the default `CERT_REQUIRED` and load a private CA with `load_verify_locations`.',
    );
  }
};

const ASSIGNMENT: ReadonlySet<string> = new Set(['assignment']);
const KEYWORD_OR_PAIR: ReadonlySet<string> = new Set(['keyword_argument', 'pair']);
/** Playwright's and pyppeteer's option that accepts any certificate, as a keyword or a dict key, given `True`. */
const BROWSER_TLS_OFF_OPTION = /(?<![\w'"])['"]?(?:ignore_https_errors|ignoreHTTPSErrors)['"]?[ \t]*[=:][ \t]*True\b/g;

/**
 * Protocol constants of broken versions: the standard library's `PROTOCOL_SSLv2/SSLv3/TLSv1/TLSv1_1`,
 * pyOpenSSL's `SSLv2/SSLv3/TLSv1/TLSv1_1_METHOD` and `TLSVersion.SSLv3/TLSv1/TLSv1_1`. Not
 * `PROTOCOL_SSLv23`/`SSLv23_METHOD`/`PROTOCOL_TLS`: those negotiate the highest version both sides have.
 */
const WEAK_PROTOCOL =
  /\b(?:PROTOCOL_(?:SSLv2|SSLv3|TLSv1|TLSv1_1)|(?:SSLv2|SSLv3|TLSv1|TLSv1_1)_METHOD|TLSVersion\.(?:SSLv3|TLSv1|TLSv1_1))\b(?![ \t]*\()/g;
const NAME_OR_ATTRIBUTE: ReadonlySet<string> = new Set(['identifier', 'attribute']);
const VERSION_BOUND = /(?:^|\.)(?:minimum|maximum)_version$/;

function protocolName(constant: string): string {
  const version = /(SSLv2|SSLv3|TLSv1_1|TLSv1)(?![0-9])/.exec(constant)?.[1] ?? 'TLSv1';
  return { SSLv2: 'SSL 2.0', SSLv3: 'SSL 3.0', TLSv1: 'TLS 1.0', TLSv1_1: 'TLS 1.1' }[version] ?? version;
}

/**
 * A broken protocol version chosen for a connection: the constant given to a call (`wrap_socket(ssl_version=…)`,
 * `SSLContext(…)`, `SSL.Context(…)`), as a parameter's default, or as a context's `minimum_version`/
 * `maximum_version`. A constant only read (compared, listed in a table of choices, tested with `hasattr`) is not.
 */
function weakProtocolVersions(input: CheckInput): Array<{ version: Node; place: Node }> {
  const found: Array<{ version: Node; place: Node }> = [];
  for (const match of matchesInRegion(input, WEAK_PROTOCOL)) {
    // `ssl.PROTOCOL_TLSv1` is an attribute whose last part starts here; `PROTOCOL_TLSv1` alone is a name.
    let version = nodeOfTypeAt(input.tree, match.index, NAME_OR_ATTRIBUTE, 2);
    if (!version) continue;
    if (
      version.type === 'identifier' &&
      version.parent?.type === 'attribute' &&
      field(version.parent, 'attribute')?.id === version.id
    )
      version = version.parent;
    // `ssl.TLSVersion.TLSv1`: the match starts at `TLSVersion`, inside the whole attribute.
    while (version.parent?.type === 'attribute' && version.parent.endIndex === match.index + match[0].length)
      version = version.parent;
    const holder = version.parent;
    if (!holder) continue;
    if (
      holder.type === 'argument_list' ||
      holder.type === 'default_parameter' ||
      holder.type === 'typed_default_parameter'
    ) {
      if (holder.type !== 'argument_list' && field(holder, 'value')?.id !== version.id) continue;
      found.push({ version, place: version });
    } else if (holder.type === 'keyword_argument' && holder.parent?.type === 'argument_list') {
      if (field(holder, 'value')?.id === version.id) found.push({ version, place: holder });
    } else if (holder.type === 'assignment') {
      if (field(holder, 'right')?.id === version.id && VERSION_BOUND.test(field(holder, 'left')?.text ?? ''))
        found.push({ version, place: holder });
    }
  }
  return found;
}

/** Names imported from `random` anywhere in the file (they count file-wide). */
function randomNames(input: CheckInput): Set<string> {
  const names = new Set<string>();
  for (const statement of input.nodesOfType('import_from_statement')) {
    if (field(statement, 'module_name')?.text !== 'random') continue;
    // An indented import (under try:, in a function) is in no other part of a large file.
    if (statement.startPosition.column > 0) input.needsWholeFile();
    for (const name of statement.childrenForFieldName('name')) {
      if (!name) continue;
      names.add(name.type === 'aliased_import' ? (field(name, 'alias')?.text ?? '') : name.text);
    }
  }
  return names;
}

/** A constant used as a key: `CSRF_TOKEN_KEY`, `self.SESSION_TOKEN`, `keys.RESET_TOKEN`. */
const CONSTANT_KEY = /^(?:[A-Za-z_]\w*\.)*[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;

function pythonBindingName(node: Node): string | undefined {
  for (const current of climb(node)) {
    if (FUNCTIONS.has(current.type) || current.type === 'block' || current.type === 'module') return undefined;
    if (current.type === 'assignment' || current.type === 'augmented_assignment') {
      const left = field(current, 'left');
      if (left?.type === 'attribute') return field(left, 'attribute')?.text;
      // `data["token"] = …`, `session[CSRF_TOKEN_KEY] = …`: the key, text or a constant, names the value. A
      // key read from data (`out[item.token_key] = …`) names no purpose; the table does (`tokens[user.id] = …`).
      if (left?.type === 'subscript') {
        const key = field(left, 'subscript');
        return literalString(key) ?? (key && CONSTANT_KEY.test(key.text) ? key.text : field(left, 'value')?.text);
      }
      return left?.text;
    }
    if (current.type === 'keyword_argument') return field(current, 'name')?.text;
    if (current.type === 'pair') return literalString(field(current, 'key'));
    if (current.type === 'return_statement') return undefined;
  }
  return undefined;
}

const weakRandomSecret: RuleChecker = (input) => {
  const imported = randomNames(input);
  let fakeData: boolean | undefined;
  for (const call of calls(input)) {
    if (call.text === 'uuid.uuid1') {
      const fn = enclosingFunction(input, call.node);
      const fnName = fn?.type === 'function_definition' ? field(fn, 'name')?.text : undefined;
      if (!randomBuildsSecret(pythonBindingName(call.node), fnName)) continue;
      input.report(
        call.node,
        'weak-random-secret',
        "`uuid.uuid1()` is the clock and the host's MAC address, not a random value: a token made from it can be guessed from another one.",
        'Use `secrets.token_urlsafe(32)` (or `uuid.uuid4()` at the least) for tokens, invitations and codes.',
      );
      continue;
    }
    const fromModule = call.object === 'random' && call.name !== 'SystemRandom';
    if (!fromModule && !(call.object === undefined && imported.has(call.name))) continue;
    const fn = enclosingFunction(input, call.node);
    const fnName = fn?.type === 'function_definition' ? field(fn, 'name')?.text : undefined;
    if (!randomBuildsSecret(pythonBindingName(call.node), fnName)) continue;
    fakeData ??= isFakeDataModule(input.text);
    if (fakeData) return;
    input.report(
      call.node,
      'weak-random-secret',
      `\`${call.text}\` is predictable (Mersenne Twister): a secret built from it can be guessed.`,
      'Use the `secrets` module: `secrets.token_urlsafe(32)`, `secrets.token_hex()`, `secrets.choice()`.',
    );
  }
};

const SUBPROCESS = new Set(['run', 'call', 'check_call', 'check_output', 'Popen']);
const SHELL_PROGRAM = /^(?:\/bin\/|\/usr\/bin\/)?(?:sh|bash|zsh|dash|ash)$/;
/** A program name and then arguments, as a shell reads a line: `ping -c 1 `, `echo {} > log`. */
const COMMAND_LINE = /^\s*[\w./-]+[ \t]/;

/**
 * `shell=True`, or any other literal Python reads as true: `shell=1`, a non-empty string (`shell="False"`
 * is true too), a non-empty list or dict. A name or a call is not known to be true (a wrapper's
 * `shell=shell` passes its caller's choice on).
 */
function isTruthy(value: Node | null): boolean {
  const literal = unwrapTyped(value);
  if (!literal) return false;
  const { node, type } = literal;
  if (type === 'true') return true;
  if (type === 'integer' || type === 'float') return !/^[0_.]+$|^0[xob]0+$/i.test(node.text);
  if (type === 'string') return !isFString(node) && unquote(node.text).length > 0;
  if (type === 'list' || type === 'tuple' || type === 'dictionary' || type === 'set') return named(node).length > 0;
  return false;
}

/** `["bash", "-c", script]` with a script that is not fixed text: the shell runs it, whatever `shell=` says. */
function shellScriptInList(input: CheckInput, command: Node): boolean {
  const items = named(command);
  const program = literalString(items[0] ?? null);
  const flag = items.findIndex((item) => /^-l?c$/.test(literalString(item) ?? ''));
  if (!program || !SHELL_PROGRAM.test(program) || flag < 0) return false;
  const script = items[flag + 1];
  if (!script || literalString(script) !== undefined) return false;
  const built = resolvedStringBuild(input, script);
  return !built || built.dynamic;
}

/** `if name not in SERVICES: return …` (or `raise`, `continue`): past it, the name is one of a fixed collection's. */
const ALLOWLIST_GUARD =
  /^[ \t]*if[ \t]+([A-Za-z_]\w*)[ \t]+not[ \t]+in[ \t]+(?:[A-Z][A-Z0-9_]*(?:\.keys\(\))?|[[({][^\n]*[\])}])[ \t]*:[ \t]*(?:#[^\n]*)?\n[ \t]*(?:return|raise|continue)\b/gm;

/** Names a command splices from code: outside string literals, and inside an f-string's `{…}`. */
function splicedNames(code: string): string[] {
  const kept: string[] = [];
  for (let at = 0; at < code.length; at += 1) {
    const char = code[at];
    if (char !== '"' && char !== "'") {
      kept.push(char);
      continue;
    }
    // The literal's prefix (`f`, `rb`) is no name.
    const prefix = /(?<![\w])[rRbBuUfF]{1,2}$/.exec(code.slice(Math.max(0, at - 3), at))?.[0] ?? '';
    kept.splice(kept.length - prefix.length, prefix.length);
    const isF = /f/i.test(prefix);
    const triple = code.startsWith(char.repeat(3), at);
    const close = triple ? code.indexOf(char.repeat(3), at + 3) : stringEnd(code, at);
    if (close < 0) break;
    const body = code.slice(at + (triple ? 3 : 1), close);
    if (isF) for (const part of body.matchAll(/(?<!\{)\{([^{}]+)\}/g)) kept.push(' ', part[1].split(/[!:]/)[0], ' ');
    kept.push(' ');
    at = close + (triple ? 2 : 0);
  }
  // Attribute and method names (`.format`, `.strip`) and prefixes are not values of their own.
  return [...kept.join('').matchAll(/(?<![.\w])([A-Za-z_]\w*)/g)]
    .map((match) => match[1])
    .filter((name) => !/^(?:str|int|len|float|shlex|quote|and|or|not|in|if|else|None|True|False)$/.test(name));
}

/**
 * Every value the command splices is a name the function first checked against a fixed collection
 * (`if service not in SERVICES: return …`): the shell gets one of the developers' own words.
 */
function splicesOnlyAllowedNames(input: CheckInput, call: Call, command: Node): boolean {
  const fn = innermost(spans(input).functions, call.node);
  const start = fn?.start ?? 0;
  const before = input.text.slice(start, call.node.startIndex);
  const guarded = new Set([...before.matchAll(ALLOWLIST_GUARD)].map((match) => match[1]));
  if (guarded.size === 0) return false;
  const pieces = [command.text];
  if (command.type === 'identifier') {
    const scope = enclosingFunction(input, command) ?? input.moduleScope(command.startIndex);
    for (const assignment of assignmentsBefore(input, scope, command.text, command.startIndex))
      pieces.push(field(assignment.node, 'right')?.text ?? '');
    pieces.shift();
  }
  const names = pieces.flatMap(splicedNames);
  return names.length > 0 && names.every((name) => guarded.has(name));
}

/** `from subprocess import Popen, run as sh` (one line or in parentheses) and `import subprocess as sp`. */
const SUBPROCESS_FROM = /^[ \t]*from[ \t]+subprocess[ \t]+import[ \t]+(\([^)]*\)|[^\n]+)/gm;
const SUBPROCESS_ALIAS = /^[ \t]*import[ \t]+subprocess[ \t]+as[ \t]+(\w+)/gm;
const subprocessNamesByFile = new WeakMap<CheckInput, { functions: Map<string, string>; modules: Set<string> }>();

/** The names subprocess and its functions go by in this file: local name → subprocess's own name. */
function subprocessNames(input: CheckInput): { functions: Map<string, string>; modules: Set<string> } {
  const cached = subprocessNamesByFile.get(input);
  if (cached) return cached;
  const names = { functions: new Map<string, string>(), modules: new Set(['subprocess']) };
  subprocessNamesByFile.set(input, names);
  // Most files import it plainly or not at all: look for the plain text before running the patterns.
  if (!/\bsubprocess[ \t]+(?:import|as)\b/.test(input.text)) return names;
  for (const match of input.text.matchAll(SUBPROCESS_ALIAS)) names.modules.add(match[1]);
  for (const match of input.text.matchAll(SUBPROCESS_FROM)) {
    for (const item of match[1].replace(/[()]/g, '').split(',')) {
      const [own, local] = item.split(/\s+as\s+/).map((part) => part.replace(/#.*$/, '').trim());
      if (own && /^\w+$/.test(own)) names.functions.set(local && /^\w+$/.test(local) ? local : own, own);
    }
  }
  return names;
}

/** subprocess's own name of the function a call runs (`subprocess.run`, `sp.run`, an imported `Popen`), or undefined. */
function subprocessFunction(input: CheckInput, call: Call): string | undefined {
  const names = subprocessNames(input);
  if (call.object !== undefined) return names.modules.has(call.object) ? call.name : undefined;
  return names.functions.get(call.name);
}

const commandInjection: RuleChecker = (input) => {
  for (const call of calls(input)) {
    const subprocessName = subprocessFunction(input, call);
    const subprocessRun = subprocessName !== undefined && SUBPROCESS.has(subprocessName);
    if (subprocessRun) {
      const list = unwrap(call.positional[0] ?? keywordValue(call, 'args'));
      if (list?.type === 'list' && shellScriptInList(input, list)) {
        input.report(
          call.node,
          'command-injection',
          `\`${call.text}\` hands a shell a script built from values: a quote or \`;\` in the input runs other commands.`,
          'Run the program itself with its arguments as list items, no shell.',
        );
        continue;
      }
    }
    const shellCall =
      (subprocessRun && isTruthy(keywordValue(call, 'shell'))) ||
      subprocessName === 'getoutput' ||
      subprocessName === 'getstatusoutput' ||
      (call.name === 'create_subprocess_shell' &&
        (call.object === undefined || call.object === 'asyncio' || call.object === 'asyncio.subprocess'));
    // An event loop's own `loop.subprocess_shell(protocol_factory, cmd)` takes the command second.
    const loopShell = call.name === 'subprocess_shell' && call.object !== undefined;
    if (shellCall || loopShell) {
      const command = unwrap(
        (loopShell ? call.positional[1] : call.positional[0]) ??
          keywordValue(call, 'args') ??
          keywordValue(call, 'cmd'),
      );
      if (!command || command.type === 'list' || command.type === 'tuple') continue;
      // A command that is not text built here (a parameter, an attribute, a call) is as unknown as a built one.
      const build = resolvedStringBuild(input, command);
      if (build ? !build.dynamic : command.type === 'string') continue;
      if (splicesOnlyAllowedNames(input, call, command)) continue;
      input.report(
        call.node,
        'command-injection',
        `\`${call.text}\` runs a shell command built from values: a quote or \`;\` in the input runs other commands.`,
        'Pass an argument list without `shell=True` (`subprocess.run(["cmd", arg])`), or `shlex.quote` each value.',
      );
    } else if (subprocessRun) {
      const command = unwrap(call.positional[0] ?? keywordValue(call, 'args'));
      // Built in the call itself: a name's several assignments do not make one command line.
      if (!command || command.type === 'list' || command.type === 'tuple' || command.type === 'identifier') continue;
      // A command line built as one string without `shell=True` (`"ping " + host`): POSIX runs no program
      // of that name, Windows splits it into arguments, and the fix that makes it work is `shell=True`.
      const build = resolvedStringBuild(input, command);
      if (!build || !build.dynamic || !COMMAND_LINE.test(build.literal)) continue;
      input.report(
        call.node,
        'command-injection',
        `\`${call.text}\` is given a command line built from values as one string: it runs through a shell once \`shell=True\` makes it work, and input then runs other commands.`,
        'Pass a list (`subprocess.run(["ping", "-c", "1", host])`): each value stays one argument.',
      );
    } else if (call.object === 'os' && (call.name === 'system' || call.name === 'popen')) {
      const first = call.positional[0];
      if (!first || literalString(first) !== undefined) continue;
      input.report(
        call.node,
        'command-injection',
        `\`${call.text}\` runs its argument through the shell and it is not a fixed string.`,
        'Use `subprocess.run([...])` with an argument list and no shell.',
      );
    }
  }
};

/** `urlopen` of the standard library (`urllib.request.urlopen`, `request.urlopen`, or imported bare). */
const URLOPEN = /^(?:urllib\.request\.|request\.)?urlopen$/;
const URLOPEN_IMPORTED = /^[ \t]*from[ \t]+urllib(?:\.request)?[ \t]+import[ \t]+[^\n]*\burlopen\b/m;

/** A call that holds the thread until the network or the clock answers: `time.sleep`, a `requests` call (module or session), `urlopen`. */
function blocksThread(input: CheckInput, call: Call): boolean {
  if (call.text === 'time.sleep') return true;
  if (URLOPEN.test(call.text)) return call.text !== 'urlopen' || URLOPEN_IMPORTED.test(input.text);
  if (call.object === undefined || !REQUESTS_METHODS.has(call.name)) return false;
  return requestsNames(input).modules.has(call.object) || onRequestsSession(input, call);
}

const blockingHelpersByFile = new WeakMap<CheckInput, Map<number, Call>>();

/**
 * Per plain (`def`) function of the file, by its span's start, the first call of its own body that blocks
 * the thread (blocksThread); not one in a function or lambda nested in it (handed to a thread, or not run).
 */
function blockingHelpers(input: CheckInput): Map<number, Call> {
  let found = blockingHelpersByFile.get(input);
  if (found) return found;
  found = new Map();
  for (const call of calls(input)) {
    if (!blocksThread(input, call)) continue;
    const fn = innermost(spans(input).functions, call.node);
    if (fn && !fn.isAsync && !found.has(fn.start)) found.set(fn.start, call);
  }
  blockingHelpersByFile.set(input, found);
  return found;
}

/**
 * An `async def` that runs once while the application or one of its parts starts or stops, or a command
 * runs (`main`, `startup`, `lifespan`, `init_db`, a component's `start()`, `@app.on_event("startup")`),
 * not per request: what it waits for delays nothing else.
 */
const RUNS_ONCE =
  /^_*(?:a?main|startup|on_startup|lifespan|shutdown|on_shutdown|start|stop|(?:setup|init|initiali[sz]e)(?:_app|_db|_database)?|bootstrap\w*|cli|run_cli|command|handle)$/;
const STARTUP_DECORATOR =
  /@[\w.]*\bon_event\(\s*["']startup|@[\w.]*\b(?:before_serving|on_startup|before_first_request)\b/;
/** A decorator that runs the function in a thread or makes it a coroutine (`@sync_to_async`, `@asyncify`, `@run_in_threadpool`). */
const OFFLOADED =
  /@[\w.]*(?:sync_to_async|asyncify|to_thread|run_in_executor|run_in_threadpool|threadpool|run_sync|background)\b/;

/** The decorator lines right above a `def` starting at `start`. */
function decoratorsAbove(text: string, start: number): string {
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  let from = lineStart;
  while (from > 0) {
    const previous = text.lastIndexOf('\n', from - 2) + 1;
    if (!/^[ \t]*@/.test(text.slice(previous, from))) break;
    from = previous;
  }
  return text.slice(from, lineStart);
}

/**
 * A call of a plain function inside `async def` that blocks: a function of this file whose own body calls
 * `requests`, `time.sleep` or `urlopen` (blockingHelpers), or one imported from another module of the
 * project that does (ReviewUnit.facts, pyBlockingImports). The whole call waits on the event loop, as the
 * direct form does. Not a call awaited (the function hands back an awaitable), one in a function run once
 * at start-up or by a command, nor a function decorated to run in a thread.
 */
function reportBlockingHelperCalls(input: CheckInput): void {
  const helpers = blockingHelpers(input);
  const imported = input.facts?.pyBlockingImports;
  if (helpers.size === 0 && !imported) return;
  const text = input.text;
  for (const call of calls(input)) {
    if (call.object !== undefined && call.object !== 'self') continue;
    let inner: Call | undefined;
    let where: { call: string; line: number; file?: string } | undefined;
    if (helpers.size > 0 && mayCallFileFunction(input, call)) {
      const callee = sameFileFunction(input, call);
      inner = callee && !callee.isAsync ? helpers.get(callee.start) : undefined;
      if (!inner || !callee || OFFLOADED.test(decoratorsAbove(text, callee.start))) continue;
      where = { call: inner.text, line: inner.node.startPosition.row + 1 };
    } else if (call.object === undefined && imported && Object.hasOwn(imported, call.name)) {
      if (mayCallFileFunction(input, call)) continue;
      const found = imported[call.name];
      where = { call: found.call, line: found.line, file: found.file };
    } else continue;
    const fn = innermost(spans(input).functions, call.node);
    if (!fn?.isAsync || call.node.parent?.type === 'await') continue;
    const header = enclosingDef(input, call.node.startIndex);
    if (header && (RUNS_ONCE.test(header.name) || STARTUP_DECORATOR.test(decoratorsAbove(text, header.start))))
      continue;
    const place = where.file ? `${where.file}:${where.line}` : `line ${where.line}`;
    input.report(
      call.node,
      'blocking-call-in-async',
      `\`${call.text}(…)\` is a plain function that calls \`${where.call}\` (${place}); run inside \`async def\`, it blocks the event loop: every other task stalls while it waits.`,
      where.call === 'time.sleep'
        ? 'Make the function async (`await asyncio.sleep(...)`), or call it with `await asyncio.to_thread(...)`.'
        : 'Make the function async (`httpx.AsyncClient`, aiohttp), or call it with `await asyncio.to_thread(...)`.',
      undefined,
      undefined,
      inner ? [inner.node] : undefined,
    );
  }
}

const blockingCallInAsync: RuleChecker = (input) => {
  if (!input.text.includes('async')) return;
  for (const call of calls(input)) {
    const blocking = call.text === 'time.sleep' || call.object === 'requests';
    if (!blocking) continue;
    if (!innermost(spans(input).functions, call.node)?.isAsync) continue;
    input.report(
      call.node,
      'blocking-call-in-async',
      `\`${call.text}\` blocks the event loop inside \`async def\`: every other task stalls while it runs.`,
      call.text === 'time.sleep'
        ? 'Use `await asyncio.sleep(...)`.'
        : 'Use an async client (`httpx.AsyncClient`, aiohttp) or `await asyncio.to_thread(...)`.',
    );
  }
  reportBlockingHelperCalls(input);
};

const jwtVerificationDisabled: RuleChecker = (input) => {
  for (const call of calls(input)) {
    if (call.text !== 'jwt.decode') continue;
    const options = unwrap(keywordValue(call, 'options'));
    const disablesSignature =
      options?.type === 'dictionary' &&
      named(options).some(
        (pair) =>
          pair.type === 'pair' &&
          literalString(field(pair, 'key')) === 'verify_signature' &&
          field(pair, 'value')?.type === 'false',
      );
    const legacyVerifyOff = keywordValue(call, 'verify')?.type === 'false';
    const algorithms = unwrap(keywordValue(call, 'algorithms'));
    const allowsNone =
      !!algorithms &&
      (algorithms.type === 'list' || algorithms.type === 'tuple') &&
      named(algorithms).some((element) => literalString(element)?.toLowerCase() === 'none');
    if (!disablesSignature && !legacyVerifyOff && !allowsNone) continue;
    input.report(
      call.node,
      'jwt-verification-disabled',
      allowsNone
        ? 'Accepting the `none` algorithm lets unsigned tokens through.'
        : '`jwt.decode` is told not to check the signature: anyone can forge these claims.',
      'Decode with the key and an explicit list of algorithms (`algorithms=["RS256"]`) and keep signature verification on.',
    );
  }
};

const corsWildcardCredentials: RuleChecker = (input) => {
  for (const keyword of nodesAtMatches(
    input,
    /\b(?:allow|supports)_credentials[ \t]*=[ \t]*True\b/g,
    KEYWORD_ARGUMENT,
    1,
  )) {
    const call = callOf(keyword);
    if (!call) continue;
    const origins = call.keywords.get('allow_origins') ?? call.keywords.get('origins');
    const credentials = keywordValue(call, 'allow_credentials') ?? keywordValue(call, 'supports_credentials');
    if (!origins || credentials?.type !== 'true') continue;
    const value = unwrap(field(origins, 'value'));
    const wildcard =
      literalString(value) === '*' ||
      (!!value && value.type === 'list' && named(value).some((element) => literalString(element) === '*'));
    if (!wildcard) continue;
    input.report(
      origins,
      'cors-wildcard-credentials',
      'CORS allows any origin together with credentials: any site can make authenticated requests as your users.',
      'List the allowed origins explicitly when credentials are on.',
    );
  }
};

/** Every node type the Python rules ask for: the engine collects them in one walk of the tree. */
export const PYTHON_NODE_TYPES: readonly string[] = [
  'call',
  'except_clause',
  'finally_clause',
  'import_from_statement',
  ...FUNCTIONS,
  ...LOOPS,
  // Read per function by the string-building lookups (scopeAssignments) from the one walk's lists.
  'assignment',
  'augmented_assignment',
  // Loops of query-in-loop too (comprehensionAround).
  ...COMPREHENSIONS,
];

export const PYTHON_RULES: Record<string, RuleChecker> = {
  'http-no-timeout': httpNoTimeout,
  'silent-catch': silentCatch,
  'hardcoded-secret': hardcodedSecret,
  'sql-injection': sqlInjection,
  'query-in-loop': queryInLoop,
  'unbounded-concurrency': unboundedConcurrency,
  'tls-verification-disabled': tlsVerificationDisabled,
  'weak-random-secret': weakRandomSecret,
  'command-injection': commandInjection,
  'blocking-call-in-async': blockingCallInAsync,
  'jwt-verification-disabled': jwtVerificationDisabled,
  'cors-wildcard-credentials': corsWildcardCredentials,
};
