import type { Node } from '@vscode/tree-sitter-wasm';
import {
  climb,
  callsPerFile,
  chainOperands,
  descendants,
  MAX_BUILD_DEPTH,
  enclosingOfType,
  field,
  indexSpans,
  isSecretName,
  joinBuilds,
  lastStartingBy,
  named,
  scopeAssignmentLists,
  textMatchOncePerCheck,
  unquote,
  type CallTarget,
  type Span,
  type SpanIndex,
  type StringBuild,
} from '../syntax';
import type { CheckInput } from '../types';

/** Helpers over the JavaScript / TypeScript / TSX grammars. */

export const JS_FUNCTIONS = new Set([
  'function_declaration',
  'function_expression',
  'arrow_function',
  'method_definition',
  'generator_function_declaration',
  'generator_function',
]);

export const JS_LOOPS = new Set(['for_statement', 'for_in_statement', 'while_statement', 'do_statement']);

export type Callee = CallTarget;

// Callees read through the tree, per node object (jsCalls keeps its own targets read from the text).
const callees = new WeakMap<Node, Callee | null>();

export function callee(call: Node): Callee | undefined {
  let cached = callees.get(call);
  if (cached === undefined) {
    cached = readCallee(call) ?? null;
    callees.set(call, cached);
  }
  return cached ?? undefined;
}

function readCallee(call: Node): Callee | undefined {
  const fn = field(call, 'function') ?? field(call, 'constructor');
  if (!fn) return undefined;
  if (fn.type === 'identifier')
    return { text: fn.text, name: fn.text, nameRange: { startIndex: fn.startIndex, endIndex: fn.endIndex } };
  if (fn.type === 'member_expression') {
    const property = field(fn, 'property');
    const object = field(fn, 'object');
    if (!property || !object) return undefined;
    return {
      text: fn.text.replace(/\s+/g, '').replace(/\?\./g, '.'),
      object: object.text,
      name: property.text,
      nameRange: { startIndex: property.startIndex, endIndex: property.endIndex },
    };
  }
  return undefined;
}

const JS_CHAIN = /[A-Za-z_$][\w$]*(?:\s*\??\.\s*#?[A-Za-z_$][\w$]*)*/y;

export interface JsCall {
  node: Node;
  target: Callee;
}

/** Every call of the file with its target, computed once per file (text fast path, tree fallback). */
export const jsCalls: (input: CheckInput) => JsCall[] = callsPerFile<JsCall>(
  'call_expression',
  JS_CHAIN,
  '(`',
  (node) => {
    const target = callee(node);
    return target ? { node, target } : undefined;
  },
  (node, target) => ({ node, target }),
);

/**
 * Where a call is reported: the whole call, or from the method's name on when a chain puts the
 * receiver on an earlier line (`pool\n  .query(sql)`), so the finding sits on the line that calls.
 */
export function callSpan(
  input: CheckInput,
  call: Node,
  target: Callee,
): Node | { startIndex: number; endIndex: number } {
  const nameStart = target.nameRange.startIndex;
  // Only the callee's own text is read: a long line costs nothing more.
  for (let at = call.startIndex; at < nameStart; at += 1)
    if (input.text.charCodeAt(at) === 10) return { startIndex: nameStart, endIndex: call.endIndex };
  return call;
}

/** The first argument without reading the others (one tree round trip instead of one per argument). */
export function firstArg(call: Node): Node | null {
  const first = field(call, 'arguments')?.firstNamedChild ?? null;
  return first?.type === 'comment' ? (args(call)[0] ?? null) : first;
}

export function args(call: Node): Node[] {
  return named(field(call, 'arguments'));
}

/** Object literal properties by key; shorthand `{ signal }` maps to itself. Undefined key set when a spread is present. */
export function objectProps(object: Node): { props: Map<string, Node>; hasSpread: boolean } {
  const props = new Map<string, Node>();
  let hasSpread = false;
  for (const child of named(object)) {
    if (child.type === 'pair') {
      const key = field(child, 'key');
      const value = field(child, 'value');
      if (key && value) props.set(keyName(key), value);
    } else if (child.type === 'shorthand_property_identifier') {
      props.set(child.text, child);
    } else if (child.type === 'spread_element') {
      hasSpread = true;
    } else if (child.type === 'method_definition') {
      const name = field(child, 'name');
      if (name) props.set(keyName(name), child);
    }
  }
  return { props, hasSpread };
}

function keyName(key: Node): string {
  return key.type === 'string' ? unquote(key.text) : key.text;
}

const WRAPPERS = new Set(['parenthesized_expression', 'as_expression', 'satisfies_expression', 'non_null_expression']);

/** The expression inside parentheses and type assertions, with its type (each `type` read is a WebAssembly call). */
export function unwrapTyped(node: Node | null): { node: Node; type: string } | null {
  let current = node;
  while (current) {
    const type = current.type;
    if (!WRAPPERS.has(type)) return { node: current, type };
    current = named(current)[0] ?? null;
  }
  return null;
}

export function unwrap(node: Node | null): Node | null {
  return unwrapTyped(node)?.node ?? null;
}

export function enclosingFunction(input: CheckInput, node: Node): Node | null {
  return enclosingOfType(input, node, JS_FUNCTIONS);
}

export function isAsyncFunction(fn: Node): boolean {
  return fn.children.some((child) => child?.type === 'async');
}

/** The name a function goes by: its own name, or the variable / key / field it is assigned to. */
export function functionName(fn: Node): string | undefined {
  const own = field(fn, 'name');
  if (own) return own.text;
  const parent = fn.parent;
  if (!parent) return undefined;
  if (parent.type === 'variable_declarator') return field(parent, 'name')?.text;
  if (parent.type === 'pair') {
    const key = field(parent, 'key');
    return key ? keyName(key) : undefined;
  }
  if (parent.type === 'assignment_expression') return lastName(field(parent, 'left'));
  if (parent.type === 'public_field_definition' || parent.type === 'field_definition')
    return (field(parent, 'name') ?? field(parent, 'property'))?.text;
  return undefined;
}

const declaredNameSets = new WeakMap<CheckInput, Map<string, boolean>>();

/**
 * Whether the text declares a function of this name: `function name(`, `name = (…) =>` / `name =
 * async function`, `name: (…) =>`, or a method `name(…) {` (with an optional return type).
 */
export function declaresFunction(input: CheckInput, name: string): boolean {
  let names = declaredNameSets.get(input);
  if (!names) declaredNameSets.set(input, (names = new Map()));
  let declared = names.get(name);
  if (declared === undefined) {
    declared = IDENTIFIER.test(name) ? declaresIdentifier(input.text, name) : declarationPattern(name).test(input.text);
    names.set(name, declared);
  }
  return declared;
}

/** declaresFunction's three shapes for one name, as a regex over the whole text. */
function declarationPattern(name: string): RegExp {
  const escaped = name.replace(/\$/g, '\\$');
  return new RegExp(
    String.raw`\bfunction\s*\*?\s*${escaped}\s*[(<]|(?<![\w$.])${escaped}\s*[=:]\s*(?:async\s*)?(?:function\b|\([^()]*\)\s*(?::[^=;{]*)?=>|[A-Za-z_$][\w$]*\s*=>)|(?<![\w$.])${escaped}\s*(?:<[^<>()]*>)?\([^()]*\)\s*(?::[^;{}=]*)?\{`,
  );
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
/** What follows the name in each of declarationPattern's shapes, tried where the name ends (sticky). */
const AFTER_FUNCTION_NAME = /\s*[(<]/y;
const AFTER_ASSIGNED_NAME = /\s*[=:]\s*(?:async\s*)?(?:function\b|\([^()]*\)\s*(?::[^=;{]*)?=>|[A-Za-z_$][\w$]*\s*=>)/y;
const AFTER_METHOD_NAME = /\s*(?:<[^<>()]*>)?\([^()]*\)\s*(?::[^;{}=]*)?\{/y;
/** What precedes the name in the first shape (`function`, spaces, an optional `*`), as a lookbehind tried where the name starts. */
const FUNCTION_KEYWORD_BEFORE = /(?<=\bfunction\s*\*?\s*)/y;

function matchesAt(regex: RegExp, text: string, at: number): boolean {
  regex.lastIndex = at;
  return regex.test(text);
}

/** A character of a JavaScript name (ASCII letters, digits, `_`, `$`). */
export function isNameCharacter(code: number): boolean {
  return (
    (code >= 0x61 && code <= 0x7a) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x30 && code <= 0x39) ||
    code === 0x5f ||
    code === 0x24
  );
}

/**
 * declarationPattern(name).test(text) for an identifier, without a scan of the whole text per name
 * (with a regex compiled for it): every match holds the name, so the pattern is tried only where
 * the name stands, its three shapes each as the text before the name (the first's lookbehind, the
 * others' `(?<![\w$.])`) and the text after it. A name that a word character or `$` follows fits
 * none of them (each goes on with a space, `(`, `<`, `=` or `:`). The regex per name was the largest
 * cost of JavaScript's query-in-loop on real code: one scan and one compiled regex per distinct callee.
 */
function declaresIdentifier(text: string, name: string): boolean {
  for (let at = text.indexOf(name); at !== -1; at = text.indexOf(name, at + 1)) {
    const end = at + name.length;
    if (end < text.length && isNameCharacter(text.charCodeAt(end))) continue;
    const before = at > 0 ? text.charCodeAt(at - 1) : -1;
    if (
      !isNameCharacter(before) &&
      before !== 0x2e &&
      (matchesAt(AFTER_ASSIGNED_NAME, text, end) || matchesAt(AFTER_METHOD_NAME, text, end))
    )
      return true;
    if (matchesAt(FUNCTION_KEYWORD_BEFORE, text, at) && matchesAt(AFTER_FUNCTION_NAME, text, end)) return true;
  }
  return false;
}

/** Functions and methods declared in a file by name; a name declared twice is ambiguous (null). */
const declaredFunctionMaps = new WeakMap<CheckInput, Map<string, Node | null>>();
const classNameSets = new WeakMap<CheckInput, Set<string>>();

/**
 * The function of this file a call runs, when the file declares it once under that name: `helper(x)`,
 * `this.helper(x)` (a method of the class), `Store.helper(x)` (a static method of a class the file
 * declares). Undefined when the name is declared elsewhere, or more than once here.
 */
export function sameFileFunction(input: CheckInput, target: Callee): Node | undefined {
  // Read from the text first: most names called are not declared here, and the tree is not read for them.
  if (!declaresFunction(input, target.name)) return undefined;
  if (target.object !== undefined && target.object !== 'this') {
    let classes = classNameSets.get(input);
    if (!classes) {
      classes = new Set([...input.text.matchAll(/\bclass\s+([A-Za-z_$][\w$]*)/g)].map((match) => match[1]));
      classNameSets.set(input, classes);
    }
    if (!classes.has(target.object)) return undefined;
  }
  let functions = declaredFunctionMaps.get(input);
  if (!functions) {
    functions = new Map();
    for (const type of JS_FUNCTIONS)
      for (const fn of input.nodesOfType(type)) {
        const name = functionName(fn);
        const holder = fn.parent?.type;
        // Methods and class fields answer `this.x()` / `Class.x()`; declarations and variables answer `x()`.
        const member =
          fn.type === 'method_definition' || holder === 'public_field_definition' || holder === 'field_definition';
        const plain = fn.type === 'function_declaration' || holder === 'variable_declarator';
        if (name === undefined || (!member && !plain)) continue;
        const key = `${member ? '.' : ''}${name}`;
        functions.set(key, functions.has(key) ? null : fn);
      }
    declaredFunctionMaps.set(input, functions);
  }
  return functions.get(`${target.object === undefined ? '' : '.'}${target.name}`) ?? undefined;
}

/** `a.b.c` → `c`; `x` → `x`; `obj['key']` → `key`. */
function lastName(node: Node | null): string | undefined {
  if (!node) return undefined;
  if (
    node.type === 'identifier' ||
    node.type === 'property_identifier' ||
    node.type === 'shorthand_property_identifier' ||
    node.type === 'private_property_identifier'
  )
    return node.text;
  if (node.type === 'member_expression') return field(node, 'property')?.text;
  if (node.type === 'subscript_expression') {
    const index = field(node, 'index');
    return index && index.type === 'string' ? unquote(index.text) : undefined;
  }
  return undefined;
}

/**
 * The name the value at `node` is bound to: the variable, field, key or assignment target that
 * receives it, climbing through expressions but not out of the enclosing function.
 */
export function bindingName(node: Node): string | undefined {
  for (const current of climb(node)) {
    if (JS_FUNCTIONS.has(current.type) || current.type === 'statement_block' || current.type === 'program')
      return undefined;
    switch (current.type) {
      case 'variable_declarator':
        return field(current, 'name')?.text;
      case 'assignment_expression':
      case 'augmented_assignment_expression':
        return lastName(field(current, 'left'));
      case 'pair': {
        const key = field(current, 'key');
        return key ? keyName(key) : undefined;
      }
      case 'public_field_definition':
      case 'field_definition':
        return (field(current, 'name') ?? field(current, 'property'))?.text;
      case 'return_statement':
        return undefined;
      default:
        break;
    }
  }
  return undefined;
}

const CONSTANT_NAME = /^[A-Z][A-Z0-9_]*$/;

/**
 * Calls whose result is a formatted date or a number, never text from outside: a `Date`'s
 * `toISOString()` (`'2026-12-06T02:08:00.000Z'`), `getTime()`, `Date.now()`, `Number(x)`,
 * `parseInt(x, 10)`, `Math.floor(x)`, `n.toFixed(2)`. Spliced into SQL they cannot change the query.
 */
const FORMATTED_VALUE_CALL =
  /^(?:[\w$.]+\.(?:toISOString|toUTCString|getTime|toFixed|toPrecision)|Date\.now|Number|parseInt|parseFloat|Number\.(?:parseInt|parseFloat)|Math\.\w+)$/;

function isConstantExpression(node: Node | null): boolean {
  const unwrapped = unwrapTyped(node);
  if (!unwrapped) return true;
  const { node: inner, type } = unwrapped;
  if (type === 'string' || type === 'number' || type === 'true' || type === 'false') return true;
  if (type === 'call_expression') {
    const target = callee(inner);
    return target !== undefined && FORMATTED_VALUE_CALL.test(target.text);
  }
  if (type === 'identifier') return CONSTANT_NAME.test(inner.text);
  if (type === 'member_expression')
    return CONSTANT_NAME.test(field(inner, 'object')?.text ?? '') || CONSTANT_NAME.test(lastName(inner) ?? '');
  return false;
}

/** SQL that names a table next: `FROM `, `JOIN `, `INTO `, `UPDATE `, `TABLE IF EXISTS "`, `INDEX ON `. */
const TABLE_POSITION_BEFORE = /\b(?:from|join|into|update|table|exists|on|truncate|references)\s+["`]?$/i;
/** A name that says it holds a table or schema name (`this.workingTable`, `tableName`, `SCHEMA`). */
const TABLE_NAME = /(?:table|tbl|schema)(?:_?name)?$/i;
/** Where request input lives: a table name read from it is input like any other. */
const REQUEST_VALUE = /^(?:req|request|ctx|context|params|query|body|input|args|event)\b/;

/**
 * A value spliced where SQL expects a table name, and named as one: the application's own table
 * (`DROP TABLE ${this.workingTable}`), not a value from the request. Placeholders cannot stand for
 * identifiers, so this is how such SQL is written.
 */
function isTableNameSplice(before: string, value: Node | null): boolean {
  const unwrapped = unwrapTyped(value);
  if (!unwrapped || (unwrapped.type !== 'identifier' && unwrapped.type !== 'member_expression')) return false;
  if (REQUEST_VALUE.test(unwrapped.node.text)) return false;
  return TABLE_POSITION_BEFORE.test(before) && TABLE_NAME.test(lastName(unwrapped.node) ?? '');
}

/** How a string is built: literal parts and whether anything non-constant is spliced in. Null when not a string expression. */
const isPlus = (candidate: Node): boolean =>
  candidate.type === 'binary_expression' && field(candidate, 'operator')?.text === '+';

/** Whether a spliced expression is fixed text: a literal or a constant, or (given the file) a variable only ever given literals. */
type ConstantTest = (node: Node | null) => boolean;

export function stringBuild(
  node: Node | null,
  depth = 0,
  isConstant: ConstantTest = isConstantExpression,
): StringBuild | null {
  const unwrapped = unwrapTyped(node);
  if (!unwrapped || depth > MAX_BUILD_DEPTH) return null;
  const { node: inner, type } = unwrapped;
  if (type === 'string') return { literal: unquote(inner.text), dynamic: false };
  if (type === 'template_string') {
    let literal = '';
    let dynamic = false;
    for (const child of inner.namedChildren) {
      if (!child) continue;
      if (child.type === 'template_substitution') {
        const value = named(child)[0] ?? null;
        if (!isConstant(value) && !isTableNameSplice(literal, value)) dynamic = true;
      } else {
        literal += child.text;
      }
    }
    if (inner.namedChildCount === 0) literal = unquote(inner.text);
    return { literal, dynamic };
  }
  if (type === 'call_expression') {
    const fn = field(inner, 'function');
    const method = fn?.type === 'member_expression' ? field(fn, 'property')?.text : undefined;
    if (method === 'join') return joinedArrayBuild(fn, depth, isConstant);
    if ((fn?.type === 'identifier' || method !== undefined) && FORMAT_FUNCTION.test(fn?.text ?? ''))
      return formatBuild(inner, depth, isConstant);
    // `'SELECT … WHERE id = '.concat(id)`: String.prototype.concat joins like `+`; the text it is
    // called on may itself be a variable being built (`query = query.concat(value)`).
    if (!fn || method !== 'concat') return null;
    const receiver = field(fn, 'object');
    const base =
      stringBuild(receiver, depth + 1, isConstant) ??
      (unwrapTyped(receiver)?.type === 'identifier' ? { literal: '', dynamic: false } : null);
    if (!base) return null;
    let { literal, dynamic } = base;
    for (const arg of named(field(inner, 'arguments'))) {
      const part = stringBuild(arg, depth + 1, isConstant);
      if (part) literal += ' ' + part.literal;
      dynamic ||= part ? part.dynamic : !isConstant(arg);
    }
    return { literal, dynamic };
  }
  if (type === 'binary_expression' && isPlus(inner)) {
    let literal = '';
    let dynamic = false;
    let hasString = false;
    for (const operand of chainOperands(inner, isPlus)) {
      const part = stringBuild(operand, depth + 1, isConstant);
      if (part) {
        hasString = true;
        literal += ' ' + part.literal;
        dynamic ||= part.dynamic;
      } else if (!isConstant(operand) && !isTableNameSplice(literal, operand)) {
        dynamic = true;
      }
    }
    return hasString ? { literal, dynamic } : null;
  }
  return null;
}

/** `util.format(…)`, `format(…)`, `sprintf(…)`, `vsprintf(…)`: printf-style text built from a literal format. */
const FORMAT_FUNCTION = /^(?:(?:util|sprintf|sprintfJs|vsprintf)\s*\.\s*)?v?(?:format|sprintf)$/;

/**
 * A printf-style build: the format's text, dynamic when a `%s` (or `%j`, `%o`, `%O`) conversion
 * takes a value that is not constant. `%d`/`%i`/`%f` make numbers, and pg-format's `%L`/`%I`
 * quote what they take, so neither splices text.
 */
function formatBuild(call: Node, depth: number, isConstant: ConstantTest): StringBuild | null {
  const [format, ...values] = named(field(call, 'arguments'));
  const base = stringBuild(format ?? null, depth + 1, isConstant);
  if (!base) return null;
  const conversions = [...base.literal.matchAll(/%[-+ 0#]*\d*(?:\.\d+)?([a-zA-Z%])/g)]
    .map((match) => match[1])
    .filter((conversion) => conversion !== '%');
  let dynamic = base.dynamic;
  conversions.forEach((conversion, index) => {
    const value = values[index] ?? null;
    if (/[sjoO]/.test(conversion) && value && !isConstant(value)) dynamic = true;
  });
  // vsprintf's values come as one array; any spliced value there counts.
  if (
    conversions.some((conversion) => /[sjoO]/.test(conversion)) &&
    values.length === 1 &&
    unwrapTyped(values[0])?.type === 'array'
  )
    dynamic ||= named(values[0]).some((item) => !isConstant(item));
  return { literal: base.literal, dynamic };
}

/** `['SELECT *', 'FROM t WHERE id =', id].join(' ')`: the literal items joined, dynamic when an item is not constant. */
function joinedArrayBuild(member: Node | null, depth: number, isConstant: ConstantTest): StringBuild | null {
  const array = unwrapTyped(field(member, 'object'));
  if (array?.type !== 'array') return null;
  let literal = '';
  let dynamic = false;
  for (const item of named(array.node)) {
    const part = stringBuild(item, depth + 1, isConstant);
    if (part) literal += ' ' + part.literal;
    dynamic ||= part ? part.dynamic : !isConstant(item);
  }
  return { literal, dynamic };
}

/** SQL text that expects a value next: a comparison, `LIKE`, `IN (`, `LIMIT`, an opening quote. */
const VALUE_POSITION_BEFORE = /(?:=|<>|!=|<|>|\b(?:i?like|in|between|limit|offset))\s*\(?\s*['"%]*$|['"]%?$/i;

/**
 * Whether a SQL fragment splices a value where SQL expects a value (`name = '${q}'`,
 * `"price > " + min`), written in place or held by a variable given one such expression. Query
 * builders' fragments (`whereRaw`, TypeORM's `where`) also splice identifiers (`${alias}.id = :id`),
 * which are the code's own, so only value positions count there.
 */
export function splicesValue(input: CheckInput, node: Node | null): boolean {
  let value = unwrapTyped(node);
  if (value?.type === 'identifier') {
    const scope = enclosingFunction(input, value.node) ?? input.moduleScope(value.node.startIndex);
    const values = assignedValues(input, scope, value.node.text, value.node.startIndex);
    value = values.length === 1 ? unwrapTyped(values[0]) : null;
  }
  if (!value) return false;
  let before = '';
  const spliced = (part: Node | null): boolean =>
    VALUE_POSITION_BEFORE.test(before.trimEnd().replace(/\s+/g, ' ')) &&
    !isConstantExpression(part) &&
    !holdsOnlyLiterals(input, part) &&
    !isValidated(input, part) &&
    !isInertSplice(input, part);
  const parts =
    value.type === 'template_string'
      ? value.node.namedChildren
      : value.type === 'binary_expression' && isPlus(value.node)
        ? chainOperands(value.node, isPlus)
        : [];
  for (const part of parts) {
    if (!part) continue;
    const type = part.type;
    if (type === 'template_substitution') {
      if (spliced(named(part)[0] ?? null)) return true;
    } else if (type === 'string' || type === 'template_string' || value.type === 'template_string') {
      if (type === 'template_string' && part.namedChildren.some((child) => child?.type === 'template_substitution')) {
        if (splicesValue(input, part)) return true;
      }
      before += type === 'string' || type === 'template_string' ? unquote(part.text) : part.text;
    } else if (spliced(part)) {
      return true;
    }
  }
  return false;
}

/**
 * Values assigned to the variable `name` in `scope` before `before` (declaration, `=` and `+=`).
 * Used to follow a query or command built into a variable and passed on later.
 */
function assignedValues(input: CheckInput, scope: Node, name: string, before: number): Node[] {
  const values: Node[] = [];
  for (const assignment of assignmentsNamed(input, scope, name)) {
    if (assignment.node.startIndex >= before) break;
    const declarator = assignment.node;
    const value = declarator.type === 'variable_declarator' ? field(declarator, 'value') : field(declarator, 'right');
    if (value) values.push(value);
  }
  return values;
}

const assignmentsByName = new WeakMap<ScopeAssignment[], Map<string, ScopeAssignment[]>>();

/**
 * A scope's assignments to `name`, in order. The scope's list is indexed by name once, so a file
 * with thousands of names and lookups costs one pass over its assignments, not one per lookup.
 */
function assignmentsNamed(input: CheckInput, scope: Node, name: string): ScopeAssignment[] {
  const list = scopeAssignments(input, scope);
  let index = assignmentsByName.get(list);
  if (!index) {
    index = new Map();
    for (const assignment of list) {
      const target = assignmentTarget(assignment);
      if (target === undefined) continue;
      const entries = index.get(target);
      if (entries) entries.push(assignment);
      else index.set(target, [assignment]);
    }
    assignmentsByName.set(list, index);
  }
  return index.get(name) ?? [];
}

/** One declaration or assignment of a scope; its target is read from the tree the first time a lookup reaches it. */
interface ScopeAssignment {
  node: Node;
  target?: string | undefined;
  targetRead?: boolean;
}

const scopeAssignments = scopeAssignmentLists<ScopeAssignment>(
  ['variable_declarator', 'assignment_expression', 'augmented_assignment_expression'],
  (node) => ({ node }),
);

/** The assigned identifier's name; undefined when the target is not a plain identifier. */
function assignmentTarget(assignment: ScopeAssignment): string | undefined {
  if (!assignment.targetRead) {
    const declarator = assignment.node;
    const target = declarator.type === 'variable_declarator' ? field(declarator, 'name') : field(declarator, 'left');
    assignment.target = target?.type === 'identifier' ? target.text : undefined;
    assignment.targetRead = true;
  }
  return assignment.target;
}

/**
 * The value an identifier was last given before `identifier` in its function, or else at the top
 * level of the file (`const secret = 'x'` read by `jwt.sign(p, secret)`); null when it has none.
 */
export function valueAssigned(input: CheckInput, identifier: Node, topLevelSecretNames = false): Node | null {
  const fn = enclosingFunction(input, identifier);
  const name = identifier.text;
  if (fn) {
    const values = assignedValues(input, fn, name, identifier.startIndex);
    if (values.length > 0) return values[values.length - 1];
    // A parameter of that name hides the top-level value.
    const parameters = (field(fn, 'parameters') ?? field(fn, 'parameter'))?.text ?? '';
    if (new RegExp(`(^|[^\\w$])${name.replace(/\$/g, '\\$')}([^\\w$]|$)`).test(parameters)) return null;
  }
  // The top level is looked up only when the function gives nothing (a lookup there is recorded),
  // and not for a secret-like name (its literal is reported where it is written) unless the caller
  // reports where it is used (a signing call given the key).
  if (!topLevelSecretNames && isSecretName(name)) return null;
  const values = assignedValues(input, input.moduleScope(identifier.startIndex), name, identifier.startIndex).filter(
    (value) => !enclosingFunction(input, value),
  );
  return values.length > 0 ? values[values.length - 1] : null;
}

/** `q += req.query.age`: a value that is not a string expression, appended to a string being built. */
function appendedValue(value: Node): StringBuild | null {
  const parent = value.parent;
  if (parent?.type !== 'augmented_assignment_expression' || field(parent, 'operator')?.text !== '+=') return null;
  return isConstantExpression(value) ? null : { literal: '', dynamic: true };
}

const LITERAL_TYPES: ReadonlySet<string> = new Set(['string', 'number', 'true', 'false']);

/**
 * `if (!isISO8601Duration(value)) throw …`, `if (!validator.isUUID(id)) return …`, `if (!ID_PATTERN.test(id))
 * return`: a value the function checks with a validator and gives up on when the check fails.
 */
const VALIDATION_GUARD =
  /\bif\s*\(\s*!\s*(?:[\w$]+\s*\.\s*)*(?:is|valid|validate|check|matches|test)[\w$]*\s*\(\s*([A-Za-z_$][\w$]*)\s*\)\s*\)\s*\{?\s*(?:throw|return)\b/g;

/**
 * `if (!['asc', 'desc'].includes(order)) throw …`, `if (!SORT_ORDERS.includes(order)) return …`,
 * `if (!Object.values(Direction).includes(dir)) throw …`: a value checked against a fixed list of
 * values and given up on when it is not one of them.
 */
const ALLOW_LIST_GUARD =
  /\bif\s*\(\s*!\s*(?:\[\s*(?:'[^'\n]*'|"[^"\n]*"|-?\d+)(?:\s*,\s*(?:'[^'\n]*'|"[^"\n]*"|-?\d+))*\s*,?\s*\]|(?:[\w$]+\s*\.\s*)*[A-Z][A-Z0-9_]*|Object\s*\.\s*(?:values|keys)\s*\(\s*[\w$.]+\s*\))\s*\.\s*(?:includes|has)\s*\(\s*([A-Za-z_$][\w$]*)(?:\s+as\s+[\w$.]+)?\s*\)\s*\)\s*\{?\s*(?:throw|return)\b/g;

const validatedNameSets = new WeakMap<CheckInput, Map<number, Set<string>>>();

/** The names a function validates with a guard (read once per function from its text). */
function validatedNames(input: CheckInput, fn: Node): Set<string> {
  let byFunction = validatedNameSets.get(input);
  if (!byFunction) validatedNameSets.set(input, (byFunction = new Map()));
  let names = byFunction.get(fn.startIndex);
  if (!names) {
    names = new Set();
    const text = input.text.slice(fn.startIndex, fn.endIndex);
    if (/\bif\s*\(\s*!/.test(text))
      for (const guard of [VALIDATION_GUARD, ALLOW_LIST_GUARD])
        for (const match of text.matchAll(guard)) names.add(match[1]);
    byFunction.set(fn.startIndex, names);
  }
  return names;
}

const NOT_A_VALUE = /^(?:true|false|null|undefined|this|typeof|new|void|await|in|of|instanceof)$/;

/**
 * Whether an identifier holds a value the enclosing function validated (see VALIDATION_GUARD), or
 * one derived only from validated values (`const magnitude = negative ? duration.slice(1) : duration`,
 * `const negative = duration.startsWith('-')`).
 */
function isValidated(input: CheckInput, node: Node | null, depth = 0): boolean {
  const unwrapped = unwrapTyped(node);
  if (unwrapped?.type !== 'identifier') return false;
  const identifier = unwrapped.node;
  const fn = enclosingFunction(input, identifier);
  if (!fn) return false;
  const guarded = validatedNames(input, fn);
  if (guarded.size === 0) return false;
  if (guarded.has(identifier.text)) return true;
  if (depth >= 2) return false;
  const values = assignedValues(input, fn, identifier.text, identifier.startIndex);
  if (values.length !== 1) return false;
  const names = [...values[0].text.matchAll(/(?<![\w$.]|\.\s*)[A-Za-z_$][\w$]*/g)]
    .map((match) => match[0])
    .filter((name) => !NOT_A_VALUE.test(name));
  if (names.length === 0 || /[`'"]/.test(values[0].text.replace(/\(\s*(['"])[^'"]*\1\s*\)/g, '()'))) return false;
  return names.every(
    (name) =>
      guarded.has(name) ||
      (() => {
        const earlier = assignedValues(input, fn, name, values[0].startIndex);
        return (
          earlier.length === 1 &&
          [...earlier[0].text.matchAll(/(?<![\w$.])[A-Za-z_$][\w$]*/g)].every(
            (match) => guarded.has(match[0]) || NOT_A_VALUE.test(match[0]),
          )
        );
      })(),
  );
}

/**
 * Whether an identifier names a variable given only literal values before this use, in its
 * function or else at the top level (`let table = 'projects'`): splicing it splices fixed text.
 * A parameter of the function is input, whatever the top level holds.
 */
function holdsOnlyLiterals(input: CheckInput, node: Node | null): boolean {
  const unwrapped = unwrapTyped(node);
  if (unwrapped?.type !== 'identifier') return false;
  const identifier = unwrapped.node;
  const fn = enclosingFunction(input, identifier);
  let values = fn ? assignedValues(input, fn, identifier.text, identifier.startIndex) : [];
  if (fn && values.length === 0) {
    const parameters = (field(fn, 'parameters') ?? field(fn, 'parameter'))?.text ?? '';
    if (new RegExp(`(^|[^\\w$])${identifier.text.replace(/\$/g, '\\$')}([^\\w$]|$)`).test(parameters)) return false;
  }
  if (values.length === 0)
    values = assignedValues(input, input.moduleScope(identifier.startIndex), identifier.text, identifier.startIndex);
  return (
    values.length > 0 &&
    values.every((value) => {
      const literal = unwrapTyped(value);
      return (
        !!literal &&
        (LITERAL_TYPES.has(literal.type) ||
          (literal.type === 'template_string' && literal.node.namedChildCount === 0) ||
          isFixedTextCall(input, literal.node) ||
          isLiteralChoice(literal.node))
      );
    })
  );
}

/** A literal: a string, number or boolean, or a template without substitutions. */
function isLiteral(node: Node | null): boolean {
  const literal = unwrapTyped(node);
  return (
    !!literal &&
    (LITERAL_TYPES.has(literal.type) || (literal.type === 'template_string' && literal.node.namedChildCount === 0))
  );
}

/** An array literal of literals (`['asc', 'desc']`). */
function isLiteralArray(node: Node | null): boolean {
  const array = unwrapTyped(node);
  return array?.type === 'array' && named(array.node).every(isLiteral);
}

/**
 * The variable a condition pins to literals when it holds (`x === 'asc' || x === 'desc'`,
 * `['asc', 'desc'].includes(x)`, `SORT_ORDERS.includes(x)`), or when it fails (`x !== 'asc' && x !== 'desc'`,
 * `!['asc', 'desc'].includes(x)`): that branch of a ternary can only give one of the literals.
 */
function pinnedName(condition: Node | null, when: boolean, depth = 0): string | undefined {
  const node = unwrapTyped(condition);
  if (!node || depth > 8) return undefined;
  const { node: inner, type } = node;
  if (type === 'unary_expression' && field(inner, 'operator')?.text === '!')
    return pinnedName(field(inner, 'argument'), !when, depth + 1);
  if (type === 'call_expression') {
    const target = callee(inner);
    const list = target && /^(?:includes|has)$/.test(target.name) ? field(field(inner, 'function'), 'object') : null;
    const value = unwrapTyped(firstArg(inner));
    if (!when || !list || value?.type !== 'identifier' || args(inner).length !== 1) return undefined;
    return isLiteralArray(list) || isConstantExpression(list) ? value.node.text : undefined;
  }
  if (type !== 'binary_expression') return undefined;
  const operator = field(inner, 'operator')?.text ?? '';
  // `a || b` holds when either holds; `a && b` fails when either fails: both must pin the same name.
  if ((operator === '||' && when) || (operator === '&&' && !when)) {
    const left = pinnedName(field(inner, 'left'), when, depth + 1);
    return left !== undefined && left === pinnedName(field(inner, 'right'), when, depth + 1) ? left : undefined;
  }
  const equal = operator === '===' || operator === '==';
  if (!(equal && when) && !((operator === '!==' || operator === '!=') && !when)) return undefined;
  const left = unwrapTyped(field(inner, 'left'));
  const right = unwrapTyped(field(inner, 'right'));
  if (left?.type === 'identifier' && isLiteral(right?.node ?? null)) return left.node.text;
  if (right?.type === 'identifier' && isLiteral(left?.node ?? null)) return right.node.text;
  return undefined;
}

/**
 * `sortOrder === 'asc' || sortOrder === 'desc' ? sortOrder : 'asc'`: a ternary whose every outcome is
 * a literal or the variable its condition has just compared against literals on that branch.
 */
function isLiteralChoice(node: Node | null, depth = 0): boolean {
  const choice = unwrapTyped(node);
  if (choice?.type !== 'ternary_expression' || depth > 4) return false;
  const condition = field(choice.node, 'condition');
  const branch = (value: Node | null, when: boolean): boolean => {
    const inner = unwrapTyped(value);
    if (!inner) return false;
    if (isLiteral(inner.node) || isLiteralChoice(inner.node, depth + 1)) return true;
    return inner.type === 'identifier' && pinnedName(condition, when) === inner.node.text;
  };
  return branch(field(choice.node, 'consequence'), true) && branch(field(choice.node, 'alternative'), false);
}

/** `number`, `bigint`, `boolean`, or a union of number / boolean literal types (`1 | 2 | 3`). */
const NUMERIC_TYPE =
  /^(?:number|bigint|boolean|-?\d+(?:\.\d+)?|true|false)(?:\s*\|\s*(?:number|bigint|boolean|-?\d+(?:\.\d+)?|true|false))*$/;

const PARAMETER_TYPES: ReadonlySet<string> = new Set(['required_parameter', 'optional_parameter']);

/** The type an annotation names (`: number` → `number`), or undefined. */
function annotatedType(holder: Node): string | undefined {
  const annotation = field(holder, 'type');
  return annotation?.text.replace(/^\s*:\s*/, '').trim();
}

/**
 * Whether an identifier is declared with a numeric type: a parameter (`hoursAgo: number`,
 * `limit: number = 50`) of a function around it, or a local `const n: number = …` before it. The
 * compiler keeps text out of it, so spliced into SQL it can only be a number.
 */
/** A parameter a framework fills from the request (`@Query('n')`, `@Param`, `@Body`, `@Headers`) with no pipe to convert it. */
const UNCONVERTED_REQUEST_PARAMETER = /^@(?:Query|Param|Body|Headers)\s*\((?![^)]*Pipe)/;

function isNumericTyped(input: CheckInput, identifier: Node): boolean {
  const name = identifier.text;
  if (!declaresNumeric(input, name)) return false;
  for (let fn = enclosingFunction(input, identifier); fn; fn = fn.parent ? enclosingFunction(input, fn.parent) : null) {
    const parameters = field(fn, 'parameters');
    if (parameters && parameters.text.includes(name)) {
      for (const parameter of named(parameters)) {
        if (!PARAMETER_TYPES.has(parameter.type)) continue;
        const pattern = field(parameter, 'pattern');
        // `@Query('hours') hours: number` (NestJS): a request's text unless a pipe converts it.
        if (pattern?.type === 'identifier' && pattern.text === name)
          return (
            NUMERIC_TYPE.test(annotatedType(parameter) ?? '') && !UNCONVERTED_REQUEST_PARAMETER.test(parameter.text)
          );
      }
    }
    const declarations = assignmentsNamed(input, fn, name).filter((a) => a.node.startIndex < identifier.startIndex);
    if (declarations.length > 0)
      return declarations.every(
        (a) =>
          a.node.type === 'variable_declarator' &&
          NUMERIC_TYPE.test(annotatedType(a.node) ?? '') &&
          // `const limit: number = req.query.limit as any`: an assertion makes no number of the text.
          field(a.node, 'value')?.type !== 'as_expression',
      );
  }
  return false;
}

const numericDeclarations = new WeakMap<CheckInput, Set<string>>();
/** `name: number`, `name?: 1 | 2`, `name: boolean = false`: a name annotated with a numeric type. */
const NUMERIC_ANNOTATION = /(?<![\w$.])([A-Za-z_$][\w$]*)\s*\??\s*:\s*(?:number|bigint|boolean|-?\d|true\b|false\b)/g;

/** Whether the text declares `name` with a numeric type anywhere: the names are read in one pass per check. */
function declaresNumeric(input: CheckInput, name: string): boolean {
  let names = numericDeclarations.get(input);
  if (!names) {
    names = new Set([...input.text.matchAll(NUMERIC_ANNOTATION)].map((match) => match[1]));
    numericDeclarations.set(input, names);
  }
  return names.has(name);
}

/** `KINDS.map(`, `['a', 'b'].map(`, `kinds\n  .filter(`: a name or a list, then a list method. */
const CONSTANT_LIST_TEXT =
  /^(?:[\w$.]+|\[[^\]]*\])\s*\??\.\s*(?:map|join|filter|slice|flat|flatMap|sort|reverse|toSorted)\s*\(/;

/** Array methods that give back the array's items, or text made from them. */
const ARRAY_CHAIN_METHOD = /^(?:map|join|filter|slice|flat|flatMap|sort|reverse|toSorted)$/;

/**
 * `ROOT_TYPES.map((type) => `'${type}'`).join(',')`: text made from a constant list by callbacks that
 * read nothing but their own parameters. A constant list is a constant name or a list of literals,
 * here or at the top level of the file.
 */
function isConstantListText(input: CheckInput, node: Node | null, depth = 0): boolean {
  // Read from the text first: a list method called with a callback or a literal.
  if (!node || !CONSTANT_LIST_TEXT.test(input.text.slice(node.startIndex, node.startIndex + 2000))) return false;
  const call = unwrapTyped(node);
  if (call?.type !== 'call_expression' || depth > 6) return false;
  const target = callee(call.node);
  if (!target || target.object === undefined || !ARRAY_CHAIN_METHOD.test(target.name)) return false;
  const receiver = unwrapTyped(field(field(call.node, 'function'), 'object'));
  if (!receiver) return false;
  const constantList =
    isConstantListText(input, receiver.node, depth + 1) ||
    isLiteralArray(receiver.node) ||
    (receiver.type === 'identifier' || receiver.type === 'member_expression'
      ? isConstantExpression(receiver.node) ||
        (receiver.type === 'identifier' && isLiteralArrayVariable(input, receiver.node))
      : false);
  if (!constantList) return false;
  return args(call.node).every((arg) => isLiteral(arg) || readsOnlyItsParameters(arg));
}

const grownListSets = new WeakMap<CheckInput, Set<string>>();
/** `kinds.push(x)`, `kinds.unshift(x)`, `kinds.splice(…)`: names of lists the file grows, read in one pass per check. */
const GROWN_LIST = /(?<![\w$.])([A-Za-z_$][\w$]*)\s*\.\s*(?:push|unshift|splice)\s*\(/g;

function grownLists(input: CheckInput): Set<string> {
  let names = grownListSets.get(input);
  if (!names) {
    names = new Set([...input.text.matchAll(GROWN_LIST)].map((match) => match[1]));
    grownListSets.set(input, names);
  }
  return names;
}

/**
 * `const kinds = ['a', 'b']` in a function around the identifier or at the top level of the file,
 * never given anything else and never grown (`kinds.push(…)`).
 */
function isLiteralArrayVariable(input: CheckInput, identifier: Node): boolean {
  const name = identifier.text;
  const escaped = name.replace(/\$/g, '\\$');
  if (grownLists(input).has(name)) return false;
  const isOnlyLiteralArrays = (values: Node[]): boolean => values.length > 0 && values.every(isLiteralArray);
  for (let fn = enclosingFunction(input, identifier); fn; fn = fn.parent ? enclosingFunction(input, fn.parent) : null) {
    const parameters = (field(fn, 'parameters') ?? field(fn, 'parameter'))?.text ?? '';
    if (new RegExp(`(^|[^\\w$])${escaped}([^\\w$]|$)`).test(parameters)) return false;
    const values = assignedValues(input, fn, name, identifier.startIndex);
    if (values.length > 0) return isOnlyLiteralArrays(values);
  }
  const values = assignedValues(input, input.moduleScope(identifier.startIndex), name, input.text.length);
  return isOnlyLiteralArrays(values.filter((value) => !enclosingFunction(input, value)));
}

/** An arrow or function expression whose body names nothing but its parameters and constants. */
function readsOnlyItsParameters(node: Node): boolean {
  const fn = unwrapTyped(node);
  if (!fn || (fn.type !== 'arrow_function' && fn.type !== 'function_expression')) return false;
  const parameters = new Set(
    ((list) => (list ? descendants(list, 'identifier') : []))(field(fn.node, 'parameters')).map(
      (identifier) => identifier.text,
    ),
  );
  const parameter = field(fn.node, 'parameter');
  if (parameter?.type === 'identifier') parameters.add(parameter.text);
  const body = field(fn.node, 'body');
  if (!body) return false;
  return descendants(body, 'identifier').every(
    (identifier) =>
      parameters.has(identifier.text) || CONSTANT_NAME.test(identifier.text) || NOT_A_VALUE.test(identifier.text),
  );
}

/**
 * A spliced value that cannot carry text from outside, whatever its name: a variable declared with
 * a numeric type, one given only a ternary's choice among literals, or text made from a constant list.
 */
function isInertSplice(input: CheckInput, node: Node | null): boolean {
  if (!node) return false;
  // Read from the text first: most splices are none of these, and each look at the tree is a WebAssembly call.
  const head = input.text.slice(node.startIndex, node.startIndex + 2000);
  const name = /^([A-Za-z_$][\w$]*)\s*(?:$|[+,;)}\]`'"])/.exec(head)?.[1];
  if (name !== undefined) {
    if (!declaresNumeric(input, name)) return false;
    const value = unwrapTyped(node);
    return value?.type === 'identifier' && isNumericTyped(input, value.node);
  }
  if (CONSTANT_LIST_TEXT.test(head)) return isConstantListText(input, node);
  return LITERAL_CHOICE_TEXT.test(head) && isLiteralChoice(node);
}

/** How a ternary choosing among literals opens: `x === 'a'`, `!list.includes(x)`, `['a', 'b'].includes(x)`, `(x === 1`. */
const LITERAL_CHOICE_TEXT = /^\(*\s*(?:!|\[|[\w$.]+\s*(?:===?|!==?|\.\s*(?:includes|has)\s*\()|['"\d])/;

/** What a placeholder-list callback gives back: `'?'`, `` `$${i + 1}` ``, `` `:id${i}` ``. */
const PLACEHOLDER_TEXT = /'(?:\?|\$\d+)'|"(?:\?|\$\d+)"|`(?:\?|\$\$\{[^`{}]*\}|:[A-Za-z_]\w*\$\{[^`{}]*\})`/;
/** A name that says it returns SQL text of the program's own (`sqlHourOffset()`, `nowSql()`, `dialectSQL()`). */
const SQL_TEXT_HELPER = /^(?:sql[A-Z_]\w*|\w*(?:Sql|SQL))$/;

/** `.join(',')`, `.join(', ')`, `.join()`: the list joined with commas. */
const JOINED = String.raw`\s*\.\s*join\s*\(\s*(?:'[,\s]*'|"[,\s]*")?\s*\)$`;
/** A placeholder list: `ids.map(() => '?').join(',')`, `Array(n).fill('?').join(', ')`, `Array.from({ length: n }, () => '?').join(',')`. */
const PLACEHOLDER_LIST = new RegExp(
  String.raw`(?:\.\s*map\s*\(|\bArray\.from\s*\([^()]*(?:\([^()]*\)[^()]*)*,)\s*(?:\(\s*[\w$,\s]*\)|[A-Za-z_$][\w$]*)\s*=>\s*\(?\s*(?:${PLACEHOLDER_TEXT.source})\s*\)?\s*\)${JOINED}|\.\s*fill\s*\(\s*(?:${PLACEHOLDER_TEXT.source})\s*\)${JOINED}`,
);

/**
 * Calls that make fixed SQL text, whatever the data: a placeholder list
 * (`ids.map(() => '?').join(',')`, `Array(n).fill('?').join(', ')`), a function of this file whose
 * every `return` gives literal text (a dialect helper: `return "DATETIME('now', ? || ' hours')"`),
 * and a helper named for SQL text called with no arguments (`Database.sqlHourOffset()`), to which
 * nothing from the caller is passed.
 */
function isFixedTextCall(input: CheckInput, node: Node | null): boolean {
  const unwrapped = unwrapTyped(node);
  if (unwrapped?.type !== 'call_expression') return false;
  // Read from the text first; the tree only for a function this file declares.
  const text = unwrapped.node.text;
  if (PLACEHOLDER_LIST.test(text)) return true;
  const called = /^(?:[\w$]+\s*\.\s*)*([A-Za-z_$][\w$]*)\s*\(\s*(\))?/.exec(text);
  if (!called) return false;
  // A helper named for SQL text, given nothing from here.
  if (called[2] !== undefined && /\)$/.test(text) && SQL_TEXT_HELPER.test(called[1])) return true;
  const target = callee(unwrapped.node);
  const fn = target && sameFileFunction(input, target);
  return !!fn && returnsOnlyLiterals(fn);
}

/** Every value the function returns is literal text (`return 'NOW()'`), and it returns some. */
function returnsOnlyLiterals(fn: Node): boolean {
  const body = field(fn, 'body');
  if (!body) return false;
  if (body.type !== 'statement_block') return LITERAL_TYPES.has(unwrapTyped(body)?.type ?? '');
  const returns = descendants(body, 'return_statement').filter((ret) => {
    // Returns of functions nested inside are theirs.
    for (let up = ret.parent; up && up.id !== fn.id; up = up.parent) if (JS_FUNCTIONS.has(up.type)) return false;
    return true;
  });
  return (
    returns.length > 0 &&
    returns.every((ret) => {
      const value = unwrapTyped(named(ret)[0] ?? null);
      return (
        !!value &&
        (LITERAL_TYPES.has(value.type) || (value.type === 'template_string' && value.node.namedChildCount === 0))
      );
    })
  );
}

/** String build of an expression, following an identifier to its assignments in the same function. */
export function resolvedStringBuild(input: CheckInput, node: Node | null): StringBuild | null {
  const unwrapped = unwrapTyped(node);
  if (!unwrapped) return null;
  const inner = unwrapped.node;
  const isConstant: ConstantTest = (part) =>
    isConstantExpression(part) ||
    holdsOnlyLiterals(input, part) ||
    isValidated(input, part) ||
    isFixedTextCall(input, part) ||
    isInertSplice(input, part);
  if (unwrapped.type !== 'identifier') return stringBuild(inner, 0, isConstant);
  const scope = enclosingFunction(input, inner) ?? input.moduleScope(inner.startIndex);
  const builds = assignedValues(input, scope, inner.text, inner.startIndex)
    .map((value) => stringBuild(value, 0, isConstant) ?? appendedValue(value))
    .filter((build): build is StringBuild => build !== null);
  return joinBuilds(builds);
}

/** A loop statement's body, with the loop's own node to read its header when asked. */
export interface LoopBody extends Span {
  loop: Node;
}

const functionSpanLists = new WeakMap<CheckInput, SpanIndex<Span>>();
const loopBodyLists = new WeakMap<CheckInput, SpanIndex<LoopBody>>();

function functionSpans(input: CheckInput): SpanIndex<Span> {
  let index = functionSpanLists.get(input);
  if (!index) {
    index = indexSpans(
      [...JS_FUNCTIONS]
        .flatMap((type) => input.nodesOfType(type))
        .map((fn) => ({ start: fn.startIndex, end: fn.endIndex })),
    );
    functionSpanLists.set(input, index);
  }
  return index;
}

function loopBodies(input: CheckInput): SpanIndex<LoopBody> {
  let index = loopBodyLists.get(input);
  if (!index) {
    const spans: LoopBody[] = [];
    for (const type of JS_LOOPS) {
      for (const loop of input.nodesOfType(type)) {
        const body = field(loop, 'body');
        if (body) spans.push({ start: body.startIndex, end: body.endIndex, loop });
      }
    }
    index = indexSpans(spans);
    loopBodyLists.set(input, index);
  }
  return index;
}

/** The innermost span containing [start, end): the containing span with the largest start. */
function innermost<S extends Span>({ spans, starts, maxEnd }: SpanIndex<S>, start: number, end: number): S | undefined {
  for (let index = lastStartingBy(starts, start); index >= 0 && maxEnd[index] >= end; index -= 1) {
    if (spans[index].end >= end) return spans[index];
  }
  return undefined;
}

/** The innermost function (its span) around [start, end), read from the spans, or undefined. */
export function enclosingFunctionSpan(input: CheckInput, start: number, end: number): Span | undefined {
  return innermost(functionSpans(input), start, end);
}

/** The first function (its span) that starts in [from, to), or undefined. */
export function functionStartingIn(input: CheckInput, from: number, to: number): Span | undefined {
  const { spans, starts } = functionSpans(input);
  const span = spans[lastStartingBy(starts, from - 1) + 1];
  return span && span.start < to ? span : undefined;
}

/** The innermost loop statement whose body holds [start, end), with its body's span, or undefined. */
export function enclosingLoop(input: CheckInput, start: number, end: number): LoopBody | undefined {
  return innermost(loopBodies(input), start, end);
}

const LOOP_CALLBACK_BEFORE = /\.\s*(?:forEach|map|flatMap)\s*\(\s*$/;
const MAP_CALL_BEFORE = /\.\s*(?:map|flatMap)\s*\(\s*$/;
const PROMISE_ALL_BEFORE = /Promise\s*\.\s*all(?:Settled)?\s*\(\s*$/;

/**
 * Whether the `.map(` that ends `before` is called on a receiver that is itself the first argument
 * of `Promise.all(` / `Promise.allSettled(`: scans back over the receiver, whose calls and
 * subscripts may hold brackets (`Array.from(new Set(ids)).map(`), to what comes before it.
 */
function mapIsPromiseAllArgument(text: string): boolean {
  const before = text.replace(/\/\/[^\n]*$/gm, '');
  const map = MAP_CALL_BEFORE.exec(before);
  if (!map) return false;
  let at = map.index - 1;
  let depth = 0;
  for (; at >= 0; at -= 1) {
    const char = before[at];
    if (char === ')' || char === ']') depth += 1;
    else if (char === '(' || char === '[') {
      if (depth === 0) break;
      depth -= 1;
    } else if (depth === 0 && !/[\w$.\s?!]/.test(char)) return false;
  }
  return PROMISE_ALL_BEFORE.test(before.slice(0, at + 1));
}

/** Whether the file names a batch call at all (see mapIsBatchArgument): answered once per check. */
const mentionsBatch = textMatchOncePerCheck(/\$transaction|\.\s*batch\s*\(/);

/** A batch call that sends the statements of its list as one unit: `prisma.$transaction([…])`, `db.batch([…])`. */
const BATCH_CALL_BEFORE = /(?:\$transaction|(?<![\w$])[\w$]*\s*\.\s*batch)\s*\(\s*$/;
/** `const updates = ` before a mapping: the list is named, and given to a batch call later (see mapIsBatchArgument). */
const NAMED_LIST_BEFORE = /\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=;]*)?=\s*$/;

/**
 * Whether the `.map(` that ends `before` builds the list of statements a batch call sends at once
 * (Prisma's `$transaction([…])`, a `batch([…])`): inside its argument list, as the argument itself
 * (`$transaction(steps.map(…))`) or spread into the array beside other statements (`$transaction([
 * del, ...rest.map(…)])`), or named and given to it further on (`const updates = xs.map(…)` then
 * `$transaction(updates)`; `after` is the text from the mapping on). The statements go out as one
 * transaction, one after another on one connection, not one request per element awaited in turn.
 */
function mapIsBatchArgument(before: string, after: string): boolean {
  const map = MAP_CALL_BEFORE.exec(before);
  if (!map) return false;
  let depth = 0;
  let at = map.index - 1;
  for (; at >= 0; at -= 1) {
    const char = before[at];
    if (char === ')' || char === ']' || char === '}') depth += 1;
    else if (char === '(' || char === '[' || char === '{') {
      if (depth === 0) break;
      depth -= 1;
    } else if (depth === 0 && char === ';') break;
  }
  if (at < 0 || before[at] === '{' || before[at] === ';') {
    // Named first: `const updates = rows.map(…)`, with the receiver's chain between.
    const receiverStart = /[\w$.\s?!]*$/.exec(before.slice(0, map.index))?.index ?? map.index;
    const named = NAMED_LIST_BEFORE.exec(before.slice(0, receiverStart));
    if (!named) return false;
    const name = named[1].replace(/\$/g, '\\$');
    return new RegExp(String.raw`(?:\$transaction|\.\s*batch)\s*\(\s*\[?\s*(?:\.\.\.)?${name}\s*[,)\]]`).test(after);
  }
  return BATCH_CALL_BEFORE.test(before.slice(0, before[at] === '[' ? at : at + 1));
}

/**
 * How a node runs repeatedly: inside a loop statement's body, or inside a `.forEach` / `.map`
 * callback, within the same function. Worked out from node spans and the text before the
 * callback, because climbing parents is slow in web-tree-sitter on large files.
 * `Promise.all(xs.map(...))` callbacks run in parallel and are left to unbounded-concurrency.
 */
export function loopKind(input: CheckInput, start: number, end: number): 'loop' | 'callback' | undefined {
  const fn = innermost(functionSpans(input), start, end);
  const body = innermost(loopBodies(input), start, end);
  if (body && (!fn || body.start > fn.start)) return 'loop';
  if (!fn) return undefined;
  const before = input.text.slice(Math.max(0, fn.start - 400), fn.start).replace(/async\s*$/, '');
  if (!LOOP_CALLBACK_BEFORE.test(before) || mapIsPromiseAllArgument(before)) return undefined;
  // `prisma.$transaction(rows.map((r) => prisma.x.update(…)))`: one batch, not a request per element.
  if (
    mentionsBatch(input) &&
    mapIsBatchArgument(before.replace(/\/\/[^\n]*$/gm, ''), input.text.slice(fn.start, fn.start + 3000))
  )
    return undefined;
  return 'callback';
}

/** A loop header about pages: `while (nextUrl)`, `do { … } while (cursor)`, `for (let page = 1; hasMore; page++)`. */
const PAGINATION_HEADER =
  /\b(?:next(?:Url|Link|Page|PageToken|Token|Cursor|Href)?|cursor|(?:current|next)?[Pp]age(?:Token|Number|Num|Index)?|has_?[Mm]ore|has_?[Nn]ext(?:Page)?|offset|marker|continuation(?:Token)?)\b/;

/**
 * Whether the innermost loop statement around [start, end) walks pages of one result (its header,
 * everything but the body, names a cursor, a next link, a page or an offset) or runs until a result
 * (`for (;;)`, `while (true)`): each request depends on the one before, so it cannot be batched
 * into one call and is not an N+1.
 */
export function inPaginationLoop(input: CheckInput, start: number, end: number): boolean {
  const body = innermost(loopBodies(input), start, end);
  if (!body) return false;
  const loop = body.loop;
  // `for (const x of xs)` walks a collection, whatever it is named.
  if (loop.type === 'for_in_statement') return false;
  const header = input.text.slice(loop.startIndex, body.start) + input.text.slice(body.end, loop.endIndex);
  if (PAGINATION_HEADER.test(header) || UNCONDITIONAL_LOOP.test(header) || COUNTED_RETRY.test(header)) return true;
  const frontier = FRONTIER_CONDITION.exec(header);
  if (frontier && loop.type !== 'for_statement') {
    // `while (frontier.length > 0) { … findMany({ where: { parentId: { in: frontier } } }) … frontier =
    // children.map(…) }`: one batched query per level of a tree, each level the last one's answer. The
    // query itself is given the frontier: a queue named elsewhere in the body (`takeFirst(pending)`)
    // while each query asks for one node is a query per node.
    const name = frontier[1].replace(/\$/g, '\\$');
    const bodyText = input.text.slice(body.start, body.end);
    return (
      new RegExp(`(?<![\\w$.])${name}\\s*=(?!=)`).test(bodyText) &&
      new RegExp(`(?:\\bin\\s*:\\s*|,\\s*|\\(\\s*)${name}\\s*[,)}]`).test(input.text.slice(start, end))
    );
  }
  // `while (parentId) { … parentId = parent.parentId }`: each step starts from a field of the last
  // answer (a call such as `queue.pop()` walks a list instead).
  const walked = WALK_CONDITION.exec(header);
  if (!walked || loop.type === 'for_statement') return false;
  const name = walked[1].replace(/\$/g, '\\$');
  const bodyText = input.text.slice(body.start, body.end);
  // `parent = parent.parentNode`, or a lookup of the next from a field of this one
  // (`parent = await Tree.getParent(parent.id)`).
  return (
    new RegExp(`(?<![\\w$.])${name}\\s*=(?!=)\\s*[\\w$]+(?:\\??\\.[\\w$]+)+[^;\\n(]*(?:;|\\n)`).test(bodyText) ||
    new RegExp(
      `(?<![\\w$.])${name}\\s*=(?!=)\\s*(?:await\\s+)?[\\w$.]+\\([^;\\n]*(?<![\\w$.])${name}\\??\\.[\\w$]+`,
    ).test(bodyText)
  );
}

/** A loop that runs while a list has items: `while (frontier.length > 0)`, `while (queue.length)`. */
const FRONTIER_CONDITION = /while\s*\(\s*([A-Za-z_$][\w$]*)\.length\s*(?:>\s*0\s*|!==?\s*0\s*)?\)/;

/** A loop condition that is one variable: `while (parentId)`, `while (node != null)`, `} while (next !== undefined)`. */
const WALK_CONDITION = /while\s*\(\s*([A-Za-z_$][\w$]*)\s*(?:!==?\s*(?:null|undefined)\s*)?\)/;

/**
 * `for (let attempt = 0; attempt < 3; attempt++)`, `for (let i = 1; i <= MAX_RETRIES; i++)`: a count of
 * tries, to a small literal or a retry limit, repeats one call until it succeeds; it does not grow with
 * the data. So does a count of redirects followed (`hop <= maxRedirects`), each hop the last one's answer.
 */
const COUNTED_RETRY =
  /^for\s*\(\s*(?:let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*\d\s*;\s*\1\s*<=?\s*(?:\d{1,2}|[\w$.]*(?:retr(?:y|ies)|attempts?|tries|redirects?|hops)[\w$]*)\s*;/i;

/** `for (;;)` / `while (true)`: a retry or polling loop that stops on a result, not a walk over items. */
const UNCONDITIONAL_LOOP =
  /^for\s*\(\s*(?:let\s+\w+\s*=\s*\w+\s*)?;\s*;|^while\s*\(\s*true\s*\)|while\s*\(\s*true\s*\)\s*;?\s*$/;
