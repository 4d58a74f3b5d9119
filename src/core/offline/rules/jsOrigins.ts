import type { Node } from '@vscode/tree-sitter-wasm';
import { field, named, scopeAssignmentLists, textMatchOncePerCheck } from '../syntax';
import type { CheckInput } from '../types';
import { callee, enclosingFunction, firstArg, unwrap, unwrapTyped } from './jsSyntax';

/**
 * Where a collection comes from, read back through the assignments of the functions around its use
 * (JS/TS). A fan-out over it is as large as its origin allows:
 * - `record`: one row a query returns (`findFirst`, `findUnique`, `findOne`, `findById`, a helper
 *   named `getThingById`) or a list loaded with it (`envelope.items`): bounded by that one record;
 * - `capped`: the rows of a query given a limit (`take: 100`, `.limit(50)`);
 * - `request`: one request's own list (`req.body.items`, a tRPC handler's `input`, query parameters);
 * - `constant`: a module constant (`DEFAULT_GROUPS`) or a class's registry of definitions
 *   (`this.jobDefinitions`), written by the team.
 * Anything else (a parameter, a list query without a limit, a helper's result) is undefined: nothing
 * shows it is bounded.
 */
export type BoundedOrigin = 'record' | 'capped' | 'request' | 'constant';

/** A query that returns one row (Prisma, TypeORM, Sequelize, Mongoose, Kysely, Knex, Objection). */
const SINGLE_ROW_METHOD =
  /^(?:find(?:First|Unique)(?:OrThrow)?|findOne(?:By)?(?:OrFail)?|findBy(?:Pk|Id)|executeTakeFirst(?:OrThrow)?|first(?:OrFail)?)$/;
/**
 * A helper named for one record found by a unique key: `getEnvelopeById`, `findDocumentByToken`
 * (not a plural, and not `findEnabledByTeamId`: a team's rows).
 */
const SINGLE_ROW_FUNCTION =
  /^(?:get|find|fetch|load)[A-Z][A-Za-z]*[a-rt-z]By(?:Id|ID|Pk|PK|Uuid|UUID|Key|Slug|Token|Email|Username|Code)$/;
/** A query given a limit: `take: 1000`, `limit: n`, `.limit(100)`, `LIMIT 50`. */
const CAPPED_QUERY =
  /\b(?:take|limit|pageSize|perPage)\s*:\s*[\w$]|\.\s*(?:limit|take)\s*\(\s*[\w$]|\bLIMIT\s+(?:\d|\$|\?|:)/i;
/** Array methods that keep the elements of the collection they are called on (at most as many). */
const SHAPING_METHOD =
  /^(?:filter|map|flatMap|slice|sort|toSorted|toReversed|reverse|concat|flat|values|keys|entries)$/;
/** `Array.from(xs)`, `Object.values(map)`: the same elements. */
const SHAPING_FUNCTION = /^(?:Array\.from|Object\.(?:values|keys|entries))$/;
/** The body or query of the request being served. */
const REQUEST_PART = /^(?:req|request|ctx\.request|c\.req)\.(?:body|query)$/;
const CONSTANT_NAME = /^[A-Z][A-Z0-9_]*$/;
/** A class's own registry of what the code defines: `this.jobDefinitions`, `this.#handlers`, `this.registry`. */
const CODE_REGISTRY = /(?:^|[a-z0-9_])(?:[Dd]efinitions|[Rr]egistry|[Rr]egistrations|[Hh]andlers)$/;

const declarators = scopeAssignmentLists<Node>(['variable_declarator', 'assignment_expression'], (node) => node);

/** The most steps followed back from a use to an origin. */
const MAX_DEPTH = 10;

/** Why the collection `node` (used at `node`) is bounded, or undefined when nothing shows it. */
export function boundedOrigin(input: CheckInput, node: Node | null, depth = 0): BoundedOrigin | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const typed = unwrapTyped(node);
  if (!typed) return undefined;
  const value = typed.node;
  switch (typed.type) {
    case 'await_expression':
      return boundedOrigin(input, value.namedChildren[0] ?? null, depth + 1);
    case 'identifier':
      return identifierOrigin(input, value, depth);
    case 'member_expression': {
      if (REQUEST_PART.test(value.text.replace(/\s+/g, ''))) return 'request';
      // `this.jobDefinitions`: what the program registered in code.
      if (field(value, 'object')?.type === 'this' && CODE_REGISTRY.test(field(value, 'property')?.text ?? ''))
        return 'constant';
      // A list held by one record or one request is that record's or request's.
      const owner = boundedOrigin(input, field(value, 'object'), depth + 1);
      return owner === 'record' || owner === 'request' ? owner : undefined;
    }
    case 'call_expression':
      return callOrigin(input, value, depth);
    case 'binary_expression': {
      // `teamTemplate ?? organisationTemplate`, `input.ids || []`: bounded when every side is.
      if (!/^(?:\?\?|\|\|)$/.test(field(value, 'operator')?.text ?? '')) return undefined;
      const left = field(value, 'left');
      const right = field(value, 'right');
      return both(
        boundedOrigin(input, left, depth + 1),
        isEmptyList(right) ? 'constant' : boundedOrigin(input, right, depth + 1),
      );
    }
    case 'array': {
      // `[...(data.recipients || []), ...defaults]`: bounded when every part is. An empty `[]` is filled later.
      if (value.namedChildCount === 0) return undefined;
      let origin: BoundedOrigin | undefined = 'constant';
      for (const element of named(value)) {
        const part = element.type === 'spread_element' ? (element.namedChildren[0] ?? null) : null;
        origin = both(origin, part ? boundedOrigin(input, part, depth + 1) : 'constant');
        if (!origin) return undefined;
      }
      return origin;
    }
    default:
      return undefined;
  }
}

function isEmptyList(node: Node | null): boolean {
  const value = unwrap(node);
  return value?.type === 'array' && value.namedChildCount === 0;
}

/** Two origins joined: bounded when both are; a record or a request names the kind. */
function both(a: BoundedOrigin | undefined, b: BoundedOrigin | undefined): BoundedOrigin | undefined {
  if (!a || !b) return undefined;
  return a === 'constant' ? b : a;
}

function callOrigin(input: CheckInput, call: Node, depth: number): BoundedOrigin | undefined {
  const target = callee(call);
  if (!target) return undefined;
  if (SHAPING_FUNCTION.test(target.text)) return boundedOrigin(input, firstArg(call), depth + 1);
  if (target.object !== undefined && SHAPING_METHOD.test(target.name))
    return boundedOrigin(input, field(field(call, 'function'), 'object'), depth + 1);
  // `url.searchParams.getAll('id')`, `await req.json()`: what the request sent.
  if (target.name === 'getAll' && /searchParams$/i.test(target.object ?? '')) return 'request';
  if (/^(?:json|formData)$/.test(target.name) && /^(?:req|request|c\.req)$/.test(target.object ?? '')) return 'request';
  if (SINGLE_ROW_METHOD.test(target.name) || SINGLE_ROW_FUNCTION.test(target.name)) return 'record';
  if (CAPPED_QUERY.test(call.text)) return 'capped';
  return undefined;
}

/**
 * A name's origin: the values it is given in the innermost function around the use that declares
 * it (all of them must be bounded), the request's `input` a handler destructures, or a constant.
 */
function identifierOrigin(input: CheckInput, name: Node, depth: number): BoundedOrigin | undefined {
  const text = name.text;
  const at = name.startIndex;
  const word = new RegExp(`(?<![\\w$])${text.replace(/\$/g, '\\$')}(?![\\w$])`);
  for (let fn = enclosingFunction(input, name); fn; fn = enclosingFunction(input, fn)) {
    // Only functions whose text gives it a value are read in the tree (a cheap test first).
    const before = input.text.slice(fn.startIndex, at);
    if (!word.test(before)) continue;
    const given = givesValue(before, text) ? valuesGiven(input, fn, text, at, word) : [];
    if (given.length > 0) {
      let origin: BoundedOrigin | undefined = 'constant';
      for (const value of given) {
        origin = both(
          origin,
          value.kind === 'whole' ? boundedOrigin(input, value.node, depth + 1) : partOrigin(input, value, depth),
        );
        if (!origin) return undefined;
      }
      return origin;
    }
    const parameters = field(fn, 'parameters') ?? field(fn, 'parameter');
    if (parameters && word.test(parameters.text)) {
      // `async ({ input, ctx }) => …`: the validated input of the request a handler serves.
      if (text === 'input' && /^\(?\s*\{/.test(parameters.text)) return 'request';
      // `@Body() dto: CreateDto`
      if (new RegExp(`@Body\\([^()]*\\)\\s*${text.replace(/\$/g, '\\$')}\\b`).test(parameters.text)) return 'request';
      return undefined;
    }
  }
  // Not declared in a function around it: an UPPER_CASE name is a module constant or an imported one.
  return CONSTANT_NAME.test(text) ? 'constant' : undefined;
}

/** Whether the text declares or assigns `name`: `const name =`, `let { a, name } =`, `name = …`. */
function givesValue(text: string, name: string): boolean {
  const escaped = name.replace(/\$/g, '\\$');
  return new RegExp(
    String.raw`\b(?:const|let|var)\s+${escaped}(?![\w$])|\b(?:const|let|var)\s*[{[][^;=]*(?<![\w$])${escaped}(?![\w$])|(?<![\w$.])${escaped}\s*=(?![=>])`,
  ).test(text);
}

interface GivenValue {
  kind: 'whole' | 'key' | 'index';
  node: Node | null;
  key?: string;
  index?: number;
}

/** The values `fn`'s own declarations and assignments give `name` before `at` (nested functions' are theirs). */
function valuesGiven(input: CheckInput, fn: Node, name: string, at: number, word: RegExp): GivenValue[] {
  const given: GivenValue[] = [];
  const { text } = input;
  for (const node of declarators(input, fn)) {
    const start = node.startIndex;
    if (start >= at) break;
    // Read from the text first: the target opens the declarator (`name =`, `{ a, name } =`, `[a, name] =`).
    const opens = text.charCodeAt(start);
    if (
      opens !== 123 &&
      opens !== 91 &&
      !(text.startsWith(name, start) && !/[\w$]/.test(text.charAt(start + name.length)))
    )
      continue;
    // `items = items.map(…)`: the value it had before is read, not this assignment.
    if (node.endIndex > at) continue;
    const isDeclarator = node.type === 'variable_declarator';
    const target = isDeclarator ? field(node, 'name') : field(node, 'left');
    if (!target || !word.test(target.text)) continue;
    if (enclosingFunction(input, node)?.id !== fn.id) continue;
    const value = isDeclarator ? field(node, 'value') : field(node, 'right');
    if (target.type === 'identifier') {
      if (target.text === name) given.push({ kind: 'whole', node: value });
    } else if (target.type === 'object_pattern') {
      const key = destructuredKey(target, name);
      if (key !== undefined) given.push({ kind: 'key', node: value, key });
    } else if (target.type === 'array_pattern') {
      const index = named(target).findIndex((element) => element.type === 'identifier' && element.text === name);
      if (index >= 0) given.push({ kind: 'index', node: value, index });
    }
  }
  return given;
}

/** The key `{ name }` or `{ key: name }` reads in an object pattern; undefined when it is not there plainly. */
function destructuredKey(pattern: Node, name: string): string | undefined {
  for (const element of named(pattern)) {
    if (element.type === 'shorthand_property_identifier_pattern' && element.text === name) return name;
    // `{ files = [] }`: the key, or an empty default.
    if (element.type === 'object_assignment_pattern' && unwrap(field(element, 'left'))?.text === name)
      return unwrap(field(element, 'left'))?.type === 'shorthand_property_identifier_pattern' ? name : undefined;
    if (element.type === 'pair_pattern' && unwrap(field(element, 'value'))?.text === name)
      return field(element, 'key')?.text;
  }
  return undefined;
}

/** The origin of a destructured value: a key of a record or of a request, or one result of `Promise.all([…])`. */
function partOrigin(input: CheckInput, value: GivenValue, depth: number): BoundedOrigin | undefined {
  let source = unwrap(value.node);
  if (value.kind === 'key') {
    const owner = boundedOrigin(input, source, depth + 1);
    return owner === 'record' || owner === 'request' ? owner : undefined;
  }
  // `const [a, b] = await Promise.all([findA(), findB()])`: the result of the call at that place.
  if (source?.type === 'await_expression') source = unwrap(source.namedChildren[0] ?? null);
  if (source?.type !== 'call_expression' || callee(source)?.object !== 'Promise') return undefined;
  const list = unwrap(firstArg(source));
  if (list?.type !== 'array' || value.index === undefined) return undefined;
  return boundedOrigin(input, named(list)[value.index] ?? null, depth + 1);
}

/** Calls that open an interactive transaction and run their callback on its one connection. */
const TRANSACTION_CALL = /(?:^|\.)\$?transaction(?:al)?$|(?:^|\.)transaction\(\)\.execute$/;

/** Whether the file says `transaction` anywhere: asked for every call throughTransaction looks at, answered once per check. */
const mentionsTransaction = textMatchOncePerCheck(/transaction/);

/**
 * Whether `node` runs inside the callback of an interactive database transaction
 * (`prisma.$transaction(async (tx) => …)`, `knex.transaction(async (trx) => …)`,
 * `db.transaction().execute(async (trx) => …)`) and `work` goes through that transaction's client:
 * its queries share the transaction's one connection and run one after another, whatever the
 * fan-out around them.
 */
export function throughTransaction(input: CheckInput, node: Node, work: Node): boolean {
  if (!mentionsTransaction(input)) return false;
  for (let fn = enclosingFunction(input, node); fn; fn = enclosingFunction(input, fn)) {
    const argumentList = fn.parent;
    const call = argumentList?.type === 'arguments' ? argumentList.parent : null;
    if (call?.type !== 'call_expression') continue;
    const target = callee(call);
    if (!target || !TRANSACTION_CALL.test(target.text)) continue;
    const parameters = field(fn, 'parameters') ?? field(fn, 'parameter');
    const client = parameters?.type === 'identifier' ? parameters : named(parameters)[0];
    const clientName = unwrap(client ?? null)?.text.replace(/\s*:.*$/s, '');
    if (!clientName || !/^[A-Za-z_$][\w$]*$/.test(clientName)) return false;
    return new RegExp(`(?<![\\w$.])${clientName.replace(/\$/g, '\\$')}(?![\\w$])`).test(work.text);
  }
  return false;
}
